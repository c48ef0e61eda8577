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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Single-record REST calls and sObject Collections delete, answered as a real org answers them. */
class SingleRecordTest {

    private final FakeSf sf = FakeSf.start();

    @AfterEach
    void stop() {
        sf.close();
    }

    private CrmId lead(String lastName) {
        return sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text(lastName),
                "Company", FieldValue.text("Acme")));
    }

    @Test
    void createAnswers201WithIdSuccessAndNoErrors() {
        HttpResponse<String> r = sf.post(sf.v("/sobjects/Lead"), "{\"LastName\":\"Ada\",\"Company\":\"Acme\"}");
        assertEquals(201, r.statusCode(), r.body());
        JsonNode b = json(r);
        assertEquals(List.of("id", "success", "errors"), List.copyOf(iterable(b.fieldNames())));
        assertTrue(b.path("success").asBoolean());
        assertEquals(0, b.path("errors").size());
        CrmId id = CrmId.of(b.path("id").asText());
        assertEquals("00Q", id.keyPrefix());
        assertEquals(sf.v("/sobjects/Lead/" + id.value()), r.headers().firstValue("Location").orElseThrow());
        assertEquals(FieldValue.text("Ada"), sf.crm.get(ObjectType.LEAD, id).orElseThrow().get("LastName"));
    }

    @Test
    void createIsCheckedAsStrictlyAsACollectionsCreate() {
        error(sf.post(sf.v("/sobjects/Lead"), "{\"LastName\":\"Ada\",\"Company\":\"Acme\",\"Nope__c\":1}"), 400,
                "INVALID_FIELD");
        JsonNode missing = error(sf.post(sf.v("/sobjects/Lead"), "{\"LastName\":\"Ada\"}"), 400,
                "REQUIRED_FIELD_MISSING");
        assertTrue(missing.path("fields").isArray());
        error(sf.post(sf.v("/sobjects/Lead"), "{\"LastName\":\"Ada\",\"Company\":\"Acme\",\"Id\":\"00Q000000000001AAA\"}"),
                400, "INVALID_FIELD");
        error(sf.post(sf.v("/sobjects/Lead"), "{\"LastName\":\"Ada\",\"Company\":\"Acme\",\"NumberOfEmployees\":\"x\"}"),
                400, "JSON_PARSER_ERROR");
        error(sf.post(sf.v("/sobjects/Lead"), "[]"), 400, "JSON_PARSER_ERROR");
        error(sf.post(sf.v("/sobjects/Nope__c"), "{}"), 404, "NOT_FOUND");
        assertEquals(0, sf.crm.count(ObjectType.LEAD));
    }

    @Test
    void retrieveAnswersTheRecordWithAttributesAndOnlyTheFieldsAsked() {
        CrmId id = lead("Ada");
        JsonNode all = json(sf.get(sf.v("/sobjects/Lead/" + id.value())));
        assertEquals("Lead", all.path("attributes").path("type").asText());
        assertEquals(sf.v("/sobjects/Lead/" + id.value()), all.path("attributes").path("url").asText());
        assertEquals(id.value(), all.path("Id").asText());
        assertEquals("Ada", all.path("LastName").asText());
        assertTrue(all.has("IsDeleted") && all.has("SystemModstamp"));
        JsonNode some = json(sf.get(sf.v("/sobjects/Lead/" + id.value() + "?fields=LastName,Company")));
        assertEquals(List.of("attributes", "LastName", "Company"), List.copyOf(iterable(some.fieldNames())));
        error(sf.get(sf.v("/sobjects/Lead/" + id.value() + "?fields=Nope")), 400, "INVALID_FIELD");
    }

    @Test
    void updateAnswers204AndWrites() {
        CrmId id = lead("Ada");
        HttpResponse<String> r = sf.patch(sf.v("/sobjects/Lead/" + id.value()), "{\"LastName\":\"Lovelace\"}");
        assertEquals(204, r.statusCode(), r.body());
        assertEquals("", r.body());
        assertEquals(FieldValue.text("Lovelace"), sf.crm.get(ObjectType.LEAD, id).orElseThrow().get("LastName"));
        error(sf.patch(sf.v("/sobjects/Lead/" + id.value()), "{\"Nope\":\"x\"}"), 400, "INVALID_FIELD");
        error(sf.patch(sf.v("/sobjects/Lead/" + id.value()), "{\"Company\":null}"), 400, "REQUIRED_FIELD_MISSING");
        assertEquals(FieldValue.text("Acme"), sf.crm.get(ObjectType.LEAD, id).orElseThrow().get("Company"));
    }

    @Test
    void deleteAnswers204ThenEntityIsDeletedAndAnUnknownIdIsNotFound() {
        CrmId id = lead("Ada");
        HttpResponse<String> r = sf.send("DELETE", sf.v("/sobjects/Lead/" + id.value()), null);
        assertEquals(204, r.statusCode(), r.body());
        assertTrue(sf.crm.get(ObjectType.LEAD, id).orElseThrow().deleted());
        JsonNode again = error(sf.send("DELETE", sf.v("/sobjects/Lead/" + id.value()), null), 404,
                "ENTITY_IS_DELETED");
        assertEquals("entity is deleted", again.path("message").asText());
        assertEquals(0, again.path("fields").size());
        error(sf.get(sf.v("/sobjects/Lead/" + id.value())), 404, "ENTITY_IS_DELETED");
        error(sf.patch(sf.v("/sobjects/Lead/" + id.value()), "{\"LastName\":\"X\"}"), 404, "ENTITY_IS_DELETED");
        JsonNode unknown = error(sf.send("DELETE", sf.v("/sobjects/Lead/00Q000000000zzzAAA"), null), 404, "NOT_FOUND");
        assertEquals("The requested resource does not exist", unknown.path("message").asText());
        error(sf.send("DELETE", sf.v("/sobjects/Contact/" + id.value()), null), 404, "NOT_FOUND");
    }

    @Test
    void collectionsDeleteAnswersOneSaveResultPerIdInOrder() {
        CrmId a = lead("A");
        CrmId b = lead("B");
        HttpResponse<String> r = sf.send("DELETE", sf.v("/composite/sobjects?ids=" + a.value() + ",bogus,"
                + b.value()), null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode res = json(r);
        assertEquals(3, res.size());
        assertEquals(a.value(), res.get(0).path("id").asText());
        assertTrue(res.get(0).path("success").asBoolean());
        assertEquals(0, res.get(0).path("errors").size());
        assertFalse(res.get(1).has("id"), "a malformed id has no id in its result");
        JsonNode e = res.get(1).path("errors").get(0);
        assertEquals("MALFORMED_ID", e.path("statusCode").asText());
        assertEquals("malformed id bogus", e.path("message").asText());
        assertTrue(e.path("fields").isArray());
        assertTrue(res.get(2).path("success").asBoolean());
        assertTrue(sf.crm.get(ObjectType.LEAD, a).orElseThrow().deleted());
        assertTrue(sf.crm.get(ObjectType.LEAD, b).orElseThrow().deleted());
        JsonNode twice = json(sf.send("DELETE", sf.v("/composite/sobjects?ids=" + a.value()), null));
        assertEquals("ENTITY_IS_DELETED", twice.get(0).path("errors").get(0).path("statusCode").asText());
    }

    @Test
    void collectionsDeleteAllOrNoneDeletesNothingWhenOneIdFails() {
        CrmId a = lead("A");
        CrmId gone = lead("Gone");
        sf.crm.delete(ObjectType.LEAD, gone);
        JsonNode res = json(sf.send("DELETE", sf.v("/composite/sobjects?allOrNone=true&ids=" + a.value() + ","
                + gone.value()), null));
        assertEquals("ALL_OR_NONE_OPERATION_ROLLED_BACK", res.get(0).path("errors").get(0).path("statusCode").asText());
        assertFalse(res.get(0).path("success").asBoolean());
        assertEquals("ENTITY_IS_DELETED", res.get(1).path("errors").get(0).path("statusCode").asText());
        assertFalse(sf.crm.get(ObjectType.LEAD, a).orElseThrow().deleted());
    }

    @Test
    void collectionsDeleteRefusesAnEmptyOrOversizedIdList() {
        JsonNode e = error(sf.send("DELETE", sf.v("/composite/sobjects"), null), 400, "REQUIRED_FIELD_MISSING");
        assertEquals("At least 1 Id is required.", e.path("message").asText());
        String many = String.join(",", java.util.Collections.nCopies(201, "00Q000000000001AAA"));
        error(sf.send("DELETE", sf.v("/composite/sobjects?ids=" + many), null), 400, "EXCEEDED_ID_LIMIT");
    }

    @Test
    void deletingARecordOfAReadOnlyTypeIsRefused() {
        CrmId user = sf.crm.insert(ObjectType.USER, Map.of("LastName", FieldValue.text("U")));
        JsonNode res = json(sf.send("DELETE", sf.v("/composite/sobjects?ids=" + user.value()), null));
        assertEquals("INSUFFICIENT_ACCESS_OR_READONLY", res.get(0).path("errors").get(0).path("statusCode").asText());
        SyncRecord u = sf.crm.get(ObjectType.USER, user).orElseThrow();
        assertFalse(u.deleted());
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
