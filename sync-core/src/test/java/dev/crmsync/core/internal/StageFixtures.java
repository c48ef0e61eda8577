package dev.crmsync.core.internal;

import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.core.SyncListener;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.SyncBase;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.SyncStateStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Values the stage tests share: a Lead type with two text fields (one of at most 5 characters), records of it. */
final class StageFixtures {
    static final CrmId ID = CrmId.of("00Q000000000001");
    static final Instant T = Instant.parse("2024-03-01T09:00:00Z");
    static final Instant LATER = T.plusSeconds(60);
    static final Clock CLOCK = Clock.fixed(LATER.plusSeconds(60), ZoneOffset.UTC);
    private static final ObjectSchema SCHEMA = new ObjectSchema(ObjectType.LEAD, List.of(
            FieldSchema.of("A", FieldType.STRING),
            new FieldSchema("Short", FieldType.STRING, true, true, true, false, 5, List.of())), true, true, true);

    private StageFixtures() {
    }

    static BidiType lead(ConflictPolicy policy) {
        EngineSettings s = new EngineSettings("e", dev.crmsync.testkit.InMemoryCrm.builder().build(),
                new dev.crmsync.store.memory.InMemoryMarketingStore(), new InMemorySyncStateStore(), policy, List.of(),
                Map.of(), 10, 10, Duration.ZERO, 3, Duration.ofMinutes(1), CLOCK, SyncListener.NOOP, Map.of(), null);
        return BidiType.of(s, SCHEMA, Set.of("A", "Short"));
    }

    static SideFailures book(SyncStateStore state, SyncSide side) {
        return SideFailures.load(state, ObjectType.LEAD, side, 3, CLOCK, SyncListener.NOOP, new TypeCounters());
    }

    /** @param kv field, value pairs (a null value: the field is empty) */
    static Map<String, FieldValue> v(String... kv) {
        Map<String, FieldValue> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1] == null ? FieldValue.NULL : FieldValue.text(kv[i + 1]));
        }
        return m;
    }

    static SyncRecord crm(Map<String, FieldValue> values, Instant stamp) {
        return new SyncRecord(ObjectType.LEAD, ID, values, stamp, false);
    }

    static MarketingRecord mkt(Map<String, FieldValue> values) {
        return new MarketingRecord(ObjectType.LEAD, "7", ID, values, false, T, T);
    }

    /** A base of the version stamped {@code T}, saved a second later (after the stamp's second ended). */
    static SyncBase base(Map<String, FieldValue> values) {
        return new SyncBase(ObjectType.LEAD, ID, "7", values, T, T.plusSeconds(1));
    }
}
