package dev.crmsync.testkit.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.crmsync.testkit.salesforce.internal.Soql.Comparison;
import dev.crmsync.testkit.salesforce.internal.Soql.StringLit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Escaping any string as SOQL says and parsing it gives the string back, and never changes the query's shape. */
class SoqlLiteralProperties {

    /** SOQL's quoted-string escaping, as a client would write it. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\'' -> sb.append("\\'");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    @Provide
    Arbitrary<String> hostile() {
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(40);
        Arbitrary<String> tricky = Arbitraries.strings()
                .withChars('\'', '"', '\\', '\n', '\r', '\t', '\b', '\f', '%', '_', ' ', 'a', 'O', '=', '(', ')')
                .ofMaxLength(40);
        Arbitrary<String> injections = Arbitraries.of("' OR Id != '", "\\' OR Name != \\'", "x' OR '1'='1",
                "'); DELETE", "\\", "'", "\\'", "é😀中", "\u0000", "a\\nb");
        return Arbitraries.oneOf(any, tricky, injections);
    }

    @Property
    void escapingThenParsingGivesTheStringBack(@ForAll("hostile") String value) {
        Soql q = SoqlParser.parse("SELECT Id FROM Lead WHERE LastName = '" + escape(value) + "'");
        Comparison c = assertInstanceOf(Comparison.class, q.where());
        assertEquals(new StringLit(value), c.value());
    }

    @Property
    void anEscapedValueCannotChangeTheQueryShape(@ForAll("hostile") String value) {
        Soql q = SoqlParser.parse("SELECT Id FROM Lead WHERE LastName = '" + escape(value) + "' AND Email = 'x' LIMIT 3");
        Soql.And and = assertInstanceOf(Soql.And.class, q.where());
        assertEquals(2, and.parts().size());
        assertEquals(new StringLit(value), ((Comparison) and.parts().get(0)).value());
        assertEquals(3, q.limit());
    }

    @Property
    void likePatternsMatchTheirLiteralWhenWildcardsAreEscaped(@ForAll("hostile") String value) {
        String escaped = escape(value).replace("%", "\\%").replace("_", "\\_");
        Soql.Like like = assertInstanceOf(Soql.Like.class,
                SoqlParser.parse("SELECT Id FROM Lead WHERE LastName LIKE '" + escaped + "'").where());
        assertEquals(true, like.pattern().matcher(value).matches());
    }
}
