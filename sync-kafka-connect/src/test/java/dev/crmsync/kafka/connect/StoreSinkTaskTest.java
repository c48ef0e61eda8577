package dev.crmsync.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.kafka.connect.internal.RecordCodec;
import dev.crmsync.kafka.connect.internal.StoreFieldsHeader;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.Deletion;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.IdCursor;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.StoreField;
import dev.crmsync.store.StoreResult;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.junit.jupiter.api.Test;

class StoreSinkTaskTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final CrmId A = CrmId.of("001000000000001");
    private static final CrmId B = CrmId.of("001000000000002");

    /** The stores by org, for {@link Factory}. */
    static final Map<String, MarketingStore> STORES = new ConcurrentHashMap<>();

    /** Hands out {@link #STORES}. */
    public static final class Factory implements MarketingStoreFactory {
        @Override
        public MarketingStore open(String orgId, Map<String, String> settings) {
            return STORES.get(orgId);
        }
    }

    /** Rejects one id, retriably or not; the rest goes to an in-memory store. */
    static final class Rejecting implements MarketingStore {
        final InMemoryMarketingStore inner = new InMemoryMarketingStore();
        final CrmId rejected;
        final boolean retriable;

        Rejecting(CrmId rejected, boolean retriable) {
            this.rejected = rejected;
            this.retriable = retriable;
        }

        @Override
        public List<StoreResult> upsert(ObjectType type, List<SyncRecord> records) {
            List<StoreResult> out = new ArrayList<>();
            for (SyncRecord r : records) {
                out.add(r.id().equals(rejected)
                        ? new StoreResult.Rejected(r.id(), "VALUE_TOO_LONG", "Name: 'secret customer text' is too long",
                                retriable)
                        : inner.upsert(type, List.of(r)).get(0));
            }
            return out;
        }

        @Override
        public List<StoreResult> markDeleted(ObjectType type, List<Deletion> deletions) {
            return inner.markDeleted(type, deletions);
        }

        @Override
        public Map<CrmId, MarketingRecord> findByCrmIds(ObjectType type, Collection<CrmId> ids) {
            return inner.findByCrmIds(type, ids);
        }

        @Override
        public List<CrmId> crmIds(ObjectType type, IdCursor after, int limit) {
            return inner.crmIds(type, after, limit);
        }
    }

    /** A context with an errant record reporter that keeps what it is given (or none). */
    static final class Context implements SinkTaskContext {
        final List<SinkRecord> reported = new ArrayList<>();
        final List<Throwable> reasons = new ArrayList<>();
        final boolean withReporter;

        Context(boolean withReporter) {
            this.withReporter = withReporter;
        }

        @Override
        public Map<String, String> configs() {
            return Map.of();
        }

        @Override
        public void offset(Map<TopicPartition, Long> offsets) {
        }

        @Override
        public void offset(TopicPartition tp, long offset) {
        }

        @Override
        public void timeout(long timeoutMs) {
        }

        @Override
        public Set<TopicPartition> assignment() {
            return Set.of();
        }

        @Override
        public void pause(TopicPartition... partitions) {
        }

        @Override
        public void resume(TopicPartition... partitions) {
        }

        @Override
        public void requestCommit() {
        }

        @Override
        public PluginMetrics pluginMetrics() {
            throw new UnsupportedOperationException("no metrics in this test");
        }

        @Override
        public ErrantRecordReporter errantRecordReporter() {
            if (!withReporter) {
                return null;
            }
            return new ErrantRecordReporter() {
                @Override
                public Future<Void> report(SinkRecord record, Throwable error) {
                    reported.add(record);
                    reasons.add(error);
                    return CompletableFuture.completedFuture(null);
                }
            };
        }
    }

    private static StoreSinkTask task(String org, MarketingStore store, Context context) {
        STORES.put(org, store);
        StoreSinkTask task = new StoreSinkTask();
        task.initialize(context);
        task.start(Map.of(StoreSinkConnector.MARKETING_STORE_FACTORY, Factory.class.getName(),
                StoreSinkConnector.TOPIC_PREFIX, "crm", "topics", "crm." + org + ".Account"));
        return task;
    }

    private static SinkRecord record(String org, CrmId id, String name, int second, boolean deleted, long offset) {
        SyncRecord r = new SyncRecord(ObjectType.ACCOUNT, id, Map.of("Name", FieldValue.text(name)),
                T0.plusSeconds(second), deleted);
        return new SinkRecord("crm." + org + ".Account", 0, RecordCodec.KEY_SCHEMA, id.value(),
                RecordCodec.VALUE_SCHEMA, RecordCodec.encode(org, r), offset);
    }

    private static SinkRecord tombstone(String org, CrmId id, long offset) {
        return new SinkRecord("crm." + org + ".Account", 0, RecordCodec.KEY_SCHEMA, id.value(), null, null, offset,
                T0.plusSeconds(60).toEpochMilli(), TimestampType.CREATE_TIME);
    }

    @Test
    void theLastRecordOfAnIdWinsAndRewritingItChangesNothing() {
        InMemoryMarketingStore store = new InMemoryMarketingStore();
        StoreSinkTask task = task("orgS1", store, new Context(true));
        List<SinkRecord> batch = List.of(record("orgS1", A, "first", 1, false, 0), record("orgS1", B, "b", 1, false, 1),
                record("orgS1", A, "second", 2, false, 2));
        task.put(batch);
        assertEquals(FieldValue.text("second"), store.findByCrmIds(ObjectType.ACCOUNT, List.of(A)).get(A).get("Name"));
        Instant changed = store.findByCrmIds(ObjectType.ACCOUNT, List.of(A)).get(A).localModstamp();
        task.put(batch);
        assertEquals(changed, store.findByCrmIds(ObjectType.ACCOUNT, List.of(A)).get(A).localModstamp(),
                "a redelivered batch is an idempotent rewrite");
        task.stop();
    }

    @Test
    void theDeletedFlagAndATombstoneMarkTheRecordDeletedAndKeepItsValues() {
        InMemoryMarketingStore store = new InMemoryMarketingStore();
        StoreSinkTask task = task("orgS2", store, new Context(true));
        task.put(List.of(record("orgS2", A, "a", 1, false, 0), record("orgS2", B, "b", 1, false, 1)));
        task.put(List.of(record("orgS2", A, "a", 2, true, 2), tombstone("orgS2", B, 3)));
        Map<CrmId, MarketingRecord> held = store.findByCrmIds(ObjectType.ACCOUNT, List.of(A, B));
        assertTrue(held.get(A).crmDeleted());
        assertTrue(held.get(B).crmDeleted());
        assertEquals(FieldValue.text("b"), held.get(B).get("Name"), "a tombstone leaves the values");
    }

    @Test
    void aRejectedRecordGoesToTheErrantRecordReporterWithoutItsValue() {
        Rejecting store = new Rejecting(B, false);
        Context context = new Context(true);
        StoreSinkTask task = task("orgS3", store, context);
        SinkRecord bad = record("orgS3", B, "b", 1, false, 1);
        task.put(List.of(record("orgS3", A, "a", 1, false, 0), bad));
        assertEquals(List.of(bad), context.reported);
        assertTrue(context.reasons.get(0).getMessage().contains("VALUE_TOO_LONG"));
        assertFalse(context.reasons.get(0).getMessage().contains("secret customer text"));
        assertEquals(1, store.inner.size(ObjectType.ACCOUNT), "the others are written");

        StoreSinkTask strict = task("orgS3b", new Rejecting(B, false), new Context(false));
        ConnectException e = assertThrows(ConnectException.class,
                () -> strict.put(List.of(record("orgS3b", B, "b", 1, false, 0))));
        assertFalse(e.getMessage().contains("secret customer text"));
    }

    @Test
    void aRetriableRejectionAsksConnectToDeliverTheBatchAgain() {
        StoreSinkTask task = task("orgS4", new Rejecting(A, true), new Context(true));
        assertThrows(RetriableException.class, () -> task.put(List.of(record("orgS4", A, "a", 1, false, 0))));
    }

    /** Records the calls to prepareType and upsert, in order. */
    static final class Preparing implements MarketingStore {
        final InMemoryMarketingStore inner = new InMemoryMarketingStore();
        final List<String> calls = new ArrayList<>();
        final List<List<StoreField>> prepared = new ArrayList<>();

        @Override
        public void prepareType(ObjectType type, List<StoreField> fields) {
            calls.add("prepare " + type);
            prepared.add(fields);
        }

        @Override
        public List<StoreResult> upsert(ObjectType type, List<SyncRecord> records) {
            calls.add("upsert " + type);
            return inner.upsert(type, records);
        }

        @Override
        public List<StoreResult> markDeleted(ObjectType type, List<Deletion> deletions) {
            return inner.markDeleted(type, deletions);
        }

        @Override
        public Map<CrmId, MarketingRecord> findByCrmIds(ObjectType type, Collection<CrmId> ids) {
            return inner.findByCrmIds(type, ids);
        }

        @Override
        public List<CrmId> crmIds(ObjectType type, IdCursor after, int limit) {
            return inner.crmIds(type, after, limit);
        }
    }

    private static SinkRecord withFields(SinkRecord r, String storeFields) {
        r.headers().addString(StoreFieldsHeader.NAME, storeFields);
        return r;
    }

    @Test
    void theStoreIsPreparedBeforeTheTypesFirstWriteAndAgainOnlyWhenItsFieldsChange() {
        Preparing store = new Preparing();
        StoreSinkTask task = task("orgS6", store, new Context(true));
        String nameOnly = "Name:TEXT:255:0:0";
        task.put(List.of(withFields(record("orgS6", A, "a", 1, false, 0), nameOnly),
                withFields(record("orgS6", B, "b", 1, false, 1), nameOnly)));
        assertEquals(List.of("prepare Account", "upsert Account"), store.calls, "prepared once, before the write");
        assertEquals(List.of(List.of(new StoreField("Name", StoreField.Kind.TEXT, 255, 0, 0))), store.prepared);

        task.put(List.of(withFields(record("orgS6", A, "a2", 2, false, 2), nameOnly)));
        task.put(List.of(record("orgS6", B, "b2", 2, false, 3)));
        assertEquals(List.of("prepare Account", "upsert Account", "upsert Account", "upsert Account"), store.calls,
                "the same fields, or none carried: no second call");

        String more = nameOnly + ",AnnualRevenue:CURRENCY:0:18:0";
        task.put(List.of(withFields(record("orgS6", A, "a3", 3, false, 4), more)));
        assertEquals(2, store.prepared.size(), "a field became readable: prepared again");
        assertEquals(new StoreField("AnnualRevenue", StoreField.Kind.CURRENCY, 0, 18, 0), store.prepared.get(1).get(1));

        task.stop();
        StoreSinkTask restarted = task("orgS6", store, new Context(true));
        restarted.put(List.of(withFields(record("orgS6", A, "a4", 4, false, 5), more)));
        assertEquals(3, store.prepared.size(), "a new task prepares before its first write");
    }

    @Test
    void twoWayTypesAndForeignValuesAreRefused() {
        StoreSinkTask task = task("orgS5", new InMemoryMarketingStore(), new Context(true));
        SyncRecord lead = new SyncRecord(ObjectType.LEAD, CrmId.of("00Q000000000001"), Map.of(), T0, false);
        assertThrows(DataException.class, () -> task.put(List.of(new SinkRecord("crm.orgS5.Lead", 0,
                RecordCodec.KEY_SCHEMA, lead.id().value(), RecordCodec.VALUE_SCHEMA, RecordCodec.encode("orgS5", lead), 0))));
        assertThrows(DataException.class, () -> task.put(List.of(new SinkRecord("other.topic", 0, null, A.value(),
                null, null, 0))));
    }
}
