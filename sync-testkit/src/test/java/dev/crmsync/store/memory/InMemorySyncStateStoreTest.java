package dev.crmsync.store.memory;

import dev.crmsync.store.SyncStateStore;
import dev.crmsync.testkit.contract.SyncStateStoreContract;

/** Runs the contract kit against {@link InMemorySyncStateStore}. */
class InMemorySyncStateStoreTest extends SyncStateStoreContract {

    @Override
    protected SyncStateStore createStore() {
        return new InMemorySyncStateStore();
    }
}
