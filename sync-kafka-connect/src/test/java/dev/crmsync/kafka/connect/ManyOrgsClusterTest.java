package dev.crmsync.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.InMemoryCrm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 16: 50 orgs on three workers, exactly-once on, five of them with a small daily API budget: every org
 * without a budget is copied in full and once; an org with a budget stops within it (its partitions rest) while
 * the others go on — read with {@code read_committed}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManyOrgsClusterTest {

    private static final int ORGS = 50;
    private static final int TIGHT = 5;
    private static final int RECORDS = 40;
    private static final int PAGE = 10;
    /** Calls a tight org may make a day: the describe and two pages (20 records) per task run. */
    private static final int BUDGET = 3;

    private EmbeddedConnectCluster connect;

    @BeforeAll
    void startCluster() {
        connect = Clusters.start("crmsync-many-orgs", 3, Map.of());
    }

    @AfterAll
    void stopCluster() {
        if (connect != null) {
            connect.stop();
        }
    }

    private static String org(int i) {
        return "many" + i;
    }

    @Test
    void fiftyOrgsOnThreeWorkersAreCopiedOnceAndAnOrgOverItsBudgetStopsWithinItWhileTheOthersGoOn()
            throws InterruptedException {
        Map<String, Set<String>> ids = new HashMap<>();
        List<String> orgs = new ArrayList<>();
        for (int i = 0; i < ORGS; i++) {
            String org = org(i);
            orgs.add(org);
            InMemoryCrm crm = InMemoryCrm.builder().seed(100 + i).build();
            TestOrgs.CRMS.put(org, crm);
            Set<String> s = new HashSet<>();
            for (int r = 0; r < RECORDS; r++) {
                CrmId id = crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Account " + r)));
                s.add(id.value());
            }
            ids.put(org, s);
            connect.kafka().createTopic("many." + org + ".Account", 1);
        }
        Map<String, String> p = new HashMap<>();
        p.put("connector.class", CrmChangesSourceConnector.class.getName());
        p.put("tasks.max", "6");
        p.put(CrmChangesSourceConnector.ORGS, String.join(",", orgs));
        p.put(CrmChangesSourceConnector.CRM_SOURCE_FACTORY, TestOrgs.CrmFactory.class.getName());
        p.put(CrmChangesSourceConnector.OBJECT_TYPES, "Account");
        p.put(CrmChangesSourceConnector.TOPIC_PREFIX, "many");
        p.put(CrmChangesSourceConnector.PAGE_SIZE, String.valueOf(PAGE));
        p.put(CrmChangesSourceConnector.POLL_INTERVAL_MS, "200");
        p.put(CrmChangesSourceConnector.LOOKBACK_MS, "0");
        for (int i = 0; i < TIGHT; i++) {
            p.put("org." + org(i) + "." + CrmChangesSourceConnector.DAILY_API_CALLS, String.valueOf(BUDGET));
        }
        p.put("exactly.once.support", "required");
        p.put("transaction.boundary", "connector");
        p.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        p.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        p.put("value.converter.schemas.enable", "true");
        connect.configureConnector("many-source", p);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("many-source", 6, "six tasks running");

        // the 45 orgs without a budget: 1,800 records; then a while more, for a duplicate or a tight org's overrun
        Map<String, List<String>> got = readAll((ORGS - TIGHT) * RECORDS + TIGHT * (BUDGET - 1) * PAGE,
                Duration.ofSeconds(3));
        for (int i = TIGHT; i < ORGS; i++) {
            List<String> keys = got.getOrDefault(org(i), List.of());
            assertEquals(RECORDS, keys.size(), org(i) + ": every record once");
            assertEquals(ids.get(org(i)), new HashSet<>(keys), org(i));
        }
        for (int i = 0; i < TIGHT; i++) {
            List<String> keys = got.getOrDefault(org(i), List.of());
            assertEquals(keys.size(), new HashSet<>(keys).size(), org(i) + ": nothing twice");
            // within its budget: at least the pages its calls allow in one task run; fewer than all of them (a
            // task restarted by a rebalance counts again from zero: a ceiling per task run, documented)
            assertTrue(keys.size() >= (BUDGET - 1) * PAGE && keys.size() < RECORDS,
                    org(i) + " read " + keys.size() + " records on a budget of " + BUDGET + " calls");
            assertTrue(ids.get(org(i)).containsAll(keys));
        }
        connect.deleteConnector("many-source");
    }

    private Map<String, List<String>> readAll(int expected, Duration settle) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connect.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "500");
        Map<String, List<String>> out = new HashMap<>();
        int n = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(Pattern.compile("many\\..*\\.Account"));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (n < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.computeIfAbsent(r.topic().split("\\.")[1], k -> new ArrayList<>()).add(r.key());
                    n++;
                }
            }
            long until = System.nanoTime() + settle.toNanos();
            while (System.nanoTime() < until) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.computeIfAbsent(r.topic().split("\\.")[1], k -> new ArrayList<>()).add(r.key());
                }
            }
        }
        return out;
    }
}
