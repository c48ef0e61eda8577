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
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fake server refuses what Salesforce refuses, per describe, in Salesforce's shapes: a
 * per-record {@code errors[]} entry with the status code and the field for a value out of range,
 * and a whole-request {@code 400 JSON_PARSER_ERROR} for a number it cannot parse (issue 10).
 */
class StrictValuesTest {

    private final FakeSf sf = FakeSf.start();
    private CrmId lead;

    @BeforeEach
    void schema() {
        sf.crm.addField(ObjectType.LEAD, FieldSchema.builder("Score__c", FieldType.DOUBLE).precision(5, 2).build());
        sf.crm.addField(ObjectType.LEAD, FieldSchema.of("Due__c", FieldType.DATE));
        sf.crm.addField(ObjectType.LEAD, FieldSchema.builder("Tier__c", FieldType.PICKLIST)
                .picklist(List.of("Gold", "Silver"), true).build());
        sf.crm.addField(ObjectType.LEAD, FieldSchema.builder("Region__c", FieldType.STRING).nillable(false).build());
        lead = sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"),
                "Company", FieldValue.text("Acme"), "Region__c", FieldValue.text("EU")));
    }

    @AfterEach
    void stop() {
        sf.close();
    }

    private HttpResponse<String> update(String field, String jsonValue) {
        return sf.patch(sf.v("/composite/sobjects"), "{\"allOrNone\":false,\"records\":[{\"attributes\":{\"type\":"
                + "\"Lead\"},\"id\":\"" + lead.value() + "\",\"" + field + "\":" + jsonValue + "}]}");
    }

    @ParameterizedTest(name = "{0} = {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "AnnualRevenue | 1e23 | NUMBER_OUTSIDE_VALID_RANGE",
            "NumberOfEmployees | 2147483648 | NUMBER_OUTSIDE_VALID_RANGE",
            "NumberOfEmployees | 1.5 | NUMBER_OUTSIDE_VALID_RANGE",
            "Score__c | 1234.5 | NUMBER_OUTSIDE_VALID_RANGE",
            "Due__c | \"1699-12-31\" | FIELD_INTEGRITY_EXCEPTION",
            "Due__c | \"4001-01-01\" | FIELD_INTEGRITY_EXCEPTION",
            "Title | \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" | STRING_TOO_LONG",
            "Email | \"doe-at-example.com\" | INVALID_EMAIL_ADDRESS",
            "Tier__c | \"Platinum\" | INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"})
    void aBadValueIsAPerRecordErrorWithSalesforcesCodeAndTheField(String field, String jsonValue, String code) {
        HttpResponse<String> r = update(field, jsonValue);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode res = json(r).get(0);
        assertFalse(res.path("success").asBoolean(), res.toString());
        JsonNode e = res.path("errors").get(0);
        assertEquals(code, e.path("statusCode").asText(), res.toString());
        assertEquals(field, e.path("fields").get(0).asText(), res.toString());
        assertFalse(e.path("message").asText().isBlank());
        assertEquals(FieldValue.NULL, sf.crm.get(ObjectType.LEAD, lead).orElseThrow().get(field), "nothing written");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"AnnualRevenue | 1E+400", "Score__c | -1e400", "Due__c | \"-5000-01-01\"",
            "Due__c | \"99999-01-01\""})
    void anUnparseableValueFailsTheWholeRequestWithJsonParserError(String field, String jsonValue) {
        CrmId other = sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Roe"),
                "Company", FieldValue.text("Acme"), "Region__c", FieldValue.text("EU")));
        HttpResponse<String> r = sf.patch(sf.v("/composite/sobjects"), "{\"allOrNone\":false,\"records\":["
                + "{\"attributes\":{\"type\":\"Lead\"},\"id\":\"" + other.value() + "\",\"Title\":\"ok\"},"
                + "{\"attributes\":{\"type\":\"Lead\"},\"id\":\"" + lead.value() + "\",\"" + field + "\":" + jsonValue
                + "}]}");
        JsonNode e = error(r, 400, "JSON_PARSER_ERROR");
        assertFalse(e.path("message").asText().isBlank());
        assertEquals(FieldValue.NULL, sf.crm.get(ObjectType.LEAD, other).orElseThrow().get("Title"),
                "nothing of the request was written");
    }

    @Test
    void aCreateWithoutAFieldTheDescribeRequiresIsRejected() {
        HttpResponse<String> r = sf.post(sf.v("/composite/sobjects"), "{\"allOrNone\":false,\"records\":[{\"attributes\""
                + ":{\"type\":\"Lead\"},\"LastName\":\"Roe\",\"Company\":\"Acme\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode e = json(r).get(0).path("errors").get(0);
        assertEquals("REQUIRED_FIELD_MISSING", e.path("statusCode").asText());
        assertEquals("Region__c", e.path("fields").get(0).asText());
    }

    @Test
    void theDescribeSaysWhatAWriteMayCarry() {
        HttpResponse<String> r = sf.get(sf.v("/sobjects/Lead/describe"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode score = null;
        JsonNode tier = null;
        JsonNode employees = null;
        JsonNode region = null;
        for (JsonNode f : json(r).path("fields")) {
            switch (f.path("name").asText()) {
                case "Score__c" -> score = f;
                case "Tier__c" -> tier = f;
                case "NumberOfEmployees" -> employees = f;
                case "Region__c" -> region = f;
                default -> { }
            }
        }
        assertEquals(5, score.path("precision").asInt());
        assertEquals(2, score.path("scale").asInt());
        assertEquals(8, employees.path("digits").asInt());
        assertEquals(0, employees.path("precision").asInt(), "int fields give digits, as Salesforce's describe does");
        assertTrue(tier.path("restrictedPicklist").asBoolean());
        assertEquals("Gold", tier.path("picklistValues").get(0).path("value").asText());
        assertTrue(tier.path("picklistValues").get(0).path("active").asBoolean());
        assertFalse(region.path("nillable").asBoolean());
        assertFalse(region.path("defaultedOnCreate").asBoolean());
        assertFalse(region.path("externalId").asBoolean());
    }
}
