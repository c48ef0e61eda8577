package dev.crmsync.testkit;

import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.testkit.contract.ContractFixtures;
import dev.crmsync.testkit.contract.MarketingStoreContract;
import java.time.Clock;
import java.time.ZoneOffset;

/**
 * Runs the contract kit against a store with no optional capability: the one-way rules run and
 * pass, the tests of the change feed, link, merge, relink and host writes are skipped (with the
 * kit's message), not failed.
 */
class OneWayMarketingStoreContractTest extends MarketingStoreContract {

    @Override
    protected MarketingStore createStore() {
        return new OneWayMarketingStore(new InMemoryMarketingStore(Clock.fixed(ContractFixtures.T0, ZoneOffset.UTC)));
    }
}
