package dev.crmsync.kafka.connect;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.testkit.InMemoryCrm;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The orgs the tests' connectors see, by org id: Connect creates the factories by class name, so they find the
 * test's fakes here. Each test uses its own org ids.
 */
final class TestOrgs {

    static final Map<String, InMemoryCrm> CRMS = new ConcurrentHashMap<>();
    static final Map<String, InMemoryMarketingStore> STORES = new ConcurrentHashMap<>();
    static final Map<String, dev.crmsync.store.memory.InMemorySyncStateStore> STATES = new ConcurrentHashMap<>();

    private TestOrgs() {
    }

    /** Gives a task the org's fake CRM behind a wrapper whose close leaves the fake open (tasks restart). */
    public static final class CrmFactory implements CrmSourceFactory {
        @Override
        public CrmSource open(String orgId, Map<String, String> settings) {
            InMemoryCrm crm = CRMS.get(orgId);
            if (crm == null) {
                throw new IllegalArgumentException("no test CRM for org " + orgId);
            }
            return new Unclosed(crm);
        }
    }

    /** Gives a task the org's in-memory store (created on first use). */
    public static final class StoreFactory implements MarketingStoreFactory {
        @Override
        public MarketingStore open(String orgId, Map<String, String> settings) {
            return STORES.computeIfAbsent(orgId, o -> new InMemoryMarketingStore());
        }
    }

    /** Gives a task the org's in-memory state store (created on first use). */
    public static final class StateFactory implements SyncStateStoreFactory {
        @Override
        public dev.crmsync.store.SyncStateStore open(String orgId, Map<String, String> settings) {
            return STATES.computeIfAbsent(orgId, o -> new dev.crmsync.store.memory.InMemorySyncStateStore());
        }
    }

    /** Delegates every call but close. */
    static class Unclosed implements CrmSource {
        private final CrmSource crm;

        Unclosed(CrmSource crm) {
            this.crm = crm;
        }

        @Override
        public Set<ObjectType> availableTypes() {
            return crm.availableTypes();
        }

        @Override
        public Optional<ObjectSchema> describe(ObjectType type) {
            return crm.describe(type);
        }

        @Override
        public ChangeStream openChanges(ChangeQuery query) {
            return crm.openChanges(query);
        }

        @Override
        public DeletedRecords deletedSince(ObjectType type, Instant start, Instant end) {
            return crm.deletedSince(type, start, end);
        }

        @Override
        public List<SyncRecord> fetch(ObjectType type, Collection<CrmId> ids, Set<String> fields) {
            return crm.fetch(type, ids, fields);
        }

        @Override
        public List<CrmWriteResult> write(ObjectType type, List<? extends CrmWrite> writes) {
            return crm.write(type, writes);
        }

        @Override
        public List<CrmWriteResult> delete(ObjectType type, List<CrmId> ids) {
            return crm.delete(type, ids);
        }

        @Override
        public int maxPageSize() {
            return crm.maxPageSize();
        }

        @Override
        public int maxWriteBatch() {
            return crm.maxWriteBatch();
        }

        @Override
        public Map<String, Long> callCounts() {
            return crm.callCounts();
        }

        @Override
        public void close() {
            // the fake outlives the task
        }
    }
}
