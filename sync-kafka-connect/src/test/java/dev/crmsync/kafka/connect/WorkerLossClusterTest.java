package dev.crmsync.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two workers, exactly-once on: a worker removed in the middle of a copy moves its task to the other, and a
 * {@code read_committed} consumer sees every record once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerLossClusterTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int RECORDS = 500;
    private static final int PAGE = 10;
    /** Pages each org reads before the gate holds its next read. */
    private static final int PAGES_BEFORE_GATE = 5;

    /** Holds every read past {@link #PAGES_BEFORE_GATE} pages of an org until the test opens it. */
    static final CountDownLatch GATE = new CountDownLatch(1);
    static final Map<String, AtomicInteger> PAGES = new ConcurrentHashMap<>();

    /** The test orgs' fakes, each read held at the gate once it read its first pages. */
    public static final class GatedFactory implements CrmSourceFactory {
        @Override
        public CrmSource open(String orgId, Map<String, String> settings) {
            CrmSource crm = new TestOrgs.CrmFactory().open(orgId, settings);
            AtomicInteger pages = PAGES.computeIfAbsent(orgId, o -> new AtomicInteger());
            return new TestOrgs.Unclosed(crm) {
                @Override
                public ChangeStream openChanges(ChangeQuery query) {
                    if (pages.incrementAndGet() > PAGES_BEFORE_GATE) {
                        try {
                            if (!GATE.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                                throw new IllegalStateException("the test never opened the gate");
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException("interrupted at the gate", e);
                        }
                    }
                    return super.openChanges(query);
                }
            };
        }
    }

    private EmbeddedConnectCluster connect;

    @BeforeAll
    void startCluster() {
        // a task held at the gate does not stop in time: the worker abandons it after a second, as if it died
        connect = Clusters.start("crmsync-two-workers", 2, Map.of("task.shutdown.graceful.timeout.ms", "1000"));
    }

    @AfterAll
    void stopCluster() {
        GATE.countDown();
        if (connect != null) {
            connect.stop();
        }
    }

    private List<ConsumerRecord<String, String>> readCommitted(String topic, int expected, Duration settle) {
        return Clusters.readCommitted(connect, topic, expected, WAIT, settle);
    }

    private static int port(String workerId) {
        return Integer.parseInt(workerId.substring(workerId.lastIndexOf(':') + 1));
    }

    @Test
    void aWorkerRemovedMidCopyMovesItsTaskAndEveryRecordArrivesOnce() throws InterruptedException {
        Map<String, Set<String>> ids = new HashMap<>();
        for (String org : List.of("wlA", "wlB")) {
            ManualClock clock = new ManualClock(T0);
            InMemoryCrm crm = InMemoryCrm.builder().clock(clock).build();
            Set<String> mine = new HashSet<>();
            for (int i = 0; i < RECORDS; i++) {
                clock.advance(Duration.ofSeconds(1));
                CrmId id = crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Account " + i)));
                mine.add(id.value());
            }
            TestOrgs.CRMS.put(org, crm);
            ids.put(org, mine);
            connect.kafka().createTopic("lost." + org + ".Account", 1);
        }
        Map<String, String> p = new HashMap<>();
        p.put("connector.class", CrmChangesSourceConnector.class.getName());
        p.put("tasks.max", "2");
        p.put(CrmChangesSourceConnector.ORGS, "wlA,wlB");
        p.put(CrmChangesSourceConnector.CRM_SOURCE_FACTORY, GatedFactory.class.getName());
        p.put(CrmChangesSourceConnector.OBJECT_TYPES, "Account");
        p.put(CrmChangesSourceConnector.TOPIC_PREFIX, "lost");
        p.put(CrmChangesSourceConnector.PAGE_SIZE, String.valueOf(PAGE));
        p.put(CrmChangesSourceConnector.POLL_INTERVAL_MS, "200");
        p.put(CrmChangesSourceConnector.LOOKBACK_MS, "0");
        p.put("exactly.once.support", "required");
        p.put("transaction.boundary", "connector");
        p.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        p.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        connect.configureConnector("lost-source", p);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("lost-source", 2, "source not running");

        // both copies are under way and held at the gate: five pages of each org committed
        for (String org : List.of("wlA", "wlB")) {
            List<ConsumerRecord<String, String>> early = readCommitted("lost." + org + ".Account",
                    PAGES_BEFORE_GATE * PAGE, Duration.ZERO);
            assertEquals(PAGES_BEFORE_GATE * PAGE, early.size(), org + ": the pages before the gate");
        }
        ConnectorStateInfo status = connect.connectorStatus("lost-source");
        Set<Integer> ports = new HashSet<>();
        status.tasks().forEach(t -> ports.add(port(t.workerId())));
        assertEquals(2, ports.size(), "a task on each worker: " + status.tasks());
        int lostPort = port(status.tasks().get(0).workerId());
        WorkerHandle lost = connect.workers().stream().filter(w -> w.url().getPort() == lostPort).findFirst()
                .orElseThrow();

        connect.removeWorker(lost);
        GATE.countDown();
        connect.assertions().assertExactlyNumWorkersAreUp(1, "one worker left");
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("lost-source", 2,
                "both tasks on the remaining worker");

        for (String org : List.of("wlA", "wlB")) {
            List<ConsumerRecord<String, String>> got = readCommitted("lost." + org + ".Account", RECORDS,
                    Duration.ofSeconds(1));
            assertEquals(RECORDS, got.size(), org + ": every record once, across the worker's loss");
            Set<String> keys = new HashSet<>();
            got.forEach(r -> keys.add(r.key()));
            assertEquals(ids.get(org), keys, org);
        }
        assertTrue(connect.connectorStatus("lost-source").tasks().stream()
                .allMatch(t -> port(t.workerId()) != lostPort), "no task left on the removed worker");
        connect.deleteConnector("lost-source");
    }
}
