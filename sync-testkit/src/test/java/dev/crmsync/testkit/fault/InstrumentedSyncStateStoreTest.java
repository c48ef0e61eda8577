package dev.crmsync.testkit.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.ObjectType;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.Lease;
import dev.crmsync.store.LeaseAttempt;
import dev.crmsync.store.SyncStateStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.contract.ContractFixtures;
import dev.crmsync.testkit.contract.SyncStateStoreContract;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The sync-state decorator: it passes the whole contract kit (leases included) over the in-memory
 * store, and counts and faults as documented.
 */
class InstrumentedSyncStateStoreTest extends SyncStateStoreContract {

    private dev.crmsync.testkit.ManualClock clock;

    @Override
    protected SyncStateStore createStore() {
        clock = new dev.crmsync.testkit.ManualClock(ContractFixtures.T0);
        return InstrumentedStores.create().state(new InMemorySyncStateStore(clock));
    }

    @Override
    protected boolean advanceStoreClock(Duration by) {
        clock.advance(by);
        return true;
    }

    private InstrumentedSyncStateStore mem() {
        return (InstrumentedSyncStateStore) store;
    }

    @Test
    void countsCallsAndInjectsFaults() {
        store.checkpoint(ObjectType.LEAD);
        mem().faults().failNext(StoreOperation.SAVE_CHECKPOINT, 1, Fault.retriable());
        Checkpoint cp = Checkpoint.initial(ObjectType.LEAD, ContractFixtures.T0);
        assertThrows(RetriableSyncException.class, () -> store.saveCheckpoint(cp));
        assertEquals(Optional.empty(), store.checkpoint(ObjectType.LEAD), "nothing written");
        store.saveCheckpoint(cp);
        assertEquals(2, mem().log().count(StoreOperation.CHECKPOINT));
        assertEquals(2, mem().log().count(StoreOperation.SAVE_CHECKPOINT));
    }

    @Test
    void leasesReachTheWrappedStore() {
        LeaseAttempt attempt = store.tryAcquireLease("crmsync:Lead", "a", "i1", Duration.ofMinutes(1));
        Lease lease = assertInstanceOf(LeaseAttempt.Granted.class, attempt).lease();
        assertTrue(mem().inner().holdsLease(lease), "the wrapped store holds the lease");
        assertEquals(new LeaseAttempt.Refused(lease), mem().inner().tryAcquireLease("crmsync:Lead", "b", "i2",
                Duration.ofMinutes(1)), "another owner is refused by the wrapped store");
        assertTrue(store.renewLease(lease, Duration.ofMinutes(1)).isPresent());
        assertEquals(1, mem().log().count(StoreOperation.TRY_ACQUIRE_LEASE));
        assertEquals(1, mem().log().count(StoreOperation.RENEW_LEASE));
    }

    @Test
    void aLostAnswerOfATransactionComesAfterTheWorkRan() {
        mem().faults().failNext(StoreOperation.IN_TRANSACTION, 1, Fault.loseAnswer());
        Checkpoint cp = Checkpoint.initial(ObjectType.LEAD, ContractFixtures.T0);
        assertThrows(RetriableSyncException.class, () -> store.inTransaction(() -> {
            store.saveCheckpoint(cp);
            return null;
        }));
        assertEquals(Optional.of(cp), mem().inner().checkpoint(ObjectType.LEAD));
        assertEquals(1, mem().log().count(StoreOperation.IN_TRANSACTION));
        assertEquals(1, mem().log().count(StoreOperation.SAVE_CHECKPOINT));
    }
}
