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
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Compound addresses as a real org returns them (the shape of the captured record
 * {@code sobject-record-account-with-custom-fields.json}): an object of the components in a record
 * read by id or by SOQL, null when every component is empty; read-only, while the components are
 * written as any field.
 */
class CompoundAddressTest {

    private final FakeSf sf = FakeSf.start();

    @AfterEach
    void stop() {
        sf.close();
    }

    private CrmId account() {
        return sf.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Alaska Center"),
                "BillingStreet", FieldValue.text("621 West 6th Avenue"), "BillingCity", FieldValue.text("Anchorage"),
                "BillingState", FieldValue.text("AK"), "BillingPostalCode", FieldValue.text("99501"),
                "BillingCountry", FieldValue.text("US"),
                "BillingLatitude", FieldValue.number(new BigDecimal("61.217062")),
                "BillingLongitude", FieldValue.number(new BigDecimal("-149.894342")),
                "BillingGeocodeAccuracy", FieldValue.text("Address")));
    }

    private static List<String> keys(JsonNode o) {
        List<String> out = new ArrayList<>();
        o.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static void isTheBillingAddress(JsonNode a) {
        assertEquals(List.of("city", "country", "geocodeAccuracy", "latitude", "longitude", "postalCode", "state",
                "street"), keys(a));
        assertEquals("Anchorage", a.path("city").asText());
        assertEquals("US", a.path("country").asText());
        assertEquals("Address", a.path("geocodeAccuracy").asText());
        assertTrue(a.path("latitude").isNumber());
        assertEquals(new BigDecimal("61.217062"), a.path("latitude").decimalValue());
        assertEquals(new BigDecimal("-149.894342"), a.path("longitude").decimalValue());
        assertEquals("99501", a.path("postalCode").asText());
        assertEquals("AK", a.path("state").asText());
        assertEquals("621 West 6th Avenue", a.path("street").asText());
    }

    @Test
    void retrieveReturnsTheCompoundAsAnObjectAndAnEmptyOneAsNull() {
        CrmId id = account();
        HttpResponse<String> r = sf.get(sf.v("/sobjects/Account/" + id.value()));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode rec = json(r);
        isTheBillingAddress(rec.path("BillingAddress"));
        assertEquals("Anchorage", rec.path("BillingCity").asText(), "the components come too");
        assertTrue(rec.has("ShippingAddress") && rec.path("ShippingAddress").isNull());
        assertTrue(rec.has("ShippingLatitude") && rec.path("ShippingLatitude").isNull());
        List<String> names = keys(rec);
        assertTrue(names.indexOf("BillingGeocodeAccuracy") < names.indexOf("BillingAddress"));
    }

    @Test
    void retrieveReturnsARealOrgsStandardAccountFieldsInItsOrder() {
        // the keys of the captured record, its org's namespaced package fields left out
        List<String> real = List.of("attributes", "Id", "IsDeleted", "MasterRecordId", "Name", "Type", "RecordTypeId",
                "ParentId", "BillingStreet", "BillingCity", "BillingState", "BillingPostalCode", "BillingCountry",
                "BillingLatitude", "BillingLongitude", "BillingGeocodeAccuracy", "BillingAddress", "ShippingStreet",
                "ShippingCity", "ShippingState", "ShippingPostalCode", "ShippingCountry", "ShippingLatitude",
                "ShippingLongitude", "ShippingGeocodeAccuracy", "ShippingAddress", "Phone", "Fax", "AccountNumber",
                "Website", "PhotoUrl", "Sic", "Industry", "AnnualRevenue", "NumberOfEmployees", "Ownership",
                "TickerSymbol", "Description", "Rating", "Site", "OwnerId", "CreatedDate", "CreatedById",
                "LastModifiedDate", "LastModifiedById", "SystemModstamp", "LastActivityDate", "LastViewedDate",
                "LastReferencedDate", "Jigsaw", "JigsawCompanyId", "AccountSource", "SicDesc");
        assertEquals(real, keys(json(sf.get(sf.v("/sobjects/Account/" + account().value())))));
    }

    @Test
    void retrieveWithFieldsAndSoqlMakeTheCompoundFromItsComponents() {
        CrmId id = account();
        JsonNode one = json(sf.get(sf.v("/sobjects/Account/" + id.value() + "?fields=BillingAddress")));
        isTheBillingAddress(one.path("BillingAddress"));
        assertFalse(one.has("BillingCity"), "only what was asked for");
        JsonNode q = json(sf.query("SELECT Id, BillingAddress, ShippingAddress FROM Account"));
        JsonNode row = q.path("records").get(0);
        isTheBillingAddress(row.path("BillingAddress"));
        assertTrue(row.path("ShippingAddress").isNull());
        assertEquals(List.of("attributes", "Id", "BillingAddress", "ShippingAddress"), keys(row));
    }

    @Test
    void theCompoundIsReadOnlyAndItsComponentsAreWritten() {
        // Account is read-only on this server (the engine never writes it): Lead's Address shows the rule
        error(sf.post(sf.v("/sobjects/Lead"), "{\"LastName\":\"A\",\"Company\":\"B\",\"Address\":\"Oslo\"}"), 400,
                "INVALID_FIELD_FOR_INSERT_UPDATE");
        HttpResponse<String> r = sf.post(sf.v("/sobjects/Lead"), "{\"LastName\":\"A\",\"Company\":\"B\","
                + "\"City\":\"Oslo\",\"Latitude\":59.9139,\"GeocodeAccuracy\":\"City\"}");
        assertEquals(201, r.statusCode(), r.body());
        JsonNode a = json(sf.get(sf.v("/sobjects/Lead/" + json(r).path("id").asText() + "?fields=Address")))
                .path("Address");
        assertEquals("Oslo", a.path("city").asText());
        assertEquals(new BigDecimal("59.9139"), a.path("latitude").decimalValue());
        assertTrue(a.path("street").isNull());
        error(sf.post(sf.v("/sobjects/Lead"), "{\"LastName\":\"A\",\"Company\":\"B\",\"GeocodeAccuracy\":\"Nearby\"}"),
                400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
    }

    @Test
    void theCompoundCannotBeFilteredOnNorSelectedInBulk() {
        account();
        error(sf.query("SELECT Id FROM Account WHERE BillingAddress = 'x'"), 400, "INVALID_FIELD");
        error(sf.post(sf.v("/jobs/query"), "{\"operation\":\"query\",\"query\":\"SELECT Id, BillingAddress FROM Account\"}"),
                400, "INVALIDJOB");
        HttpResponse<String> ok = sf.query("SELECT Id FROM Account WHERE BillingCity = 'Anchorage'");
        assertEquals(1, json(ok).path("totalSize").asInt());
    }
}
