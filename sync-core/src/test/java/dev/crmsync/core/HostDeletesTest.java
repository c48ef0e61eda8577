package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.SyncReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncSide;
import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.testkit.fault.StoreOperation;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: a host's delete of a linked record reaches the CRM ({@link HostDeletes}); an edit wins
 * over a delete; a refusal is reported and nothing is lost; a crash sends the delete again harmlessly.
 */
class HostDeletesTest {

    private static final ObjectType LEAD = ObjectType.LEAD;

    private final BidiHarness h = new BidiHarness();

    private long calls(CrmOperation op) {
        return h.crm.callCounts().getOrDefault(op.callName(), 0L);
    }

    private boolean deletedInCrm(ObjectType type, CrmId id) {
        return h.crm.get(type, id).map(r -> r.deleted()).orElse(true);
    }

    private String mid(ObjectType type, CrmId id) {
        return h.inStore(type, id).marketingId();
    }

    @Test
    void aLinkedRecordTheHostDeletesIsDeletedInTheCrmWithOneCallAndNothingComesBack() {
        CrmId a = h.lead("A", "Acme");
        CrmId b = h.lead("B", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.cycle(engine);
            assertTrue(h.store.deleteLocal(LEAD, mid(LEAD, a)));
            long deletes = calls(CrmOperation.DELETE);
            long fetches = calls(CrmOperation.FETCH);
            SyncReport r = h.cycle(engine);
            assertEquals(1, calls(CrmOperation.DELETE) - deletes, r::toTable);
            assertEquals(0, calls(CrmOperation.FETCH) - fetches, "the change stream says it is unchanged: no read");
            assertTrue(deletedInCrm(LEAD, a), "deleted in the CRM");
            assertFalse(deletedInCrm(LEAD, b), "the other lead stays");
            assertTrue(h.stored(LEAD, a).isEmpty(), "not copied back");
            assertTrue(h.state.bases(LEAD, List.of(a)).isEmpty(), "its base ends");
            assertTrue(h.state.intents(LEAD, EngineIntent.Kind.HOST_DELETE, 10).isEmpty());
            assertEquals(1, r.type(LEAD).orElseThrow().counts().deleted(), r::toTable);
            h.cycle(engine);
            h.assertQuiet(engine);
            assertTrue(h.stored(LEAD, a).isEmpty(), "the CRM's delete log brings nothing back");
        }
    }

    @Test
    void aCrmEditSinceTheLastMergeWinsOverTheHostsDelete() {
        CrmId a = h.lead("A", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.cycle(engine);
            String before = mid(LEAD, a);
            h.tick();
            h.crm.update(LEAD, a, BidiHarness.fields("Title", "VP"));
            assertTrue(h.store.deleteLocal(LEAD, before));
            long deletes = calls(CrmOperation.DELETE);
            SyncReport r = h.cycle(engine);
            assertEquals(0, calls(CrmOperation.DELETE) - deletes, r::toTable);
            assertFalse(deletedInCrm(LEAD, a), "kept in the CRM");
            MarketingRecord back = h.inStore(LEAD, a);
            assertNotEquals(before, back.marketingId(), "copied back as a new marketing record");
            assertEquals(FieldValue.text("VP"), back.get("Title"));
            h.assertQuiet(engine);
        }
    }

    @Test
    void keepInCrmLeavesTheCrmRecordAndALaterCrmEditCopiesItBack() {
        CrmId a = h.lead("A", "Acme");
        try (SyncEngine engine = h.builder().hostDeletes(HostDeletes.KEEP_IN_CRM).build()) {
            h.cycle(engine);
            h.cycle(engine);
            assertTrue(h.store.deleteLocal(LEAD, mid(LEAD, a)));
            long deletes = calls(CrmOperation.DELETE);
            h.cycle(engine);
            assertEquals(deletes, calls(CrmOperation.DELETE));
            assertFalse(deletedInCrm(LEAD, a));
            assertTrue(h.stored(LEAD, a).isEmpty());
            h.assertQuiet(engine);
            h.tick();
            h.crm.update(LEAD, a, BidiHarness.fields("Title", "back"));
            h.cycle(engine);
            assertEquals(FieldValue.text("back"), h.storeValue(LEAD, a, "Title"));
        }
    }

    @Test
    void aMarketingOnlyRecordTheHostDeletesNeverReachesTheCrm() {
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            MarketingRecord local = h.store.saveLocal(LEAD, null, BidiHarness.fields("LastName", "Local", "Company", "X"));
            assertTrue(h.store.deleteLocal(LEAD, local.marketingId()));
            long deletes = calls(CrmOperation.DELETE);
            long writes = calls(CrmOperation.WRITE);
            h.cycle(engine);
            assertEquals(deletes, calls(CrmOperation.DELETE));
            assertEquals(writes, calls(CrmOperation.WRITE));
            assertEquals(0, h.crm.count(LEAD));
        }
    }

    @Test
    void aLockedRowIsRetriedNextCycleAndTheRecordIsNeverCopiedBack() {
        CrmId a = h.lead("A", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.cycle(engine);
            assertTrue(h.store.deleteLocal(LEAD, mid(LEAD, a)));
            h.crm.lockRecord(a, 1);
            SyncReport r = h.run(engine);
            assertFalse(deletedInCrm(LEAD, a), r::toTable);
            assertEquals("UNABLE_TO_LOCK_ROW", h.state.failure(LEAD, RecordKey.crm(a), SyncSide.CRM).orElseThrow().code());
            assertTrue(h.stored(LEAD, a).isEmpty(), "not copied back while the delete waits");
            r = h.cycle(engine);
            assertTrue(deletedInCrm(LEAD, a), r::toTable);
            assertTrue(h.state.failure(LEAD, RecordKey.crm(a), SyncSide.CRM).isEmpty(), "nothing left rejected");
            assertTrue(h.stored(LEAD, a).isEmpty());
            h.assertQuiet(engine);
        }
    }

    @Test
    void aDeleteTheCrmRefusesForGoodIsRejectedWithItsCodeAndTheRecordComesBack() {
        CrmId a = h.lead("A", "Acme", "Title", "CEO");
        List<dev.crmsync.store.FailedRecord> told = new java.util.ArrayList<>();
        try (SyncEngine engine = h.builder().listener(new SyncListener() {
            @Override
            public void onRecordRejected(dev.crmsync.store.FailedRecord failure) {
                told.add(failure);
            }
        }).build()) {
            h.cycle(engine);
            h.cycle(engine);
            assertTrue(h.store.deleteLocal(LEAD, mid(LEAD, a)));
            h.crm.faults().reject(a, "INSUFFICIENT_ACCESS_OR_READONLY", false);
            SyncReport r = h.run(engine);
            assertFalse(deletedInCrm(LEAD, a), r::toTable);
            assertEquals(1, r.type(LEAD).orElseThrow().counts().failed(), r::toTable);
            assertEquals(List.of("INSUFFICIENT_ACCESS_OR_READONLY"), told.stream().map(f -> f.code()).toList(),
                    "reported with the CRM's code");
            assertEquals(RecordKey.crm(a), told.get(0).key());
            assertEquals(FieldValue.text("CEO"), h.storeValue(LEAD, a, "Title"), "copied back: nothing lost");
            // the record is whole again on both sides: nothing is left to retry
            assertTrue(h.state.failure(LEAD, RecordKey.crm(a), SyncSide.CRM).isEmpty());
            assertTrue(h.state.intents(LEAD, EngineIntent.Kind.HOST_DELETE, 10).isEmpty());
        }
    }

    @Test
    void aCrashAfterTheCrmDeletedSendsTheDeleteAgainHarmlessly() {
        CrmId a = h.lead("A", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.cycle(engine);
            assertTrue(h.store.deleteLocal(LEAD, mid(LEAD, a)));
            h.state.faults().failNext(StoreOperation.DELETE_BASE, 1, Fault.retriable());
            SyncReport crashed = h.run(engine);
            assertFalse(crashed.isComplete(), crashed::toTable);
            assertTrue(deletedInCrm(LEAD, a));
            long deletes = calls(CrmOperation.DELETE);
            SyncReport r = h.cycle(engine);
            // the next run finds it deleted in the CRM (its change stream, else a read by id) and
            // ends the intent; sent again, a delete of a deleted record would count as deleted
            assertTrue(calls(CrmOperation.DELETE) - deletes <= 1, r::toTable);
            assertTrue(h.state.intents(LEAD, EngineIntent.Kind.HOST_DELETE, 10).isEmpty(), r::toTable);
            assertTrue(h.stored(LEAD, a).isEmpty());
            h.assertQuiet(engine);
        }
    }

    @Test
    void aCampaignMemberTheHostDeletesLeavesTheCampaignInTheCrm() {
        CrmId campaign = h.campaign("Spring");
        CrmId lead = h.lead("Doe", "Acme");
        CrmId member = h.crm.insert(ObjectType.CAMPAIGN_MEMBER, BidiHarness.fields("CampaignId", campaign, "LeadId", lead,
                "Status", "Sent"));
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.cycle(engine);
            assertTrue(h.store.deleteLocal(ObjectType.CAMPAIGN_MEMBER, mid(ObjectType.CAMPAIGN_MEMBER, member)));
            h.cycle(engine);
            assertTrue(deletedInCrm(ObjectType.CAMPAIGN_MEMBER, member));
            assertFalse(deletedInCrm(ObjectType.LEAD, lead));
            assertFalse(deletedInCrm(ObjectType.CAMPAIGN, campaign));
            h.assertQuiet(engine);
        }
        assertEquals(List.of(), h.crm.records(ObjectType.CAMPAIGN_MEMBER));
    }

    @Test
    void aPersonPushedThenDeletedByTheHostBeforeAnyReadBackIsDeletedInTheCrm() {
        // found by the bidirectional property: the push's base carries the values sent, not a stamp
        MarketingRecord p = h.store.saveLocal(LEAD, null, BidiHarness.fields("LastName", "Doe", "Company", "Acme"));
        CrmId id;
        try (SyncEngine engine = h.engine()) {
            id = ((dev.crmsync.core.report.PushResult.Created) engine.pushNow(LEAD, List.of(p.marketingId())).get(0)).crmId();
            assertTrue(h.store.deleteLocal(LEAD, p.marketingId()));
            SyncReport r = h.cycle(engine);
            assertTrue(deletedInCrm(LEAD, id), r::toTable);
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertTrue(h.stored(LEAD, id).isEmpty());
    }
}
