package dev.crmsync.testkit.salesforce;

import static dev.crmsync.testkit.salesforce.FakeSf.error;
import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Upsert by external id, collections and single record, with Salesforce's shapes and codes. */
class UpsertTest {

    private static final String EXT = "Crmsync_Id__c";
    private final FakeSf sf = FakeSf.start();

    @BeforeEach
    void schema() {
        sf.crm.addField(ObjectType.LEAD, FieldSchema.builder(EXT, FieldType.STRING).externalId(true).build());
        sf.crm.addField(ObjectType.LEAD, FieldSchema.of("Plain__c", FieldType.STRING));
    }

    @AfterEach
    void stop() {
        sf.close();
    }

    private String upsertPath(String field) {
        return sf.v("/composite/sobjects/Lead/" + field);
    }

    private static String lead(String ext, String last) {
        return "{\"attributes\":{\"type\":\"Lead\"},\"" + EXT + "\":\"" + ext + "\",\"LastName\":\"" + last
                + "\",\"Company\":\"Acme\"}";
    }

    private long leadsWith(String ext) {
        return sf.crm.records(ObjectType.LEAD).stream().filter(r -> FieldValue.text(ext).equals(r.get(EXT))).count();
    }

    @Test
    void collectionsUpsertCreatesThenUpdatesAndSaysWhichInCreated() {
        HttpResponse<String> r = sf.patch(upsertPath(EXT), "{\"allOrNone\":false,\"records\":[" + lead("m-1", "A")
                + "]}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode first = json(r).get(0);
        assertTrue(first.path("success").asBoolean(), r.body());
        assertTrue(first.path("created").asBoolean(), r.body());
        String id = first.path("id").asText();

        HttpResponse<String> again = sf.patch(upsertPath(EXT), "{\"allOrNone\":false,\"records\":["
                + lead("M-1", "B") + "," + lead("m-2", "C") + "]}");
        JsonNode results = json(again);
        assertEquals(id, results.get(0).path("id").asText(), "found by its external id, case-insensitively");
        assertFalse(results.get(0).path("created").asBoolean());
        assertTrue(results.get(1).path("created").asBoolean());
        assertEquals(1, leadsWith("m-1"));
        SyncRecord a = sf.crm.get(ObjectType.LEAD, CrmId.of(id)).orElseThrow();
        assertEquals(FieldValue.text("B"), a.get("LastName"));
    }

    @Test
    void aFieldThatIsNotAnExternalIdIsRefusedWithNotFound() {
        error(sf.patch(upsertPath("Plain__c"), "{\"allOrNone\":false,\"records\":[" + lead("m-1", "A") + "]}"), 404,
                "NOT_FOUND");
        error(sf.patch(upsertPath("Nope__c"), "{\"allOrNone\":false,\"records\":[" + lead("m-1", "A") + "]}"), 404,
                "NOT_FOUND");
        error(sf.patch(sf.v("/sobjects/Lead/Plain__c/m-1"), "{\"LastName\":\"A\",\"Company\":\"Acme\"}"), 404,
                "NOT_FOUND");
        assertEquals(0, sf.crm.count(ObjectType.LEAD));
    }

    @Test
    void severalMatchesAreDuplicateExternalIdPerRecordAnd300ForOneRecord() {
        sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("X"), "Company", FieldValue.text("Acme"),
                EXT, FieldValue.text("dup")));
        sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Y"), "Company", FieldValue.text("Acme"),
                EXT, FieldValue.text("dup")));
        JsonNode res = json(sf.patch(upsertPath(EXT), "{\"allOrNone\":false,\"records\":[" + lead("dup", "Z") + ","
                + lead("fresh", "W") + "]}"));
        assertFalse(res.get(0).path("success").asBoolean());
        assertEquals("DUPLICATE_EXTERNAL_ID", res.get(0).path("errors").get(0).path("statusCode").asText());
        assertTrue(res.get(1).path("success").asBoolean(), "one bad record does not stop the rest");

        HttpResponse<String> one = sf.patch(sf.v("/sobjects/Lead/" + EXT + "/dup"), "{\"LastName\":\"Z\"}");
        assertEquals(300, one.statusCode(), one.body());
        assertEquals(2, json(one).size());
        assertTrue(json(one).get(0).asText().contains("/sobjects/Lead/00Q"), one.body());
    }

    @Test
    void anAllOrNoneUpsertWithOneRejectedRecordWritesNothingAndGivesUpdatedRecordsTheirValuesBack() {
        CrmId existing = sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Old"),
                "Company", FieldValue.text("Acme"), EXT, FieldValue.text("m-1")));
        sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("X"), "Company", FieldValue.text("Acme"),
                EXT, FieldValue.text("dup")));
        sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Y"), "Company", FieldValue.text("Acme"),
                EXT, FieldValue.text("dup")));
        JsonNode res = json(sf.patch(upsertPath(EXT), "{\"allOrNone\":true,\"records\":[" + lead("m-1", "New") + ","
                + lead("fresh", "W") + "," + lead("dup", "Z") + "]}"));
        for (JsonNode r : res) {
            assertFalse(r.path("success").asBoolean(), res.toString());
        }
        assertEquals(FieldValue.text("Old"), sf.crm.get(ObjectType.LEAD, existing).orElseThrow().get("LastName"),
                "the update is rolled back");
        assertEquals(0, leadsWith("fresh"), "the create is rolled back");
    }

    @Test
    void singleRecordUpsertAnswers201Created200Updated() {
        HttpResponse<String> created = sf.patch(sf.v("/sobjects/Lead/" + EXT + "/s-1"),
                "{\"LastName\":\"A\",\"Company\":\"Acme\"}");
        assertEquals(201, created.statusCode(), created.body());
        assertTrue(json(created).path("created").asBoolean());
        HttpResponse<String> updated = sf.patch(sf.v("/sobjects/Lead/" + EXT + "/s-1"), "{\"Title\":\"VP\"}");
        assertEquals(200, updated.statusCode(), updated.body());
        assertFalse(json(updated).path("created").asBoolean());
        assertEquals(json(created).path("id").asText(), json(updated).path("id").asText());
        assertEquals(1, leadsWith("s-1"));
    }

    @Test
    void valuesAreCheckedPerDescribeAsForCreates() {
        JsonNode res = json(sf.patch(upsertPath(EXT), "{\"allOrNone\":false,\"records\":["
                + "{\"attributes\":{\"type\":\"Lead\"},\"" + EXT + "\":\"m-9\",\"LastName\":\"A\"}," // no Company
                + "{\"attributes\":{\"type\":\"Lead\"},\"" + EXT + "\":\"m-8\",\"LastName\":\"" + "x".repeat(300)
                + "\",\"Company\":\"Acme\"},"
                + "{\"attributes\":{\"type\":\"Lead\"},\"LastName\":\"No id\",\"Company\":\"Acme\"}]}"));
        assertEquals("REQUIRED_FIELD_MISSING", res.get(0).path("errors").get(0).path("statusCode").asText());
        assertEquals("STRING_TOO_LONG", res.get(1).path("errors").get(0).path("statusCode").asText());
        assertEquals("MISSING_ARGUMENT", res.get(2).path("errors").get(0).path("statusCode").asText());
        error(sf.patch(sf.v("/sobjects/Lead/" + EXT + "/s-2"), "{\"LastName\":\"A\"}"), 400, "REQUIRED_FIELD_MISSING");
        assertEquals(0, sf.crm.count(ObjectType.LEAD));
    }
}
