package dev.crmsync.testkit.salesforce;

import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, items 7 and 8 over the wire: {@code CampaignMemberStatus} described and queried as a
 * real org serves it, a member whose status its campaign lacks refused per record, and queues
 * ({@code Group}, {@code Type='Queue'}) that may own a lead.
 */
class MemberStatusAndQueueTest {

    private final FakeSf sf = FakeSf.start();

    @AfterEach
    void stop() {
        sf.close();
    }

    private CrmId campaign() {
        return sf.crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("Webinar")));
    }

    private CrmId lead() {
        return sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"), "Company", FieldValue.text("Acme")));
    }

    private static JsonNode field(JsonNode describe, String name) {
        for (JsonNode f : describe.path("fields")) {
            if (f.path("name").asText().equals(name)) {
                return f;
            }
        }
        throw new AssertionError("no field " + name);
    }

    @Test
    void campaignMemberStatusIsDescribedAndQueriedPerCampaign() {
        CrmId campaign = campaign();
        campaign();
        HttpResponse<String> d = sf.get(sf.v("/sobjects/CampaignMemberStatus/describe"));
        assertEquals(200, d.statusCode(), d.body());
        JsonNode describe = json(d);
        assertEquals("01Y", describe.path("keyPrefix").asText());
        assertEquals("reference", field(describe, "CampaignId").path("type").asText());
        assertEquals("boolean", field(describe, "IsDefault").path("type").asText());
        assertEquals("int", field(describe, "SortOrder").path("type").asText());
        assertFalse(field(describe, "Label").path("updateable").asBoolean());

        HttpResponse<String> q = sf.query("SELECT Id, Label, IsDefault, HasResponded, SortOrder FROM CampaignMemberStatus"
                + " WHERE CampaignId = '" + campaign.value() + "' ORDER BY SortOrder");
        assertEquals(200, q.statusCode(), q.body());
        JsonNode records = json(q).path("records");
        assertEquals(2, records.size(), q.body());
        assertEquals("Sent", records.get(0).path("Label").asText());
        assertTrue(records.get(0).path("IsDefault").asBoolean());
        assertFalse(records.get(0).path("HasResponded").asBoolean());
        assertEquals("Responded", records.get(1).path("Label").asText());
        assertFalse(records.get(1).path("IsDefault").asBoolean());
        assertTrue(records.get(1).path("HasResponded").asBoolean());
        assertEquals("CampaignMemberStatus", records.get(0).path("attributes").path("type").asText());
    }

    @Test
    void aMemberWhoseStatusItsCampaignLacksTakesTheDefaultWithoutAnErrorAsDoesNoStatus() {
        CrmId campaign = campaign();
        CrmId a = lead();
        CrmId b = lead();
        CrmId c = lead();
        HttpResponse<String> r = sf.post(sf.v("/composite/sobjects"), "{\"allOrNone\":false,\"records\":["
                + member(campaign, a, "\"Status\":\"Attended\",") + "," + member(campaign, b, "") + ","
                + member(campaign, c, "\"Status\":\"Responded\",") + "]}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode results = json(r);
        assertEquals(3, results.size());
        for (JsonNode result : results) {
            assertTrue(result.path("success").asBoolean(), r.body());
        }
        List<String> statuses = new ArrayList<>();
        for (JsonNode m : json(sf.query("SELECT Status, HasResponded FROM CampaignMember ORDER BY Id")).path("records")) {
            statuses.add(m.path("Status").asText() + "/" + m.path("HasResponded").asBoolean());
        }
        // Salesforce's API documentation: a status the campaign lacks is replaced by the campaign's default
        assertEquals(List.of("Sent/false", "Sent/false", "Responded/true"), statuses);
        assertFalse(r.body().contains("errors\":[{"), r.body());
    }

    private static String member(CrmId campaign, CrmId lead, String status) {
        return "{\"attributes\":{\"type\":\"CampaignMember\"}," + status + "\"CampaignId\":\"" + campaign.value()
                + "\",\"LeadId\":\"" + lead.value() + "\"}";
    }

    @Test
    void aQueueIsAGroupOfTypeQueueThatMayOwnALead() {
        CrmId queue = sf.crm.insert(ObjectType.GROUP, Map.of("Name", FieldValue.text("Inbound"),
                "DeveloperName", FieldValue.text("Inbound"), "Type", FieldValue.text("Queue")));
        sf.crm.insert(ObjectType.GROUP, Map.of("Name", FieldValue.text("Sales team")));
        HttpResponse<String> q = sf.query("SELECT Id, Name FROM Group WHERE Type = 'Queue'");
        assertEquals(200, q.statusCode(), q.body());
        JsonNode records = json(q).path("records");
        assertEquals(1, records.size(), q.body());
        assertEquals(queue.value(), records.get(0).path("Id").asText());
        assertTrue(queue.value().startsWith("00G"));

        HttpResponse<String> created = sf.post(sf.v("/composite/sobjects"), "{\"allOrNone\":false,\"records\":["
                + "{\"attributes\":{\"type\":\"Lead\"},\"LastName\":\"Doe\",\"Company\":\"Acme\",\"OwnerId\":\""
                + queue.value() + "\"},"
                + "{\"attributes\":{\"type\":\"Contact\"},\"LastName\":\"Roe\",\"OwnerId\":\"" + queue.value() + "\"}]}");
        assertEquals(200, created.statusCode(), created.body());
        JsonNode results = json(created);
        assertTrue(results.get(0).path("success").asBoolean(), created.body());
        assertFalse(results.get(1).path("success").asBoolean(), "a contact cannot be owned by a queue");
        assertEquals("FIELD_INTEGRITY_EXCEPTION", results.get(1).path("errors").get(0).path("statusCode").asText());
        CrmId lead = CrmId.of(results.get(0).path("id").asText());
        assertEquals(FieldValue.ref(queue), sf.crm.get(ObjectType.LEAD, lead).orElseThrow().get("OwnerId"));
    }
}
