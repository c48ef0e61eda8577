package dev.crmsync.testkit.salesforce;

import static dev.crmsync.testkit.salesforce.FakeSf.error;
import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SOQL beyond plain fields: relative date literals, parent relationship paths, NULLS FIRST/LAST, OFFSET. */
class SoqlFeaturesTest {

    private final FakeSf sf = FakeSf.start();

    @AfterEach
    void stop() {
        sf.close();
    }

    private CrmId leadAt(String name, String when) {
        sf.clock.set(Instant.parse(when));
        return sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text(name),
                "Company", FieldValue.text("Acme")));
    }

    private List<String> names(String where) {
        JsonNode r = json(sf.query("SELECT LastName FROM Lead WHERE " + where + " ORDER BY LastName"));
        List<String> out = new ArrayList<>();
        r.path("records").forEach(x -> out.add(x.path("LastName").asText()));
        return out;
    }

    @Test
    void relativeDateLiteralsCompareWithTheirRangeOfDaysOnTheServersClockInUtc() {
        leadAt("LastMonth", "2024-04-15T12:00:00Z");
        leadAt("LastWeek", "2024-04-25T12:00:00Z");
        leadAt("Sunday", "2024-04-28T00:00:00Z");
        leadAt("Yesterday", "2024-04-30T23:59:59Z");
        leadAt("Today", "2024-05-01T00:00:00Z");
        sf.clock.set(Instant.parse("2024-05-01T10:00:00Z"));   // a Wednesday
        assertEquals(List.of("Today"), names("CreatedDate = TODAY"));
        assertEquals(List.of("Yesterday"), names("CreatedDate = YESTERDAY"));
        assertEquals(List.of(), names("CreatedDate = TOMORROW"));
        assertEquals(List.of("Sunday", "Today", "Yesterday"), names("CreatedDate = THIS_WEEK"));
        assertEquals(List.of("LastWeek"), names("CreatedDate = LAST_WEEK"));
        assertEquals(List.of("Today"), names("CreatedDate = THIS_MONTH"));
        assertEquals(List.of("LastMonth", "LastWeek", "Sunday", "Yesterday"), names("CreatedDate = LAST_MONTH"));
        assertEquals(List.of("Today", "Yesterday"), names("CreatedDate = LAST_N_DAYS:1"),
                "LAST_N_DAYS:n holds today and the n days before");
        assertEquals(List.of("LastMonth", "LastWeek", "Sunday"), names("CreatedDate < LAST_N_DAYS:1"));
        assertEquals(List.of("Sunday", "Today", "Yesterday"), names("CreatedDate >= N_DAYS_AGO:3"));
        assertEquals(List.of("LastMonth", "LastWeek", "Sunday", "Yesterday"), names("CreatedDate != TODAY"));
        assertEquals(List.of("LastWeek", "Today"), names("CreatedDate IN (TODAY, LAST_WEEK)"));
        assertEquals(List.of("LastMonth", "LastWeek", "Sunday", "Today", "Yesterday"),
                names("CreatedDate = THIS_YEAR AND CreatedDate = THIS_QUARTER"));
        assertEquals(List.of(), names("CreatedDate = NEXT_N_DAYS:30"));
    }

    @Test
    void dateFieldsTakeDateLiteralsToo() {
        sf.crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("Born"),
                "Birthdate", FieldValue.date(LocalDate.parse("2024-04-30"))));
        JsonNode r = json(sf.query("SELECT LastName FROM Contact WHERE Birthdate = YESTERDAY"));
        assertEquals(1, r.path("totalSize").asInt(), r.toString());
        assertEquals(0, json(sf.query("SELECT LastName FROM Contact WHERE Birthdate = TODAY")).path("totalSize").asInt());
    }

    @Test
    void dateLiteralsAreCheckedAsSalesforceChecksThem() {
        error(sf.query("SELECT Id FROM Lead WHERE LastName = TODAY"), 400, "INVALID_FIELD");
        error(sf.query("SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS"), 400, "MALFORMED_QUERY");
        error(sf.query("SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS:x"), 400, "MALFORMED_QUERY");
        error(sf.query("SELECT Id FROM Lead WHERE CreatedDate = SOMEDAY"), 400, "MALFORMED_QUERY");
    }

    @Test
    void parentFieldsComeAsNestedObjectsWithTheirOwnAttributes() {
        CrmId owner = sf.crm.insert(ObjectType.USER, Map.of("FirstName", FieldValue.text("Grace"),
                "LastName", FieldValue.text("Hopper")));
        CrmId energy = sf.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Volt"),
                "Industry", FieldValue.text("Energy"), "OwnerId", FieldValue.ref(owner)));
        CrmId banks = sf.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Vault"),
                "Industry", FieldValue.text("Banking")));
        sf.crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("A"), "AccountId", FieldValue.ref(energy)));
        sf.crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("B"), "AccountId", FieldValue.ref(banks)));
        sf.crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("C")));
        JsonNode r = json(sf.query("SELECT LastName, account.name, Account.Industry, Account.Owner.Name FROM Contact "
                + "ORDER BY LastName"));
        JsonNode a = r.path("records").get(0);
        JsonNode acc = a.path("Account");
        assertEquals("Account", acc.path("attributes").path("type").asText());
        assertEquals(sf.v("/sobjects/Account/" + energy.value()), acc.path("attributes").path("url").asText());
        assertEquals("Volt", acc.path("Name").asText());
        assertEquals("Energy", acc.path("Industry").asText());
        assertEquals("User", acc.path("Owner").path("attributes").path("type").asText());
        assertEquals("Grace Hopper", acc.path("Owner").path("Name").asText());
        JsonNode b = r.path("records").get(1).path("Account");
        assertTrue(b.path("Owner").isNull(), "an empty reference on the way is null: " + b);
        assertTrue(r.path("records").get(2).path("Account").isNull(), "no account: null, not an object");
        assertEquals(List.of("attributes", "LastName", "Account"), fieldNames(a));

        JsonNode filtered = json(sf.query("SELECT LastName FROM Contact WHERE Account.Industry = 'energy'"));
        assertEquals(1, filtered.path("totalSize").asInt());
        JsonNode sorted = json(sf.query("SELECT LastName FROM Contact WHERE AccountId != null ORDER BY Account.Name DESC"));
        assertEquals(List.of("A", "B"), List.of(sorted.path("records").get(0).path("LastName").asText(),
                sorted.path("records").get(1).path("LastName").asText()), "Volt before Vault, descending");
        error(sf.query("SELECT Account.Nope FROM Contact"), 400, "INVALID_FIELD");
        error(sf.query("SELECT Nope.Name FROM Contact"), 400, "INVALID_FIELD");
    }

    @Test
    void offsetSkipsRowsAfterOrderingAndNullsFirstOrLastPlacesEmptyValues() {
        for (String name : List.of("B", "A", "C")) {
            sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text(name), "Company", FieldValue.text("X")));
        }
        sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("N"), "Company", FieldValue.text("X"),
                "Title", FieldValue.text("CEO")));
        JsonNode first = json(sf.query("SELECT LastName, Title FROM Lead ORDER BY Title NULLS FIRST, LastName"));
        assertEquals("A", first.path("records").get(0).path("LastName").asText());
        assertEquals("N", first.path("records").get(3).path("LastName").asText());
        JsonNode last = json(sf.query("SELECT LastName, Title FROM Lead ORDER BY Title NULLS LAST, LastName"));
        assertEquals("N", last.path("records").get(0).path("LastName").asText());
        JsonNode page = json(sf.query("SELECT LastName FROM Lead ORDER BY LastName LIMIT 2 OFFSET 1"));
        assertEquals(2, page.path("totalSize").asInt());
        assertEquals("B", page.path("records").get(0).path("LastName").asText());
        assertEquals("C", page.path("records").get(1).path("LastName").asText());
        assertEquals(0, json(sf.query("SELECT LastName FROM Lead ORDER BY LastName OFFSET 10")).path("totalSize").asInt());
        error(sf.query("SELECT LastName FROM Lead OFFSET 2001"), 400, "NUMBER_OUTSIDE_VALID_RANGE");
        JsonNode desc = json(sf.query("SELECT LastName FROM Lead ORDER BY LastName DESC NULLS LAST LIMIT 1"));
        assertEquals("N", desc.path("records").get(0).path("LastName").asText());
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
