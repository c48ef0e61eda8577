package dev.crmsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.crm.Cursor;
import dev.crmsync.model.Deletion;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Laws of the fake: values survive storage exactly; reads agree with a simple model of the history. */
class InMemoryCrmProperties {

    private static final ObjectType THING = ObjectType.of("Thing__c");
    private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");

    private static final List<FieldSchema> THING_FIELDS = List.of(
            new FieldSchema("Text__c", FieldType.STRING, true, true, true, false, 0, List.of()),
            new FieldSchema("Pick__c", FieldType.PICKLIST, true, true, true, false, 0, List.of()),
            new FieldSchema("Long__c", FieldType.TEXTAREA, true, true, true, false, 0, List.of()),
            FieldSchema.of("Num__c", FieldType.DOUBLE),
            FieldSchema.of("Flag__c", FieldType.BOOLEAN),
            FieldSchema.of("Day__c", FieldType.DATE),
            FieldSchema.of("At__c", FieldType.DATETIME),
            new FieldSchema("Ref__c", FieldType.REFERENCE, true, true, true, false, 18, List.of()));

    // ---- values survive storage ---------------------------------------------------------------

    @Provide
    Arbitrary<Map<String, FieldValue>> thingValues() {
        Arbitrary<FieldValue> text = Arbitraries.strings().all().ofMaxLength(120).map(FieldValue::text);
        Arbitrary<FieldValue> pick = Arbitraries.of("A", "B", "Ω", "").map(FieldValue::text);
        Arbitrary<FieldValue> number = Combinators.combine(
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40)),
                Arbitraries.integers().between(-30, 30)).as((u, s) -> FieldValue.number(new BigDecimal(u, s)));
        Arbitrary<FieldValue> day = Arbitraries.longs().between(-200_000, 200_000)
                .map(d -> FieldValue.date(LocalDate.ofEpochDay(d)));
        Arbitrary<FieldValue> at = Combinators.combine(Arbitraries.longs().between(-10_000_000_000L, 10_000_000_000L),
                Arbitraries.integers().between(0, 999_999_999)).as((s, n) -> FieldValue.dateTime(Instant.ofEpochSecond(s, n)));
        Arbitrary<FieldValue> ref = Arbitraries.strings().withChars("0123456789abcdefXYZ").ofLength(15)
                .map(s -> FieldValue.ref(CrmId.of(s)));
        Map<String, Arbitrary<FieldValue>> byField = Map.of("Text__c", text, "Pick__c", pick, "Long__c", text,
                "Num__c", number, "Flag__c", Arbitraries.of(true, false).map(FieldValue::bool), "Day__c", day,
                "At__c", at, "Ref__c", ref);
        List<Arbitrary<Map<String, FieldValue>>> parts = new ArrayList<>();
        byField.forEach((f, a) -> parts.add(Arbitraries.oneOf(a.map(v -> Map.of(f, v)), Arbitraries.just(Map.of()))));
        return Combinators.combine(parts).as(maps -> {
            Map<String, FieldValue> m = new HashMap<>();
            maps.forEach(m::putAll);
            return m;
        });
    }

    @Property(shrinking = ShrinkingMode.OFF)
    void everyValueReadsBackExactly(@ForAll("thingValues") Map<String, FieldValue> first,
                                    @ForAll("thingValues") Map<String, FieldValue> patch) {
        InMemoryCrm crm = InMemoryCrm.builder().clock(new ManualClock(T0)).build();
        crm.defineType(THING, THING_FIELDS);
        CrmId id = crm.insert(THING, first);
        Map<String, FieldValue> expected = new HashMap<>(first);
        expected.putIfAbsent("Flag__c", FieldValue.bool(false)); // a checkbox is never empty
        assertSameValues(expected, crm.get(THING, id).orElseThrow().fields());
        crm.update(THING, id, patch);
        expected.putAll(patch);
        assertSameValues(expected, crm.get(THING, id).orElseThrow().fields());
    }

    /** Compares field by field, printing values escaped (generated text holds control characters). */
    private static void assertSameValues(Map<String, FieldValue> expected, Map<String, FieldValue> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((f, v) -> assertEquals(v, actual.get(f),
                () -> f + ": expected " + escape(v) + " but was " + escape(actual.get(f))));
    }

    private static String escape(FieldValue v) {
        StringBuilder sb = new StringBuilder(v.getClass().getSimpleName()).append(':');
        String t = String.valueOf(v.asText());
        t.chars().forEach(c -> sb.append(c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\u%04x", c)));
        return sb.toString();
    }

    // ---- reads agree with a model of the history ---------------------------------------------

    /** What the model knows of a record. */
    private static final class Model {
        long stamp;
        boolean deleted;
        boolean merged;

        Model(long stamp) {
            this.stamp = stamp;
        }
    }

    @Property
    void readsAgreeWithAModelOfTheHistory(@ForAll @Size(max = 120) List<@IntRange(min = 0, max = 9_999) Integer> steps,
                                          @ForAll @IntRange(min = 1, max = 40) int pageSize,
                                          @ForAll @IntRange(min = 0, max = 200) int cursorPick) {
        ManualClock clock = new ManualClock(T0);
        InMemoryCrm crm = InMemoryCrm.builder().clock(clock).maxPageSize(25).build();
        Map<CrmId, Model> model = new HashMap<>();
        long retention = Duration.ofDays(15).getSeconds();
        for (int step : steps) {
            int op = step % 10;
            int arg = step / 10;
            long now = clock.instant().getEpochSecond();
            List<CrmId> live = model.entrySet().stream().filter(e -> !e.getValue().deleted).map(Map.Entry::getKey)
                    .sorted().toList();
            List<CrmId> binned = model.entrySet().stream().filter(e -> e.getValue().deleted && !e.getValue().merged)
                    .map(Map.Entry::getKey).sorted().toList();
            switch (op) {
                case 0, 1, 2 -> model.put(crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("L" + arg))),
                        new Model(now));
                case 3, 4 -> {
                    if (!live.isEmpty()) {
                        CrmId id = live.get(arg % live.size());
                        crm.update(ObjectType.LEAD, id, Map.of("Title", FieldValue.text("t" + arg)));
                        model.get(id).stamp = now;
                    }
                }
                case 5 -> {
                    if (!live.isEmpty()) {
                        CrmId id = live.get(arg % live.size());
                        crm.delete(ObjectType.LEAD, id);
                        model.get(id).stamp = now;
                        model.get(id).deleted = true;
                    }
                }
                case 6 -> {
                    if (!binned.isEmpty()) {
                        CrmId id = binned.get(arg % binned.size());
                        crm.undelete(ObjectType.LEAD, id);
                        model.get(id).stamp = now;
                        model.get(id).deleted = false;
                    }
                }
                case 7 -> {
                    if (live.size() >= 2) {
                        CrmId master = live.get(arg % live.size());
                        CrmId loser = live.get((arg / 7 + 1 + arg % live.size()) % live.size());
                        if (!loser.equals(master)) {
                            crm.merge(ObjectType.LEAD, master, List.of(loser));
                            model.get(master).stamp = now;
                            Model l = model.get(loser);
                            l.stamp = now;
                            l.deleted = true;
                            l.merged = true;
                        }
                    }
                }
                case 8 -> {
                    clock.advance(arg % 40 == 0 ? Duration.ofDays(1 + arg % 17) : Duration.ofSeconds(arg % 4));
                    long later = clock.instant().getEpochSecond();
                    model.values().removeIf(m -> m.deleted && m.stamp + retention <= later);
                }
                default -> {
                    long late = now - arg % 30;
                    if (arg % 2 == 0 || live.isEmpty()) {
                        model.put(crm.insertLate(ObjectType.LEAD, Map.of("LastName", FieldValue.text("late")),
                                Instant.ofEpochSecond(late)), new Model(late));
                    } else {
                        CrmId id = live.get(arg % live.size());
                        crm.updateLate(ObjectType.LEAD, id, Map.of("Title", FieldValue.text("late")), Instant.ofEpochSecond(late));
                        model.get(id).stamp = late;
                    }
                }
            }
        }
        List<Map.Entry<CrmId, Model>> expected = new ArrayList<>(model.entrySet());
        expected.sort(Comparator.<Map.Entry<CrmId, Model>>comparingLong(e -> e.getValue().stamp)
                .thenComparing(Map.Entry::getKey));

        Cursor cursor = Cursor.START;
        int from = 0;
        if (!expected.isEmpty() && cursorPick < expected.size()) {
            var e = expected.get(cursorPick);
            cursor = Cursor.after(Instant.ofEpochSecond(e.getValue().stamp), e.getKey());
            from = cursorPick + 1;
        }
        List<SyncRecord> read = new ArrayList<>();
        try (ChangeStream s = crm.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of("LastName"), cursor, pageSize))) {
            for (List<SyncRecord> p = s.nextPage(); !p.isEmpty(); p = s.nextPage()) {
                assertEquals(true, p.size() <= Math.min(pageSize, 25), "page size " + p.size());
                read.addAll(p);
            }
        }
        List<String> want = expected.subList(from, expected.size()).stream()
                .map(e -> e.getKey() + "@" + e.getValue().stamp + (e.getValue().deleted ? "D" : "")).toList();
        List<String> got = read.stream()
                .map(r -> r.id() + "@" + r.modstamp().getEpochSecond() + (r.deleted() ? "D" : "")).toList();
        assertEquals(want, got);
        assertEquals(model.values().stream().filter(m -> !m.deleted).count(), crm.count(ObjectType.LEAD));

        long now = clock.instant().getEpochSecond();
        DeletedRecords d = crm.deletedSince(ObjectType.LEAD, T0, clock.instant().plusSeconds(1));
        List<CrmId> wantDeleted = expected.stream().filter(e -> e.getValue().deleted && e.getValue().stamp < now)
                .map(Map.Entry::getKey).sorted().toList();
        assertEquals(wantDeleted, d.deletions().stream().map(Deletion::crmId).sorted().toList());
    }
}
