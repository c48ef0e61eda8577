package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.IdCursor;
import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.testkit.fault.InstrumentedStores;
import dev.crmsync.testkit.fault.SimulatedCrash;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.SyncStateStore;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Kills the engine (simulated) at every store call of a cycle — the first full copy, then an
 * incremental cycle — over the JDBC stores, and runs it again with a fresh engine: the store must
 * end exactly as after an uninterrupted cycle. With data and checkpoint committed in one
 * transaction, a kill can only lose a whole uncommitted page, which the rerun writes again.
 */
abstract class EngineCrashTest {

    private static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");
    private static final List<ObjectType> TYPES = List.of(ObjectType.ACCOUNT, ObjectType.OPPORTUNITY);

    /** @return a data source on an empty database (or schema); called once per run */
    protected abstract DataSource emptyDatabase();

    /** A fake CRM with a fixed history, on a manual clock: the same every time it is built. */
    static final class World {
        final ManualClock clock = new ManualClock(T0);
        final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(7).build();
        final List<CrmId> accounts = new ArrayList<>();
        final List<CrmId> opportunities = new ArrayList<>();

        World() {
            for (int i = 0; i < 7; i++) {
                accounts.add(crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Account " + i),
                        "NumberOfEmployees", FieldValue.number(10 + i))));
                clock.advance(Duration.ofSeconds(i % 2));
            }
            for (int i = 0; i < 6; i++) {
                opportunities.add(crm.insert(ObjectType.OPPORTUNITY, Map.of("Name", FieldValue.text("Deal " + i),
                        "Amount", FieldValue.number(1000 * i), "AccountId", FieldValue.ref(accounts.get(i % 7)))));
            }
            clock.advance(Duration.ofMinutes(1));
        }

        void changeSomething() {
            clock.advance(Duration.ofMinutes(10));
            crm.update(ObjectType.ACCOUNT, accounts.get(1), Map.of("Name", FieldValue.text("Account 1 renamed")));
            crm.update(ObjectType.ACCOUNT, accounts.get(4), Map.of("NumberOfEmployees", FieldValue.NULL));
            crm.delete(ObjectType.OPPORTUNITY, opportunities.get(2));
            accounts.add(crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Account new"))));
            crm.update(ObjectType.OPPORTUNITY, opportunities.get(0), Map.of("Amount", FieldValue.number(5)));
            crm.insertLate(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Late account")),
                    clock.instant().minusSeconds(30));
            clock.advance(Duration.ofMinutes(1));
        }

        SyncEngine engine(MarketingStore store, SyncStateStore state) {
            return SyncEngine.builder().crmSource(crm).marketingStore(store).syncStateStore(state).clock(clock)
                    .engineId("crash-test").objectTypes(TYPES).pageSize(3).storeBatchSize(2).build();
        }
    }

    /** What two equivalent stores agree on: per type, per CRM id, the non-empty values and the deleted flag. */
    static Map<String, String> content(MarketingStore store) {
        Map<String, String> out = new TreeMap<>();
        for (ObjectType type : TYPES) {
            IdCursor after = IdCursor.START;
            while (true) {
                List<CrmId> ids = store.crmIds(type, after, 100);
                if (ids.isEmpty()) {
                    break;
                }
                for (Map.Entry<CrmId, MarketingRecord> e : store.findByCrmIds(type, ids).entrySet()) {
                    Map<String, FieldValue> f = new TreeMap<>();
                    e.getValue().fields().forEach((k, v) -> {
                        if (!v.isNull()) {
                            f.put(k, v);
                        }
                    });
                    out.put(type + "/" + e.getKey(), f + (e.getValue().crmDeleted() ? " deleted" : ""));
                }
                after = IdCursor.after(ids.get(ids.size() - 1));
            }
        }
        return out;
    }

    /** The same history on the in-memory stores: the oracle for what the JDBC stores must hold. */
    private static Map<String, String> inMemoryReference(boolean incremental) {
        World w = new World();
        InMemoryMarketingStore store = new InMemoryMarketingStore(w.clock);
        InMemorySyncStateStore state = new InMemorySyncStateStore();
        if (incremental) {
            try (SyncEngine e = w.engine(store, state)) {
                assertTrue(e.runCycle().isComplete());
            }
            w.changeSomething();
        }
        try (SyncEngine e = w.engine(store, state)) {
            assertTrue(e.runCycle().isComplete());
        }
        return content(store);
    }

    private void killAtEveryStoreCall(boolean incremental) {
        // the uninterrupted reference, counting the store calls of the cycle under test
        World ref = new World();
        JdbcStores refStores = TestDatabases.stores(emptyDatabase()).build();
        if (incremental) {
            try (SyncEngine e = ref.engine(refStores.marketingStore(), refStores.syncStateStore())) {
                assertTrue(e.runCycle().isComplete());
            }
            ref.changeSomething();
        }
        InstrumentedStores counter = InstrumentedStores.create();
        try (SyncEngine e = ref.engine(counter.marketing(refStores.marketingStore()),
                counter.state(refStores.syncStateStore()))) {
            SyncReport r = e.runCycle();
            assertTrue(r.isComplete(), r::toTable);
        }
        Map<String, String> expected = content(refStores.marketingStore());
        assertEquals(inMemoryReference(incremental), expected, "the JDBC store ends as the in-memory store does");
        assertTrue(expected.size() >= 13, "the reference holds the world: " + expected.size());
        long calls = counter.log().total();
        assertTrue(calls > 10, "a cycle makes many store calls: " + calls);

        for (long k = 1; k <= calls; k++) {
            World w = new World();
            JdbcStores stores = TestDatabases.stores(emptyDatabase()).build();
            if (incremental) {
                try (SyncEngine e = w.engine(stores.marketingStore(), stores.syncStateStore())) {
                    assertTrue(e.runCycle().isComplete());
                }
                w.changeSomething();
            }
            InstrumentedStores kill = InstrumentedStores.create();
            kill.faults().failFromCall(k, Fault.crash());   // the process dies at call k: it and every later call fail
            try (SyncEngine e = w.engine(kill.marketing(stores.marketingStore()), kill.state(stores.syncStateStore()))) {
                e.runCycle();
            } catch (SimulatedCrash expectedDeath) {
                // the process died; the engine need not survive it
            }
            assertTrue(kill.faults().injectedCount() > 0, "killed at store call " + k);
            // the dead process never released its lease: the restart waits until it lapses (the database's clock)
            stores.syncStateStore().shiftClockForTest(SyncEngine.DEFAULT_LEASE_TTL);
            SyncReport rerun;
            try (SyncEngine e = w.engine(stores.marketingStore(), stores.syncStateStore())) {
                rerun = e.runCycle();
            }
            long call = k;
            assertTrue(rerun.isComplete(), () -> "rerun after a kill at store call " + call + ":\n" + rerun.toTable());
            assertEquals(expected, content(stores.marketingStore()), "killed at store call " + k + " of " + calls);
            try (SyncEngine e = w.engine(stores.marketingStore(), stores.syncStateStore())) {
                SyncReport quiet = e.runCycle();
                assertEquals(0, quiet.totals().moved(), () -> "a later quiet cycle moves nothing (kill at " + call + ")\n"
                        + quiet.toTable());
            }
        }
    }

    @Test
    void aFirstCopyKilledAtAnyStoreCallEndsAsIfUninterrupted() {
        killAtEveryStoreCall(false);
    }

    @Test
    void anIncrementalCycleKilledAtAnyStoreCallEndsAsIfUninterrupted() {
        killAtEveryStoreCall(true);
    }
    @Test
    void aPageWrittenAfterTheLeaseWasLostIsRolledBackWithItsCheckpoint() throws InterruptedException {
        World w = new World();
        JdbcStores stores = TestDatabases.stores(emptyDatabase()).build();
        boolean[] otherGotIt = {false};
        int[] upserts = {0};
        Thread[] other = {null};
        // inside the first page (two store batches), after the first batch is written, the engine
        // pauses past its lease and another engine, on its own connection, tries to take the type
        // over: the page's transaction holds the lease row (the fence), so the other is granted the
        // lease only once that transaction has ended — rolled back, the lease having lapsed
        InvocationHandler pausing = (proxy, method, args) -> {
            if (method.getName().equals("upsert") && ++upserts[0] == 2) {
                w.clock.advance(Duration.ofMinutes(2));
                stores.syncStateStore().shiftClockForTest(Duration.ofMinutes(2));   // the database's time passes too
                other[0] = new Thread(() -> otherGotIt[0] = stores.syncStateStore().tryAcquireLease(
                        "crmsync:Account", "other-engine", "other-instance", Duration.ofMinutes(10)).granted());
                other[0].start();
            }
            try {
                return method.invoke(stores.marketingStore(), args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        MarketingStore store = (MarketingStore) Proxy.newProxyInstance(BidirectionalStore.class.getClassLoader(),
                new Class<?>[] {BidirectionalStore.class}, pausing);
        SyncReport report;
        try (SyncEngine e = SyncEngine.builder().crmSource(w.crm).marketingStore(store)
                .syncStateStore(stores.syncStateStore()).clock(w.clock).engineId("crash-test")
                .objectTypes(ObjectType.ACCOUNT).pageSize(3).storeBatchSize(2).leaseTtl(Duration.ofMinutes(1))
                .build()) {
            report = e.runCycle();
        }
        other[0].join();
        assertTrue(otherGotIt[0], "the other engine took the lease");
        assertTrue(report.type(ObjectType.ACCOUNT).orElseThrow().outcome().reason().contains("no longer held"),
                report::toTable);
        assertEquals(Map.of(), content(stores.marketingStore()), "none of the page's writes were kept");
        assertTrue(stores.syncStateStore().checkpoint(ObjectType.ACCOUNT).isEmpty(), "nor its checkpoint");
    }
}
