package dev.crmsync.core;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.SyncReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncSide;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 8: campaign member-status sets. The CRM refuses a member whose status its
 * campaign does not have; the engine reports it as a rejected record with its reason (the field
 * {@code Status}), keeps it for retry, and the other members go on. No status takes the campaign's
 * default. The statuses themselves sync one way into the store, after their campaign.
 */
class MemberStatusSetTest {

    private final BidiHarness h = new BidiHarness();
    private final List<FailedRecord> heard = new ArrayList<>();
    private final SyncListener recorder = new SyncListener() {
        @Override
        public void onRecordRejected(FailedRecord failure) {
            heard.add(failure);
        }
    };

    private SyncEngine engine() {
        List<ObjectType> types = new ArrayList<>(BidiHarness.TYPES);
        types.add(ObjectType.CAMPAIGN_MEMBER_STATUS);
        return h.builder().objectTypes(types).listener(recorder).build();
    }

    private MarketingRecord addInStore(Object... kv) {
        return h.store.saveLocal(ObjectType.CAMPAIGN_MEMBER, null, fields(kv));
    }

    private List<dev.crmsync.model.SyncRecord> membersInCrm() {
        return h.crm.records(ObjectType.CAMPAIGN_MEMBER);
    }

    @Test
    void aMemberWhoseStatusItsCampaignLacksIsRejectedOnStatusKeptForRetryAndTheOthersProceed() {
        CrmId campaign = h.campaign("Webinar");
        CrmId doe = h.lead("Doe", "Acme");
        CrmId roe = h.lead("Roe", "Acme");
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            MarketingRecord bad = addInStore("CampaignId", campaign, "LeadId", doe, "Status", "Attended");
            addInStore("CampaignId", campaign, "LeadId", roe, "Status", "Responded");
            SyncReport report = h.run(engine);
            assertEquals(1, report.totals().failed(), report::toTable);
            assertEquals(1, membersInCrm().size(), "the other member reached the CRM");
            assertEquals(FieldValue.ref(roe), membersInCrm().get(0).get("LeadId"));
            assertEquals(FieldValue.text("Responded"), membersInCrm().get(0).get("Status"));

            FailedRecord f = h.state.failure(ObjectType.CAMPAIGN_MEMBER, RecordKey.marketing(bad.marketingId()),
                    SyncSide.CRM).orElseThrow();
            assertEquals("INVALID_MEMBER_STATUS", f.code(), "refused by the engine before any write: Salesforce would give it the default");
            assertTrue(f.message().contains("Status"), f.message());
            assertFalse(f.message().contains("Attended"), "the rejected value is not in the reason: " + f.message());
            assertFalse(f.parked(), "kept for retry");
            assertEquals(1, heard.size());
            assertEquals(f.key(), heard.get(0).key());

            // unchanged, it is not sent again (a data error waits for a change)
            long writes = h.crmWrites();
            assertEquals(0, h.cycle(engine).totals().failed());
            assertEquals(writes, h.crmWrites());

            // the campaign gets the status in the CRM and an operator re-drives the member: it reaches the CRM
            h.memberStatus(campaign, "Attended");
            assertTrue(engine.redrive(f));
            SyncReport retried = h.cycle(engine);
            assertEquals(0, retried.totals().failed(), retried::toTable);
            assertEquals(2, membersInCrm().size());
            assertTrue(membersInCrm().stream().anyMatch(m -> FieldValue.ref(doe).equals(m.get("LeadId"))
                    && FieldValue.text("Attended").equals(m.get("Status"))));
            assertTrue(h.state.failure(ObjectType.CAMPAIGN_MEMBER, RecordKey.marketing(bad.marketingId()),
                    SyncSide.CRM).isEmpty(), "the failure is cleared");
            h.assertQuiet(engine);
        }
    }

    @Test
    void aMemberAddedWithoutAStatusTakesItsCampaignsDefault() {
        CrmId campaign = h.campaign("Webinar");
        CrmId doe = h.lead("Doe", "Acme");
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            MarketingRecord added = addInStore("CampaignId", campaign, "LeadId", doe);
            SyncReport report = h.cycle(engine);
            assertEquals(0, report.totals().failed(), report::toTable);
            assertEquals(1, membersInCrm().size());
            assertEquals(FieldValue.text("Sent"), membersInCrm().get(0).get("Status"));
            assertEquals(FieldValue.text("Sent"), h.byMid(ObjectType.CAMPAIGN_MEMBER, added.marketingId()).get("Status"),
                    "the default reaches the store");
            h.assertQuiet(engine);
        }
    }

    @Test
    void aCampaignsMemberStatusesReachTheStoreOneWay() {
        CrmId campaign = h.campaign("Webinar");
        CrmId attended = h.memberStatus(campaign, "Attended");
        try (SyncEngine engine = engine()) {
            SyncReport report = h.cycle(engine);
            assertEquals(3, report.type(ObjectType.CAMPAIGN_MEMBER_STATUS).orElseThrow().counts().created(), report::toTable);
            MarketingRecord s = h.inStore(ObjectType.CAMPAIGN_MEMBER_STATUS, attended);
            assertEquals(FieldValue.text("Attended"), s.get("Label"));
            assertEquals(FieldValue.ref(campaign), s.get("CampaignId"));

            // a CRM change reaches the store; the store's copy is never written back
            h.tick();
            h.crm.update(ObjectType.CAMPAIGN_MEMBER_STATUS, attended, fields("HasResponded", true));
            long writes = h.crmWrites();
            h.cycle(engine);
            assertEquals(FieldValue.bool(true), h.storeValue(ObjectType.CAMPAIGN_MEMBER_STATUS, attended, "HasResponded"));
            assertEquals(writes, h.crmWrites());
        }
    }
}
