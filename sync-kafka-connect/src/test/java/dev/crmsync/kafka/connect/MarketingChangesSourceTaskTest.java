package dev.crmsync.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.jdbc.JdbcStores;
import dev.crmsync.kafka.connect.internal.MarketingCodec;
import dev.crmsync.kafka.connect.internal.SourceSettings;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.testkit.ManualClock;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** The marketing store's change feed as a Connect source: keys, topics, offsets, restart. */
class MarketingChangesSourceTaskTest {

    private static final CrmId LINKED = CrmId.of("00Q000000000001");

    /** A context whose offset reader answers with the given offsets. */
    static final class Context implements SourceTaskContext {
        private final Map<Map<String, String>, Map<String, Object>> offsets;

        Context(Map<Map<String, String>, Map<String, Object>> offsets) {
            this.offsets = offsets;
        }

        @Override
        public Map<String, String> configs() {
            return Map.of();
        }

        @Override
        public OffsetStorageReader offsetStorageReader() {
            return new OffsetStorageReader() {
                @Override
                public <T> Map<String, Object> offset(Map<String, T> partition) {
                    return offsets.get(partition);
                }

                @Override
                @SuppressWarnings("unchecked")
                public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                    Map<Map<String, T>, Map<String, Object>> out = new HashMap<>();
                    for (Map<String, T> p : partitions) {
                        Map<String, Object> o = offsets.get((Map<String, String>) (Map<String, ?>) p);
                        if (o != null) {
                            out.put(p, o);
                        }
                    }
                    return out;
                }
            };
        }

        @Override
        public PluginMetrics pluginMetrics() {
            throw new UnsupportedOperationException("no metrics in this test");
        }
    }

    private static Map<String, String> props(String org) {
        Map<String, String> p = new HashMap<>();
        p.put(MarketingChangesSourceConnector.ORGS, org);
        p.put(SourceSettings.TASK_ORGS, org);
        p.put(MarketingChangesSourceConnector.MARKETING_STORE_FACTORY, TestOrgs.StoreFactory.class.getName());
        p.put(MarketingChangesSourceConnector.STATE_STORE_FACTORY, TestOrgs.StateFactory.class.getName());
        p.put(MarketingChangesSourceConnector.OBJECT_TYPES, "Lead");
        p.put(MarketingChangesSourceConnector.TOPIC_PREFIX, "crm");
        p.put(MarketingChangesSourceConnector.PAGE_SIZE, "2");
        p.put(MarketingChangesSourceConnector.POLL_INTERVAL_MS, "60000");
        return p;
    }

    private static MarketingChangesSourceTask task(ManualClock clock, String org,
                                                   Map<Map<String, String>, Map<String, Object>> offsets) {
        MarketingChangesSourceTask t = new MarketingChangesSourceTask(clock);
        t.initialize(new Context(offsets));
        t.start(props(org));
        return t;
    }

    @Test
    void linkedRecordsAreKeyedByCrmIdMarketingOnlyOnesByMarketingIdAndARestartResumesFromTheOffset() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-12-01T10:00:00Z"));
        InMemoryMarketingStore store = new InMemoryMarketingStore(clock);
        TestOrgs.STORES.put("mkOrgA", store);
        store.upsert(ObjectType.LEAD, List.of(new SyncRecord(ObjectType.LEAD, LINKED,
                Map.of("LastName", FieldValue.text("Linked")), clock.instant(), false)));
        // the host edits the linked record (a record the engine wrote and no host touched is not in the feed)
        store.saveLocal(ObjectType.LEAD, store.findByCrmIds(ObjectType.LEAD, List.of(LINKED)).get(LINKED).marketingId(),
                Map.of("Title", FieldValue.text("Edited")));
        MarketingRecord local = store.saveLocal(ObjectType.LEAD, null, Map.of("LastName", FieldValue.text("Local")));
        MarketingRecord other = store.saveLocal(ObjectType.LEAD, null, Map.of("LastName", FieldValue.text("Other")));

        MarketingChangesSourceTask t = task(clock, "mkOrgA", Map.of());
        List<SourceRecord> first = t.poll();
        List<SourceRecord> second = t.poll();
        assertEquals(2, first.size());
        assertEquals(1, second.size(), "a page of 2, then the rest of the feed");
        List<SourceRecord> all = new java.util.ArrayList<>(first);
        all.addAll(second);
        assertEquals(List.of(LINKED.value(), local.marketingId(), other.marketingId()),
                all.stream().map(r -> (String) r.key()).toList());
        assertTrue(all.stream().allMatch(r -> r.topic().equals("crm.mkOrgA.Lead.marketing")));
        MarketingCodec.Decoded d = MarketingCodec.decode(all.get(1).value());
        assertEquals(local.marketingId(), d.record().marketingId());
        assertNull(d.record().crmId());
        assertEquals(FieldValue.text("Local"), d.record().get("LastName"));
        assertEquals(LINKED, MarketingCodec.decode(all.get(0).value()).record().crmId());
        assertEquals(first.get(0).sourceOffset().get("cursor"), "", "a page's records but its last carry the page's start");
        assertNull(t.poll(), "the feed rests once read to its end");
        t.stop();

        store.saveLocal(ObjectType.LEAD, other.marketingId(), Map.of("LastName", FieldValue.text("Other 2")));
        Map<Map<String, String>, Map<String, Object>> stored = Map.of(second.get(0).sourcePartition() == null ? Map.of()
                : toStrings(second.get(0).sourcePartition()), Map.copyOf(second.get(0).sourceOffset()));
        MarketingChangesSourceTask again = task(clock, "mkOrgA", stored);
        List<SourceRecord> resumed = again.poll();
        assertEquals(List.of(other.marketingId()), resumed.stream().map(r -> (String) r.key()).toList(),
                "only the change after the stored offset");
        assertEquals(FieldValue.text("Other 2"), MarketingCodec.decode(resumed.get(0).value()).record().get("LastName"));
        again.stop();
    }

    /** The org's JDBC stores, for the factories below. */
    static final Map<String, JdbcStores> JDBC = new java.util.concurrent.ConcurrentHashMap<>();

    /** Gives the org's JDBC marketing store. */
    public static final class JdbcStoreFactory implements MarketingStoreFactory {
        @Override
        public dev.crmsync.store.MarketingStore open(String orgId, Map<String, String> settings) {
            return JDBC.get(orgId).marketingStore();
        }
    }

    /** Gives the org's JDBC state store. */
    public static final class JdbcStateFactory implements SyncStateStoreFactory {
        @Override
        public dev.crmsync.store.SyncStateStore open(String orgId, Map<String, String> settings) {
            return JDBC.get(orgId).syncStateStore();
        }
    }

    private static void sql(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static List<SourceRecord> pollAndAck(MarketingChangesSourceTask t) throws Exception {
        List<SourceRecord> out = t.poll();
        if (out == null) {
            return List.of();
        }
        for (SourceRecord r : out) {
            t.commitRecord(r, null);
        }
        return out;
    }

    @Test
    void aRowTheStoreCannotReadIsBookedTheOthersFlowAndOnceTheHostFixesItItIsSentAndLeavesTheBook() throws Exception {
        String org = "mkOrgJdbc";
        ManualClock clock = new ManualClock(Instant.parse("2026-12-01T10:00:00Z"));
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:kafka_connect_unreadable;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
        JdbcStores stores = JdbcStores.builder(ds).clock(clock).objectTypes(List.of(ObjectType.LEAD)).build();
        JDBC.put(org, stores);
        CrmId a = CrmId.of("00Q000000000AAA");
        CrmId b = CrmId.of("00Q000000000BBB");
        CrmId c = CrmId.of("00Q000000000CCC");
        for (CrmId id : List.of(a, b, c)) {
            stores.marketingStore().upsert(ObjectType.LEAD, List.of(new SyncRecord(ObjectType.LEAD, id,
                    Map.of("LastName", FieldValue.text("Name " + id.value())), clock.instant(), false)));
        }
        hostEdits(stores, b);     // the feed lists what hosts wrote (the engine's untouched creates equal their bases)
        hostEdits(stores, c);
        String table = stores.marketingStore().tableName(ObjectType.LEAD);
        sql(ds, "UPDATE " + table + " SET _other = 'not json' WHERE _crm_id = '" + a.value() + "'");
        RecordKey key = RecordKey.crm(a);

        Map<String, String> p = props(org);
        p.put(MarketingChangesSourceConnector.MARKETING_STORE_FACTORY, JdbcStoreFactory.class.getName());
        p.put(MarketingChangesSourceConnector.STATE_STORE_FACTORY, JdbcStateFactory.class.getName());
        p.put(MarketingChangesSourceConnector.PAGE_SIZE, "10");
        MarketingChangesSourceTask t = new MarketingChangesSourceTask(clock);
        t.initialize(new Context(Map.of()));
        t.start(p);
        List<SourceRecord> first = pollAndAck(t);
        assertEquals(List.of(b.value(), c.value()), first.stream().map(r -> (String) r.key()).toList(),
                "the readable rows flow");
        FailedRecord booked = stores.syncStateStore().failure(ObjectType.LEAD, key, SyncSide.MARKETING).orElseThrow();
        assertEquals(MarketingChangesSourceConnector.UNREADABLE_IN_STORE, booked.code());
        assertEquals(1, booked.attempts());
        assertTrue(booked.message().contains("_other"), booked.message());
        assertTrue(!booked.message().contains("not json"), "never the value: " + booked.message());

        // a later round reads it again by key: still unreadable, it stays booked (no attempt counted: nothing changed)
        clock.advance(Duration.ofMinutes(2));
        assertEquals(List.of(), pollAndAck(t));
        assertEquals(booked, stores.syncStateStore().failure(ObjectType.LEAD, key, SyncSide.MARKETING).orElseThrow());

        // the host fixes the row: the feed brings it, it is sent, and once acknowledged its booking is cleared
        sql(ds, "UPDATE " + table + " SET _other = NULL WHERE _crm_id = '" + a.value() + "'");
        clock.advance(Duration.ofMinutes(2));
        List<SourceRecord> fixed = t.poll();
        assertEquals(List.of(a.value()), fixed.stream().map(r -> (String) r.key()).toList());
        clock.advance(Duration.ofMinutes(2));
        assertEquals(List.of(), pollAndAck(t), "sent once, not read again while its acknowledgement is awaited");
        assertTrue(stores.syncStateStore().failure(ObjectType.LEAD, key, SyncSide.MARKETING).isPresent(),
                "kept until Kafka acknowledges the record");
        t.commitRecord(fixed.get(0), null);
        assertNull(t.poll(), "resting; the acknowledged booking is cleared");
        assertTrue(stores.syncStateStore().failure(ObjectType.LEAD, key, SyncSide.MARKETING).isEmpty());
        t.stop();
    }

    @Test
    void aBookedRecordTheStoreReadsNowIsSentByTheNextRoundWithoutAFeedChangeAndATaskThatStopsBeforeTheAckSendsItAgain()
            throws Exception {
        String org = "mkOrgJdbcRetry";
        ManualClock clock = new ManualClock(Instant.parse("2026-12-01T10:00:00Z"));
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:kafka_connect_unreadable_retry;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
        JdbcStores stores = JdbcStores.builder(ds).clock(clock).objectTypes(List.of(ObjectType.LEAD)).build();
        JDBC.put(org, stores);
        CrmId a = CrmId.of("00Q000000000AAA");
        stores.marketingStore().upsert(ObjectType.LEAD, List.of(new SyncRecord(ObjectType.LEAD, a,
                Map.of("LastName", FieldValue.text("Ada")), clock.instant(), false)));
        hostEdits(stores, a);
        Map<String, String> p = props(org);
        p.put(MarketingChangesSourceConnector.MARKETING_STORE_FACTORY, JdbcStoreFactory.class.getName());
        p.put(MarketingChangesSourceConnector.STATE_STORE_FACTORY, JdbcStateFactory.class.getName());
        MarketingChangesSourceTask t = new MarketingChangesSourceTask(clock);
        t.initialize(new Context(Map.of()));
        t.start(p);
        List<SourceRecord> all = pollAndAck(t);
        assertEquals(1, all.size());
        // booked meanwhile (the row was unreadable when the merge sink wrote it, say) and readable again since
        RecordKey key = RecordKey.crm(a);
        stores.syncStateStore().saveFailure(new FailedRecord(ObjectType.LEAD, key, SyncSide.MARKETING,
                MarketingChangesSourceConnector.UNREADABLE_IN_STORE, "unreadable", true, 1, clock.instant(),
                clock.instant(), false));
        clock.advance(Duration.ofMinutes(2));
        List<SourceRecord> again = t.poll();
        assertEquals(List.of(a.value()), again.stream().map(r -> (String) r.key()).toList(), "read again by key");
        assertEquals(FieldValue.text("Ada"), MarketingCodec.decode(again.get(0).value()).record().get("LastName"));
        t.stop();
        assertTrue(stores.syncStateStore().failure(ObjectType.LEAD, key, SyncSide.MARKETING).isPresent(),
                "stopped before the acknowledgement: still booked");

        MarketingChangesSourceTask next = new MarketingChangesSourceTask(clock);
        Map<Map<String, String>, Map<String, Object>> offsets = Map.of(toStrings(all.get(0).sourcePartition()),
                Map.copyOf(all.get(0).sourceOffset()));
        next.initialize(new Context(offsets));
        next.start(p);
        List<SourceRecord> resent = pollAndAck(next);
        assertEquals(List.of(a.value()), resent.stream().map(r -> (String) r.key()).toList(), "sent again");
        assertNull(next.poll());
        assertTrue(stores.syncStateStore().failure(ObjectType.LEAD, key, SyncSide.MARKETING).isEmpty());
        next.stop();
    }

    /** A host edit of a record the engine wrote, so that the change feed lists it. */
    private static void hostEdits(JdbcStores stores, CrmId id) {
        String mid = stores.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(id)).get(id).marketingId();
        stores.marketingStore().saveLocal(ObjectType.LEAD, mid, Map.of("Title", FieldValue.text("Edited")));
    }

    @Test
    void aStoreWithoutAChangeFeedIsRefused() {
        TestOrgs.STORES.remove("mkOrgB");
        Map<String, String> p = props("mkOrgB");
        p.put(MarketingChangesSourceConnector.MARKETING_STORE_FACTORY, OneWayFactory.class.getName());
        MarketingChangesSourceTask t = new MarketingChangesSourceTask();
        t.initialize(new Context(Map.of()));
        ConnectException e = assertThrows(ConnectException.class, () -> t.start(p));
        assertTrue(e.getMessage().contains("not a BidirectionalStore"), e.getMessage());
    }

    /** Gives a store of one-way types only. */
    public static final class OneWayFactory implements MarketingStoreFactory {
        @Override
        public dev.crmsync.store.MarketingStore open(String orgId, Map<String, String> settings) {
            return new dev.crmsync.testkit.OneWayMarketingStore(new InMemoryMarketingStore());
        }
    }

    private static Map<String, String> toStrings(Map<String, ?> m) {
        Map<String, String> out = new HashMap<>();
        m.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }
}
