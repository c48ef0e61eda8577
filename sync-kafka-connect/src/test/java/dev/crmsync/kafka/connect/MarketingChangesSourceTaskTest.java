package dev.crmsync.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.kafka.connect.internal.MarketingCodec;
import dev.crmsync.kafka.connect.internal.SourceSettings;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.testkit.ManualClock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
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
