package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.SyncBase;
import dev.crmsync.store.SyncStateStore;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A first copy through the engine into the JDBC stores writes each created record's merge base
 * once, with its marketing id, when the state store's transaction covers the marketing store
 * ({@code commitsWith}); a state store that does not say so still gets the base before the create
 * and again after it.
 */
class H2FirstCopyBaseOnceTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final int N = 120;

    /** @return how many times each CRM id's base was saved, by a first copy of N leads */
    private static Map<CrmId, Integer> firstCopy(boolean tellsItCommitsWith, List<CrmId> idsOut) throws Exception {
        ManualClock clock = new ManualClock(T0);
        InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(3).sleeper(d -> { }).build();
        List<FieldSchema> schema = new ArrayList<>(crm.describe(ObjectType.LEAD).orElseThrow().fields());
        schema.add(FieldSchema.builder("Score__c", FieldType.DOUBLE).build());
        schema.add(FieldSchema.builder("Region__c", FieldType.STRING).length(40).build());
        schema.add(FieldSchema.builder("Segment__c", FieldType.STRING).length(40).build());
        schema.add(FieldSchema.builder("Last_Touch__c", FieldType.DATETIME).build());
        crm.defineType(ObjectType.LEAD, schema);
        List<CrmId> owners = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            owners.add(crm.insert(ObjectType.USER, Map.of("LastName", FieldValue.text("Owner " + i))));
        }
        for (int i = 0; i < N; i++) {
            idsOut.add(crm.insert(ObjectType.LEAD, FirstCopyBenchmark.fields(i, owners)));
        }
        clock.advance(Duration.ofHours(1));
        JdbcStores s = TestDatabases.stores(TestDatabases.freshH2()).build();
        JdbcSyncStateStore inner = s.syncStateStore();
        Map<CrmId, Integer> saved = new HashMap<>();
        SyncStateStore counting = (SyncStateStore) Proxy.newProxyInstance(SyncStateStore.class.getClassLoader(),
                new Class<?>[] {SyncStateStore.class}, (proxy, m, args) -> {
                    if (m.getName().equals("saveBases")) {
                        for (Object b : (Collection<?>) args[0]) {
                            saved.merge(((SyncBase) b).crmId(), 1, Integer::sum);
                        }
                    }
                    if (m.getName().equals("commitsWith") && !tellsItCommitsWith) {
                        return false;
                    }
                    try {
                        return m.invoke(inner, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (SyncEngine e = SyncEngine.builder().crmSource(crm).marketingStore(s.marketingStore()).syncStateStore(counting)
                .objectTypes(List.of(ObjectType.LEAD)).clock(clock).engineId("base-once").pageSize(50).storeBatchSize(25)
                .build()) {
            SyncReport r = e.runCycle();
            assertTrue(r.isComplete(), "the copy completes");
            assertEquals(N, r.totals().created());
        }
        Map<CrmId, SyncBase> bases = inner.bases(ObjectType.LEAD, idsOut);
        assertEquals(N, bases.size(), "every created lead has its base");
        bases.values().forEach(b -> assertNotNull(b.marketingId(), "a created lead's base holds its marketing id"));
        return saved;
    }

    @Test
    void aStateStoreThatCommitsWithTheMarketingStoreGetsEachCreatedBaseOnce() throws Exception {
        List<CrmId> ids = new ArrayList<>();
        Map<CrmId, Integer> saved = firstCopy(true, ids);
        for (CrmId id : ids) {
            assertEquals(1, saved.getOrDefault(id, 0), "saves of the base of " + id);
        }
    }

    @Test
    void aStateStoreThatDoesNotSaySoGetsTheBaseBeforeTheCreateAndAfterIt() throws Exception {
        List<CrmId> ids = new ArrayList<>();
        Map<CrmId, Integer> saved = firstCopy(false, ids);
        for (CrmId id : ids) {
            assertEquals(2, saved.getOrDefault(id, 0), "saves of the base of " + id);
        }
    }
}
