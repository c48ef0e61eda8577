package dev.crmsync.testkit.salesforce;

import dev.crmsync.testkit.CrmOperation;
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
import dev.crmsync.testkit.InMemoryCrm;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CollectionsTest {

    private final FakeSf sf = FakeSf.start();

    @AfterEach
    void stop() {
        sf.close();
    }

    private String collections() {
        return sf.v("/composite/sobjects");
    }

    private CrmId lead(String lastName) {
        return sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text(lastName),
                "Company", FieldValue.text("Acme")));
    }

    private static String leadJson(String lastName, String company) {
        return "{\"attributes\":{\"type\":\"Lead\"},\"LastName\":\"" + lastName + "\",\"Company\":\"" + company + "\"}";
    }

    @Test
    void createAnswersOneResultPerRecordInOrder() {
        HttpResponse<String> r = sf.post(collections(), "{\"allOrNone\":false,\"records\":[" + leadJson("A", "X") + ","
                + leadJson("B", "Y") + "]}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode results = json(r);
        assertEquals(2, results.size());
        for (JsonNode res : results) {
            assertTrue(res.path("success").asBoolean(), res.toString());
            assertEquals(0, res.path("errors").size());
            assertTrue(res.path("id").asText().startsWith("00Q"));
        }
        SyncRecord a = sf.crm.get(ObjectType.LEAD, CrmId.of(results.get(0).path("id").asText())).orElseThrow();
        assertEquals(FieldValue.text("A"), a.get("LastName"));
        assertEquals(FieldValue.text("X"), a.get("Company"));
    }

    @Test
    void perRecordFailuresCarryAStatusCodeAndDoNotStopTheOthers() {
        sf.crm.addValidationRule(ObjectType.LEAD, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Company must not be Bad",
                f -> FieldValue.text("Bad").equals(f.get("Company")));
        HttpResponse<String> r = sf.post(collections(), "{\"allOrNone\":false,\"records\":[" + leadJson("A", "Bad") + ","
                + "{\"attributes\":{\"type\":\"Lead\"},\"LastName\":\"NoCompany\"}," + leadJson("C", "Good") + "]}");
        assertEquals(200, r.statusCode());
        JsonNode results = json(r);
        assertFalse(results.get(0).path("success").asBoolean());
        JsonNode e0 = results.get(0).path("errors").get(0);
        assertEquals("FIELD_CUSTOM_VALIDATION_EXCEPTION", e0.path("statusCode").asText());
        assertEquals("Company must not be Bad", e0.path("message").asText());
        assertTrue(e0.path("fields").isArray());
        assertFalse(results.get(0).has("id"), "a failed create has no id");
        assertEquals("REQUIRED_FIELD_MISSING", results.get(1).path("errors").get(0).path("statusCode").asText());
        assertTrue(results.get(2).path("success").asBoolean());
    }

    @Test
    void updateWritesTheGivenFields() {
        CrmId id = lead("Old");
        HttpResponse<String> r = sf.patch(collections(), "{\"allOrNone\":false,\"records\":[{\"attributes\":"
                + "{\"type\":\"Lead\"},\"id\":\"" + id + "\",\"LastName\":\"New\",\"Email\":null}]}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode res = json(r).get(0);
        assertTrue(res.path("success").asBoolean(), res.toString());
        assertEquals(id.value(), res.path("id").asText());
        assertEquals(FieldValue.text("New"), sf.crm.get(ObjectType.LEAD, id).orElseThrow().get("LastName"));
    }

    @Test
    void aLockedRowFailsWithUnableToLockRow() {
        CrmId id = lead("Old");
        sf.crm.lockRecord(id, 1);
        String body = "{\"records\":[{\"attributes\":{\"type\":\"Lead\"},\"Id\":\"" + id + "\",\"LastName\":\"New\"}]}";
        JsonNode first = json(sf.patch(collections(), body)).get(0);
        assertEquals("UNABLE_TO_LOCK_ROW", first.path("errors").get(0).path("statusCode").asText());
        assertEquals(id.value(), first.path("id").asText(), "a failed update names its record");
        assertTrue(json(sf.patch(collections(), body)).get(0).path("success").asBoolean(), "the lock was for one write");
    }

    @Test
    void updatingAMergedRecordFailsWithEntityIsDeleted() {
        CrmId master = lead("Master");
        CrmId loser = lead("Loser");
        sf.crm.merge(ObjectType.LEAD, master, java.util.List.of(loser));
        JsonNode res = json(sf.patch(collections(), "{\"records\":[{\"attributes\":{\"type\":\"Lead\"},\"id\":\""
                + loser + "\",\"LastName\":\"x\"}]}")).get(0);
        assertEquals("ENTITY_IS_DELETED", res.path("errors").get(0).path("statusCode").asText());
    }

    @Test
    void anUpdateWithoutIdOrWithABadIdFailsPerRecord() {
        JsonNode res = json(sf.patch(collections(), "{\"records\":[{\"attributes\":{\"type\":\"Lead\"},\"LastName\":\"x\"},"
                + "{\"attributes\":{\"type\":\"Lead\"},\"id\":\"bad\",\"LastName\":\"x\"}]}"));
        assertEquals("MISSING_ARGUMENT", res.get(0).path("errors").get(0).path("statusCode").asText());
        assertEquals("MALFORMED_ID", res.get(1).path("errors").get(0).path("statusCode").asText());
    }

    @Test
    void aCreateWithAnIdFailsPerRecord() {
        CrmId id = lead("x");
        JsonNode res = json(sf.post(collections(), "{\"records\":[{\"attributes\":{\"type\":\"Lead\"},\"Id\":\"" + id
                + "\",\"LastName\":\"x\",\"Company\":\"y\"}]}")).get(0);
        assertEquals("INVALID_FIELD", res.path("errors").get(0).path("statusCode").asText());
    }

    @Test
    void allOrNoneRollsBackTheOthersWhenOneFails() {
        CrmId a = lead("A");
        CrmId b = lead("B");
        sf.crm.lockRecord(b, 1);
        HttpResponse<String> r = sf.patch(collections(), "{\"allOrNone\":true,\"records\":["
                + "{\"attributes\":{\"type\":\"Lead\"},\"id\":\"" + a + "\",\"LastName\":\"A2\"},"
                + "{\"attributes\":{\"type\":\"Lead\"},\"id\":\"" + b + "\",\"LastName\":\"B2\"}]}");
        JsonNode res = json(r);
        assertEquals("ALL_OR_NONE_OPERATION_ROLLED_BACK", res.get(0).path("errors").get(0).path("statusCode").asText());
        assertEquals("UNABLE_TO_LOCK_ROW", res.get(1).path("errors").get(0).path("statusCode").asText());
        assertEquals(FieldValue.text("A"), sf.crm.get(ObjectType.LEAD, a).orElseThrow().get("LastName"));
    }

    @Test
    void allOrNoneCreatesNothingWhenARecordIsInvalidUpFront() {
        long before = sf.crm.count(ObjectType.LEAD);
        JsonNode res = json(sf.post(collections(), "{\"allOrNone\":true,\"records\":[" + leadJson("A", "X") + ","
                + "{\"attributes\":{\"type\":\"Lead\"},\"id\":\"00Q000000000001AAA\",\"LastName\":\"B\"}]}"));
        assertEquals("ALL_OR_NONE_OPERATION_ROLLED_BACK", res.get(0).path("errors").get(0).path("statusCode").asText());
        assertEquals(before, sf.crm.count(ObjectType.LEAD));
    }

    @Test
    void moreThan200RecordsIsRefusedWhole() {
        StringBuilder sb = new StringBuilder("{\"records\":[");
        for (int i = 0; i < 201; i++) {
            sb.append(i == 0 ? "" : ",").append(leadJson("L" + i, "C"));
        }
        error(sf.post(collections(), sb.append("]}").toString()), 400, "EXCEEDED_ID_LIMIT");
        assertEquals(0, sf.crm.count(ObjectType.LEAD));
    }

    @Test
    void anUnknownFieldIsRefusedWhole() {
        JsonNode e = error(sf.post(collections(), "{\"records\":[{\"attributes\":{\"type\":\"Lead\"},\"Nope__c\":1}]}"),
                400, "INVALID_FIELD");
        assertEquals("No such column 'Nope__c' on sobject of type Lead", e.path("message").asText());
    }

    @Test
    void aWrongValueTypeIsAJsonParserError() {
        error(sf.post(collections(), "{\"records\":[{\"attributes\":{\"type\":\"Lead\"},\"LastName\":\"x\","
                + "\"Company\":\"y\",\"DoNotCall\":\"maybe\"}]}"), 400, "JSON_PARSER_ERROR");
    }

    @Test
    void brokenJsonIsAJsonParserError() {
        error(sf.post(collections(), "{\"records\":["), 400, "JSON_PARSER_ERROR");
    }

    @Test
    void aRecordWithoutTypeIsRefusedWhole() {
        error(sf.post(collections(), "{\"records\":[{\"LastName\":\"x\"}]}"), 400, "INVALID_TYPE");
    }

    @Test
    void writesToOneWayTypesAreRefusedPerRecord() {
        JsonNode res = json(sf.post(collections(), "{\"records\":[{\"attributes\":{\"type\":\"Account\"},"
                + "\"Name\":\"Acme\"}]}")).get(0);
        assertFalse(res.path("success").asBoolean());
        assertEquals("INVALID_TYPE_FOR_OPERATION", res.path("errors").get(0).path("statusCode").asText());
    }

    @Test
    void retrieveReturnsRecordsInIdOrderWithNullForMissingOrDeleted() {
        CrmId a = lead("A");
        CrmId gone = lead("Gone");
        sf.crm.delete(ObjectType.LEAD, gone);
        CrmId b = lead("B");
        HttpResponse<String> r = sf.get(sf.v("/composite/sobjects/Lead?ids=" + b + "," + gone + "," + a
                + "&fields=Id,LastName"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode arr = json(r);
        assertEquals(3, arr.size());
        assertEquals("B", arr.get(0).path("LastName").asText());
        assertTrue(arr.get(1).isNull());
        assertEquals(a.value(), arr.get(2).path("Id").asText());
        assertEquals("Lead", arr.get(2).path("attributes").path("type").asText());
    }

    @Test
    void retrieveByPostTakesIdsAndFieldsInTheBody() {
        CrmId a = lead("A");
        JsonNode arr = json(sf.post(sf.v("/composite/sobjects/Lead"), "{\"ids\":[\"" + a + "\"],\"fields\":[\"LastName\"]}"));
        assertEquals("A", arr.get(0).path("LastName").asText());
    }

    @Test
    void retrieveNeedsFields() {
        error(sf.get(sf.v("/composite/sobjects/Lead?ids=" + lead("A"))), 400, "MISSING_ARGUMENT");
    }

    @Test
    void aSingleRecordCanBeRead() {
        CrmId a = lead("A");
        JsonNode rec = json(sf.get(sf.v("/sobjects/Lead/" + a + "?fields=LastName,Company")));
        assertEquals("A", rec.path("LastName").asText());
        assertEquals("Acme", rec.path("Company").asText());
        error(sf.get(sf.v("/sobjects/Lead/00Q000000000001AAA")), 404, "NOT_FOUND");
    }

    @Test
    void mixedTypesAreWrittenInChunksAndAnsweredInInputOrder() {
        String contact = "{\"attributes\":{\"type\":\"Contact\"},\"LastName\":\"C\"}";
        JsonNode res = json(sf.post(collections(), "{\"records\":[" + leadJson("L1", "X") + "," + contact + ","
                + leadJson("L2", "Y") + "]}"));
        assertTrue(res.get(0).path("id").asText().startsWith("00Q"));
        assertTrue(res.get(1).path("id").asText().startsWith("003"));
        assertTrue(res.get(2).path("id").asText().startsWith("00Q"));
        assertEquals(3, sf.crm.callCounts().get(CrmOperation.WRITE.callName()), "one CRM write per chunk");
    }

    @Test
    void moreThanTenChunksAreRefusedWhole() {
        String contact = "{\"attributes\":{\"type\":\"Contact\"},\"LastName\":\"C\"}";
        StringBuilder sb = new StringBuilder("{\"records\":[");
        for (int i = 0; i < 11; i++) {
            sb.append(i == 0 ? "" : ",").append(i % 2 == 0 ? leadJson("L", "X") : contact);
        }
        error(sf.post(collections(), sb.append("]}").toString()), 400, "INVALID_BATCH_REQUEST");
    }

    @Test
    void gzippedRequestBodiesAreAccepted() throws java.io.IOException, InterruptedException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(bytes)) {
            gz.write(("{\"records\":[" + leadJson("Zipped", "X") + "]}").getBytes(StandardCharsets.UTF_8));
        }
        HttpRequest req = HttpRequest.newBuilder(URI.create(sf.server.baseUri() + collections()))
                .header("Authorization", "Bearer " + sf.token).header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes.toByteArray())).build();
        HttpResponse<String> r = FakeSf.HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(json(r).get(0).path("success").asBoolean());
    }
}
