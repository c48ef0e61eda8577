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
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QueryTest {

    private final FakeSf sf = FakeSf.start();

    @AfterEach
    void stop() {
        sf.close();
    }

    private CrmId lead(String lastName) {
        return lead(lastName, Map.of());
    }

    private CrmId lead(String lastName, Map<String, FieldValue> more) {
        Map<String, FieldValue> f = new HashMap<>(more);
        f.put("LastName", FieldValue.text(lastName));
        f.put("Company", FieldValue.text("Acme"));
        return sf.crm.insert(ObjectType.LEAD, f);
    }

    private static List<String> ids(JsonNode result) {
        List<String> out = new ArrayList<>();
        result.path("records").forEach(r -> out.add(r.path("Id").asText()));
        return out;
    }

    @Test
    void recordsComeInSalesforcesJsonShape() {
        CrmId owner = sf.crm.insert(ObjectType.USER, Map.of("LastName", FieldValue.text("Owner"),
                "Username", FieldValue.text("o@example.com"), "Email", FieldValue.text("o@example.com")));
        CrmId id = lead("Smith", Map.of("AnnualRevenue", FieldValue.number("300"),
                "NumberOfEmployees", FieldValue.number(12), "HasOptedOutOfEmail", FieldValue.bool(true),
                "OwnerId", FieldValue.ref(owner), "Email", FieldValue.NULL));
        HttpResponse<String> r = sf.query("SELECT Id, LastName, AnnualRevenue, NumberOfEmployees, HasOptedOutOfEmail, "
                + "OwnerId, Email, SystemModstamp, IsDeleted FROM Lead");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        String expected = "{\"totalSize\":1,\"done\":true,\"records\":[{\"attributes\":{\"type\":\"Lead\",\"url\":"
                + "\"/services/data/v62.0/sobjects/Lead/" + id + "\"},\"Id\":\"" + id + "\",\"LastName\":\"Smith\","
                + "\"AnnualRevenue\":300.0,\"NumberOfEmployees\":12,\"HasOptedOutOfEmail\":true,\"OwnerId\":\""
                + owner + "\",\"Email\":null,\"SystemModstamp\":\"2024-05-01T10:00:00.000+0000\",\"IsDeleted\":false}]}";
        assertEquals(expected, r.body());
    }

    @Test
    void datesAreWrittenAsCalendarDates() {
        sf.crm.addField(ObjectType.LEAD, FieldSchema.of("Since__c", FieldType.DATE));
        lead("Smith", Map.of("Since__c", FieldValue.date(LocalDate.of(2010, 1, 1))));
        JsonNode rec = json(sf.query("SELECT Since__c FROM Lead")).path("records").get(0);
        assertEquals("2010-01-01", rec.path("Since__c").asText());
    }

    @Test
    void namesResolveCaseInsensitivelyAndComeBackInDescribeSpelling() {
        lead("Smith");
        JsonNode rec = json(sf.query("select lastname, ID from lead")).path("records").get(0);
        assertEquals("Lead", rec.path("attributes").path("type").asText());
        assertEquals("Smith", rec.path("LastName").asText());
        assertTrue(rec.has("Id"));
    }

    @Test
    void queryHidesDeletedRecordsAndQueryAllShowsThem() {
        CrmId kept = lead("Kept");
        CrmId gone = lead("Gone");
        sf.crm.delete(ObjectType.LEAD, gone);
        assertEquals(List.of(kept.value()), ids(json(sf.query("SELECT Id FROM Lead"))));
        JsonNode all = json(sf.queryAll("SELECT Id, IsDeleted FROM Lead ORDER BY LastName"));
        assertEquals(2, all.path("totalSize").asInt());
        JsonNode deleted = all.path("records").get(0);
        assertEquals(gone.value(), deleted.path("Id").asText());
        assertTrue(deleted.path("IsDeleted").asBoolean());
    }

    @Test
    void queryAllShowsMergeLosersWithTheirMaster() {
        CrmId master = lead("Master");
        CrmId loser = lead("Loser");
        sf.crm.merge(ObjectType.LEAD, master, List.of(loser));
        JsonNode all = json(sf.queryAll("SELECT Id, IsDeleted, MasterRecordId FROM Lead WHERE MasterRecordId = '"
                + master + "'"));
        assertEquals(1, all.path("totalSize").asInt(), all.toString());
        JsonNode rec = all.path("records").get(0);
        assertEquals(loser.value(), rec.path("Id").asText());
        assertTrue(rec.path("IsDeleted").asBoolean());
        assertEquals(master.value(), rec.path("MasterRecordId").asText());
    }

    @Test
    void orderByAndLimitAreHonoured() {
        lead("b", Map.of("Email", FieldValue.text("b@x.com")));
        lead("A", Map.of("Email", FieldValue.text("a@x.com")));
        lead("c");
        JsonNode asc = json(sf.query("SELECT LastName FROM Lead ORDER BY LastName"));
        assertEquals(List.of("A", "b", "c"), values(asc, "LastName"), "text sorts case-insensitively");
        JsonNode desc = json(sf.query("SELECT LastName FROM Lead ORDER BY Email DESC"));
        assertEquals(List.of("b", "A", "c"), values(desc, "LastName"), "DESC puts nulls last");
        JsonNode nullsFirst = json(sf.query("SELECT LastName FROM Lead ORDER BY Email DESC NULLS FIRST LIMIT 2"));
        assertEquals(List.of("c", "b"), values(nullsFirst, "LastName"));
        assertEquals(2, nullsFirst.path("totalSize").asInt());
    }

    private static List<String> values(JsonNode result, String field) {
        List<String> out = new ArrayList<>();
        result.path("records").forEach(r -> out.add(r.path(field).asText()));
        return out;
    }

    @Test
    void keysetPagingReturnsRecordsStrictlyAfterTheCursorInStampAndIdOrder() {
        List<CrmId> first = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            first.add(lead("L" + i));
        }
        sf.clock.advance(Duration.ofSeconds(1));
        CrmId later = lead("Later");
        String q = "SELECT Id FROM Lead WHERE SystemModstamp > 2024-05-01T10:00:00Z OR (SystemModstamp = "
                + "2024-05-01T10:00:00Z AND Id > '" + first.get(2) + "') ORDER BY SystemModstamp, Id LIMIT 2";
        assertEquals(List.of(first.get(3).value(), first.get(4).value()), ids(json(sf.query(q))));
        String q2 = "SELECT Id FROM Lead WHERE SystemModstamp > 2024-05-01T10:00:00Z OR (SystemModstamp = "
                + "2024-05-01T10:00:00Z AND Id > '" + first.get(4) + "') ORDER BY SystemModstamp, Id LIMIT 2";
        assertEquals(List.of(later.value()), ids(json(sf.query(q2))));
    }

    @Test
    void idInSelectsThoseRecords() {
        CrmId a = lead("a");
        lead("b");
        CrmId c = lead("c");
        JsonNode r = json(sf.query("SELECT Id FROM Lead WHERE Id IN ('" + a + "', '" + c.shortForm() + "') ORDER BY Id"));
        assertEquals(List.of(a.value(), c.value()), ids(r));
    }

    @Test
    void anEscapedHostileValueMatchesOnlyItself() {
        String hostile = "O'Brien \\ ' OR Id != '";
        CrmId target = lead(hostile);
        lead("Other");
        String escaped = hostile.replace("\\", "\\\\").replace("'", "\\'");
        JsonNode r = json(sf.query("SELECT Id, LastName FROM Lead WHERE LastName = '" + escaped + "'"));
        assertEquals(List.of(target.value()), ids(r));
        assertEquals(hostile, r.path("records").get(0).path("LastName").asText());
    }

    @Test
    void textEqualityIsCaseInsensitive() {
        CrmId id = lead("Smith", Map.of("Email", FieldValue.text("Pat@Example.com")));
        assertEquals(List.of(id.value()), ids(json(sf.query("SELECT Id FROM Lead WHERE Email = 'pat@example.COM'"))));
    }

    @Test
    void notEqualsMatchesNulls() {
        lead("a", Map.of("Email", FieldValue.text("a@x.com")));
        CrmId noEmail = lead("b");
        assertEquals(List.of(noEmail.value()), ids(json(sf.query("SELECT Id FROM Lead WHERE Email != 'a@x.com'"))));
    }

    @Test
    void numericAndBooleanComparisons() {
        lead("small", Map.of("NumberOfEmployees", FieldValue.number(5)));
        CrmId big = lead("big", Map.of("NumberOfEmployees", FieldValue.number(500), "DoNotCall", FieldValue.bool(true)));
        assertEquals(List.of(big.value()), ids(json(sf.query("SELECT Id FROM Lead WHERE NumberOfEmployees >= 100"))));
        assertEquals(List.of(big.value()), ids(json(sf.query("SELECT Id FROM Lead WHERE DoNotCall = true"))));
    }

    @Test
    void countReturnsOnlyTheTotal() {
        lead("a");
        lead("b");
        JsonNode r = json(sf.query("SELECT COUNT() FROM Lead"));
        assertEquals(2, r.path("totalSize").asInt());
        assertTrue(r.path("done").asBoolean());
        assertEquals(0, r.path("records").size());
        JsonNode agg = json(sf.query("SELECT COUNT(Id) FROM Lead"));
        assertEquals("AggregateResult", agg.path("records").get(0).path("attributes").path("type").asText());
        assertFalse(agg.path("records").get(0).path("attributes").has("url"));
        assertEquals(2, agg.path("records").get(0).path("expr0").asInt());
    }

    @Test
    void pagesFollowNextRecordsUrlWithTheRequestedBatchSize() {
        for (int i = 0; i < 450; i++) {
            lead("L" + i);
        }
        HttpResponse<String> r = sf.query("SELECT Id FROM Lead", "Sforce-Query-Options", "batchSize=200");
        JsonNode page = json(r);
        List<String> seen = new ArrayList<>(ids(page));
        int pages = 1;
        while (!page.path("done").asBoolean()) {
            String next = page.path("nextRecordsUrl").asText();
            assertTrue(next.matches("/services/data/v62\\.0/query/01g[0-9A-Za-z]{15}-\\d+"), next);
            assertEquals(450, page.path("totalSize").asInt(), "totalSize is repeated on every page");
            page = json(sf.get(next));
            seen.addAll(ids(page));
            pages++;
        }
        assertEquals(3, pages);
        assertEquals(450, seen.size());
        assertEquals(450, seen.stream().distinct().count());
        assertFalse(page.has("nextRecordsUrl"));
    }

    @Test
    void theDefaultBatchIs2000AndSmallerRequestsAreRaisedTo200() {
        for (int i = 0; i < 2100; i++) {
            lead("L" + i);
        }
        assertEquals(2000, json(sf.query("SELECT Id FROM Lead")).path("records").size());
        assertEquals(200, json(sf.query("SELECT Id FROM Lead", "Sforce-Query-Options", "batchSize=10"))
                .path("records").size());
    }

    @Test
    void aLocatorStaysValidAndCanBeReadAgain() {
        for (int i = 0; i < 250; i++) {
            lead("L" + i);
        }
        String next = json(sf.query("SELECT Id FROM Lead", "Sforce-Query-Options", "batchSize=200"))
                .path("nextRecordsUrl").asText();
        sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("new"), "Company", FieldValue.text("x")));
        JsonNode once = json(sf.get(next));
        JsonNode twice = json(sf.get(next));
        assertEquals(50, once.path("records").size(), "the cursor is a snapshot taken when the query ran");
        assertEquals(once, twice);
    }

    @Test
    void aCursorHoldsItsRowsIdsNotTheirRecords() {
        for (int i = 0; i < 3_000; i++) {
            lead("L" + i);
        }
        JsonNode page = json(sf.query("SELECT Id, LastName, Company FROM Lead", "Sforce-Query-Options", "batchSize=200"));
        assertEquals(0, sf.server.queryCursorRecordsHeld(), "an open cursor over 3,000 rows holds no record");
        Set<String> seen = new HashSet<>(ids(page));
        int pages = 1;
        while (!page.path("done").asBoolean()) {
            page = json(sf.get(page.path("nextRecordsUrl").asText()));
            seen.addAll(ids(page));
            assertEquals(3_000, page.path("totalSize").asInt());
            pages++;
        }
        assertEquals(15, pages);
        assertEquals(3_000, seen.size());
        assertEquals(0, sf.server.queryCursorRecordsHeld());
    }

    @Test
    void aCursorGathersItsIdsWhenTheQueryRunsAndLeavesOutRowsChangedOrDeletedSince() {
        List<CrmId> leads = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            leads.add(lead("L" + i));
        }
        String soql = "SELECT Id, LastName FROM Lead ORDER BY SystemModstamp, Id";
        JsonNode first = json(sf.query(soql, "Sforce-Query-Options", "batchSize=200"));
        List<String> firstIds = ids(first);
        List<String> rest = new ArrayList<>();
        for (CrmId id : leads) {
            if (!firstIds.contains(id.value())) {
                rest.add(id.value());
            }
        }
        assertEquals(50, rest.size());
        CrmId renamed = CrmId.of(rest.get(0));
        CrmId deleted = CrmId.of(rest.get(1));
        sf.clock.advance(Duration.ofSeconds(1));
        sf.crm.update(ObjectType.LEAD, renamed, Map.of("LastName", FieldValue.text("Renamed")));
        sf.crm.delete(ObjectType.LEAD, deleted);
        lead("Inserted");
        JsonNode second = json(sf.get(first.path("nextRecordsUrl").asText()));
        assertEquals(250, second.path("totalSize").asInt(), "totalSize is the query's, as it ran");
        List<String> secondIds = ids(second);
        assertEquals(rest.subList(2, 50), secondIds, "the rest in the query's order, without the rows changed since");
        JsonNode all = json(sf.queryAll("SELECT Id FROM Lead WHERE Id = '" + deleted.value() + "'"));
        assertEquals(1, all.path("totalSize").asInt(), "the deleted one is in the recycle bin");
        JsonNode now = json(sf.query(soql.replace("ORDER BY", "WHERE Id = '" + renamed.value() + "' ORDER BY")));
        assertEquals("Renamed", now.path("records").get(0).path("LastName").asText(), "its new version: a new read's");
    }

    @Test
    void queryAllPagesContinueAsQueryAll() {
        for (int i = 0; i < 300; i++) {
            sf.crm.delete(ObjectType.LEAD, lead("L" + i));
        }
        JsonNode first = json(sf.queryAll("SELECT Id, IsDeleted FROM Lead", "Sforce-Query-Options", "batchSize=200"));
        String next = first.path("nextRecordsUrl").asText();
        assertTrue(next.contains("/query/"), next);
        JsonNode second = json(sf.get(next));
        assertEquals(100, second.path("records").size());
        assertTrue(second.path("records").get(0).path("IsDeleted").asBoolean());
    }

    @Test
    void anUnknownLocatorIsInvalid() {
        error(sf.get(sf.v("/query/01g000000000000AAA-200")), 400, "INVALID_QUERY_LOCATOR");
    }

    @Test
    void malformedSoqlIsAMalformedQuery() {
        JsonNode e = error(sf.query("SELECT Id FROM Lead WHERE"), 400, "MALFORMED_QUERY");
        assertTrue(e.path("message").asText().contains("ERROR at Row:1:Column:26"), e.toString());
    }

    @Test
    void aMissingQueryIsAMalformedQuery() {
        JsonNode e = error(sf.get(sf.v("/query")), 400, "MALFORMED_QUERY");
        assertEquals("A query string has to be specified", e.path("message").asText());
    }

    @Test
    void anUnknownFieldIsAnInvalidField() {
        JsonNode e = error(sf.query("SELECT Id, Nope__c FROM Lead"), 400, "INVALID_FIELD");
        assertTrue(e.path("message").asText().contains("No such column 'Nope__c' on entity 'Lead'"), e.toString());
    }

    @Test
    void aHiddenFieldIsAnInvalidField() {
        sf.crm.hideField(ObjectType.LEAD, "Phone");
        error(sf.query("SELECT Id, Phone FROM Lead"), 400, "INVALID_FIELD");
    }

    @Test
    void anUnknownTypeIsAnInvalidType() {
        JsonNode e = error(sf.query("SELECT Id FROM Nope__c"), 400, "INVALID_TYPE");
        assertTrue(e.path("message").asText().contains("sObject type 'Nope__c' is not supported"), e.toString());
    }

    @Test
    void aQuotedDateTimeIsRefusedAsSalesforceDoes() {
        JsonNode e = error(sf.query("SELECT Id FROM Lead WHERE SystemModstamp > '2024-01-01T00:00:00Z'"), 400,
                "INVALID_FIELD");
        assertTrue(e.path("message").asText().contains("value of filter criterion for field 'SystemModstamp' must be "
                + "of type dateTime and should not be enclosed in quotes"), e.toString());
    }

    @Test
    void aMalformedIdLiteralIsRefused() {
        JsonNode e = error(sf.query("SELECT Id FROM Lead WHERE Id = 'abc'"), 400, "INVALID_QUERY_FILTER_OPERATOR");
        assertTrue(e.path("message").asText().contains("invalid ID field: abc"));
    }

    @Test
    void longTextAreasCannotBeFiltered() {
        error(sf.query("SELECT Id FROM Lead WHERE Description = 'x'"), 400, "INVALID_FIELD");
    }

    @Test
    void anUnknownRelationshipInAPathIsRefused() {
        error(sf.query("SELECT Boss.Name FROM Lead"), 400, "INVALID_FIELD");
        error(sf.query("SELECT Owner.Salary FROM Lead"), 400, "INVALID_FIELD");
    }

    @Test
    void decimalsKeepTheirValue() {
        lead("x", Map.of("AnnualRevenue", FieldValue.number(new BigDecimal("1234.5678"))));
        assertEquals("1234.5678", json(sf.query("SELECT AnnualRevenue FROM Lead")).path("records").get(0)
                .path("AnnualRevenue").decimalValue().toPlainString());
    }

    @Test
    void stampsFollowTheClock() {
        sf.clock.set(Instant.parse("2013-05-07T22:07:19.456Z"));
        lead("x");
        assertEquals("2013-05-07T22:07:19.000+0000", json(sf.query("SELECT SystemModstamp FROM Lead"))
                .path("records").get(0).path("SystemModstamp").asText());
    }

    @Test
    void aFullCopyOfManyRecordsUsesFullPages() {
        Map<String, FieldValue> f = Map.of("LastName", FieldValue.text("x"), "Company", FieldValue.text("c"),
                "Email", FieldValue.text("x@example.com"), "Title", FieldValue.text("CEO"));
        for (int i = 0; i < 5000; i++) {
            sf.crm.insert(ObjectType.LEAD, f);
            if (i % 1000 == 999) {
                sf.clock.advance(Duration.ofSeconds(1));
            }
        }
        String cursorStamp = "1970-01-01T00:00:00Z";
        String cursorId = "000000000000000AAA";
        int requests = 0;
        int read = 0;
        while (true) {
            JsonNode page = json(sf.query("SELECT Id, LastName, Email, Title, SystemModstamp FROM Lead WHERE "
                    + "SystemModstamp > " + cursorStamp + " OR (SystemModstamp = " + cursorStamp + " AND Id > '"
                    + cursorId + "') ORDER BY SystemModstamp, Id LIMIT 2000"));
            requests++;
            JsonNode records = page.path("records");
            read += records.size();
            if (records.size() < 2000) {
                break;
            }
            JsonNode last = records.get(records.size() - 1);
            cursorStamp = Instant.from(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx")
                    .parse(last.path("SystemModstamp").asText())).toString();
            cursorId = last.path("Id").asText();
        }
        assertEquals(5000, read);
        assertEquals(3, requests);
    }
}
