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
import javax.sql.DataSource;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract kit against the JDBC stores on a real MariaDB server, in a database of its own.
 * Skipped (with a message) unless {@code CRMSYNC_MARIADB_URL} is set; see {@link TestDatabases}.
 */
class MariaDbContractTest {

    @RegisterExtension
    static final TestDatabases.MariaDbDatabase DB = new TestDatabases.MariaDbDatabase();

    static JdbcStores freshStores() {
        DataSource empty = DB.empty();       // skips (or fails, when required) each test, visibly
        List<ObjectType> types = new ArrayList<>(ObjectType.STANDARD);
        types.add(ObjectType.of("Invoice__c"));
        return TestDatabases.stores(empty)
                .clock(Clock.fixed(ContractFixtures.T0, ZoneOffset.UTC))
                .objectTypes(types)
                .build();
    }

    @Nested
    class MarketingStoreOnMariaDb extends MarketingStoreContract {
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
    class SyncStateStoreOnMariaDb extends SyncStateStoreContract {
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
