package dev.crmsync.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crmsync.kafka.connect.internal.SourceSettings;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.Test;

/** The per-org daily API budget inside a source task: an org over its budget rests, the others go on. */
class CrmChangesSourceTaskBudgetTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    /** A context with no stored offsets and no transactions. */
    static final class Context implements SourceTaskContext {
        @Override
        public Map<String, String> configs() {
            return Map.of();
        }

        @Override
        public OffsetStorageReader offsetStorageReader() {
            return new OffsetStorageReader() {
                @Override
                public <T> Map<String, Object> offset(Map<String, T> partition) {
                    return null;
                }

                @Override
                public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                    return Map.of();
                }
            };
        }

        @Override
        public PluginMetrics pluginMetrics() {
            throw new UnsupportedOperationException("no metrics in this test");
        }
    }

    private static Map<String, String> props(String orgs) {
        Map<String, String> p = new HashMap<>();
        p.put(CrmChangesSourceConnector.ORGS, orgs);
        p.put(SourceSettings.TASK_ORGS, orgs);
        p.put(CrmChangesSourceConnector.CRM_SOURCE_FACTORY, TestOrgs.CrmFactory.class.getName());
        p.put(CrmChangesSourceConnector.OBJECT_TYPES, "Account");
        p.put(CrmChangesSourceConnector.TOPIC_PREFIX, "crm");
        p.put(CrmChangesSourceConnector.PAGE_SIZE, "5");
        p.put(CrmChangesSourceConnector.POLL_INTERVAL_MS, "200");
        p.put(CrmChangesSourceConnector.LOOKBACK_MS, "0");
        return p;
    }

    private static InMemoryCrm org(String orgId, ManualClock clock, int accounts) {
        InMemoryCrm crm = InMemoryCrm.builder().clock(clock).build();
        for (int i = 0; i < accounts; i++) {
            clock.advance(Duration.ofSeconds(1));
            crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Account " + i)));
        }
        TestOrgs.CRMS.put(orgId, crm);
        return crm;
    }

    private static long calls(InMemoryCrm crm) {
        return crm.callCounts().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Polls until a poll finds every partition resting; returns the records by org. */
    private static Map<String, List<Object>> drain(CrmChangesSourceTask task) throws InterruptedException {
        Map<String, List<Object>> byOrg = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            List<SourceRecord> page = task.poll();
            if (page == null) {
                return byOrg;
            }
            for (SourceRecord r : page) {
                byOrg.computeIfAbsent(r.topic().split("\\.")[1], k -> new ArrayList<>()).add(r.key());
            }
        }
        throw new AssertionError("the task never rested");
    }

    @Test
    void anOrgOverItsDailyBudgetRestsUntilMidnightWhileTheOtherGoesOn() throws InterruptedException {
        ManualClock crmClock = new ManualClock(T0.minus(Duration.ofHours(1)));
        InMemoryCrm tight = org("orgTight", crmClock, 30);
        InMemoryCrm free = org("orgFree", crmClock, 30);
        ManualClock clock = new ManualClock(T0);
        CrmChangesSourceTask task = new CrmChangesSourceTask(clock);
        task.initialize(new Context());
        Map<String, String> p = props("orgTight,orgFree");
        p.put("org.orgTight." + CrmChangesSourceConnector.DAILY_API_CALLS, "4");
        task.start(p);

        Map<String, List<Object>> day1 = drain(task);
        // orgTight: describe and a page of 5, then two more pages: 4 calls, 15 records
        assertEquals(4, calls(tight), "orgTight stops at its budget");
        assertEquals(15, day1.get("orgTight").size());
        assertEquals(30, day1.get("orgFree").size(), "orgFree reads on");
        assertEquals(8, calls(free), "orgFree: describe, six pages and the empty one");
        assertNull(task.poll(), "orgTight keeps resting within the day");
        assertEquals(4, calls(tight));

        clock.advance(Duration.ofHours(14));   // 2026-12-02T00:00Z: a new UTC day
        Map<String, List<Object>> day2 = drain(task);
        assertEquals(15, day2.get("orgTight").size(), "the rest of orgTight's copy, the next day");
        assertEquals(8, calls(tight), "three pages and the empty one: its budget again");
        Set<Object> all = new HashSet<>(day1.get("orgTight"));
        all.addAll(day2.get("orgTight"));
        assertEquals(30, all.size(), "every record of orgTight once");
        task.stop();
    }

    @Test
    void aBudgetMustBeAWholeNumberOfCallsAndTheConnectorsAppliesToEveryOrg() {
        Map<String, String> p = props("orgX,orgY");
        p.put("org.orgX." + CrmChangesSourceConnector.DAILY_API_CALLS, "many");
        ConfigException e = assertThrows(ConfigException.class, () -> SourceSettings.parse(p));
        assertEquals("org.orgX.daily.api.calls must be a whole number of calls", e.getMessage());
        p.put("org.orgX." + CrmChangesSourceConnector.DAILY_API_CALLS, "-1");
        assertThrows(ConfigException.class, () -> SourceSettings.parse(p));
        p.put("org.orgX." + CrmChangesSourceConnector.DAILY_API_CALLS, "0");
        p.put(CrmChangesSourceConnector.DAILY_API_CALLS, "500");
        assertEquals(Map.of("orgY", 500L), SourceSettings.parse(p).dailyApiCalls(),
                "orgX's own 0 turns the budget off for it; orgY gets the connector's");
    }
}
