package dev.crmsync.testkit.salesforce;

import static dev.crmsync.testkit.salesforce.FakeSf.error;
import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code POST /composite}: subrequests, references between them, all-or-none rollback. */
class CompositeTest {

    private final FakeSf sf = FakeSf.start();

    @AfterEach
    void stop() {
        sf.close();
    }

    private String sub(String method, String url, String refId, String body) {
        return "{\"method\":\"" + method + "\",\"url\":\"" + sf.v(url) + "\",\"referenceId\":\"" + refId + "\""
                + (body == null ? "" : ",\"body\":" + body) + "}";
    }

    private HttpResponse<String> composite(boolean allOrNone, String... subs) {
        return sf.post(sf.v("/composite"), "{\"allOrNone\":" + allOrNone + ",\"compositeRequest\":["
                + String.join(",", subs) + "]}");
    }

    @Test
    void subrequestsRunInOrderAndLaterOnesReferToEarlierResults() {
        HttpResponse<String> r = composite(false,
                sub("POST", "/sobjects/Campaign", "NewCampaign", "{\"Name\":\"Spring\"}"),
                sub("POST", "/sobjects/Lead", "NewLead", "{\"LastName\":\"Ada\",\"Company\":\"Acme\"}"),
                sub("POST", "/sobjects/CampaignMember", "Member",
                        "{\"CampaignId\":\"@{NewCampaign.id}\",\"LeadId\":\"@{NewLead.id}\"}"),
                sub("GET", "/sobjects/Lead/@{NewLead.id}?fields=LastName", "ReadBack", null),
                sub("GET", "/query?q=SELECT+Id+FROM+Lead", "Query", null),
                sub("PATCH", "/sobjects/Lead/@{Query.records[0].Id}", "Rename", "{\"LastName\":\"Lovelace\"}"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode res = json(r).path("compositeResponse");
        assertEquals(6, res.size());
        JsonNode created = res.get(0);
        assertEquals(201, created.path("httpStatusCode").asInt());
        assertEquals("NewCampaign", created.path("referenceId").asText());
        assertTrue(created.path("body").path("success").asBoolean());
        String campaignId = created.path("body").path("id").asText();
        assertEquals(sf.v("/sobjects/Campaign/" + campaignId), created.path("httpHeaders").path("Location").asText());
        assertEquals(201, res.get(2).path("httpStatusCode").asInt(), res.get(2).toString());
        CrmId member = CrmId.of(res.get(2).path("body").path("id").asText());
        SyncRecord m = sf.crm.get(ObjectType.CAMPAIGN_MEMBER, member).orElseThrow();
        assertEquals(FieldValue.ref(CrmId.of(campaignId)), m.get("CampaignId"));
        assertEquals(200, res.get(3).path("httpStatusCode").asInt());
        assertEquals("Ada", res.get(3).path("body").path("LastName").asText());
        assertEquals(200, res.get(4).path("httpStatusCode").asInt());
        assertEquals(204, res.get(5).path("httpStatusCode").asInt(), res.get(5).toString());
        assertTrue(res.get(5).path("body").isNull());
        assertTrue(res.get(5).path("httpHeaders").isObject());
        assertEquals(1, sf.server.requestCount("POST", "/composite$"));
    }

    @Test
    void allOrNoneRollsBackEveryWriteAndHaltsTheOthers() {
        CrmId existing = sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Old"),
                "Company", FieldValue.text("Acme")));
        CrmId doomed = sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doomed"),
                "Company", FieldValue.text("Acme")));
        HttpResponse<String> r = composite(true,
                sub("POST", "/sobjects/Lead", "NewLead", "{\"LastName\":\"Ada\",\"Company\":\"Acme\"}"),
                sub("PATCH", "/sobjects/Lead/" + existing.value(), "Rename", "{\"LastName\":\"New\"}"),
                sub("DELETE", "/sobjects/Lead/" + doomed.value(), "Remove", null),
                sub("POST", "/sobjects/Lead", "Bad", "{\"LastName\":\"NoCompany\"}"),
                sub("POST", "/sobjects/Lead", "After", "{\"LastName\":\"B\",\"Company\":\"Acme\"}"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode res = json(r).path("compositeResponse");
        for (int i : new int[] {0, 1, 2, 4}) {
            assertEquals(400, res.get(i).path("httpStatusCode").asInt(), res.get(i).toString());
            JsonNode e = res.get(i).path("body").get(0);
            assertEquals("PROCESSING_HALTED", e.path("errorCode").asText());
            assertEquals("The transaction was rolled back since another operation in the same transaction failed.",
                    e.path("message").asText());
        }
        assertEquals(400, res.get(3).path("httpStatusCode").asInt());
        assertEquals("REQUIRED_FIELD_MISSING", res.get(3).path("body").get(0).path("errorCode").asText());
        assertEquals("Bad", res.get(3).path("referenceId").asText());
        assertEquals(FieldValue.text("Old"), sf.crm.get(ObjectType.LEAD, existing).orElseThrow().get("LastName"));
        assertFalse(sf.crm.get(ObjectType.LEAD, doomed).orElseThrow().deleted(), "the delete was rolled back");
        assertEquals(2, sf.crm.records(ObjectType.LEAD).stream().filter(x -> !x.deleted()).count());
    }

    @Test
    void withoutAllOrNoneAFailureHaltsOnlyTheSubrequestsThatReferToIt() {
        HttpResponse<String> r = composite(false,
                sub("POST", "/sobjects/Lead", "Bad", "{\"LastName\":\"NoCompany\"}"),
                sub("PATCH", "/sobjects/Lead/@{Bad.id}", "Dependent", "{\"LastName\":\"X\"}"),
                sub("POST", "/sobjects/Lead", "Fine", "{\"LastName\":\"Ada\",\"Company\":\"Acme\"}"));
        JsonNode res = json(r).path("compositeResponse");
        assertEquals("REQUIRED_FIELD_MISSING", res.get(0).path("body").get(0).path("errorCode").asText());
        JsonNode halted = res.get(1).path("body").get(0);
        assertEquals("PROCESSING_HALTED", halted.path("errorCode").asText());
        assertTrue(halted.path("message").asText().contains("Provided referenceId ('Bad') is not valid"),
                halted.toString());
        assertEquals(201, res.get(2).path("httpStatusCode").asInt());
    }

    @Test
    void aMalformedCompositeRequestIsRefusedAsAWhole() {
        error(sf.post(sf.v("/composite"), "{\"compositeRequest\":[]}"), 400, "INVALID_INPUT");
        error(composite(false, sub("POST", "/sobjects/Lead", "A", "{}"), sub("POST", "/sobjects/Lead", "A", "{}")),
                400, "INVALID_INPUT");
        error(composite(false, sub("POST", "/sobjects/Lead", "1bad", "{}")), 400, "INVALID_INPUT");
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 26; i++) {
            many.append(i == 0 ? "" : ",").append(sub("GET", "/limits", "r" + i, null));
        }
        error(sf.post(sf.v("/composite"), "{\"compositeRequest\":[" + many + "]}"), 400, "INVALID_INPUT");
        assertEquals(0, sf.crm.count(ObjectType.LEAD));
    }
}
