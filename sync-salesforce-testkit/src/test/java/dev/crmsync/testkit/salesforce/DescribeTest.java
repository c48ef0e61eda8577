package dev.crmsync.testkit.salesforce;

import static dev.crmsync.testkit.salesforce.FakeSf.error;
import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.ObjectType;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DescribeTest {

    private final FakeSf sf = FakeSf.start();

    @AfterEach
    void stop() {
        sf.close();
    }

    private static JsonNode field(JsonNode describe, String name) {
        for (JsonNode f : describe.path("fields")) {
            if (f.path("name").asText().equals(name)) {
                return f;
            }
        }
        return null;
    }

    private static List<String> names(JsonNode array, String key) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(key).asText()));
        return out;
    }

    @Test
    void globalDescribeListsTheQueryableTypesWithTheirFlagsAndUrls() {
        HttpResponse<String> r = sf.get(sf.v("/sobjects"));
        assertEquals(200, r.statusCode());
        JsonNode body = json(r);
        assertEquals("UTF-8", body.path("encoding").asText());
        assertEquals(200, body.path("maxBatchSize").asInt());
        List<String> names = names(body.path("sobjects"), "name");
        assertTrue(names.containsAll(List.of("Account", "Campaign", "Contact", "Lead", "User")), names.toString());
        JsonNode lead = body.path("sobjects").get(names.indexOf("Lead"));
        assertEquals("00Q", lead.path("keyPrefix").asText());
        assertTrue(lead.path("queryable").asBoolean());
        assertTrue(lead.path("replicateable").asBoolean());
        assertTrue(lead.path("createable").asBoolean());
        assertFalse(lead.path("custom").asBoolean());
        assertEquals("/services/data/v62.0/sobjects/Lead/describe", lead.path("urls").path("describe").asText());
        JsonNode account = body.path("sobjects").get(names.indexOf("Account"));
        assertFalse(account.path("updateable").asBoolean(), "one-way types are read-only for the integration");
    }

    @Test
    void globalDescribeLeavesOutHiddenTypes() {
        sf.crm.hideType(ObjectType.OPPORTUNITY);
        List<String> names = names(json(sf.get(sf.v("/sobjects"))).path("sobjects"), "name");
        assertFalse(names.contains("Opportunity"));
    }

    @Test
    void objectDescribeGivesFieldsWithSalesforceTypes() {
        JsonNode d = json(sf.get(sf.v("/sobjects/Lead/describe")));
        assertEquals("Lead", d.path("name").asText());
        JsonNode id = field(d, "Id");
        assertNotNull(id, "Id is always described");
        assertEquals("id", id.path("type").asText());
        assertEquals("tns:ID", id.path("soapType").asText());
        assertEquals("boolean", field(d, "IsDeleted").path("type").asText());
        assertEquals("datetime", field(d, "SystemModstamp").path("type").asText());
        JsonNode email = field(d, "Email");
        assertEquals("email", email.path("type").asText());
        assertEquals("xsd:string", email.path("soapType").asText());
        assertTrue(email.path("createable").asBoolean());
        assertTrue(email.path("updateable").asBoolean());
        JsonNode owner = field(d, "OwnerId");
        assertEquals("reference", owner.path("type").asText());
        assertEquals("Group", owner.path("referenceTo").get(0).asText(), "a lead's owner is a queue or a user");
        assertEquals("User", owner.path("referenceTo").get(1).asText());
        assertEquals("Owner", owner.path("relationshipName").asText());
        JsonNode converted = field(d, "IsConverted");
        assertFalse(converted.path("updateable").asBoolean());
        assertTrue(d.path("childRelationships").isArray());
        assertTrue(d.path("recordTypeInfos").isArray());
    }

    @Test
    void objectDescribeMarksFormulaFields() {
        sf.crm.addField(ObjectType.LEAD, new FieldSchema("Score__c", FieldType.DOUBLE, true, false, false, true, 0,
                List.of()));
        JsonNode f = field(json(sf.get(sf.v("/sobjects/Lead/describe"))), "Score__c");
        assertTrue(f.path("calculated").asBoolean());
        assertTrue(f.path("custom").asBoolean());
        assertEquals("double", f.path("type").asText());
    }

    @Test
    void hiddenFieldsAreNotDescribed() {
        sf.crm.hideField(ObjectType.LEAD, "Phone");
        assertEquals(null, field(json(sf.get(sf.v("/sobjects/Lead/describe"))), "Phone"));
    }

    @Test
    void customObjectsAreDescribed() {
        sf.crm.defineType(ObjectType.of("Invoice__c"), List.of(FieldSchema.of("Amount__c", FieldType.CURRENCY)));
        JsonNode d = json(sf.get(sf.v("/sobjects/Invoice__c/describe")));
        assertTrue(d.path("custom").asBoolean());
        assertEquals("Invoice", d.path("label").asText());
        assertEquals("currency", field(d, "Amount__c").path("type").asText());
    }

    @Test
    void typeNamesAreCaseInsensitive() {
        assertEquals("Lead", json(sf.get(sf.v("/sobjects/lead/describe"))).path("name").asText());
    }

    @Test
    void anUnknownTypeIsNotFound() {
        JsonNode e = error(sf.get(sf.v("/sobjects/Nope__c/describe")), 404, "NOT_FOUND");
        assertEquals("The requested resource does not exist", e.path("message").asText());
    }

    @Test
    void aHiddenTypeIsNotFound() {
        sf.crm.hideType(ObjectType.TASK);
        error(sf.get(sf.v("/sobjects/Task/describe")), 404, "NOT_FOUND");
    }

    @Test
    void ifModifiedSinceAnswers304WhileTheSchemaIsUnchanged() {
        HttpResponse<String> first = sf.get(sf.v("/sobjects/Lead/describe"));
        String lastModified = first.headers().firstValue("Last-Modified").orElseThrow();
        sf.clock.advance(Duration.ofMinutes(5));
        HttpResponse<String> again = sf.get(sf.v("/sobjects/Lead/describe"), "If-Modified-Since", lastModified);
        assertEquals(304, again.statusCode());
        assertEquals("", again.body());
        assertTrue(again.headers().firstValue("Sforce-Limit-Info").isPresent());
    }

    @Test
    void aSchemaChangeAnswersTheNewDescribeEvenWithinTheSameSecond() {
        String lastModified = sf.get(sf.v("/sobjects/Lead/describe")).headers().firstValue("Last-Modified").orElseThrow();
        sf.crm.addField(ObjectType.LEAD, FieldSchema.of("Tier__c", FieldType.STRING));
        HttpResponse<String> r = sf.get(sf.v("/sobjects/Lead/describe"), "If-Modified-Since", lastModified);
        assertEquals(200, r.statusCode());
        assertNotNull(field(json(r), "Tier__c"));
        String newer = r.headers().firstValue("Last-Modified").orElseThrow();
        assertEquals(304, sf.get(sf.v("/sobjects/Lead/describe"), "If-Modified-Since", newer).statusCode());
    }

    @Test
    void basicInfoWrapsTheGlobalEntry() {
        JsonNode r = json(sf.get(sf.v("/sobjects/Contact")));
        assertEquals("Contact", r.path("objectDescribe").path("name").asText());
        assertTrue(r.path("recentItems").isArray());
    }
}
