package dev.crmsync.testkit.fault;

import static dev.crmsync.testkit.contract.ContractFixtures.fields;
import static dev.crmsync.testkit.contract.ContractFixtures.lead;
import static dev.crmsync.testkit.contract.ContractFixtures.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.ObjectType;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.IdCursor;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.StoreResult;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.contract.ContractFixtures;
import dev.crmsync.testkit.contract.MarketingStoreContract;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The marketing-store decorator: it passes the whole contract kit over the in-memory store (so it
 * delegates every call faithfully), and counts, logs and faults as documented.
 */
class InstrumentedMarketingStoreTest extends MarketingStoreContract {

    @Override
    protected MarketingStore createStore() {
        return InstrumentedStores.create().complete(new InMemoryMarketingStore(Clock.fixed(ContractFixtures.T0,
                ZoneOffset.UTC)));
    }

    private InstrumentedCompleteStore mem() {
        return (InstrumentedCompleteStore) store;
    }

    @Test
    void countsCallsPerOperation() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A")));
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(2), "LastName", "B")));
        store.findByCrmIds(ObjectType.LEAD, List.of(lead(1)));
        assertEquals(2, mem().log().count(StoreOperation.UPSERT));
        assertEquals(1, mem().log().count(StoreOperation.FIND_BY_CRM_IDS));
        assertEquals(0, mem().log().count(StoreOperation.MERGE));
        assertEquals(3, mem().log().total());
        mem().log().reset();
        assertEquals(0, mem().log().total());
    }

    @Test
    void callLogIsOffByDefaultAndRecordsCallsWhenOn() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A")));
        assertTrue(mem().log().calls().isEmpty());
        mem().log().recordCalls(true);
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(2), "LastName", "B"),
                rec(ObjectType.LEAD, lead(3), "LastName", "C")));
        List<Call<StoreOperation>> log = mem().log().calls();
        assertEquals(1, log.size());
        assertEquals(new Call<>(2, StoreOperation.UPSERT, ObjectType.LEAD, 2), log.get(0));
    }

    @Test
    void failNextThrowsBeforeAnyWrite() {
        mem().faults().failNext(StoreOperation.UPSERT, 1, Fault.retriable());
        assertThrows(RetriableSyncException.class,
                () -> store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"))));
        assertTrue(store.findByCrmIds(ObjectType.LEAD, List.of(lead(1))).isEmpty());
        assertInstanceOf(StoreResult.Created.class,
                store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"))).get(0));
        assertEquals(1, mem().faults().injectedCount());
        assertEquals(2, mem().log().count(StoreOperation.UPSERT), "the failed call is counted");
    }

    @Test
    void lostAnswerThrowsAfterTheWrite() {
        mem().faults().failNext(StoreOperation.UPSERT, 1, Fault.loseAnswer());
        assertThrows(RetriableSyncException.class,
                () -> store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"))));
        assertEquals(1, store.findByCrmIds(ObjectType.LEAD, List.of(lead(1))).size());
        assertInstanceOf(StoreResult.Unchanged.class,
                store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"))).get(0));
    }

    @Test
    void failAtCallCrashesExactlyTheNthCall() {
        mem().faults().failAtCall(3, Fault.retriable());
        store.findByCrmIds(ObjectType.LEAD, List.of(lead(1)));
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A")));
        assertThrows(RetriableSyncException.class, () -> mem().saveLocal(ObjectType.LEAD, null, fields("LastName", "x")));
        mem().saveLocal(ObjectType.LEAD, null, fields("LastName", "x"));
        assertEquals(1, mem().changesSince(ObjectType.LEAD, FeedCursor.START, 10).records().size(),
                "the second host write only (the crashed one wrote nothing; the engine's create is not listed)");
    }

    @Test
    void failFromCallKillsThatCallAndEveryLaterOne() {
        mem().faults().failFromCall(2, Fault.crash());
        store.findByCrmIds(ObjectType.LEAD, List.of(lead(1)));
        assertThrows(SimulatedCrash.class, () -> store.crmIds(ObjectType.LEAD, IdCursor.START, 1));
        assertThrows(SimulatedCrash.class, () -> store.crmIds(ObjectType.LEAD, IdCursor.START, 1));
        mem().faults().clear();
        assertEquals(List.of(), store.crmIds(ObjectType.LEAD, IdCursor.START, 1));
    }

    @Test
    void storesOfOneKitShareItsPlanAndLog() {
        InstrumentedStores kit = InstrumentedStores.create();
        kit.faults().failAtCall(2, Fault.retriable());
        InstrumentedCompleteStore data = kit.complete(new InMemoryMarketingStore(Clock.systemUTC()));
        InstrumentedSyncStateStore state = kit.state(new InMemorySyncStateStore());
        data.crmIds(ObjectType.LEAD, IdCursor.START, 1);
        assertThrows(RetriableSyncException.class, () -> state.checkpoint(ObjectType.LEAD));
        assertEquals(2, kit.log().total());
    }

    @Test
    void rejectedIdsAreRejectedWhileTheRestOfTheBatchIsWritten() {
        mem().faults().reject(lead(2), "UNABLE_TO_LOCK_ROW", true);
        List<StoreResult> res = store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"),
                rec(ObjectType.LEAD, lead(2), "LastName", "B"), rec(ObjectType.LEAD, lead(3), "LastName", "C")));
        assertInstanceOf(StoreResult.Created.class, res.get(0));
        StoreResult.Rejected r = assertInstanceOf(StoreResult.Rejected.class, res.get(1));
        assertEquals(lead(2), r.crmId());
        assertEquals("UNABLE_TO_LOCK_ROW", r.code());
        assertTrue(r.retriable());
        assertEquals(lead(3), assertInstanceOf(StoreResult.Created.class, res.get(2)).crmId());
        assertTrue(store.findByCrmIds(ObjectType.LEAD, List.of(lead(2))).isEmpty(), "the rejected record is not written");
        mem().faults().stopRejecting(lead(2));
        assertInstanceOf(StoreResult.Created.class,
                store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(2), "LastName", "B"))).get(0));
    }

    @Test
    void aBatchOfOnlyRejectedRecordsNeverReachesTheStore() {
        InMemoryMarketingStore inner = (InMemoryMarketingStore) mem().inner();
        mem().faults().reject(lead(1), "X", false);
        List<StoreResult> res = store.markDeleted(ObjectType.LEAD,
                List.of(new dev.crmsync.model.Deletion(lead(1), ContractFixtures.T0)));
        assertEquals("X", assertInstanceOf(StoreResult.Rejected.class, res.get(0)).code());
        assertEquals(0, inner.size(ObjectType.LEAD));
    }

    @Test
    void seededFailureRateIsRepeatable() {
        assertEquals(failures(7), failures(7));
    }

    private static List<Boolean> failures(long seed) {
        InstrumentedCompleteStore s = InstrumentedStores.create().complete(new InMemoryMarketingStore());
        s.faults().seed(seed).failRate(StoreOperation.CRM_IDS, 0.5, Fault.retriable());
        List<Boolean> out = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            try {
                s.crmIds(ObjectType.LEAD, IdCursor.START, 1);
                out.add(false);
            } catch (RetriableSyncException e) {
                out.add(true);
            }
        }
        assertTrue(out.contains(true) && out.contains(false));
        return out;
    }

    @Test
    void latencyGoesThroughTheKitsSleeper() {
        List<java.time.Duration> slept = new ArrayList<>();
        InstrumentedStores kit = InstrumentedStores.sharing(new FaultPlan<>(), new CallLog<>(), slept::add);
        InstrumentedCompleteStore s = kit.complete(new InMemoryMarketingStore());
        kit.faults().latency(StoreOperation.CRM_IDS, java.time.Duration.ofSeconds(3));
        s.crmIds(ObjectType.LEAD, IdCursor.START, 1);
        s.findByCrmIds(ObjectType.LEAD, List.of(lead(1)));
        assertEquals(List.of(java.time.Duration.ofSeconds(3)), slept);
    }
}
