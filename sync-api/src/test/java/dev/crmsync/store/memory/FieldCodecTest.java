package dev.crmsync.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class FieldCodecTest {

    @Provide
    Arbitrary<FieldValue> values() {
        Arbitrary<FieldValue> text = Arbitraries.strings().all().ofMaxLength(80).map(FieldValue::text);
        Arbitrary<FieldValue> picklist = Arbitraries.of("Open", "Closed", "Working", "").map(FieldValue::text);
        Arbitrary<FieldValue> number = Combinators.combine(Arbitraries.bigIntegers().between(
                        BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40)), Arbitraries.integers().between(-20, 20))
                .as((u, s) -> FieldValue.number(new BigDecimal(u, s)));
        Arbitrary<FieldValue> date = Arbitraries.longs().between(-100_000, 100_000).map(d -> FieldValue.date(LocalDate.ofEpochDay(d)));
        Arbitrary<FieldValue> dateTime = Combinators.combine(Arbitraries.longs().between(-10_000_000_000L, 10_000_000_000L),
                Arbitraries.integers().between(0, 999_999_999)).as((s, n) -> FieldValue.dateTime(Instant.ofEpochSecond(s, n)));
        Arbitrary<FieldValue> ref = Arbitraries.strings().withChars("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
                .ofLength(15).map(s -> FieldValue.ref(CrmId.of(s)));
        return Arbitraries.oneOf(text, picklist, number, date, dateTime, ref,
                Arbitraries.of(FieldValue.NULL, FieldValue.bool(true), FieldValue.bool(false)));
    }

    @Property
    void everyFieldMapRoundTripsExactly(@ForAll("maps") Map<String, FieldValue> fields) {
        FieldCodec codec = new FieldCodec();
        assertEquals(fields, codec.decode(codec.encode(fields)));
    }

    @Provide
    Arbitrary<Map<String, FieldValue>> maps() {
        return Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12), values()).ofMaxSize(35);
    }

    @Property
    void packedIdsKeepTheOrderOfCrmIds(@ForAll("ids") CrmId a, @ForAll("ids") CrmId b) {
        int expected = Integer.signum(a.compareTo(b));
        assertEquals(expected, Integer.signum(Ids.compare(Ids.hi(a), Ids.lo(a), Ids.hi(b), Ids.lo(b))));
        assertEquals(a, Ids.unpack(Ids.hi(a), Ids.lo(a)));
    }

    @Provide
    Arbitrary<CrmId> ids() {
        return Arbitraries.strings().withChars("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
                .ofLength(15).map(CrmId::of);
    }

    @Test
    void unpairedSurrogatesRoundTrip() {
        FieldCodec codec = new FieldCodec();
        Map<String, FieldValue> m = Map.of("a", FieldValue.text("x\uD800y\uDC00z😀" + "q".repeat(100)));
        assertEquals(m, codec.decode(codec.encode(m)));
    }

    @Test
    void inlineReferencesAreFoundWithoutTheDictionary() {
        FieldCodec codec = new FieldCodec();
        for (int i = 0; i < FieldCodec.DICT_FREE_VALUES; i++) {
            codec.encode(Map.of("WhoId", FieldValue.ref(CrmId.of(String.format("00Q%012d", i + 100)))));
        }
        CrmId a = CrmId.of("00Q000000000001");
        CrmId c = CrmId.of("003000000000003");
        byte[] encoded = codec.encode(Map.of("WhoId", FieldValue.ref(a)));
        assertTrue(!codec.dictionaryHoldsRef(List.of(a)));
        assertEquals(FieldValue.ref(c), codec.decode(codec.repointRefs(encoded, Map.of(a, c), false)).get("WhoId"));
    }

    @Test
    void aValueSeenTwiceAfterTheFreeEntriesIsNumbered() {
        FieldCodec codec = new FieldCodec();
        for (int i = 0; i < FieldCodec.DICT_FREE_VALUES; i++) {
            codec.encode(Map.of("Company", FieldValue.text("Company number " + i)));
        }
        Map<String, FieldValue> m = Map.of("Company", FieldValue.text("A repeated company name, Inc."));
        int first = codec.encode(m).length;
        int second = codec.encode(m).length;
        int third = codec.encode(m).length;
        assertTrue(first > 20, "first sight: inline");
        assertTrue(second <= 3, "second sight: admitted, written as a dictionary number (" + second + " bytes)");
        assertEquals(second, third);
        assertEquals(m, codec.decode(codec.encode(m)));
    }

    @Test
    void uniqueValuesRoundTripPastTheDictionary() {
        FieldCodec codec = new FieldCodec();
        for (int i = 0; i < FieldCodec.DICT_FREE_VALUES + 20_000; i++) {
            Map<String, FieldValue> m = Map.of("Email", FieldValue.text("user" + i + "@example.com"));
            assertEquals(m, codec.decode(codec.encode(m)));
        }
    }

    @Test
    void repointRewritesOnlyMatchingReferences() {
        FieldCodec codec = new FieldCodec();
        CrmId a = CrmId.of("00Q000000000001");
        CrmId b = CrmId.of("00Q000000000002");
        CrmId c = CrmId.of("003000000000003");
        Map<String, FieldValue> m = new HashMap<>(Map.of("LeadId", FieldValue.ref(a), "Other", FieldValue.ref(b),
                "Text", FieldValue.text(a.value())));
        byte[] encoded = codec.encode(m);
        assertTrue(codec.dictionaryHoldsRef(List.of(a)), "short references are numbered in the field's dictionary");
        byte[] out = codec.repointRefs(encoded, Map.of(a, c), true);
        Map<String, FieldValue> back = codec.decode(out);
        assertEquals(FieldValue.ref(c), back.get("LeadId"));
        assertEquals(FieldValue.ref(b), back.get("Other"));
        assertEquals(FieldValue.text(a.value()), back.get("Text"));
        assertNull(codec.repointRefs(codec.encode(Map.of("X", FieldValue.ref(b))), Map.of(a, c), false));
        assertTrue(List.of(back.values().toArray()).contains(FieldValue.ref(c)));
    }
}
