package dev.crmsync.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.crm.Cursor;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SoqlTest {

    private static final CrmId ID = CrmId.of("00Q000000000001EAA");

    @Test
    void escapesQuotesBackslashesAndLineBreaks() {
        assertEquals("O\\'Brien \\\\ \\\"x\\\" \\n\\r\\t", Soql.escape("O'Brien \\ \"x\" \n\r\t"));
    }

    @Test
    void quotedHostileValueStaysOneLiteral() {
        assertEquals("'\\' OR Id != \\''", Soql.quote("' OR Id != '"));
    }

    @Test
    void unicodeIsKeptAsIs() {
        assertEquals("'Zoë – 東京 😀'", Soql.quote("Zoë – 東京 😀"));
    }

    @Test
    void otherControlCharactersAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Soql.escape("a\u0001b"));
        assertTrue(e.getMessage().contains("U+0001"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Name' OR Id != '", "Name, (SELECT Id FROM Contacts)", "Owner.Name", "1Field", "Field_",
            "Na me", "", "Email\n", "Fïeld", "a__b__c__d_"})
    void malformedIdentifiersAreRefused(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Soql.requireIdentifier(name, "field"));
        assertTrue(e.getMessage().startsWith("invalid field name"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Name", "Custom__c", "ns__Field__c", "SystemModstamp", "X9"})
    void wellFormedIdentifiersPass(String name) {
        assertEquals(name, Soql.requireIdentifier(name, "field"));
    }

    @Test
    void identifierMessageShowsControlCharactersEscaped() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Soql.requireIdentifier("bad\nname", "field"));
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(e.getMessage().contains("\\u000a"), e.getMessage());
    }

    @Test
    void startCursorHasNoCondition() {
        assertNull(Soql.after("SystemModstamp", Cursor.START));
    }

    @Test
    void keysetConditionOnStampAndId() {
        Cursor c = Cursor.after(Instant.parse("2024-03-01T10:00:05Z"), ID);
        assertEquals("(SystemModstamp > 2024-03-01T10:00:05Z OR (SystemModstamp = 2024-03-01T10:00:05Z "
                + "AND Id > '00Q000000000001EAA'))", Soql.after("SystemModstamp", c));
    }

    @Test
    void cursorWithoutIdIncludesItsWholeSecond() {
        Cursor c = new Cursor(Instant.parse("2024-03-01T10:00:05Z"), null);
        assertEquals("SystemModstamp >= 2024-03-01T10:00:05Z", Soql.after("SystemModstamp", c));
    }

    @Test
    void fractionalCursorStartsAtTheNextWholeSecond() {
        Cursor c = Cursor.after(Instant.parse("2024-03-01T10:00:05.250Z"), ID);
        assertEquals("SystemModstamp >= 2024-03-01T10:00:06Z", Soql.after("SystemModstamp", c));
    }

    @Test
    void selectJoinsConditionsAndOrdersByStampThenId() {
        String soql = Soql.select(List.of("Id", "SystemModstamp", "Email"), "Lead",
                java.util.Arrays.asList(null, "SystemModstamp <= 2024-01-01T00:00:00Z"), "SystemModstamp");
        assertEquals("SELECT Id, SystemModstamp, Email FROM Lead WHERE SystemModstamp <= 2024-01-01T00:00:00Z "
                + "ORDER BY SystemModstamp, Id", soql);
    }

    @Test
    void idListIsQuoted() {
        assertEquals("Id IN ('00Q000000000001EAA','003000000000002AAA')",
                Soql.idIn(List.of(ID, CrmId.of("003000000000002AAA"))));
    }

    /** A literal, once escaped and quoted, is read back by a SOQL lexer as exactly one string equal to the input. */
    @Property
    void escapedLiteralReadsBackAsTheSameSingleString(@ForAll("soqlStrings") String value) {
        String quoted = Soql.quote(value);
        StringBuilder read = new StringBuilder();
        int end = readLiteral(quoted, read);
        assertEquals(quoted.length(), end, "the literal must end exactly at the closing quote");
        assertEquals(value, read.toString());
    }

    @Provide
    Arbitrary<String> soqlStrings() {
        Arbitrary<String> hostile = Arbitraries.of("'", "\\", "\"", "\n", "\r", "\t", "' OR Id != '", "\\'", "%", "_",
                "é", "東", "😀", "\b", "\f");
        Arbitrary<String> plain = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(5);
        return Arbitraries.oneOf(hostile, plain).list().ofMaxSize(8).map(l -> String.join("", l));
    }

    /** A minimal SOQL string-literal lexer: returns the index after the closing quote. */
    private static int readLiteral(String s, StringBuilder out) {
        if (s.charAt(0) != '\'') {
            throw new AssertionError("no opening quote");
        }
        int i = 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\') {
                char n = s.charAt(i + 1);
                out.append(switch (n) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    case '\'', '"', '\\' -> n;
                    default -> throw new AssertionError("unknown escape \\" + n);
                });
                i += 2;
            } else if (c == '\'') {
                return i + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        throw new AssertionError("unterminated literal");
    }
}
