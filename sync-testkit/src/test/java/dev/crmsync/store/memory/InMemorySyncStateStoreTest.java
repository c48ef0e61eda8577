package dev.crmsync.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crmsync.model.ObjectType;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.SyncStateStore;
import dev.crmsync.testkit.contract.ContractFixtures;
import dev.crmsync.testkit.contract.SyncStateStoreContract;
import org.junit.jupiter.api.Test;

/** Runs the contract kit against {@link InMemorySyncStateStore}, plus its own test-support features. */
class InMemorySyncStateStoreTest extends SyncStateStoreContract {

    @Override
    protected SyncStateStore createStore() {
        return new InMemorySyncStateStore();
    }

    private InMemorySyncStateStore mem() {
        return (InMemorySyncStateStore) store;
    }

    @Test
    void countsCallsAndInjectsFaults() {
        store.checkpoint(ObjectType.LEAD);
        mem().faults().failNext(StoreOperation.SAVE_CHECKPOINT, 1);
        Checkpoint cp = Checkpoint.initial(ObjectType.LEAD, ContractFixtures.T0);
        assertThrows(RetriableSyncException.class, () -> store.saveCheckpoint(cp));
        assertEquals(java.util.Optional.empty(), store.checkpoint(ObjectType.LEAD), "nothing written");
        store.saveCheckpoint(cp);
        assertEquals(2, mem().calls(StoreOperation.CHECKPOINT));
        assertEquals(2, mem().calls(StoreOperation.SAVE_CHECKPOINT));
    }
}
