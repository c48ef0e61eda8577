package dev.crmsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, items 7 and 8 in the fake CRM: campaign member-status sets as Salesforce keeps them
 * (a new campaign's default statuses, a member's status checked against its campaign's set) and
 * queues ({@code Group} records with {@code Type='Queue'}) owning leads.
 */
class InMemoryCrmMemberStatusTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2024-06-01T12:00:00Z"));
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(5).build();

    private List<SyncRecord> statusesOf(CrmId campaign) {
        return crm.records(ObjectType.CAMPAIGN_MEMBER_STATUS).stream()
                .filter(r -> FieldValue.ref(campaign).equals(r.get("CampaignId")))
                .sorted(Comparator.comparing(r -> r.get("SortOrder").asText()))
                .toList();
    }

    private CrmWriteResult one(ObjectType type, CrmWrite w) {
        List<CrmWriteResult> r = crm.write(type, List.of(w));
        assertEquals(1, r.size());
        return r.get(0);
    }

    private CrmId lead() {
        return crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"), "Company", FieldValue.text("Acme")));
    }

    @Test
    void aNewCampaignGetsSentAsDefaultAndRespondedAsResponded() {
        CrmId byUser = crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("Webinar")));
        CrmId byApi = assertInstanceOf(CrmWriteResult.Written.class, one(ObjectType.CAMPAIGN,
                new CrmWrite.Create("c", Map.of("Name", FieldValue.text("Event"))))).id();
        for (CrmId campaign : List.of(byUser, byApi)) {
            List<SyncRecord> s = statusesOf(campaign);
            assertEquals(2, s.size());
            assertEquals(FieldValue.text("Sent"), s.get(0).get("Label"));
            assertEquals(FieldValue.bool(true), s.get(0).get("IsDefault"));
            assertEquals(FieldValue.bool(false), s.get(0).get("HasResponded"));
            assertEquals(FieldValue.text("Responded"), s.get(1).get("Label"));
            assertEquals(FieldValue.bool(false), s.get(1).get("IsDefault"));
            assertEquals(FieldValue.bool(true), s.get(1).get("HasResponded"));
            assertTrue(s.get(0).id().value().startsWith("01Y"), s.get(0).id().value());
        }
        assertEquals(4, crm.count(ObjectType.CAMPAIGN_MEMBER_STATUS));
    }

    @Test
    void campaignMemberStatusIsDescribedWithItsFieldsAndIsOneWay() {
        var schema = crm.describe(ObjectType.CAMPAIGN_MEMBER_STATUS).orElseThrow();
        assertTrue(schema.readableFieldNames().containsAll(
                List.of("CampaignId", "Label", "SortOrder", "IsDefault", "HasResponded")));
        assertEquals(List.of("Campaign"), schema.field("CampaignId").map(FieldSchema::referenceTo).orElseThrow());
        assertEquals(false, ObjectType.CAMPAIGN_MEMBER_STATUS.isBidirectional());
        assertTrue(ObjectType.CAMPAIGN.syncRank() < ObjectType.CAMPAIGN_MEMBER_STATUS.syncRank()
                && ObjectType.CAMPAIGN_MEMBER_STATUS.syncRank() < ObjectType.CAMPAIGN_MEMBER.syncRank());
    }

    @Test
    void aMemberWithAStatusItsCampaignLacksTakesTheDefaultSilentlyAsSalesforceDocumentsIt() {
        CrmId campaign = crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("C")));
        CrmId member = assertInstanceOf(CrmWriteResult.Written.class, one(ObjectType.CAMPAIGN_MEMBER,
                new CrmWrite.Create("m", Map.of("CampaignId", FieldValue.ref(campaign), "LeadId", FieldValue.ref(lead()),
                        "Status", FieldValue.text("Attended"))))).id();
        assertEquals(FieldValue.text("Sent"), crm.get(ObjectType.CAMPAIGN_MEMBER, member).orElseThrow().get("Status"),
                "no error: the campaign's default instead");

        CrmId other = assertInstanceOf(CrmWriteResult.Written.class, one(ObjectType.CAMPAIGN_MEMBER,
                new CrmWrite.Create("m2", Map.of("CampaignId", FieldValue.ref(campaign), "LeadId", FieldValue.ref(lead()),
                        "Status", FieldValue.text("Responded"))))).id();
        assertInstanceOf(CrmWriteResult.Written.class, one(ObjectType.CAMPAIGN_MEMBER,
                new CrmWrite.Update(other, Map.of("Status", FieldValue.text("Attended")))));
        SyncRecord o = crm.get(ObjectType.CAMPAIGN_MEMBER, other).orElseThrow();
        assertEquals(FieldValue.text("Sent"), o.get("Status"));
        assertEquals(FieldValue.bool(false), o.get("HasResponded"), "HasResponded follows the status it got");

        // once the campaign has the status, the member may take it, and HasResponded follows the status
        crm.insert(ObjectType.CAMPAIGN_MEMBER_STATUS, Map.of("CampaignId", FieldValue.ref(campaign),
                "Label", FieldValue.text("Attended"), "SortOrder", FieldValue.number(3),
                "HasResponded", FieldValue.bool(true)));
        assertInstanceOf(CrmWriteResult.Written.class, one(ObjectType.CAMPAIGN_MEMBER,
                new CrmWrite.Update(member, Map.of("Status", FieldValue.text("Attended")))));
        SyncRecord m = crm.get(ObjectType.CAMPAIGN_MEMBER, member).orElseThrow();
        assertEquals(FieldValue.text("Attended"), m.get("Status"));
        assertEquals(FieldValue.bool(true), m.get("HasResponded"));
    }

    @Test
    void aMemberWithoutAStatusTakesItsCampaignsDefault() {
        CrmId campaign = crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("C")));
        CrmId invited = crm.insert(ObjectType.CAMPAIGN_MEMBER_STATUS, Map.of("CampaignId", FieldValue.ref(campaign),
                "Label", FieldValue.text("Invited"), "SortOrder", FieldValue.number(0),
                "IsDefault", FieldValue.bool(true)));
        // one default per campaign: "Sent" is no longer the default
        assertEquals(1, statusesOf(campaign).stream().filter(s -> FieldValue.bool(true).equals(s.get("IsDefault")))
                .count());
        assertEquals(FieldValue.bool(true), crm.get(ObjectType.CAMPAIGN_MEMBER_STATUS, invited).orElseThrow()
                .get("IsDefault"));
        CrmId api = assertInstanceOf(CrmWriteResult.Written.class, one(ObjectType.CAMPAIGN_MEMBER,
                new CrmWrite.Create("m", Map.of("CampaignId", FieldValue.ref(campaign),
                        "LeadId", FieldValue.ref(lead()))))).id();
        CrmId blank = assertInstanceOf(CrmWriteResult.Written.class, one(ObjectType.CAMPAIGN_MEMBER,
                new CrmWrite.Create("m", Map.of("CampaignId", FieldValue.ref(campaign),
                        "LeadId", FieldValue.ref(lead()), "Status", FieldValue.NULL)))).id();
        CrmId byUser = crm.insert(ObjectType.CAMPAIGN_MEMBER, Map.of("CampaignId", FieldValue.ref(campaign),
                "LeadId", FieldValue.ref(lead())));
        for (CrmId id : List.of(api, blank, byUser)) {
            SyncRecord m = crm.get(ObjectType.CAMPAIGN_MEMBER, id).orElseThrow();
            assertEquals(FieldValue.text("Invited"), m.get("Status"));
            assertEquals(FieldValue.bool(false), m.get("HasResponded"));
        }
    }

    @Test
    void aCampaignsStatusesGoAndComeBackWithIt() {
        CrmId campaign = crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("C")));
        crm.delete(ObjectType.CAMPAIGN, campaign);
        assertEquals(0, statusesOf(campaign).size());
        crm.undelete(ObjectType.CAMPAIGN, campaign);
        assertEquals(2, statusesOf(campaign).size());
    }

    @Test
    void aQueueIsAGroupThatMayOwnALead() {
        CrmId queue = crm.insert(ObjectType.GROUP, Map.of("Name", FieldValue.text("Inbound"),
                "DeveloperName", FieldValue.text("Inbound"), "Type", FieldValue.text("Queue")));
        assertTrue(queue.value().startsWith("00G"), queue.value());
        assertEquals(List.of("Group", "User"), crm.describe(ObjectType.LEAD).orElseThrow().field("OwnerId")
                .map(FieldSchema::referenceTo).orElseThrow());
        CrmId lead = assertInstanceOf(CrmWriteResult.Written.class, one(ObjectType.LEAD, new CrmWrite.Create("l",
                Map.of("LastName", FieldValue.text("Doe"), "Company", FieldValue.text("Acme"),
                        "OwnerId", FieldValue.ref(queue))))).id();
        assertEquals(FieldValue.ref(queue), crm.get(ObjectType.LEAD, lead).orElseThrow().get("OwnerId"));
        // a contact cannot be owned by a queue: Contact.OwnerId references User only
        CrmWriteResult.Rejected r = assertInstanceOf(CrmWriteResult.Rejected.class, one(ObjectType.CONTACT,
                new CrmWrite.Create("c", Map.of("LastName", FieldValue.text("Doe"), "OwnerId", FieldValue.ref(queue)))));
        assertEquals("FIELD_INTEGRITY_EXCEPTION", r.code());
        assertEquals(List.of("OwnerId"), r.fields());
    }
}
