package dev.crmsync.core;

import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.core.report.PushResult;
import dev.crmsync.core.report.SyncReport;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingFields;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.SyncSide;
import dev.crmsync.testkit.fault.StoreOperation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Campaign membership both ways, with its status. */
class CampaignMembershipTest {

    private final BidiHarness h = new BidiHarness();

    private MarketingRecord addInStore(Object... kv) {
        return h.store.saveLocal(ObjectType.CAMPAIGN_MEMBER, null, fields(kv));
    }

    /**
     * Runs a cycle whose link of the new member fails after its create reached the CRM: the
     * create's answer is lost.
     */
    private void cycleLosingTheCreatesAnswer(SyncEngine engine) {
        long before = h.crm.count(ObjectType.CAMPAIGN_MEMBER);
        h.store.faults().failNext(StoreOperation.LINK, 1, Fault.retriable());
        h.run(engine);
        assertEquals(before + 1, h.crm.count(ObjectType.CAMPAIGN_MEMBER), "the create reached the CRM");
    }

    /** The member's create reached the CRM once, the member is linked to it, nothing is left rejected. */
    private void assertLinkedToTheOnlyCrmMember(MarketingRecord added) {
        assertEquals(1, h.crm.count(ObjectType.CAMPAIGN_MEMBER), "not created twice");
        assertEquals(h.crm.records(ObjectType.CAMPAIGN_MEMBER).get(0).id(),
                h.byMid(ObjectType.CAMPAIGN_MEMBER, added.marketingId()).crmId());
        assertTrue(h.state.failure(ObjectType.CAMPAIGN_MEMBER, RecordKey.marketing(added.marketingId()),
                SyncSide.CRM).isEmpty(), "nothing left rejected");
    }

    @Test
    void aMemberAddedInTheCrmReachesTheStoreWithItsStatus() {
        CrmId campaign = h.campaign("Spring");
        CrmId lead = h.lead("Doe", "Acme");
        CrmId member = h.crm.insert(ObjectType.CAMPAIGN_MEMBER, fields("CampaignId", campaign, "LeadId", lead,
                "Status", "Responded"));
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
        }
        MarketingRecord m = h.inStore(ObjectType.CAMPAIGN_MEMBER, member);
        assertEquals(FieldValue.ref(campaign), m.get("CampaignId"));
        assertEquals(FieldValue.ref(lead), m.get("LeadId"));
        assertEquals(FieldValue.text("Responded"), m.get("Status"));
    }

    @Test
    void aStatusChangedOnEitherSideReachesTheOther() {
        CrmId campaign = h.campaign("Spring");
        CrmId lead = h.lead("Doe", "Acme");
        CrmId contact = h.contact("Roe");
        CrmId m1 = h.crm.insert(ObjectType.CAMPAIGN_MEMBER, fields("CampaignId", campaign, "LeadId", lead));
        CrmId m2 = h.crm.insert(ObjectType.CAMPAIGN_MEMBER, fields("CampaignId", campaign, "ContactId", contact));
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.memberStatus(campaign, "Attended");
            h.edit(ObjectType.CAMPAIGN_MEMBER, m1, "Status", "Responded");
            h.crm.update(ObjectType.CAMPAIGN_MEMBER, m2, fields("Status", "Attended"));
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(FieldValue.text("Responded"), h.crmValue(ObjectType.CAMPAIGN_MEMBER, m1, "Status"));
        assertEquals(FieldValue.text("Attended"), h.storeValue(ObjectType.CAMPAIGN_MEMBER, m2, "Status"));
    }

    @Test
    void aMemberAddedInTheStoreForAPersonInTheCrmReachesTheCrm() {
        CrmId campaign = h.campaign("Spring");
        CrmId contact = h.contact("Roe");
        MarketingRecord added;
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            added = addInStore("CampaignId", campaign, "ContactId", contact, "Status", "Responded");
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        MarketingRecord linked = h.byMid(ObjectType.CAMPAIGN_MEMBER, added.marketingId());
        assertNotNull(linked.crmId());
        SyncRecord inCrm = h.inCrm(ObjectType.CAMPAIGN_MEMBER, linked.crmId());
        assertEquals(FieldValue.ref(contact), inCrm.get("ContactId"));
        assertEquals(FieldValue.text("Responded"), inCrm.get("Status"));
    }

    @Test
    void aMemberWhosePersonIsNotInTheCrmCreatesTheLeadFirst() {
        CrmId campaign = h.campaign("Spring");
        MarketingRecord person = h.store.saveLocal(ObjectType.LEAD, null, fields("LastName", "Doe", "Company", "Acme"));
        MarketingRecord added;
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            added = addInStore("CampaignId", campaign, MarketingFields.LEAD_MARKETING_ID, person.marketingId(),
                    "Status", "Sent");
            h.cycle(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        CrmId leadId = h.byMid(ObjectType.LEAD, person.marketingId()).crmId();
        assertNotNull(leadId, "the person is now a CRM lead");
        assertEquals(1, h.crm.count(ObjectType.LEAD));
        MarketingRecord member = h.byMid(ObjectType.CAMPAIGN_MEMBER, added.marketingId());
        assertEquals(FieldValue.ref(leadId), h.crmValue(ObjectType.CAMPAIGN_MEMBER, member.crmId(), "LeadId"));
        assertEquals(FieldValue.ref(leadId), member.get("LeadId"));
    }

    @Test
    void addingAnExistingMemberAgainChangesNothing() {
        CrmId campaign = h.campaign("Spring");
        CrmId lead = h.lead("Doe", "Acme");
        CrmId member = h.crm.insert(ObjectType.CAMPAIGN_MEMBER, fields("CampaignId", campaign, "LeadId", lead,
                "Status", "Responded"));
        MarketingRecord again;
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            again = addInStore("CampaignId", campaign, "LeadId", lead, "Status", "Sent");
            h.run(engine);
            h.assertQuiet(engine);
        }
        assertEquals(1, h.crm.count(ObjectType.CAMPAIGN_MEMBER));
        assertEquals(FieldValue.text("Responded"), h.crmValue(ObjectType.CAMPAIGN_MEMBER, member, "Status"),
                "status unchanged");
        assertNull(h.byMid(ObjectType.CAMPAIGN_MEMBER, again.marketingId()).crmId());
        FailedRecord f = h.state.failure(ObjectType.CAMPAIGN_MEMBER, RecordKey.marketing(again.marketingId()),
                SyncSide.CRM).orElseThrow();
        assertEquals("DUPLICATE_VALUE", f.code());
    }

    @Test
    void aMemberCreateWhoseAnswerWasLostIsLinkedNotDuplicated() {
        CrmId campaign = h.campaign("Spring");
        CrmId lead = h.lead("Doe", "Acme");
        MarketingRecord added;
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            added = addInStore("CampaignId", campaign, "LeadId", lead, "Status", "Sent");
            cycleLosingTheCreatesAnswer(engine);
            h.run(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(1, h.data.size(ObjectType.CAMPAIGN_MEMBER));
        assertEquals(h.crm.records(ObjectType.CAMPAIGN_MEMBER).get(0).id(),
                h.byMid(ObjectType.CAMPAIGN_MEMBER, added.marketingId()).crmId());
    }

    @Test
    void aLostMemberCreateIsLinkedToItsOwnRecordNotToALaterDuplicate() {
        // found by the bidirectional property: the host adds one person to a campaign twice; the
        // CRM creates the first (its answer lost) and refuses the second as a duplicate. The CRM's
        // member belongs to the create that made it, and the duplicate stays refused.
        CrmId campaign = h.campaign("Spring");
        CrmId lead = h.lead("Doe", "Acme");
        MarketingRecord first;
        MarketingRecord duplicate;
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            duplicate = addInStore("CampaignId", campaign, "LeadId", lead, "Status", "Sent");
            first = addInStore("CampaignId", campaign, "LeadId", lead, "Status", "Responded");
            h.store.saveLocal(ObjectType.CAMPAIGN_MEMBER, duplicate.marketingId(), fields("Status", "Opened"));
            cycleLosingTheCreatesAnswer(engine);
            h.run(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        CrmId member = h.crm.records(ObjectType.CAMPAIGN_MEMBER).get(0).id();
        assertEquals(member, h.byMid(ObjectType.CAMPAIGN_MEMBER, first.marketingId()).crmId());
        assertEquals(FieldValue.text("Responded"), h.crmValue(ObjectType.CAMPAIGN_MEMBER, member, "Status"));
        assertNull(h.byMid(ObjectType.CAMPAIGN_MEMBER, duplicate.marketingId()).crmId(), "the duplicate stays refused");
        assertEquals("DUPLICATE_VALUE", h.state.failure(ObjectType.CAMPAIGN_MEMBER,
                RecordKey.marketing(duplicate.marketingId()), SyncSide.CRM).orElseThrow().code());
    }

    @Test
    void aLostMemberCreateWhoseLeadIsThenConvertedIsLinkedNotRejected() {
        // found by the bidirectional property: the conversion repoints the member's reference at the
        // contact; the member must still be recognised, and never be sent with a contact as LeadId
        CrmId campaign = h.campaign("Spring");
        CrmId lead = h.lead("Doe", "Acme");
        MarketingRecord added;
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            added = addInStore("CampaignId", campaign, "LeadId", lead, "Status", "Sent");
            cycleLosingTheCreatesAnswer(engine);
            h.crm.convertLead(lead, null);
            h.cycle(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertLinkedToTheOnlyCrmMember(added);
    }

    @Test
    void aMemberNamingADeletedContactByMarketingIdFollowsThePersonReCreatedAsALead() {
        // found by the bidirectional property: joining the campaign re-creates the deleted contact
        // as a Lead (it keeps its marketing id); the member's create answer is lost, and the next
        // cycle must still find the member's person, now a Lead
        CrmId campaign = h.campaign("Spring");
        CrmId contact = h.contact("Roe");
        MarketingRecord added;
        try (SyncEngine engine = h.builder().defaultCompany("Unknown Inc").build()) {
            h.cycle(engine);
            h.crm.delete(ObjectType.CONTACT, contact);
            h.cycle(engine);
            String person = h.inStore(ObjectType.CONTACT, contact).marketingId();
            added = addInStore("CampaignId", campaign, MarketingFields.CONTACT_MARKETING_ID, person, "Status", "Sent");
            cycleLosingTheCreatesAnswer(engine);
            assertEquals(1, h.crm.count(ObjectType.LEAD), "the person was created again, as a Lead");
            h.cycle(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertLinkedToTheOnlyCrmMember(added);
    }

    @Test
    void aLostMemberCreateIsNeverTakenForTheContactsOwnMembershipAfterAConversion() {
        // the host adds a lead to a campaign; the create's answer is lost; the CRM converts the lead
        // into a contact that has its own membership of that campaign, unknown to the store yet.
        // The contact's own member has no LeadId, so it cannot be the record the create made.
        CrmId campaign = h.campaign("Spring");
        CrmId contact = h.contact("Roe");
        CrmId lead = h.lead("Doe", "Acme");
        MarketingRecord added;
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            added = addInStore("CampaignId", campaign, "LeadId", lead, "Status", "Sent");
            cycleLosingTheCreatesAnswer(engine);
            CrmId own = h.crm.insert(ObjectType.CAMPAIGN_MEMBER, fields("CampaignId", campaign, "ContactId", contact,
                    "Status", "Responded"));
            assertTrue(h.stored(ObjectType.CAMPAIGN_MEMBER, own).isEmpty(), "the contact's own member is not stored yet");
            h.crm.convertLead(lead, contact);
            h.cycle(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
            CrmId made = h.crm.records(ObjectType.CAMPAIGN_MEMBER).stream().map(SyncRecord::id)
                    .filter(id -> !id.equals(own)).findFirst().orElseThrow();
            assertEquals(made, h.byMid(ObjectType.CAMPAIGN_MEMBER, added.marketingId()).crmId(),
                    "linked to the member its create made");
            assertEquals(FieldValue.text("Responded"), h.storeValue(ObjectType.CAMPAIGN_MEMBER, own, "Status"),
                    "the contact's own member reaches the store as the CRM has it");
        }
    }

    @Test
    void aMemberOfACampaignNotInTheCrmWaitsForIt() {
        MarketingRecord campaign = h.store.saveLocal(ObjectType.CAMPAIGN, null, fields("Name", "Local only"));
        CrmId lead = h.lead("Doe", "Acme");
        MarketingRecord added;
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            added = addInStore(MarketingFields.CAMPAIGN_MARKETING_ID, campaign.marketingId(), "LeadId", lead);
            SyncReport r = h.run(engine);
            assertEquals(1, r.totals().failed(), r::toTable);
            assertEquals("CAMPAIGN_NOT_SYNCED", h.state.failure(ObjectType.CAMPAIGN_MEMBER,
                    RecordKey.marketing(added.marketingId()), SyncSide.CRM).orElseThrow().code());
            PushResult pushed = engine.pushNow(ObjectType.CAMPAIGN, List.of(campaign.marketingId())).get(0);
            assertTrue(pushed instanceof PushResult.Created, pushed::toString);
            h.cycle(engine);
        }
        assertNotNull(h.byMid(ObjectType.CAMPAIGN_MEMBER, added.marketingId()).crmId());
    }

    @Test
    void aLeadConversionKeepsItsMembershipsInStep() {
        CrmId campaign = h.campaign("Spring");
        CrmId lead = h.lead("Doe", "Acme");
        CrmId member = h.crm.insert(ObjectType.CAMPAIGN_MEMBER, fields("CampaignId", campaign, "LeadId", lead));
        dev.crmsync.testkit.InMemoryCrm.Conversion conv;
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            conv = h.crm.convertLead(lead, null);
            h.cycle(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(FieldValue.ref(conv.contactId()), h.storeValue(ObjectType.CAMPAIGN_MEMBER, member, "ContactId"));
        assertEquals(h.crmValue(ObjectType.CAMPAIGN_MEMBER, member, "LeadId"),
                h.storeValue(ObjectType.CAMPAIGN_MEMBER, member, "LeadId"));
    }
}
