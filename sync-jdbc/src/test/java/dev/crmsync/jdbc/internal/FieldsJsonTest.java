package dev.crmsync.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class FieldsJsonTest {

    @Provide
    Arbitrary<FieldValue> values() {
        Arbitrary<FieldValue> text = Arbitraries.strings().all().ofMaxLength(40).map(FieldValue::text);
        Arbitrary<FieldValue> number = Combinators.combine(
                        Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30)),
                        Arbitraries.integers().between(-30, 30))
                .as((u, s) -> FieldValue.number(new BigDecimal(u, s)));
        Arbitrary<FieldValue> date = Arbitraries.longs().between(-300_000, 300_000)
                .map(d -> FieldValue.date(LocalDate.ofEpochDay(d)));
        Arbitrary<FieldValue> dateTime = Combinators.combine(Arbitraries.longs().between(-30_000_000_000L, 30_000_000_000L),
                Arbitraries.integers().between(0, 999_999_999)).as((s, n) -> FieldValue.dateTime(Instant.ofEpochSecond(s, n)));
        Arbitrary<FieldValue> ref = Arbitraries.strings()
                .withChars("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz").ofLength(15)
                .map(s -> FieldValue.ref(CrmId.of(s)));
        return Arbitraries.oneOf(text, number, date, dateTime, ref,
                Arbitraries.of(FieldValue.NULL, FieldValue.bool(true), FieldValue.bool(false)));
    }

    @Provide
    Arbitrary<Map<String, FieldValue>> maps() {
        return Arbitraries.maps(Arbitraries.strings().all().ofMinLength(1).ofMaxLength(10), values()).ofMaxSize(30);
    }

    @Property
    void everyFieldMapRoundTripsExactly(@ForAll("maps") Map<String, FieldValue> fields) {
        assertEquals(fields, FieldsJson.decode(FieldsJson.encode(fields)));
    }

    @Property
    void everyValueRoundTripsExactly(@ForAll("values") FieldValue value) {
        assertEquals(value, FieldsJson.decodeValue(FieldsJson.encodeValue(value)));
    }

    @Property
    void outputIsPrintableAsciiOrUnicodeWithoutControlCharacters(@ForAll("maps") Map<String, FieldValue> fields) {
        String json = FieldsJson.encode(fields);
        assertTrue(json.chars().noneMatch(c -> c < 0x20 || c == 0x7F), json);
    }

    @Test
    void numberTextAndNullStayDistinct() {
        Map<String, FieldValue> m = new LinkedHashMap<>();
        m.put("a", FieldValue.number("1.0"));
        m.put("b", FieldValue.text("1.0"));
        m.put("c", FieldValue.NULL);
        m.put("d", FieldValue.text(""));
        String json = FieldsJson.encode(m);
        assertEquals("{\"a\":[\"n\",\"1\"],\"b\":[\"t\",\"1.0\"],\"c\":null,\"d\":[\"t\",\"\"]}", json);
        Map<String, FieldValue> back = FieldsJson.decode(json);
        assertEquals(m, back);
        assertNotEquals(back.get("a"), back.get("b"));
    }

    @Test
    void encodingIsDeterministicAndSortedByName() {
        Map<String, FieldValue> m = new LinkedHashMap<>();
        m.put("z", FieldValue.bool(true));
        m.put("a", FieldValue.ref("00Q000000000001"));
        assertEquals("{\"a\":[\"r\",\"" + CrmId.of("00Q000000000001").value() + "\"],\"z\":[\"b\",true]}",
                FieldsJson.encode(m));
        assertTrue(FieldsJson.encode(m).contains(FieldsJson.refToken(CrmId.of("00Q000000000001"))));
    }

    @Test
    void unpairedSurrogatesAndControlCharactersAreEscaped() {
        String json = FieldsJson.encode(Map.of("x", FieldValue.text("a\uD800\u0000\u001f😀\"\\")));
        assertEquals("{\"x\":[\"t\",\"a\\ud800\\u0000\\u001f😀\\\"\\\\\"]}", json);
    }

    @Test
    void acceptsWhitespaceBetweenTokens() {
        assertEquals(Map.of("a", FieldValue.bool(false)), FieldsJson.decode(" { \"a\" : [ \"b\" , false ] } "));
    }

    @Test
    void rejectsAnythingElse() {
        for (String bad : new String[] {
            "", "[]", "{", "{\"a\":1}", "{\"a\":[\"x\",\"1\"]}", "{\"a\":[\"n\",\"abc\"]}", "{\"a\":[\"b\",\"true\"]}",
            "{\"a\":null,\"a\":null}", "{\"a\":null} x", "{\"a\":[\"t\",\"\\q\"]}", "{\"a\":[\"t\",\"\u0001\"]}",
            "{\"a\":[\"r\",\"short\"]}", "{\"a\":[\"d\",\"2020-13-01\"]}", "{a:null}", "{\"a\":[\"t\",\"x\",\"y\"]}",
            "{\"a\":[\"t\",\"\\u12\"]}", "{\"a\":nul}"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FieldsJson.decode(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid fields JSON at offset "), e.getMessage());
        }
    }
}
