package dev.crmsync.core;

import dev.crmsync.testkit.fault.InstrumentedSyncStateStore;
import dev.crmsync.testkit.fault.InstrumentedStores;
import dev.crmsync.testkit.fault.InstrumentedCompleteStore;
import dev.crmsync.store.IdCursor;
import dev.crmsync.crm.ObjectSchema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The fakes wired together for engine tests: a manual clock, InMemoryCrm and the in-memory stores. */
final class EngineHarness {

    static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");

    final ManualClock clock = new ManualClock(T0);
    final InMemoryCrm crm;
    /** The marketing data, unwrapped (for {@code size}). */
    final InMemoryMarketingStore data = new InMemoryMarketingStore(clock);
    /** What the engine talks to: the data, counted and faulted. */
    final InstrumentedCompleteStore store = InstrumentedStores.create().complete(data);
    /** The engine state; its leases run on the harness's clock. */
    final InstrumentedSyncStateStore state = InstrumentedStores.create().state(new InMemorySyncStateStore(clock));
    /** Where the engines' lease heartbeats run: only when a test advances it. */
    final ManualScheduledExecutor renewals = new ManualScheduledExecutor();

    EngineHarness() {
        this(42L);
    }

    EngineHarness(long seed) {
        this(seed, b -> { });
    }

    /** @param crmConfig adjusts the CRM's builder (e.g. its sleeper) */
    EngineHarness(java.util.function.Consumer<InMemoryCrm.Builder> crmConfig) {
        this(42L, crmConfig);
    }

    private EngineHarness(long seed, java.util.function.Consumer<InMemoryCrm.Builder> crmConfig) {
        InMemoryCrm.Builder b = InMemoryCrm.builder().clock(clock).seed(seed);
        crmConfig.accept(b);
        crm = b.build();
    }

    /** @return a builder wired to the harness, engine id "test-engine" */
    SyncEngine.Builder builder() {
        return SyncEngine.builder().crmSource(crm).marketingStore(store).syncStateStore(state).clock(clock)
                .engineId("test-engine").leaseRenewalExecutor(renewals);
    }

    static Map<String, FieldValue> account(String name) {
        return Map.of("Name", FieldValue.text(name));
    }

    List<CrmId> insertAccounts(int n, String prefix) {
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(crm.insert(ObjectType.ACCOUNT, account(prefix + i)));
        }
        return ids;
    }

    Duration tick() {
        clock.advance(Duration.ofSeconds(1));
        return Duration.ofSeconds(1);
    }

    /** Every stored record of a type, by CRM id. */
    static Map<CrmId, MarketingRecord> stored(MarketingStore store, ObjectType type) {
        Map<CrmId, MarketingRecord> out = new TreeMap<>();
        IdCursor after = IdCursor.START;
        while (true) {
            List<CrmId> ids = store.crmIds(type, after, 500);
            if (ids.isEmpty()) {
                break;
            }
            out.putAll(store.findByCrmIds(type, ids));
            after = IdCursor.after(ids.get(ids.size() - 1));
        }
        return out;
    }

    /** A stored record's content with empty values dropped: what two equivalent stores agree on. */
    record Content(Map<String, FieldValue> fields, boolean deleted) {
    }

    static Map<CrmId, Content> content(MarketingStore store, ObjectType type) {
        Map<CrmId, Content> out = new TreeMap<>();
        stored(store, type).forEach((id, r) -> out.put(id, new Content(nonNull(r.fields()), r.crmDeleted())));
        return out;
    }

    static Map<String, FieldValue> nonNull(Map<String, FieldValue> fields) {
        Map<String, FieldValue> m = new TreeMap<>();
        fields.forEach((k, v) -> {
            if (!v.isNull()) {
                m.put(k, v);
            }
        });
        return m;
    }

    /**
     * The sync law: the store holds exactly the CRM's readable data. Every live CRM record is
     * stored, not flagged, with every readable field equal; every stored record the CRM no longer
     * has live is flagged deleted.
     */
    void assertStoreMirrorsCrm(ObjectType type) {
        ObjectSchema schema = crm.schema(type).orElseThrow();
        Set<String> readable = schema.readableFieldNames();
        Map<CrmId, MarketingRecord> held = stored(store, type);
        Map<CrmId, SyncRecord> live = new HashMap<>();
        for (SyncRecord r : crm.records(type)) {
            live.put(r.id(), r);
            MarketingRecord m = held.get(r.id());
            assertNotNull(m, () -> type + " " + r.id() + " is live in the CRM but not in the store");
            assertFalse(m.crmDeleted(), () -> type + " " + r.id() + " is live in the CRM but flagged deleted");
            for (String f : readable) {
                FieldValue expected = r.get(f);
                assertEquals(expected, m.get(f), () -> type + " " + r.id() + " field " + f);
            }
            for (String f : m.fields().keySet()) {
                if (!m.get(f).isNull()) {
                    assertTrue(schema.field(f).isPresent(), () -> type + " " + r.id() + " holds unknown field " + f);
                }
            }
        }
        held.forEach((id, m) -> {
            if (!live.containsKey(id)) {
                assertTrue(m.crmDeleted(), () -> type + " " + id + " is gone from the CRM but not flagged deleted");
            }
        });
    }
}
