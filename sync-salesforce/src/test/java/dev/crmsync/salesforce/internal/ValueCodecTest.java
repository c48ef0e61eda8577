package dev.crmsync.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.FieldValue;
import java.time.Instant;
import java.time.LocalDate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValueCodecTest {

    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private JsonNode node(String literal) throws Exception {
        return json.readTree(literal);
    }

    @Test
    void numbersFromRestAndBulkAreEqualWhateverTheSpelling() throws Exception {
        FieldValue a = ValueCodec.fromJson(node("300.0"), FieldType.CURRENCY);
        FieldValue b = ValueCodec.fromJson(node("300"), FieldType.CURRENCY);
        FieldValue c = ValueCodec.fromText("300", FieldType.CURRENCY);
        FieldValue d = ValueCodec.fromText("300.00", FieldType.CURRENCY);
        assertEquals(FieldValue.number(300), a);
        assertEquals(a, b);
        assertEquals(a, c);
        assertEquals(a, d);
    }

    @Test
    void decimalsKeepTheirExactValue() throws Exception {
        assertEquals(FieldValue.number("0.1"), ValueCodec.fromJson(node("0.1"), FieldType.DOUBLE));
        assertEquals(FieldValue.number("12345678901234567890.123"),
                ValueCodec.fromJson(node("12345678901234567890.123"), FieldType.DOUBLE));
    }

    @ParameterizedTest
    @CsvSource({"2013-05-07T22:07:19.000+0000", "2013-05-07T22:07:19.000Z", "2013-05-07T22:07:19Z",
            "2013-05-07T22:07:19+00:00", "2013-05-08T00:07:19.000+0200"})
    void everyDateTimeSpellingParsesToTheSameInstant(String text) {
        assertEquals(FieldValue.dateTime(Instant.parse("2013-05-07T22:07:19Z")),
                ValueCodec.fromText(text, FieldType.DATETIME));
    }

    @Test
    void datesBooleansAndRefs() throws Exception {
        assertEquals(FieldValue.date(LocalDate.of(2010, 1, 1)), ValueCodec.fromJson(node("\"2010-01-01\""), FieldType.DATE));
        assertEquals(FieldValue.bool(true), ValueCodec.fromJson(node("true"), FieldType.BOOLEAN));
        assertEquals(FieldValue.bool(false), ValueCodec.fromText("false", FieldType.BOOLEAN));
        assertEquals(FieldValue.ref("001B000000oAiW9IAK"),
                ValueCodec.fromText("001B000000oAiW9IAK", FieldType.REFERENCE));
        assertEquals(FieldValue.ref("001B000000oAiW9"), ValueCodec.fromJson(node("\"001B000000oAiW9\""), FieldType.ID));
    }

    @Test
    void nullMissingAndEmptyAreAllNull() {
        assertEquals(FieldValue.NULL, ValueCodec.fromJson(null, FieldType.STRING));
        assertEquals(FieldValue.NULL, ValueCodec.fromJson(json.nullNode(), FieldType.DOUBLE));
        assertEquals(FieldValue.NULL, ValueCodec.fromText(null, FieldType.DATE));
        assertEquals(FieldValue.NULL, ValueCodec.fromText("", FieldType.STRING));
        assertEquals(FieldValue.NULL, ValueCodec.fromJson(json.getNodeFactory().textNode(""), FieldType.EMAIL));
    }

    @Test
    void textIsKeptExactly() {
        String hostile = "O'Brien \\ \"quoted\"\nline 2\t' OR Id != '  Zoë 東京 😀";
        assertEquals(FieldValue.text(hostile), ValueCodec.fromText(hostile, FieldType.TEXTAREA));
        assertEquals(FieldValue.text(hostile), ValueCodec.fromJson(json.getNodeFactory().textNode(hostile), FieldType.TEXTAREA));
        assertEquals(FieldValue.text("four;six"), ValueCodec.fromText("four;six", FieldType.MULTIPICKLIST));
    }

    @Test
    void aValueThatDoesNotFitItsTypeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> ValueCodec.fromText("yes", FieldType.BOOLEAN));
        assertThrows(IllegalArgumentException.class, () -> ValueCodec.fromText("12/31/2024", FieldType.DATE));
        assertThrows(IllegalArgumentException.class, () -> ValueCodec.fromText("abc", FieldType.INT));
        assertThrows(IllegalArgumentException.class, () -> ValueCodec.fromText("not-an-id", FieldType.REFERENCE));
    }

    /** A value written to JSON and read back as REST would return it, or as Bulk CSV text, is the same value. */
    @Property
    void writtenValuesReadBackEqualThroughRestAndBulk(@ForAll("values") Typed v) throws Exception {
        ObjectNode rec = json.createObjectNode();
        ValueCodec.putJson(rec, "F", v.value());
        JsonNode back = json.readTree(json.writeValueAsString(rec)).get("F");
        FieldValue viaRest = ValueCodec.fromJson(back, v.type());
        FieldValue viaBulk = ValueCodec.fromText(back.isNull() ? null : back.asText(), v.type());
        assertEquals(v.value(), viaRest);
        assertEquals(viaRest, viaBulk);
    }

    record Typed(FieldType type, FieldValue value) {
    }

    @Provide
    Arbitrary<Typed> values() {
        Arbitrary<Typed> text = Arbitraries.strings().ofMinLength(1).ofMaxLength(30)
                .map(s -> new Typed(FieldType.STRING, FieldValue.text(s)));
        Arbitrary<Typed> number = Arbitraries.bigDecimals().ofScale(4).between(new java.math.BigDecimal("-1e12"),
                new java.math.BigDecimal("1e12")).map(d -> new Typed(FieldType.CURRENCY, FieldValue.number(d)));
        Arbitrary<Typed> bool = Arbitraries.of(true, false).map(b -> new Typed(FieldType.BOOLEAN, FieldValue.bool(b)));
        Arbitrary<Typed> date = Arbitraries.longs().between(-50_000, 50_000)
                .map(d -> new Typed(FieldType.DATE, FieldValue.date(LocalDate.ofEpochDay(d))));
        Arbitrary<Typed> dateTime = Arbitraries.longs().between(0, 4_000_000_000L)
                .map(s -> new Typed(FieldType.DATETIME, FieldValue.dateTime(Instant.ofEpochSecond(s))));
        Arbitrary<Typed> nul = Arbitraries.of(FieldType.values()).filter(t -> !t.isUnsyncable())
                .map(t -> new Typed(t, FieldValue.NULL));
        return Arbitraries.oneOf(text, number, bool, date, dateTime, nul);
    }

    @Test
    void salesforcesOwnDateTimeSpellingReadsAsTheGeneralParserReadsIt() {
        java.util.Random random = new java.util.Random(9);
        java.time.format.DateTimeFormatter f = java.time.format.DateTimeFormatter
                .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS", java.util.Locale.ROOT).withZone(java.time.ZoneOffset.UTC);
        for (int i = 0; i < 2_000; i++) {
            java.time.Instant t = java.time.Instant.ofEpochMilli(random.nextLong(-2_000_000_000_000L, 4_000_000_000_000L));
            String base = f.format(t);
            assertEquals(t, ValueCodec.parseDateTime(base + "+0000"));
            assertEquals(t, ValueCodec.parseDateTime(base + "Z"));
            assertEquals(t, java.time.OffsetDateTime.parse(base + "+00:00").toInstant());
        }
        assertEquals(java.time.Instant.parse("2024-02-29T23:59:59.999Z"),
                ValueCodec.parseDateTime("2024-02-29T23:59:59.999+0000"));
        org.junit.jupiter.api.Assertions.assertThrows(java.time.DateTimeException.class,
                () -> ValueCodec.parseDateTime("2023-02-29T00:00:00.000+0000"));
        org.junit.jupiter.api.Assertions.assertThrows(java.time.DateTimeException.class,
                () -> ValueCodec.parseDateTime("2023-13-01T00:00:00.000Z"));
    }

    @Test
    void salesforcesOwnDateSpellingReadsAsLocalDateParseReadsIt() {
        for (LocalDate d = LocalDate.of(1999, 12, 25); d.isBefore(LocalDate.of(2001, 3, 5)); d = d.plusDays(1)) {
            assertEquals(FieldValue.date(d), ValueCodec.fromText(d.toString(), FieldType.DATE));
        }
        assertEquals(FieldValue.date(LocalDate.of(2024, 2, 29)), ValueCodec.fromText("2024-02-29", FieldType.DATE));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ValueCodec.fromText("2023-02-29", FieldType.DATE));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ValueCodec.fromText("2023-1x-01", FieldType.DATE));
    }
}
