package dev.crmsync.store.memory;

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
import dev.crmsync.testkit.contract.ContractFixtures;
import dev.crmsync.testkit.contract.MarketingStoreContract;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs the contract kit against {@link InMemoryMarketingStore}, plus its own test-support features. */
class InMemoryMarketingStoreTest extends MarketingStoreContract {

    @Override
    protected MarketingStore createStore() {
        return new InMemoryMarketingStore(Clock.fixed(ContractFixtures.T0, ZoneOffset.UTC));
    }

    private InMemoryMarketingStore mem() {
        return (InMemoryMarketingStore) store;
    }

    @Test
    void countsCallsPerOperation() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A")));
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(2), "LastName", "B")));
        store.findByCrmIds(ObjectType.LEAD, List.of(lead(1)));
        assertEquals(2, mem().calls(StoreOperation.UPSERT));
        assertEquals(1, mem().calls(StoreOperation.FIND_BY_CRM_IDS));
        assertEquals(0, mem().calls(StoreOperation.MERGE));
        assertEquals(3, mem().totalCalls());
        mem().resetCalls();
        assertEquals(0, mem().totalCalls());
    }

    @Test
    void callLogIsOffByDefaultAndRecordsCallsWhenOn() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A")));
        assertTrue(mem().callLog().isEmpty());
        mem().recordCallLog(true);
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(2), "LastName", "B"),
                rec(ObjectType.LEAD, lead(3), "LastName", "C")));
        List<StoreCall> log = mem().callLog();
        assertEquals(1, log.size());
        assertEquals(StoreOperation.UPSERT, log.get(0).operation());
        assertEquals(ObjectType.LEAD, log.get(0).type());
        assertEquals(2, log.get(0).size());
    }

    @Test
    void failNextThrowsBeforeAnyWrite() {
        mem().faults().failNext(StoreOperation.UPSERT, 1);
        assertThrows(RetriableSyncException.class,
                () -> store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"))));
        assertTrue(store.findByCrmIds(ObjectType.LEAD, List.of(lead(1))).isEmpty());
        assertInstanceOf(StoreResult.Created.class,
                store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"))).get(0));
        assertEquals(1, mem().faults().injectedCount());
    }

    @Test
    void lostAcknowledgementThrowsAfterTheWrite() {
        mem().faults().loseAckOfNext(StoreOperation.UPSERT, 1);
        assertThrows(RetriableSyncException.class,
                () -> store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"))));
        assertEquals(1, store.findByCrmIds(ObjectType.LEAD, List.of(lead(1))).size());
        assertInstanceOf(StoreResult.Unchanged.class,
                store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"))).get(0));
    }

    @Test
    void failAtCallCrashesExactlyTheNthCall() {
        mem().faults().failAtCall(3);
        store.findByCrmIds(ObjectType.LEAD, List.of(lead(1)));
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A")));
        assertThrows(RetriableSyncException.class, () -> mem().saveLocal(ObjectType.LEAD, null, fields("LastName", "x")));
        mem().saveLocal(ObjectType.LEAD, null, fields("LastName", "x"));
        assertEquals(2, mem().changesSince(ObjectType.LEAD, FeedCursor.START, 10).records().size());
    }

    @Test
    void sharedProfileCountsCallsOfBothStores() {
        FaultProfile shared = new FaultProfile().failAtCall(2);
        InMemoryMarketingStore data = new InMemoryMarketingStore(Clock.systemUTC(), shared);
        InMemorySyncStateStore state = new InMemorySyncStateStore(shared);
        data.crmIds(ObjectType.LEAD, IdCursor.START, 1);
        assertThrows(RetriableSyncException.class, () -> state.checkpoint(ObjectType.LEAD));
    }

    @Test
    void rejectedIdsAreRejectedWhileTheRestOfTheBatchIsWritten() {
        mem().faults().reject(lead(2), "UNABLE_TO_LOCK_ROW", true);
        List<StoreResult> res = store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"),
                rec(ObjectType.LEAD, lead(2), "LastName", "B")));
        assertInstanceOf(StoreResult.Created.class, res.get(0));
        StoreResult.Rejected r = assertInstanceOf(StoreResult.Rejected.class, res.get(1));
        assertEquals("UNABLE_TO_LOCK_ROW", r.code());
        assertTrue(r.retriable());
        mem().faults().stopRejecting(lead(2));
        assertInstanceOf(StoreResult.Created.class,
                store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(2), "LastName", "B"))).get(0));
    }

    @Test
    void seededFailureRateIsRepeatable() {
        assertEquals(failures(7), failures(7));
    }

    private static List<Boolean> failures(long seed) {
        InMemoryMarketingStore s = new InMemoryMarketingStore();
        s.faults().seed(seed).failRate(StoreOperation.CRM_IDS, 0.5);
        java.util.ArrayList<Boolean> out = new java.util.ArrayList<>();
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
    void sizeCountsRecordsOfAType() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"),
                rec(ObjectType.LEAD, lead(2), "LastName", "B")));
        mem().saveLocal(ObjectType.LEAD, null, fields("LastName", "C"));
        mem().merge(ObjectType.LEAD, lead(1), List.of(lead(2)), fields());
        assertEquals(2, mem().size(ObjectType.LEAD));
        assertEquals(0, mem().size(ObjectType.CONTACT));
    }

    @Test
    void invalidCursorIsRefusedWithItsValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> mem().changesSince(ObjectType.LEAD, FeedCursor.of("garbage"), 10));
        assertTrue(e.getMessage().contains("garbage"));
    }
}
