package dev.crmsync.crm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.FieldValue;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FieldChecksTest {

    private static Optional<String> code(FieldSchema f, FieldValue v) {
        return FieldChecks.check(f, v).map(FieldChecks.Problem::code);
    }

    @Test
    void numbersWithinPrecisionScaleAndRange() {
        FieldSchema money = FieldSchema.builder("Amount", FieldType.CURRENCY).precision(18, 2).build();
        assertEquals(Optional.empty(), code(money, FieldValue.number("9999999999999999.99")));
        assertEquals(Optional.empty(), code(money, FieldValue.number("1.999")), "extra decimals are rounded, not refused");
        assertEquals(Optional.of("NUMBER_OUTSIDE_VALID_RANGE"), code(money, FieldValue.number("1e16")));
        assertEquals(Optional.of("NUMBER_OUTSIDE_VALID_RANGE"), code(money, FieldValue.number(new BigDecimal("1E+400"))));
        FieldSchema unknown = FieldSchema.of("X", FieldType.DOUBLE);
        assertEquals(Optional.empty(), code(unknown, FieldValue.number("1e23")), "no precision known: only finiteness");
        assertEquals(Optional.of("NUMBER_OUTSIDE_VALID_RANGE"), code(unknown, FieldValue.number("-1E+400")));
        FieldSchema count = FieldSchema.of("N", FieldType.INT);
        assertEquals(Optional.empty(), code(count, FieldValue.number(Integer.MAX_VALUE)));
        assertEquals(Optional.empty(), code(count, FieldValue.number(Integer.MIN_VALUE)));
        assertEquals(Optional.empty(), code(count, FieldValue.number("3.000")));
        assertEquals(Optional.of("NUMBER_OUTSIDE_VALID_RANGE"), code(count, FieldValue.number(1L << 31)));
        assertEquals(Optional.of("NUMBER_OUTSIDE_VALID_RANGE"), code(count, FieldValue.number("1.5")));
    }

    @Test
    void datesWithinSalesforcesRange() {
        FieldSchema d = FieldSchema.of("D", FieldType.DATE);
        assertEquals(Optional.empty(), code(d, FieldValue.date(LocalDate.of(1700, 1, 1))));
        assertEquals(Optional.empty(), code(d, FieldValue.date(LocalDate.of(4000, 12, 31))));
        assertEquals(Optional.of("FIELD_INTEGRITY_EXCEPTION"), code(d, FieldValue.date(LocalDate.of(-5000, 1, 1))));
        assertEquals(Optional.of("FIELD_INTEGRITY_EXCEPTION"), code(d, FieldValue.date(LocalDate.of(99999, 1, 1))));
        FieldSchema t = FieldSchema.of("T", FieldType.DATETIME);
        assertEquals(Optional.empty(), code(t, FieldValue.dateTime(Instant.parse("4000-12-31T00:00:00Z"))));
        assertEquals(Optional.of("FIELD_INTEGRITY_EXCEPTION"), code(t, FieldValue.dateTime(Instant.parse("1699-12-31T23:59:59Z"))));
    }

    @Test
    void textEmailAndPicklists() {
        assertEquals(Optional.of("STRING_TOO_LONG"), code(FieldSchema.builder("S", FieldType.STRING).length(3).build(),
                FieldValue.text("abcd")));
        FieldSchema email = FieldSchema.builder("E", FieldType.EMAIL).length(80).build();
        assertEquals(Optional.empty(), code(email, FieldValue.text("a.b+c@x-y.example.org")));
        assertEquals(Optional.empty(), code(email, FieldValue.text("")), "empty text clears the field");
        for (String bad : List.of("a@b", "a b@example.com", "@example.com", "a@@example.com", "a@.example.com")) {
            assertEquals(Optional.of("INVALID_EMAIL_ADDRESS"), code(email, FieldValue.text(bad)), bad);
        }
        FieldSchema open = FieldSchema.builder("P", FieldType.PICKLIST).picklist(List.of("A"), false).build();
        assertEquals(Optional.empty(), code(open, FieldValue.text("Z")), "an unrestricted picklist takes any value");
        FieldSchema closed = FieldSchema.builder("P", FieldType.PICKLIST).picklist(List.of("A"), true).build();
        assertEquals(Optional.of("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"), code(closed, FieldValue.text("Z")));
        assertEquals(Optional.of("INVALID_TYPE_ON_FIELD_IN_RECORD"), code(closed, FieldValue.number(1)));
        assertEquals(Optional.empty(), code(closed, FieldValue.NULL));
    }

    @Test
    void theReasonNamesTheFieldNeverTheValue() {
        FieldChecks.Problem p = FieldChecks.check(FieldSchema.builder("Email", FieldType.EMAIL).build(),
                FieldValue.text("secret-person")).orElseThrow();
        assertEquals("Email", p.field());
        assertTrue(p.reason().startsWith("Email:"));
        assertFalse(p.reason().contains("secret-person"));
    }

    @Test
    void theBuilderValidatesAndRoundTrips() {
        assertThrows(IllegalArgumentException.class, () -> FieldSchema.builder("X", FieldType.DOUBLE).precision(2, 3));
        assertThrows(IllegalArgumentException.class, () -> FieldSchema.builder("X", FieldType.STRING).length(-1));
        assertThrows(NullPointerException.class, () -> FieldSchema.builder(null, FieldType.STRING));
        FieldSchema f = FieldSchema.builder("X", FieldType.PICKLIST).precision(0, 0).picklist(List.of("a"), true)
                .nillable(false).defaultedOnCreate(false).externalId(true).createable(true).build();
        assertEquals(f, f.toBuilder().build());
        assertTrue(f.requiredOnCreate());
        assertEquals(FieldSchema.of("Y", FieldType.STRING), new FieldSchema("Y", FieldType.STRING, true, true, true, false,
                255, List.of()), "of() and the old constructor agree");
    }
}
