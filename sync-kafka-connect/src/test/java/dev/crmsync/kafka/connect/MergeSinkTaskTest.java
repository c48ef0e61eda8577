package dev.crmsync.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.Conflict;
import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.core.FieldRule;
import dev.crmsync.core.Resolution;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.kafka.connect.internal.MarketingCodec;
import dev.crmsync.kafka.connect.internal.RecordCodec;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.SyncBase;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.fault.Fault;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** The merge sink's task: one merge and one decision for a record edited on both sides, no echo, and fencing. */
class MergeSinkTaskTest {

    /** Counts the policy's decisions (marketing wins). */
    public static final class CountingPolicy implements ConflictPolicyFactory {
        static final AtomicInteger RESOLVED = new AtomicInteger();

        @Override
        public ConflictPolicy open(String orgId, Map<String, String> settings) {
            return new ConflictPolicy() {
                @Override
                public Resolution resolve(Conflict conflict) {
                    RESOLVED.incrementAndGet();
                    return Resolution.MARKETING;
                }

                @Override
                public FieldRule fieldRule(ObjectType type, String field) {
                    return FieldRule.MERGE;
                }
            };
        }
    }

    private static FieldValue t(String s) {
        return FieldValue.text(s);
    }

    private record World(ManualClock clock, InMemoryCrm crm, InMemoryMarketingStore store, InMemorySyncStateStore state) {
    }

    private static World world(String org) {
        ManualClock clock = new ManualClock(Instant.parse("2026-12-01T10:00:00Z"));
        World w = new World(clock, InMemoryCrm.builder().clock(clock).build(), new InMemoryMarketingStore(clock),
                new InMemorySyncStateStore(clock));
        TestOrgs.CRMS.put(org, w.crm());
        TestOrgs.STORES.put(org, w.store());
        TestOrgs.STATES.put(org, w.state());
        return w;
    }

    private static MergeSinkTask task(World w) {
        return task(w, Map.of());
    }

    private static MergeSinkTask task(World w, Map<String, String> extra) {
        Map<String, String> p = new HashMap<>();
        p.put("name", "merge");
        p.put(MergeSinkConnector.CRM_SOURCE_FACTORY, TestOrgs.CrmFactory.class.getName());
        p.put(MergeSinkConnector.MARKETING_STORE_FACTORY, TestOrgs.StoreFactory.class.getName());
        p.put(MergeSinkConnector.STATE_STORE_FACTORY, TestOrgs.StateFactory.class.getName());
        p.put(MergeSinkConnector.CONFLICT_POLICY_FACTORY, CountingPolicy.class.getName());
        p.put(MergeSinkConnector.TOPIC_PREFIX, "crm");
        p.put(MergeSinkConnector.LEASE_TTL_MS, "10000");
        p.put(MergeSinkConnector.MERGE_FIELDS_PREFIX + "Lead", "LastName,Email,Company");
        p.put(MergeSinkConnector.TOPIC_PARTITIONS, "1");
        p.putAll(extra);
        MergeSinkTask task = new MergeSinkTask(w.clock());
        task.start(p);
        return task;
    }

    private static List<TopicPartition> both(String org, int partition) {
        return List.of(new TopicPartition("crm." + org + ".Lead", partition),
                new TopicPartition("crm." + org + ".Lead.marketing", partition));
    }

    private static long offset;

    private static SinkRecord fromCrm(World w, String org, CrmId id) {
        return new SinkRecord("crm." + org + ".Lead", 0, RecordCodec.KEY_SCHEMA, id.value(), RecordCodec.VALUE_SCHEMA,
                RecordCodec.encode(org, w.crm().get(ObjectType.LEAD, id).orElseThrow()), offset++);
    }

    private static SinkRecord fromStore(String org, MarketingRecord m) {
        return new SinkRecord("crm." + org + ".Lead.marketing", 0, RecordCodec.KEY_SCHEMA, MarketingCodec.key(m),
                MarketingCodec.VALUE_SCHEMA, MarketingCodec.encode(org, m, false), offset++);
    }

    /** The marketing feed's record of a host delete. */
    private static SinkRecord deletedInStore(World w, String org, String marketingId, CrmId crmId) {
        MarketingRecord gone = new MarketingRecord(ObjectType.LEAD, marketingId, crmId, Map.of(), false, null,
                w.clock().instant());
        return new SinkRecord("crm." + org + ".Lead.marketing", 0, RecordCodec.KEY_SCHEMA, crmId.value(),
                MarketingCodec.VALUE_SCHEMA, MarketingCodec.encode(org, gone, true), offset++);
    }

    private static boolean deleteIntent(World w, CrmId id) {
        return w.state().intent(ObjectType.LEAD, RecordKey.crm(id), EngineIntent.Kind.HOST_DELETE).isPresent();
    }

    private static MarketingRecord stored(World w, CrmId id) {
        return w.store().findByCrmIds(ObjectType.LEAD, List.of(id)).get(id);
    }

    @Test
    void aRecordEditedOnBothSidesInOneWindowIsMergedOnceWithOneDecisionBothConvergeAndTheEchoMergesToNothing() {
        String org = "mergeOrgA";
        World w = world(org);
        CrmId id = w.crm().insert(ObjectType.LEAD, Map.of("LastName", t("Lee"), "Company", t("Acme"), "Email", t("a@example.com")));
        MergeSinkTask task = task(w);
        task.open(both(org, 0));
        task.put(List.of(fromCrm(w, org, id)));
        assertEquals(t("Lee"), stored(w, id).get("LastName"), "a first copy from the CRM");
        assertEquals(t("Lee"), w.state().bases(ObjectType.LEAD, List.of(id)).get(id).get("LastName"));

        w.clock().advance(Duration.ofSeconds(1));
        w.crm().update(ObjectType.LEAD, id, Map.of("LastName", t("CrmName"), "Company", t("Acme 2")));
        w.clock().advance(Duration.ofSeconds(1));
        MarketingRecord edited = w.store().saveLocal(ObjectType.LEAD, stored(w, id).marketingId(),
                Map.of("LastName", t("MktName"), "Email", t("b@example.com")));
        CountingPolicy.RESOLVED.set(0);
        long writes = w.crm().log().count(CrmOperation.WRITE);
        task.put(List.of(fromCrm(w, org, id), fromStore(org, edited)));
        assertEquals(1, CountingPolicy.RESOLVED.get(), "one conflict (LastName), one decision");
        assertEquals(writes + 1, w.crm().log().count(CrmOperation.WRITE), "one batched CRM write");
        Map<String, FieldValue> crmNow = w.crm().get(ObjectType.LEAD, id).orElseThrow().fields();
        MarketingRecord mktNow = stored(w, id);
        for (String f : List.of("LastName", "Email", "Company")) {
            assertEquals(crmNow.get(f), mktNow.get(f), "both sides converge on " + f);
        }
        assertEquals(t("MktName"), crmNow.get("LastName"), "the policy's decision: marketing wins");
        assertEquals(t("b@example.com"), crmNow.get("Email"), "a marketing-only change flows to the CRM");
        assertEquals(t("Acme 2"), mktNow.get("Company"), "a CRM-only change flows to the store");
        SyncBase base = w.state().bases(ObjectType.LEAD, List.of(id)).get(id);
        assertEquals(t("MktName"), base.get("LastName"));

        // the engine's own write comes back on the CRM topic: nothing to merge
        Instant storeStamp = stored(w, id).localModstamp();
        task.put(List.of(fromCrm(w, org, id)));
        assertEquals(1, CountingPolicy.RESOLVED.get());
        assertEquals(writes + 1, w.crm().log().count(CrmOperation.WRITE), "no echo to the CRM");
        assertEquals(storeStamp, stored(w, id).localModstamp(), "no echo to the store");
        task.stop();
    }

    @Test
    void twoTasksARebalanceAndAZombieNeverBothWriteOneBase() {
        String org = "mergeOrgB";
        World w = world(org);
        CrmId id = w.crm().insert(ObjectType.LEAD, Map.of("LastName", t("Lee"), "Company", t("Acme")));
        MergeSinkTask a = task(w);
        a.open(both(org, 0));
        a.put(List.of(fromCrm(w, org, id)));

        // a clean rebalance: A gives partition 0 back, B takes it at once
        a.close(both(org, 0));
        MergeSinkTask b = task(w);
        b.open(both(org, 0));
        w.clock().advance(Duration.ofSeconds(1));
        w.crm().update(ObjectType.LEAD, id, Map.of("LastName", t("FromB")));
        b.put(List.of(fromCrm(w, org, id)));
        assertEquals(t("FromB"), stored(w, id).get("LastName"));

        // B hangs (a zombie: its partitions move without a close); C is refused until B's lease expires
        MergeSinkTask c = task(w);
        c.open(both(org, 0));
        w.clock().advance(Duration.ofSeconds(1));
        w.crm().update(ObjectType.LEAD, id, Map.of("LastName", t("FromC")));
        assertThrows(RetriableException.class, () -> c.put(List.of(fromCrm(w, org, id))));
        assertEquals(t("FromB"), stored(w, id).get("LastName"), "nothing written while refused");
        w.clock().advance(Duration.ofSeconds(11));
        c.put(List.of(fromCrm(w, org, id)));
        assertEquals(t("FromC"), stored(w, id).get("LastName"));
        SyncBase cBase = w.state().bases(ObjectType.LEAD, List.of(id)).get(id);

        // the zombie wakes with an older record: refused before it writes anything
        w.clock().advance(Duration.ofSeconds(1));
        w.crm().update(ObjectType.LEAD, id, Map.of("LastName", t("FromZombie")));
        long writes = w.crm().log().count(CrmOperation.WRITE);
        ConnectException e = assertThrows(ConnectException.class, () -> b.put(List.of(fromCrm(w, org, id))));
        assertTrue(e.getMessage().contains("lost the lease crmsync-merge:mergeOrgB:Lead:0"), e.getMessage());
        assertEquals(cBase, w.state().bases(ObjectType.LEAD, List.of(id)).get(id), "the zombie wrote no base");
        assertEquals(t("FromC"), stored(w, id).get("LastName"), "nor the store");
        assertEquals(writes, w.crm().log().count(CrmOperation.WRITE), "nor the CRM");
        c.stop();
    }

    @Test
    void aLeaseThatLapsedWhileIdleAndThatNobodyTookIsTakenAgainWithAGreaterTokenAndARecordMergedLaterLeavesTheFailureBook() {
        String org = "mergeOrgE";
        World w = world(org);
        CrmId id = w.crm().insert(ObjectType.LEAD, Map.of("LastName", t("Lee"), "Company", t("Acme")));
        MergeSinkTask a = task(w);
        a.open(both(org, 0));
        a.put(List.of(fromCrm(w, org, id)));
        assertTrue(w.state().tryAcquireLease("crmsync-merge:" + org + ":Lead:0", "someone", "else",
                Duration.ofSeconds(1)) instanceof dev.crmsync.store.LeaseAttempt.Refused, "held by the task");
        w.clock().advance(Duration.ofSeconds(11));
        java.util.concurrent.atomic.AtomicBoolean rejecting = new java.util.concurrent.atomic.AtomicBoolean(true);
        w.crm().addValidationRule(ObjectType.LEAD, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "no Email",
                r -> rejecting.get() && r.containsKey("Email"));
        MarketingRecord edited = w.store().saveLocal(ObjectType.LEAD, stored(w, id).marketingId(),
                Map.of("Email", t("e@example.com")));
        a.put(List.of(fromStore(org, edited)));
        dev.crmsync.store.RecordKey key = dev.crmsync.store.RecordKey.crm(id);
        assertEquals(1, w.state().failure(ObjectType.LEAD, key, dev.crmsync.store.SyncSide.CRM).orElseThrow().attempts(),
                "the lapsed lease was taken again and the batch merged (the CRM refused it)");
        rejecting.set(false);
        a.put(List.of(fromStore(org, w.store().findByMarketingId(ObjectType.LEAD, edited.marketingId()).orElseThrow())));
        assertEquals(t("e@example.com"), w.crm().get(ObjectType.LEAD, id).orElseThrow().get("Email"));
        assertTrue(w.state().failure(ObjectType.LEAD, key, dev.crmsync.store.SyncSide.CRM).isEmpty(),
                "merged and written: out of the failure book");
        a.stop();
    }

    @Test
    void aTaskThatLosesItsLeaseInTheMiddleOfABatchWritesNeitherSideNorTheBase() {
        String org = "mergeOrgF";
        ManualClock clock = new ManualClock(Instant.parse("2026-12-01T10:00:00Z"));
        InMemorySyncStateStore state = new InMemorySyncStateStore(clock);
        java.util.concurrent.atomic.AtomicBoolean hang = new java.util.concurrent.atomic.AtomicBoolean();
        // the CRM read by id "hangs" past the lease's ttl, and meanwhile another task takes the partition's lease
        InMemoryCrm crm = InMemoryCrm.builder().clock(clock).sleeper(d -> {
            if (hang.getAndSet(false)) {
                clock.advance(Duration.ofSeconds(11));
                assertTrue(state.tryAcquireLease("crmsync-merge:" + org + ":Lead:0", "merge", "the-new-owner",
                        Duration.ofSeconds(10)).granted());
            }
        }).build();
        crm.faults().latency(CrmOperation.FETCH, Duration.ofMillis(1));
        World w = new World(clock, crm, new InMemoryMarketingStore(clock), state);
        TestOrgs.CRMS.put(org, crm);
        TestOrgs.STORES.put(org, w.store());
        TestOrgs.STATES.put(org, state);
        CrmId id = crm.insert(ObjectType.LEAD, Map.of("LastName", t("Lee"), "Company", t("Acme")));
        MergeSinkTask a = task(w);
        a.open(both(org, 0));
        a.put(List.of(fromCrm(w, org, id)));
        SyncBase before = state.bases(ObjectType.LEAD, List.of(id)).get(id);
        clock.advance(Duration.ofSeconds(1));
        MarketingRecord edited = w.store().saveLocal(ObjectType.LEAD, stored(w, id).marketingId(),
                Map.of("LastName", t("Edited")));
        long writes = crm.log().count(CrmOperation.WRITE);
        hang.set(true);
        ConnectException e = assertThrows(ConnectException.class, () -> a.put(List.of(fromStore(org, edited))));
        assertTrue(e.getMessage().contains("is no longer this task's"), e.getMessage());
        assertTrue(!hang.get(), "the CRM read by id ran, and the lease moved during it");
        assertEquals(writes, crm.log().count(CrmOperation.WRITE), "no CRM write");
        assertEquals(t("Lee"), crm.get(ObjectType.LEAD, id).orElseThrow().get("LastName"));
        assertEquals(before, state.bases(ObjectType.LEAD, List.of(id)).get(id), "no base");
    }

    @Test
    void anAssignmentThatSplitsAPartitionNumberOverTwoTasksFailsTheTask() {
        String org = "mergeOrgC";
        World w = world(org);
        MergeSinkTask a = task(w);
        ConnectException e = assertThrows(ConnectException.class, () -> a.open(List.of(
                new TopicPartition("crm." + org + ".Lead", 0), new TopicPartition("crm." + org + ".Lead.marketing", 1))));
        assertTrue(e.getMessage().contains("RangeAssignor"), e.getMessage());
    }

    @Test
    void aMarketingOnlyRecordIsCreatedInTheCrmAndLinkedAndAnUpdateTheCrmRejectsGoesToTheFailureBook() {
        String org = "mergeOrgD";
        World w = world(org);
        MergeSinkTask task = task(w);
        task.open(both(org, 0));
        MarketingRecord local = w.store().saveLocal(ObjectType.LEAD, null,
                Map.of("LastName", t("New"), "Company", t("Acme")));
        task.put(List.of(fromStore(org, local)));
        CrmId created = w.store().findByMarketingId(ObjectType.LEAD, local.marketingId()).orElseThrow().crmId();
        assertEquals(t("New"), w.crm().get(ObjectType.LEAD, created).orElseThrow().get("LastName"));
        assertTrue(w.state().bases(ObjectType.LEAD, List.of(created)).isEmpty(),
                "the new id's base is its partition's owner's, made when the create comes back");
        task.put(List.of(fromCrm(w, org, created)));
        assertEquals(t("New"), w.state().bases(ObjectType.LEAD, List.of(created)).get(created).get("LastName"));

        w.crm().addValidationRule(ObjectType.LEAD, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Email is not allowed",
                r -> r.containsKey("Email"));
        w.clock().advance(Duration.ofSeconds(1));
        MarketingRecord edited = w.store().saveLocal(ObjectType.LEAD, local.marketingId(), Map.of("Email", t("x@example.com")));
        task.put(List.of(fromStore(org, edited)));
        assertEquals(1, w.state().failure(ObjectType.LEAD, dev.crmsync.store.RecordKey.crm(created),
                dev.crmsync.store.SyncSide.CRM).orElseThrow().attempts());
        assertEquals(FieldValue.NULL, w.state().bases(ObjectType.LEAD, List.of(created)).get(created).get("Email"),
                "the rejected record's base does not move");
        task.stop();
    }

    @Test
    void aHostDeleteOfALinkedRecordDeletesItInTheCrmOnceAndNeitherAnOlderCrmVersionNorTheCrmsDeleteCopyItBack() {
        String org = "mergeOrgHd1";
        World w = world(org);
        CrmId id = w.crm().insert(ObjectType.LEAD, Map.of("LastName", t("Lee"), "Company", t("Acme")));
        MergeSinkTask task = task(w);
        task.open(both(org, 0));
        SinkRecord before = fromCrm(w, org, id);
        task.put(List.of(before));
        String mid = stored(w, id).marketingId();
        assertTrue(w.store().deleteLocal(ObjectType.LEAD, mid));
        long writes = w.crm().log().count(CrmOperation.WRITE);

        task.put(List.of(deletedInStore(w, org, mid, id)));
        assertTrue(w.crm().get(ObjectType.LEAD, id).orElseThrow().deleted(), "deleted in the CRM");
        assertEquals(1, w.crm().log().count(CrmOperation.DELETE));
        assertTrue(w.state().bases(ObjectType.LEAD, List.of(id)).isEmpty(), "its base goes");
        assertTrue(deleteIntent(w, id), "kept until the CRM's delete comes back");

        task.put(List.of(deletedInStore(w, org, mid, id)));
        assertEquals(1, w.crm().log().count(CrmOperation.DELETE), "delivered again: not sent again");
        task.put(List.of(before));
        assertEquals(0, w.store().size(ObjectType.LEAD), "an older CRM version is not copied back");

        task.put(List.of(fromCrm(w, org, id)));    // the CRM's delete, back on its topic
        assertEquals(0, w.store().size(ObjectType.LEAD));
        assertTrue(w.state().bases(ObjectType.LEAD, List.of(id)).isEmpty());
        assertTrue(!deleteIntent(w, id), "the echo ends the delete");
        assertEquals(writes, w.crm().log().count(CrmOperation.WRITE), "no CRM write");
        assertEquals(1, w.crm().log().count(CrmOperation.DELETE));
        task.stop();
    }

    @Test
    void aHostDeleteOfARecordChangedInTheCrmSinceItsMergeKeepsItAndCopiesItBackAsANewMarketingRecord() {
        String org = "mergeOrgHd2";
        World w = world(org);
        CrmId id = w.crm().insert(ObjectType.LEAD, Map.of("LastName", t("Lee"), "Company", t("Acme")));
        MergeSinkTask task = task(w);
        task.open(both(org, 0));
        task.put(List.of(fromCrm(w, org, id)));
        String mid = stored(w, id).marketingId();
        w.clock().advance(Duration.ofSeconds(1));
        w.crm().update(ObjectType.LEAD, id, Map.of("LastName", t("Edited in the CRM")));
        w.store().deleteLocal(ObjectType.LEAD, mid);

        task.put(List.of(deletedInStore(w, org, mid, id)));
        assertEquals(0, w.crm().log().count(CrmOperation.DELETE), "an edit wins over a delete");
        assertTrue(!w.crm().get(ObjectType.LEAD, id).orElseThrow().deleted());
        MarketingRecord back = stored(w, id);
        assertEquals(t("Edited in the CRM"), back.get("LastName"), "copied back");
        assertTrue(!back.marketingId().equals(mid), "as a new marketing record");
        assertEquals(back.marketingId(), w.state().bases(ObjectType.LEAD, List.of(id)).get(id).marketingId());
        assertTrue(!deleteIntent(w, id));
        task.stop();
    }

    @Test
    void withKeepInCrmTheCrmRecordStaysAndIsCopiedBackOnlyOnceTheCrmChangesIt() {
        String org = "mergeOrgHd3";
        World w = world(org);
        CrmId id = w.crm().insert(ObjectType.LEAD, Map.of("LastName", t("Lee"), "Company", t("Acme")));
        MergeSinkTask task = task(w, Map.of(MergeSinkConnector.HOST_DELETES, "KEEP_IN_CRM"));
        task.open(both(org, 0));
        task.put(List.of(fromCrm(w, org, id)));
        String mid = stored(w, id).marketingId();
        w.store().deleteLocal(ObjectType.LEAD, mid);
        task.put(List.of(deletedInStore(w, org, mid, id)));
        task.put(List.of(fromCrm(w, org, id)));
        assertEquals(0, w.crm().log().count(CrmOperation.DELETE));
        assertEquals(0, w.store().size(ObjectType.LEAD), "the CRM's unchanged version is not copied back");
        w.clock().advance(Duration.ofSeconds(1));
        w.crm().update(ObjectType.LEAD, id, Map.of("LastName", t("Changed")));
        task.put(List.of(fromCrm(w, org, id)));
        assertEquals(t("Changed"), stored(w, id).get("LastName"), "a CRM change copies it back");
        task.stop();
    }

    @Test
    void aDeleteTheCrmRefusesRetriablyIsBookedAndALaterPutCarriesItOutOnceTheRetryIntervalHasPassed() {
        String org = "mergeOrgHd4";
        World w = world(org);
        CrmId id = w.crm().insert(ObjectType.LEAD, Map.of("LastName", t("Lee"), "Company", t("Acme")));
        MergeSinkTask task = task(w);
        task.open(both(org, 0));
        task.put(List.of(fromCrm(w, org, id)));
        String mid = stored(w, id).marketingId();
        w.store().deleteLocal(ObjectType.LEAD, mid);
        w.crm().lockRecord(id, 1);
        task.put(List.of(deletedInStore(w, org, mid, id)));
        RecordKey key = RecordKey.crm(id);
        FailedRecord f = w.state().failure(ObjectType.LEAD, key, SyncSide.CRM).orElseThrow();
        assertEquals("UNABLE_TO_LOCK_ROW", f.code());
        assertTrue(!w.crm().get(ObjectType.LEAD, id).orElseThrow().deleted());
        assertTrue(deleteIntent(w, id));

        task.put(List.of());
        assertEquals(1, w.crm().log().count(CrmOperation.DELETE), "not due before the retry interval");
        w.clock().advance(Duration.ofSeconds(61));
        task.put(List.of());
        assertEquals(2, w.crm().log().count(CrmOperation.DELETE));
        assertTrue(w.crm().get(ObjectType.LEAD, id).orElseThrow().deleted(), "re-driven by the retry");
        assertTrue(w.state().failure(ObjectType.LEAD, key, SyncSide.CRM).isEmpty(), "out of the failure book");
        assertEquals(0, w.store().size(ObjectType.LEAD));
        task.stop();
    }

    @Test
    void aCrmUpdateRejectedWithARetriableCodeIsReDrivenByALaterPutWithoutTheRecordChangingAgain() {
        String org = "mergeOrgRt1";
        World w = world(org);
        CrmId id = w.crm().insert(ObjectType.LEAD, Map.of("LastName", t("Lee"), "Company", t("Acme")));
        MergeSinkTask task = task(w);
        task.open(both(org, 0));
        task.put(List.of(fromCrm(w, org, id)));
        w.clock().advance(Duration.ofSeconds(1));
        MarketingRecord edited = w.store().saveLocal(ObjectType.LEAD, stored(w, id).marketingId(),
                Map.of("Email", t("e@example.com")));
        w.crm().lockRecord(id, 2);
        task.put(List.of(fromStore(org, edited)));
        RecordKey key = RecordKey.crm(id);
        assertEquals(1, w.state().failure(ObjectType.LEAD, key, SyncSide.CRM).orElseThrow().attempts());
        long writes = w.crm().log().count(CrmOperation.WRITE);

        w.clock().advance(Duration.ofSeconds(61));
        task.put(List.of());
        assertEquals(writes + 1, w.crm().log().count(CrmOperation.WRITE), "one retry");
        assertEquals(2, w.state().failure(ObjectType.LEAD, key, SyncSide.CRM).orElseThrow().attempts(),
                "still locked: one more attempt");
        task.put(List.of());
        assertEquals(writes + 1, w.crm().log().count(CrmOperation.WRITE), "not due again yet");
        w.clock().advance(Duration.ofSeconds(61));
        task.put(List.of());
        assertEquals(writes + 2, w.crm().log().count(CrmOperation.WRITE));
        assertEquals(t("e@example.com"), w.crm().get(ObjectType.LEAD, id).orElseThrow().get("Email"));
        assertTrue(w.state().failure(ObjectType.LEAD, key, SyncSide.CRM).isEmpty(), "merged and written: out of the book");
        assertEquals(t("e@example.com"), w.state().bases(ObjectType.LEAD, List.of(id)).get(id).get("Email"));
        task.stop();
    }

    @Test
    void theRetryTakesOnlyTheBookedRecordsOfThePartitionNumbersTheTaskHoldsAndARecordOnAnotherPartitionFailsTheTask() {
        String org = "mergeOrgRt2";
        World w = world(org);
        CrmId a = null;
        CrmId b = null;
        while (a == null || b == null) {
            CrmId id = w.crm().insert(ObjectType.LEAD, Map.of("LastName", t("Lee"), "Company", t("Acme")));
            if (MergeSinkTask.partitionOf(id.value(), 2) == 0) {
                a = a == null ? id : a;
            } else {
                b = b == null ? id : b;
            }
        }
        for (CrmId id : List.of(a, b)) {
            w.state().saveFailure(new FailedRecord(ObjectType.LEAD, RecordKey.crm(id), SyncSide.CRM, "UNABLE_TO_LOCK_ROW",
                    "locked", true, 1, w.clock().instant(), w.clock().instant(), false));
        }
        MergeSinkTask task = task(w, Map.of(MergeSinkConnector.TOPIC_PARTITIONS, "2"));
        task.open(both(org, 0));
        w.clock().advance(Duration.ofSeconds(61));
        task.put(List.of());
        assertEquals(t("Lee"), stored(w, a).get("LastName"), "partition 0's record, retried: copied");
        assertTrue(w.state().failure(ObjectType.LEAD, RecordKey.crm(a), SyncSide.CRM).isEmpty());
        assertTrue(w.store().findByCrmIds(ObjectType.LEAD, List.of(b)).isEmpty(), "partition 1's is not this task's");
        assertEquals(1, w.state().failure(ObjectType.LEAD, RecordKey.crm(b), SyncSide.CRM).orElseThrow().attempts());

        SinkRecord misplaced = fromCrm(w, org, b);     // on partition 0, where the partitioner never puts it
        ConnectException e = assertThrows(ConnectException.class, () -> task.put(List.of(misplaced)));
        assertTrue(e.getMessage().contains(MergeSinkConnector.TOPIC_PARTITIONS), e.getMessage());
        task.stop();
    }

    private static List<SyncRecord> crmLeads(World w) {
        return w.crm().records(ObjectType.LEAD).stream().filter(r -> !r.deleted()).toList();
    }

    @Test
    void aCreateWhoseAnswerIsLostIsNotSentAgainAndTheRecordItMadeIsLinkedWhenItComesBackOnTheCrmTopic() {
        String org = "mergeOrgLc1";
        World w = world(org);
        MergeSinkTask task = task(w);
        task.open(both(org, 0));
        MarketingRecord local = w.store().saveLocal(ObjectType.LEAD, null, Map.of("LastName", t("New"), "Company", t("Acme")));
        w.crm().faults().failNext(CrmOperation.WRITE, 1, Fault.loseAnswer());
        assertThrows(RetriableException.class, () -> task.put(List.of(fromStore(org, local))), "delivered again");
        assertEquals(1, crmLeads(w).size(), "the create landed");
        assertTrue(w.store().findByMarketingId(ObjectType.LEAD, local.marketingId()).orElseThrow().crmId() == null);
        RecordKey key = RecordKey.marketing(local.marketingId());
        assertTrue(w.state().intent(ObjectType.LEAD, key, EngineIntent.Kind.UNCONFIRMED_CREATE).isPresent());

        long writes = w.crm().log().count(CrmOperation.WRITE);
        task.put(List.of(fromStore(org, local)));
        assertEquals(writes, w.crm().log().count(CrmOperation.WRITE), "not created twice");
        CrmId made = crmLeads(w).get(0).id();
        task.put(List.of(fromCrm(w, org, made)));
        assertEquals(made, w.store().findByMarketingId(ObjectType.LEAD, local.marketingId()).orElseThrow().crmId(),
                "linked");
        assertEquals(1, w.store().size(ObjectType.LEAD), "no second marketing record");
        assertEquals(local.marketingId(), w.state().bases(ObjectType.LEAD, List.of(made)).get(made).marketingId());
        assertTrue(w.state().intent(ObjectType.LEAD, key, EngineIntent.Kind.UNCONFIRMED_CREATE).isEmpty());
        w.clock().advance(Duration.ofMinutes(11));
        task.put(List.of());
        assertEquals(writes, w.crm().log().count(CrmOperation.WRITE), "nothing left to send");
        assertEquals(1, crmLeads(w).size());
        task.stop();
    }

    @Test
    void aCreateThatNeverReachedTheCrmIsSentAgainOnceTheConfirmTimeoutHasPassed() {
        String org = "mergeOrgLc2";
        World w = world(org);
        MergeSinkTask task = task(w);
        task.open(both(org, 0));
        MarketingRecord local = w.store().saveLocal(ObjectType.LEAD, null, Map.of("LastName", t("New"), "Company", t("Acme")));
        w.crm().faults().failNext(CrmOperation.WRITE, 1, Fault.retriable());
        assertThrows(RetriableException.class, () -> task.put(List.of(fromStore(org, local))));
        assertEquals(0, crmLeads(w).size());
        task.put(List.of(fromStore(org, local)));
        assertEquals(0, crmLeads(w).size(), "held while its answer may still come back");
        w.clock().advance(Duration.ofMinutes(11));
        task.put(List.of());
        assertEquals(1, crmLeads(w).size(), "sent again by the retry once the timeout has passed");
        assertEquals(crmLeads(w).get(0).id(),
                w.store().findByMarketingId(ObjectType.LEAD, local.marketingId()).orElseThrow().crmId());
        assertTrue(w.state().intent(ObjectType.LEAD, RecordKey.marketing(local.marketingId()),
                EngineIntent.Kind.UNCONFIRMED_CREATE).isEmpty());
        task.stop();
    }

    @Test
    void withAMarketingIdFieldACreateWhoseAnswerIsLostIsSentAgainAsAnUpsertThatFindsTheRecordItMade() {
        String org = "mergeOrgLc3";
        World w = world(org);
        w.crm().addField(ObjectType.LEAD, FieldSchema.builder("Marketing_Id__c", FieldType.STRING).externalId(true).build());
        MergeSinkTask task = task(w, Map.of(MergeSinkConnector.MARKETING_ID_FIELD_PREFIX + "Lead", "Marketing_Id__c"));
        task.open(both(org, 0));
        MarketingRecord local = w.store().saveLocal(ObjectType.LEAD, null, Map.of("LastName", t("New"), "Company", t("Acme")));
        w.crm().faults().failNext(CrmOperation.WRITE, 1, Fault.loseAnswer());
        assertThrows(RetriableException.class, () -> task.put(List.of(fromStore(org, local))));
        assertEquals(1, crmLeads(w).size());
        task.put(List.of(fromStore(org, local)));
        assertEquals(1, crmLeads(w).size(), "the upsert found the record the first one made");
        SyncRecord made = crmLeads(w).get(0);
        assertEquals(t(local.marketingId()), made.get("Marketing_Id__c"));
        assertEquals(made.id(), w.store().findByMarketingId(ObjectType.LEAD, local.marketingId()).orElseThrow().crmId());
        task.stop();
    }
}
