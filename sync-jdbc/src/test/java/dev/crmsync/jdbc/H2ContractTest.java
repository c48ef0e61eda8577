package dev.crmsync.jdbc;

import dev.crmsync.model.ObjectType;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.SyncStateStore;
import dev.crmsync.testkit.contract.ContractFixtures;
import dev.crmsync.testkit.contract.MarketingStoreContract;
import dev.crmsync.testkit.contract.SyncStateStoreContract;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Nested;

/** The contract kit against the JDBC stores on embedded H2. */
class H2ContractTest {

    static JdbcStores freshStores() {
        List<ObjectType> types = new ArrayList<>(ObjectType.STANDARD);
        types.add(ObjectType.of("Invoice__c"));
        return TestDatabases.stores(TestDatabases.freshH2())
                .clock(Clock.fixed(ContractFixtures.T0, ZoneOffset.UTC))
                .objectTypes(types)
                .build();
    }

    @Nested
    class MarketingStoreOnH2 extends MarketingStoreContract {
        @Override
        protected MarketingStore createStore() {
            return freshStores().marketingStore();
        }

        @Override
        protected Optional<ObjectType> typeTheStoreDoesNotHold() {
            return Optional.of(ObjectType.of("Unknown__c"));
        }
    }

    @Nested
    class SyncStateStoreOnH2 extends SyncStateStoreContract {
        private JdbcStores stores;

        @Override
        protected SyncStateStore createStore() {
            stores = freshStores();
            return stores.syncStateStore();
        }

        @Override
        protected boolean advanceStoreClock(Duration by) {
            stores.syncStateStore().shiftClockForTest(by);   // the database clock, seen through a stored offset
            return true;
        }

        @Override
        protected boolean supportsAtomicTransactions() {
            return true;
        }

        @Override
        protected Optional<MarketingStore> createMarketingStoreInSameDatabase(SyncStateStore state) {
            return Optional.of(stores.marketingStore());
        }
    }
}
