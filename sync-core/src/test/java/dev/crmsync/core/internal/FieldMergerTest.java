package dev.crmsync.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.core.Resolution;
import dev.crmsync.core.SyncListener;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.SyncBase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The per-field three-way merge, as a pure function. */
class FieldMergerTest {

    private static final CrmId ID = CrmId.of("00Q000000000001");
    private static final Instant T = Instant.parse("2024-03-01T09:00:00Z");
    private static final ObjectSchema SCHEMA = new ObjectSchema(ObjectType.LEAD, List.of(
            FieldSchema.of("A", FieldType.STRING), FieldSchema.of("B", FieldType.STRING),
            new FieldSchema("Formula", FieldType.STRING, true, false, false, true, 0, List.of())), true, true, true);

    private static BidiType type(ConflictPolicy policy) {
        EngineSettings s = new EngineSettings("e", dev.crmsync.testkit.InMemoryCrm.builder().build(), new dev.crmsync.store.memory.InMemoryMarketingStore(),
                new dev.crmsync.store.memory.InMemorySyncStateStore(), policy, List.of(), Map.of(), 10, 10,
                Duration.ZERO, 3, Duration.ofMinutes(1), Clock.fixed(T, ZoneOffset.UTC), SyncListener.NOOP, Map.of(),
                null);
        return BidiType.of(s, SCHEMA, Set.of("A", "B", "Formula"));
    }

    private static Map<String, FieldValue> v(String... kv) {
        Map<String, FieldValue> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1] == null ? FieldValue.NULL : FieldValue.text(kv[i + 1]));
        }
        return m;
    }

    private static FieldMerger.Plan merge(ConflictPolicy p, Map<String, FieldValue> crm, Map<String, FieldValue> mkt,
                                          Map<String, FieldValue> base) {
        return FieldMerger.merge(type(p), p, new SyncRecord(ObjectType.LEAD, ID, crm, T, false),
                new MarketingRecord(ObjectType.LEAD, "7", ID, mkt, false, T, T),
                base == null ? null : new SyncBase(ObjectType.LEAD, ID, "7", base, T, T));
    }

    @Test
    void aChangeOnOneSideGoesToTheOther() {
        FieldMerger.Plan p = merge(ConflictPolicy.crmWins(), v("A", "crm", "B", "b0"), v("A", "a0", "B", "mkt"),
                v("A", "a0", "B", "b0"));
        assertEquals(v("A", "crm"), p.toStore);
        assertEquals(v("B", "mkt"), p.toCrm);
        assertEquals(v("A", "crm", "B", "mkt", "Formula", null), p.agreed);
    }

    @Test
    void aConflictGoesToThePolicy() {
        FieldMerger.Plan p = merge(ConflictPolicy.marketingWins(), v("A", "crm"), v("A", "mkt"), v("A", "a0"));
        assertEquals(v("A", "mkt"), p.toCrm);
        assertTrue(p.toStore.isEmpty());
        assertEquals(1, p.decided.size());
        assertEquals(Resolution.MARKETING, p.decided.get(0).resolution());
    }

    @Test
    void withoutABaseTheCrmsValuesWin() {
        FieldMerger.Plan p = merge(ConflictPolicy.marketingWins(), v("A", "crm"), v("A", "mkt"), null);
        assertEquals(v("A", "crm"), p.toStore);
        assertTrue(p.toCrm.isEmpty());
        assertTrue(p.decided.isEmpty());
    }

    @Test
    void aFieldTheCrmDoesNotLetUsUpdateIsNeverWrittenToIt() {
        FieldMerger.Plan p = merge(ConflictPolicy.marketingWins(), v("Formula", "f1"), v("Formula", "mine"),
                v("Formula", "f1"));
        assertEquals(v("Formula", "f1"), p.toStore);
        assertTrue(p.toCrm.isEmpty());
    }

    @Test
    void aParkedFieldIsLeftAloneAndNotAgreed() {
        FieldMerger.Plan p = merge(ConflictPolicy.manual(), v("A", "crm", "B", "b1"), v("A", "mkt", "B", "b0"),
                v("A", "a0", "B", "b0"));
        assertEquals(Set.of("A"), p.parked);
        assertTrue(!p.agreed.containsKey("A"));
        assertEquals(v("B", "b1"), p.toStore);
    }

    @Test
    void aThrowingPolicyFailsTheRecordNamingFieldAndRecord() {
        ConflictPolicy broken = c -> {
            throw new IllegalStateException("boom");
        };
        FieldMerger.Plan p = merge(broken, v("A", "crm"), v("A", "mkt"), v("A", "a0"));
        assertTrue(p.failed());
        // the policy is host code: named by its exception's class; its message (which may quote values) is not kept
        assertTrue(p.failure.contains("'A'") && p.failure.contains(ID.value())
                && p.failure.contains("IllegalStateException") && !p.failure.contains("boom")
                && p.failure.contains("marketing id 7"), p.failure);
    }
}
