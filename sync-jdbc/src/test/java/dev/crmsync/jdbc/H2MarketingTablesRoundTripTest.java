package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.StoreField;
import dev.crmsync.store.StoreResult;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every {@link FieldValue} kind goes through the typed columns (and through {@code _other}, for a
 * field with no column) and is read back exactly: a property on H2.
 */
class H2MarketingTablesRoundTripTest {

    private static final ObjectType TYPE = ObjectType.of("Round__c");
    private static final JdbcStores STORES = TestDatabases.stores(TestDatabases.freshH2()).build();
    private static final AtomicLong NEXT = new AtomicLong();

    static {
        STORES.marketingStore().prepareType(TYPE, List.of(
                StoreField.of("Text__c", StoreField.Kind.TEXTAREA),
                new StoreField("Short__c", StoreField.Kind.TEXT, 12, 0, 0),
                StoreField.of("Num__c", StoreField.Kind.DECIMAL),
                new StoreField("Money__c", StoreField.Kind.CURRENCY, 0, 18, 2),
                StoreField.of("Int__c", StoreField.Kind.LONG),
                StoreField.of("Flag__c", StoreField.Kind.BOOLEAN),
                StoreField.of("Day__c", StoreField.Kind.DATE),
                StoreField.of("At__c", StoreField.Kind.DATETIME),
                StoreField.of("Ref__c", StoreField.Kind.REFERENCE)));
    }

    @Property
    void everyValueKindRoundTripsExactlyThroughColumnsAndOther(
            @ForAll("texts") FieldValue text, @ForAll("shortTexts") FieldValue shortText, @ForAll("numbers") FieldValue num,
            @ForAll("money") FieldValue money, @ForAll("longs") FieldValue whole, @ForAll("flags") FieldValue flag,
            @ForAll("days") FieldValue day, @ForAll("instants") FieldValue at, @ForAll("refs") FieldValue ref,
            @ForAll("numbers") FieldValue loose) {
        Map<String, FieldValue> fields = new LinkedHashMap<>();
        fields.put("Text__c", text);
        fields.put("Short__c", shortText);
        fields.put("Num__c", num);
        fields.put("Money__c", money);
        fields.put("Int__c", whole);
        fields.put("Flag__c", flag);
        fields.put("Day__c", day);
        fields.put("At__c", at);
        fields.put("Ref__c", ref);
        fields.put("Loose__c", loose);       // no column: kept in _other
        CrmId id = CrmId.of(String.format("a00%012d", NEXT.incrementAndGet()));
        StoreResult res = STORES.marketingStore().upsert(TYPE, List.of(new SyncRecord(TYPE, id, fields,
                Instant.parse("2024-01-01T00:00:00Z"), false))).get(0);
        assertInstanceOf(StoreResult.Created.class, res, res::toString);
        Map<String, FieldValue> expected = new LinkedHashMap<>();
        fields.forEach((k, v) -> {
            if (!v.isNull()) {
                expected.put(k, v);
            }
        });
        assertEquals(expected, STORES.marketingStore().findByCrmIds(TYPE, List.of(id)).get(id).fields());
    }

    private static <T extends FieldValue> Arbitrary<FieldValue> orNull(Arbitrary<T> a) {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(9, a.map(v -> (FieldValue) v)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(FieldValue.NULL)));
    }

    @Provide
    Arbitrary<FieldValue> texts() {
        return orNull(Arbitraries.strings().all().ofMaxLength(200)
                .filter(s -> s.codePoints().allMatch(cp -> cp < 0xD800 || cp > 0xDFFF)).map(s -> (FieldValue.Text) FieldValue.text(s)));
    }

    @Provide
    Arbitrary<FieldValue> shortTexts() {
        return orNull(Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(12).map(s -> (FieldValue.Text) FieldValue.text(s)));
    }

    @Provide
    Arbitrary<FieldValue> numbers() {
        return orNull(Combinators.combine(Arbitraries.bigIntegers().between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40)),
                Arbitraries.integers().between(-20, 20)).as((u, s) -> (FieldValue.Number) FieldValue.number(new BigDecimal(u, s))));
    }

    @Provide
    Arbitrary<FieldValue> money() {
        return orNull(Combinators.combine(Arbitraries.bigIntegers().between(BigInteger.TEN.pow(15).negate(), BigInteger.TEN.pow(15)),
                Arbitraries.integers().between(0, 2)).as((u, s) -> (FieldValue.Number) FieldValue.number(new BigDecimal(u, s))));
    }

    @Provide
    Arbitrary<FieldValue> longs() {
        return orNull(Arbitraries.longs().map(l -> (FieldValue.Number) FieldValue.number(l)));
    }

    @Provide
    Arbitrary<FieldValue> flags() {
        return orNull(Arbitraries.of(true, false).map(b -> (FieldValue.Bool) FieldValue.bool(b)));
    }

    @Provide
    Arbitrary<FieldValue> days() {
        return orNull(Arbitraries.longs().between(LocalDate.of(1, 1, 1).toEpochDay(), LocalDate.of(9999, 12, 31).toEpochDay())
                .map(d -> (FieldValue.Date) FieldValue.date(LocalDate.ofEpochDay(d))));
    }

    @Provide
    Arbitrary<FieldValue> instants() {
        return orNull(Combinators.combine(Arbitraries.longs().between(-62_135_596_800L, 253_402_300_799L),
                Arbitraries.integers().between(0, 999_999)).as((s, us) -> (FieldValue.DateTime) FieldValue.dateTime(
                Instant.ofEpochSecond(s, us * 1000L))));
    }

    @Provide
    Arbitrary<FieldValue> refs() {
        return orNull(Arbitraries.strings().withChars("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
                .ofLength(15).map(s -> (FieldValue.Ref) FieldValue.ref(CrmId.of(s))));
    }
}
