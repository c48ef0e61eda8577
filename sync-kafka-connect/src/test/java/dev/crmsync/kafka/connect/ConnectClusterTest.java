package dev.crmsync.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The connectors on one embedded Connect cluster (an in-JVM KRaft broker and one worker, exactly-once source
 * support enabled) shared by the class; each test uses its own orgs, topics and connector names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectClusterTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(60);

    private EmbeddedConnectCluster connect;

    @BeforeAll
    void startCluster() {
        connect = Clusters.start("crmsync-connect", 1, Map.of());
    }

    @AfterAll
    void stopCluster() {
        if (connect != null) {
            connect.stop();
        }
    }

    private static InMemoryCrm org(String orgId, ManualClock clock) {
        InMemoryCrm crm = InMemoryCrm.builder().clock(clock).build();
        TestOrgs.CRMS.put(orgId, crm);
        return crm;
    }

    private static Map<String, String> source(String orgs, String types, int pageSize) {
        Map<String, String> p = new HashMap<>();
        p.put("connector.class", CrmChangesSourceConnector.class.getName());
        p.put("tasks.max", "1");
        p.put(CrmChangesSourceConnector.ORGS, orgs);
        p.put(CrmChangesSourceConnector.CRM_SOURCE_FACTORY, TestOrgs.CrmFactory.class.getName());
        p.put(CrmChangesSourceConnector.OBJECT_TYPES, types);
        p.put(CrmChangesSourceConnector.TOPIC_PREFIX, "crm");
        p.put(CrmChangesSourceConnector.PAGE_SIZE, String.valueOf(pageSize));
        p.put(CrmChangesSourceConnector.POLL_INTERVAL_MS, "200");
        p.put(CrmChangesSourceConnector.LOOKBACK_MS, "0");
        p.put("exactly.once.support", "required");
        p.put("transaction.boundary", "connector");
        p.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        p.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        p.put("value.converter.schemas.enable", "true");
        return p;
    }

    /** Reads a topic from the start with read_committed until {@code expected} records came, then a second longer. */
    private List<ConsumerRecord<String, String>> readCommitted(String topic, int expected) {
        return readCommitted(topic, expected, Duration.ofSeconds(1));
    }

    /** Reads a topic from the start with read_committed until {@code expected} records came, then {@code settle}. */
    private List<ConsumerRecord<String, String>> readCommitted(String topic, int expected, Duration settle) {
        return Clusters.readCommitted(connect, topic, expected, WAIT, settle);
    }

    private @org.jspecify.annotations.Nullable Map<String, ?> storedOffset(String connector, Map<String, String> partition) {
        for (ConnectorOffset o : connect.connectorOffsets(connector).offsets()) {
            if (o.partition().equals(partition)) {
                return o.offset();
            }
        }
        return null;
    }

    private static Set<String> keys(List<ConsumerRecord<String, String>> records) {
        Set<String> keys = new HashSet<>();
        records.forEach(r -> keys.add(r.key()));
        return keys;
    }

    private static Set<String> values(List<CrmId> ids) {
        Set<String> s = new HashSet<>();
        ids.forEach(id -> s.add(id.value()));
        return s;
    }

    private static List<CrmId> insertAccounts(InMemoryCrm crm, int n) {
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Account " + i))));
        }
        return ids;
    }

    @Test
    void aThousandAndOneRecordsOnOneStampArriveOnceAcrossAPageBoundary() throws Exception {
        InMemoryCrm crm = org("orgPage", new ManualClock(T0));
        List<CrmId> ids = insertAccounts(crm, 1_001);
        connect.kafka().createTopic("crm.orgPage.Account", 1);
        connect.configureConnector("page-source", source("orgPage", "Account", 1_000));
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("page-source", 1, "source not running");

        List<ConsumerRecord<String, String>> got = readCommitted("crm.orgPage.Account", 1_001);
        assertEquals(1_001, got.size(), "every record once");
        assertEquals(values(ids), keys(got));
        assertEquals(1_003, connect.kafka().endOffset(new TopicPartition("crm.orgPage.Account", 0)),
                "two pages, two transactions: 1,001 records and two commit markers");
        connect.deleteConnector("page-source");
    }

    @Test
    void aRestartedConnectorResumesFromItsStoredOffset() throws InterruptedException {
        ManualClock clock = new ManualClock(T0);
        InMemoryCrm crm = org("orgRestart", clock);
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            clock.advance(Duration.ofSeconds(1));
            ids.addAll(insertAccounts(crm, 1));
        }
        connect.kafka().createTopic("crm.orgRestart.Account", 1);
        connect.configureConnector("restart-source", source("orgRestart", "Account", 50));
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("restart-source", 1, "source not running");
        assertEquals(300, readCommitted("crm.orgRestart.Account", 300).size());

        connect.stopConnector("restart-source");
        connect.assertions().assertConnectorIsStopped("restart-source", "source not stopped");
        clock.advance(Duration.ofSeconds(1));
        ids.addAll(insertAccounts(crm, 120));
        CrmId edited = ids.get(7);
        clock.advance(Duration.ofSeconds(1));
        crm.update(ObjectType.ACCOUNT, edited, Map.of("Name", FieldValue.text("Renamed")));
        connect.resumeConnector("restart-source");
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("restart-source", 1, "source not resumed");

        List<ConsumerRecord<String, String>> got = readCommitted("crm.orgRestart.Account", 421);
        assertEquals(421, got.size(), "300 before the stop, 120 new and one edit after it; nothing twice");
        assertEquals(values(ids), keys(got));
        assertEquals(edited.value(), got.get(got.size() - 1).key(), "the edit comes last");

        // the stored offset, as Connect's offsets REST API (KIP-875) shows it: the cursor after the edit (the
        // worker's view of the offsets topic may trail the committed transaction by a moment). The phase is still
        // "copy": the copy's end (an empty page) is stored with the next record only.
        String stamp = crm.get(ObjectType.ACCOUNT, edited).orElseThrow().modstamp().toString();
        Map<String, ?> expected = Map.of("stamp", stamp, "id", edited.value(), "phase", "copy", "copied", 421);
        Map<String, ?> offset = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!expected.equals(offset) && System.nanoTime() < deadline) {
            offset = storedOffset("restart-source", Map.of("org", "orgRestart", "type", "Account"));
            if (!expected.equals(offset)) {
                Thread.sleep(200);
            }
        }
        assertEquals(expected, offset, "the connector's stored offset");
        connect.deleteConnector("restart-source");
    }

    @Test
    void anOrgAddedMidRunIsCopiedWhileTheOrgAlreadyRunningResumesFromItsOffsetNothingTwice() throws InterruptedException {
        ManualClock clock = new ManualClock(T0);
        InMemoryCrm a = org("orgAddA", clock);
        InMemoryCrm b = org("orgAddB", clock);
        List<CrmId> aIds = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            clock.advance(Duration.ofSeconds(1));
            aIds.addAll(insertAccounts(a, 1));
        }
        List<CrmId> bIds = insertAccounts(b, 80);
        connect.kafka().createTopic("crm.orgAddA.Account", 1);
        connect.kafka().createTopic("crm.orgAddB.Account", 1);
        Map<String, String> one = source("orgAddA", "Account", 25);
        one.put("tasks.max", "2");
        connect.configureConnector("add-source", one);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("add-source", 1, "source not running");
        assertEquals(100, readCommitted("crm.orgAddA.Account", 100).size());

        // the running org changes while the configuration gains an org: a reconfiguration, tasks restarted
        clock.advance(Duration.ofSeconds(1));
        aIds.addAll(insertAccounts(a, 20));
        Map<String, String> two = source("orgAddA,orgAddB", "Account", 25);
        two.put("tasks.max", "2");
        connect.configureConnector("add-source", two);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("add-source", 2, "two tasks, an org each");

        List<ConsumerRecord<String, String>> gotA = readCommitted("crm.orgAddA.Account", 120);
        assertEquals(120, gotA.size(), "the first org resumed from its offset: its 20 new records, none twice");
        assertEquals(values(aIds), keys(gotA));
        List<ConsumerRecord<String, String>> gotB = readCommitted("crm.orgAddB.Account", 80);
        assertEquals(80, gotB.size(), "the added org copied in full, once");
        assertEquals(values(bIds), keys(gotB));
        connect.deleteConnector("add-source");
    }

    @Test
    void aTaskRestartedMidCopyLeavesEveryRecordOnceForReadCommittedConsumers() throws InterruptedException {
        ManualClock clock = new ManualClock(T0);
        InMemoryCrm crm = org("orgMid", clock);
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            clock.advance(Duration.ofSeconds(1));
            ids.addAll(insertAccounts(crm, 50));
        }
        connect.kafka().createTopic("crm.orgMid.Account", 1);
        connect.configureConnector("mid-source", source("orgMid", "Account", 10));
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("mid-source", 1, "source not running");
        List<ConsumerRecord<String, String>> early = readCommitted("crm.orgMid.Account", 1, Duration.ZERO);
        assertTrue(!early.isEmpty() && early.size() < 2_000, "the copy is under way: " + early.size());
        connect.restartConnectorAndTasks("mid-source", false, true, false);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("mid-source", 1, "source not restarted");

        List<ConsumerRecord<String, String>> got = readCommitted("crm.orgMid.Account", 2_000);
        assertEquals(2_000, got.size(), "every record once, across the restart");
        assertEquals(values(ids), keys(got));
        connect.deleteConnector("mid-source");
    }

    @Test
    void recordsGoFromTheCrmThroughTheTopicsIntoTheStore() throws InterruptedException {
        ManualClock clock = new ManualClock(T0);
        InMemoryCrm crm = org("orgFlow", clock);
        List<CrmId> accounts = insertAccounts(crm, 25);
        clock.advance(Duration.ofSeconds(1));
        CrmId opportunity = crm.insert(ObjectType.OPPORTUNITY, Map.of("Name", FieldValue.text("Big deal"),
                "StageName", FieldValue.text("Prospecting"), "Amount", FieldValue.number("1250.50"),
                "CloseDate", FieldValue.date(LocalDate.of(2027, 1, 31)), "AccountId", FieldValue.ref(accounts.get(0))));
        clock.advance(Duration.ofSeconds(1));
        crm.delete(ObjectType.ACCOUNT, accounts.get(24));
        List<CrmId> other = insertAccounts(org("orgFlow2", new ManualClock(T0)), 5);
        for (String topic : List.of("crm.orgFlow.Account", "crm.orgFlow.Opportunity", "crm.orgFlow2.Account",
                "crm.orgFlow2.Opportunity")) {
            connect.kafka().createTopic(topic, 1);
        }

        Map<String, String> sink = new HashMap<>();
        sink.put("connector.class", StoreSinkConnector.class.getName());
        sink.put("tasks.max", "1");
        sink.put("topics.regex", "crm\\.orgFlow2?\\.(Account|Opportunity)");
        sink.put(StoreSinkConnector.MARKETING_STORE_FACTORY, TestOrgs.StoreFactory.class.getName());
        sink.put(StoreSinkConnector.TOPIC_PREFIX, "crm");
        sink.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        sink.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        sink.put("consumer.override.isolation.level", "read_committed");
        connect.configureConnector("flow-sink", sink);
        Map<String, String> source = source("orgFlow,orgFlow2", "Account,Opportunity", 10);
        source.put("tasks.max", "2");
        connect.configureConnector("flow-source", source);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("flow-sink", 1, "sink not running");
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("flow-source", 2, "source not running");
        assertEquals(Set.of("orgFlow", "orgFlow2"), connect.taskConfigs("flow-source").stream()
                .map(t -> t.config().get("task.orgs")).collect(java.util.stream.Collectors.toSet()), "an org per task");

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && !arrived(accounts, opportunity)) {
            Thread.sleep(100);
        }
        assertTrue(arrived(accounts, opportunity), "every record reached the store");
        InMemoryMarketingStore store = TestOrgs.STORES.get("orgFlow");
        Map<CrmId, MarketingRecord> held = store.findByCrmIds(ObjectType.ACCOUNT, accounts);
        assertEquals(25, held.size());
        assertTrue(held.get(accounts.get(24)).crmDeleted(), "the deleted account is flagged");
        assertEquals(FieldValue.text("Account 3"), held.get(accounts.get(3)).get("Name"));
        MarketingRecord opp = store.findByCrmIds(ObjectType.OPPORTUNITY, List.of(opportunity)).get(opportunity);
        assertEquals(FieldValue.number("1250.5"), opp.get("Amount"));
        assertEquals(FieldValue.ref(accounts.get(0)), opp.get("AccountId"));
        deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && (TestOrgs.STORES.get("orgFlow2") == null
                || TestOrgs.STORES.get("orgFlow2").findByCrmIds(ObjectType.ACCOUNT, other).size() < other.size())) {
            Thread.sleep(100);
        }
        assertEquals(5, TestOrgs.STORES.get("orgFlow2").findByCrmIds(ObjectType.ACCOUNT, other).size(),
                "the second org, read by the second task, goes to its own store");

        clock.advance(Duration.ofSeconds(1));
        crm.update(ObjectType.ACCOUNT, accounts.get(3), Map.of("Name", FieldValue.text("Renamed")));
        deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && !FieldValue.text("Renamed").equals(store.findByCrmIds(ObjectType.ACCOUNT,
                List.of(accounts.get(3))).get(accounts.get(3)).get("Name"))) {
            Thread.sleep(100);
        }
        assertEquals(FieldValue.text("Renamed"),
                store.findByCrmIds(ObjectType.ACCOUNT, List.of(accounts.get(3))).get(accounts.get(3)).get("Name"),
                "an incremental change follows");
        connect.deleteConnector("flow-source");
        connect.deleteConnector("flow-sink");
    }

    /** Whether the sink's group committed, on every partition of the topics, everything committed to them. */
    private boolean sinkCaughtUp(String group, List<String> topics, int partitions) throws Exception {
        try (Admin admin = connect.kafka().createAdminClient()) {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (String t : topics) {
                for (int p = 0; p < partitions; p++) {
                    specs.put(new TopicPartition(t, p), OffsetSpec.latest());
                }
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(specs,
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                // every producer here is transactional: the committed-read end is one past the last transaction's
                // commit marker, while a sink commits one past the last record it was given, the offset before it
                if (e.getValue().offset() > 0 && (c == null || c.offset() < e.getValue().offset() - 1)) {
                    return false;
                }
            }
            return true;
        }
    }

    private long committedEnd(String topic, int partitions) throws Exception {
        try (Admin admin = connect.kafka().createAdminClient()) {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            long sum = 0;
            for (ListOffsetsResult.ListOffsetsResultInfo i : admin.listOffsets(specs,
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get().values()) {
                sum += i.offset();
            }
            return sum;
        }
    }

    private void await(String what, java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        boolean met = condition.call();
        while (!met && System.nanoTime() < deadline) {
            Thread.sleep(100);
            met = condition.call();
        }
        assertTrue(met, what);
    }

    @Test
    void aLeadEditedOnBothSidesInOneWindowIsMergedOnceWithOneDecisionBothConvergeAndTheEchoMergesToNothing()
            throws Exception {
        String org = "orgMerge";
        ManualClock clock = new ManualClock(T0);
        InMemoryCrm crm = org(org, clock);
        InMemoryMarketingStore store = new InMemoryMarketingStore(clock);
        TestOrgs.STORES.put(org, store);
        dev.crmsync.store.memory.InMemorySyncStateStore state = new dev.crmsync.store.memory.InMemorySyncStateStore();
        TestOrgs.STATES.put(org, state);
        CrmId id = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Lee"), "Company",
                FieldValue.text("Acme"), "Email", FieldValue.text("lee@example.com")));
        String crmTopic = "crm." + org + ".Lead";
        String mktTopic = crmTopic + ".marketing";
        connect.kafka().createTopic(crmTopic, 2);
        connect.kafka().createTopic(mktTopic, 2);

        Map<String, String> marketing = source(org, "Lead", 100);
        marketing.put("connector.class", MarketingChangesSourceConnector.class.getName());
        marketing.remove(CrmChangesSourceConnector.CRM_SOURCE_FACTORY);
        marketing.remove(CrmChangesSourceConnector.LOOKBACK_MS);
        marketing.put(MarketingChangesSourceConnector.MARKETING_STORE_FACTORY, TestOrgs.StoreFactory.class.getName());
        marketing.put(MarketingChangesSourceConnector.STATE_STORE_FACTORY, TestOrgs.StateFactory.class.getName());
        Map<String, String> sink = new HashMap<>();
        sink.put("connector.class", MergeSinkConnector.class.getName());
        sink.put("tasks.max", "2");
        sink.put("topics", crmTopic + "," + mktTopic);
        sink.put(MergeSinkConnector.CRM_SOURCE_FACTORY, TestOrgs.CrmFactory.class.getName());
        sink.put(MergeSinkConnector.MARKETING_STORE_FACTORY, TestOrgs.StoreFactory.class.getName());
        sink.put(MergeSinkConnector.STATE_STORE_FACTORY, TestOrgs.StateFactory.class.getName());
        sink.put(MergeSinkConnector.CONFLICT_POLICY_FACTORY, MergeSinkTaskTest.CountingPolicy.class.getName());
        sink.put(MergeSinkConnector.TOPIC_PREFIX, "crm");
        sink.put(MergeSinkConnector.MERGE_FIELDS_PREFIX + "Lead", "LastName,Email,Company");
        sink.put(MergeSinkConnector.TOPIC_PARTITIONS, "2");
        sink.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        sink.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        sink.put("consumer.override.isolation.level", "read_committed");
        sink.put("consumer.override.partition.assignment.strategy", "org.apache.kafka.clients.consumer.RangeAssignor");
        connect.configureConnector("merge-sink", sink);
        connect.configureConnector("merge-crm-source", source(org, "Lead", 100));
        connect.configureConnector("merge-marketing-source", marketing);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("merge-sink", 2, "sink not running");

        await("the first copy reached the store with its base", () -> {
            MarketingRecord m = store.findByCrmIds(ObjectType.LEAD, List.of(id)).get(id);
            return m != null && state.bases(ObjectType.LEAD, List.of(id)).containsKey(id);
        });
        await("the sink read everything", () -> sinkCaughtUp("connect-merge-sink", List.of(crmTopic, mktTopic), 2));

        // both sides edit the lead while the sink is paused: one window
        connect.pauseConnector("merge-sink");
        connect.assertions().assertConnectorAndExactlyNumTasksArePaused("merge-sink", 2, "sink not paused");
        long crmEnd = committedEnd(crmTopic, 2);
        long mktEnd = committedEnd(mktTopic, 2);
        clock.advance(Duration.ofSeconds(1));
        crm.update(ObjectType.LEAD, id, Map.of("LastName", FieldValue.text("CrmName"), "Company", FieldValue.text("Acme 2")));
        String marketingId = store.findByCrmIds(ObjectType.LEAD, List.of(id)).get(id).marketingId();
        store.saveLocal(ObjectType.LEAD, marketingId, Map.of("LastName", FieldValue.text("MktName"),
                "Email", FieldValue.text("new@example.com")));
        await("both edits were sent", () -> committedEnd(crmTopic, 2) > crmEnd && committedEnd(mktTopic, 2) > mktEnd);
        clock.advance(Duration.ofSeconds(1));
        MergeSinkTaskTest.CountingPolicy.RESOLVED.set(0);
        long echoFrom = committedEnd(crmTopic, 2);
        connect.resumeConnector("merge-sink");

        await("both sides converged", () -> {
            Map<String, FieldValue> c = crm.get(ObjectType.LEAD, id).orElseThrow().fields();
            MarketingRecord m = store.findByCrmIds(ObjectType.LEAD, List.of(id)).get(id);
            return FieldValue.text("MktName").equals(c.get("LastName")) && FieldValue.text("MktName").equals(m.get("LastName"))
                    && FieldValue.text("new@example.com").equals(c.get("Email")) && FieldValue.text("Acme 2").equals(m.get("Company"));
        });
        long writes = crm.log().count(dev.crmsync.testkit.CrmOperation.WRITE);
        Instant storeStamp = store.findByCrmIds(ObjectType.LEAD, List.of(id)).get(id).localModstamp();
        await("the engine's own CRM write came back on the CRM topic", () -> committedEnd(crmTopic, 2) > echoFrom);
        await("the sink read the echo", () -> sinkCaughtUp("connect-merge-sink", List.of(crmTopic, mktTopic), 2));
        assertEquals(1, MergeSinkTaskTest.CountingPolicy.RESOLVED.get(), "one conflict decision (LastName)");
        assertEquals(1, writes, "one CRM write: the merge's batch");
        assertEquals(writes, crm.log().count(dev.crmsync.testkit.CrmOperation.WRITE), "the echo wrote nothing to the CRM");
        assertEquals(storeStamp, store.findByCrmIds(ObjectType.LEAD, List.of(id)).get(id).localModstamp(),
                "nor to the store");
        connect.deleteConnector("merge-crm-source");
        connect.deleteConnector("merge-marketing-source");
        connect.deleteConnector("merge-sink");
    }

    private static boolean arrived(List<CrmId> accounts, CrmId opportunity) {
        InMemoryMarketingStore store = TestOrgs.STORES.get("orgFlow");
        if (store == null) {
            return false;
        }
        Map<CrmId, MarketingRecord> held = store.findByCrmIds(ObjectType.ACCOUNT, accounts);
        MarketingRecord last = held.get(accounts.get(accounts.size() - 1));
        return held.size() == accounts.size() && last != null && last.crmDeleted()
                && store.findByCrmIds(ObjectType.OPPORTUNITY, List.of(opportunity)).size() == 1;
    }
}
