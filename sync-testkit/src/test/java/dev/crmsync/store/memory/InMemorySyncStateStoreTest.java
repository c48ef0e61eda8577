package dev.crmsync.store.memory;

import dev.crmsync.store.SyncStateStore;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.contract.ContractFixtures;
import dev.crmsync.testkit.contract.SyncStateStoreContract;
import java.time.Duration;

/** Runs the contract kit against {@link InMemorySyncStateStore}, its leases on a manual clock. */
class InMemorySyncStateStoreTest extends SyncStateStoreContract {

    private ManualClock clock;

    @Override
    protected SyncStateStore createStore() {
        clock = new ManualClock(ContractFixtures.T0);
        return new InMemorySyncStateStore(clock);
    }

    @Override
    protected boolean advanceStoreClock(Duration by) {
        clock.advance(by);
        return true;
    }
}
