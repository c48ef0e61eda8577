package dev.crmsync.core;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.MarketingRecord;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 8: linking a marketing campaign (a Marketo program) to an existing CRM campaign
 * is refused when their member-status sets differ, as Marketo refuses it; with the same set it is
 * linked and syncs from then on.
 */
class CampaignLinkTest {

    private final BidiHarness h = new BidiHarness();

    private MarketingRecord program(String name) {
        return h.store.saveLocal(ObjectType.CAMPAIGN, null, fields("Name", name));
    }

    @Test
    void aCampaignWhoseMemberStatusesDifferFromTheProgramsIsRefusedWithBothSets() {
        CrmId campaign = h.campaign("Webinar");
        h.memberStatus(campaign, "Attended");
        MarketingRecord program = program("Webinar program");
        h.data.memberStatuses(program.marketingId(), Set.of("Sent", "Responded", "Registered"));
        long writes = h.crmWrites();
        try (SyncEngine engine = h.engine()) {
            CampaignLink link = engine.linkCampaign(program.marketingId(), campaign);
            assertEquals(CampaignLink.Outcome.STATUSES_DIFFER, link.outcome());
            assertFalse(link.linked());
            assertEquals(Set.of("Sent", "Responded", "Attended"), link.campaignStatuses());
            assertEquals(Set.of("Sent", "Responded", "Registered"), link.programStatuses());
            assertTrue(link.reason().contains("only in the marketing campaign: [Registered]"), link.reason());
            assertTrue(link.reason().contains("only in the CRM campaign: [Attended]"), link.reason());
        }
        assertNull(h.byMid(ObjectType.CAMPAIGN, program.marketingId()).crmId(), "nothing linked");
        assertEquals(writes, h.crmWrites(), "nothing written to the CRM");
    }

    @Test
    void aCampaignWithTheProgramsMemberStatusesIsLinkedAndSyncsFromThen() {
        CrmId campaign = h.campaign("Webinar");
        h.memberStatus(campaign, "Attended");
        CrmId lead = h.lead("Doe", "Acme");
        h.crm.insert(ObjectType.CAMPAIGN_MEMBER, fields("CampaignId", campaign, "LeadId", lead, "Status", "Attended"));
        MarketingRecord program = program("Webinar program");
        h.data.memberStatuses(program.marketingId(), Set.of("Sent", "Responded", "Attended"));
        try (SyncEngine engine = h.engine()) {
            CampaignLink link = engine.linkCampaign(program.marketingId(), campaign);
            assertEquals(CampaignLink.Outcome.LINKED, link.outcome(), link::reason);
            assertNull(link.reason());
            MarketingRecord linked = h.byMid(ObjectType.CAMPAIGN, program.marketingId());
            assertEquals(campaign, linked.crmId());
            assertEquals(FieldValue.text("Webinar"), linked.get("Name"), "the store takes the CRM campaign's values");

            h.cycle(engine);
            assertEquals(1, h.store.findByCrmIds(ObjectType.CAMPAIGN, java.util.List.of(campaign)).size());
            assertEquals(program.marketingId(), h.inStore(ObjectType.CAMPAIGN, campaign).marketingId(),
                    "the CRM campaign is the program, not a second marketing campaign");
            assertEquals(1, h.data.size(ObjectType.CAMPAIGN));
            assertEquals(1, h.data.size(ObjectType.CAMPAIGN_MEMBER), "the campaign's member reached the store");
            h.assertQuiet(engine);

            h.edit(ObjectType.CAMPAIGN, campaign, "Description", "Spring webinar");
            h.cycle(engine);
            assertEquals(FieldValue.text("Spring webinar"), h.crmValue(ObjectType.CAMPAIGN, campaign, "Description"));

            assertEquals(CampaignLink.Outcome.ALREADY_LINKED,
                    engine.linkCampaign(program.marketingId(), campaign).outcome());
        }
    }

    @Test
    void aStoreWithoutStatusSetsLinksUncheckedAndUnknownIdsAreRefused() {
        CrmId campaign = h.campaign("Webinar");
        h.memberStatus(campaign, "Attended");
        MarketingRecord program = program("Webinar program");
        MarketingRecord other = program("Other program");
        try (SyncEngine engine = h.engine()) {
            assertEquals(CampaignLink.Outcome.NOT_FOUND, engine.linkCampaign("no-such-id", campaign).outcome());
            CrmId gone = h.campaign("Gone");
            h.crm.delete(ObjectType.CAMPAIGN, gone);
            assertEquals(CampaignLink.Outcome.CAMPAIGN_NOT_FOUND,
                    engine.linkCampaign(program.marketingId(), gone).outcome());

            CampaignLink link = engine.linkCampaign(program.marketingId(), campaign);
            assertEquals(CampaignLink.Outcome.LINKED, link.outcome(), link::reason);
            assertEquals(Set.of(), link.programStatuses());
            assertEquals(CampaignLink.Outcome.CAMPAIGN_TAKEN,
                    engine.linkCampaign(other.marketingId(), campaign).outcome());
        }
    }
}
