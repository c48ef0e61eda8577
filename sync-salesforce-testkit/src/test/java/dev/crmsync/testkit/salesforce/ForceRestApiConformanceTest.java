package dev.crmsync.testkit.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.force.api.ApiConfig;
import com.force.api.ApiException;
import com.force.api.ApiSession;
import com.force.api.CreateOrUpdateResult;
import com.force.api.DescribeGlobal;
import com.force.api.DescribeSObject;
import com.force.api.DescribeSObjectBasic;
import com.force.api.ForceApi;
import com.force.api.QueryResult;
import com.force.api.SupportedVersions;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fake server driven by a third-party Salesforce client, {@code com.frejo:force-rest-api}
 * ({@link ForceApi}), not the project's adapter: one test per everyday call, each asserting that the
 * client gets what a real org gives it (the status it expects, the body it parses, the error it
 * raises). The client is used as its users use it, including its quirks: it sends PATCH as
 * {@code POST ...?_HttpMethod=PATCH}, expects 201 from a create and 204 from an update, and on v46+
 * reads {@code created} from an upsert's body.
 */
class ForceRestApiConformanceTest {

    private static final String EXT = "Crmsync_Id__c";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeSf sf = FakeSf.start();
    private final ForceApi api = new ForceApi(new ApiConfig().setApiVersionString("v" + sf.server.apiVersion()),
            new ApiSession(FakeSalesforceServer.DEFAULT_ACCESS_TOKEN, sf.server.baseUri().toString()));

    @AfterEach
    void stop() {
        sf.close();
    }

    private CrmId lead(String lastName) {
        return sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text(lastName),
                "Company", FieldValue.text("Acme")));
    }

    private static Map<String, Object> fields(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static JsonNode errorOf(ApiException e) {
        try {
            return JSON.readTree(e.getMessage()).get(0);
        } catch (IOException x) {
            throw new AssertionError("not a Salesforce error body: " + e.getMessage(), x);
        }
    }

    private SyncRecord stored(CrmId id) {
        return sf.crm.get(ObjectType.LEAD, id).orElseThrow();
    }

    // ------------------------------------------------------------------ versions, describe, limits

    @Test
    void supportedVersionsListsTheServedVersionsUpToTheNewest() {
        SupportedVersions versions = api.getSupportedVersions();
        assertEquals("v62.0", versions.latest().getVersionString());
        assertEquals("v31.0", versions.oldest().getVersionString());
        assertEquals(62 - 31 + 1, versions.size());
        assertEquals("Winter '25", versions.latest().getLabel());
        assertEquals("/services/data/v62.0", versions.latest().getUrl());
    }

    @Test
    void describeGlobalListsEveryTypeWithAThreeCharacterKeyPrefix() {
        sf.crm.defineType(ObjectType.of("Invoice__c"), List.of(FieldSchema.of("Amount__c", FieldType.CURRENCY)));
        DescribeGlobal global = api.describeGlobal();
        assertEquals("UTF-8", global.getEncoding());
        assertEquals(200, global.getMaxBatchSize());
        Map<String, DescribeSObjectBasic> byName = new LinkedHashMap<>();
        global.getSObjects().forEach(s -> byName.put(s.getName(), s));
        assertEquals("00Q", byName.get("Lead").getKeyPrefix());
        assertEquals("a0X", byName.get("Invoice__c").getKeyPrefix());
        assertTrue(byName.get("Invoice__c").isCustom());
        byName.values().forEach(s -> assertEquals(3, s.getKeyPrefix().length(), s.getName()));
    }

    @Test
    void describeSObjectGivesTheFieldsWithAuditFieldsAndRevalidatesWithIfModifiedSince() {
        DescribeSObject lead = api.describeSObject("Lead");
        assertEquals("Lead", lead.getName());
        Map<String, DescribeSObject.Field> byName = new LinkedHashMap<>();
        lead.getFields().forEach(f -> byName.put(f.getName(), f));
        for (String audit : List.of("Id", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById",
                "SystemModstamp", "IsDeleted", "Name")) {
            assertNotNull(byName.get(audit), audit);
        }
        assertEquals("datetime", byName.get("CreatedDate").getType());
        assertFalse(byName.get("CreatedDate").isUpdateable());
        assertEquals("Owner", byName.get("OwnerId").getRelationshipName());
        sf.clock.advance(Duration.ofMinutes(5));
        assertEquals(null, api.describeSObjectIfModified("Lead", Date.from(sf.clock.instant())),
                "304: not modified since");
    }

    @Test
    void limitsCarryTheEntriesARealOrgReturns() {
        Map<?, ?> limits = api.get("/limits").asMap();
        for (String name : List.of("DailyApiRequests", "DailyBulkApiRequests", "DailyBulkV2QueryJobs",
                "DailyBulkV2QueryFileStorageMB", "DataStorageMB", "HourlyODataCallout")) {
            Map<?, ?> l = (Map<?, ?>) limits.get(name);
            assertNotNull(l, name);
            assertInstanceOf(Number.class, l.get("Max"), name);
            assertInstanceOf(Number.class, l.get("Remaining"), name);
        }
    }

    // ------------------------------------------------------------------ single records

    @Test
    void createSObjectGets201AndTheNewId() {
        String id = api.createSObject("Lead", fields("LastName", "Ada", "Company", "Acme"));
        assertTrue(id.startsWith("00Q") && id.length() == 18, id);
        assertEquals(FieldValue.text("Ada"), stored(CrmId.of(id)).get("LastName"));
    }

    @Test
    void createSObjectOfAnInvalidRecordRaisesTheOrgsError() {
        ApiException e = assertThrows(ApiException.class, () -> api.createSObject("Lead", fields("LastName", "Ada")));
        assertEquals(400, e.getCode());
        assertEquals("REQUIRED_FIELD_MISSING", errorOf(e).path("errorCode").asText());
        ApiException unknown = assertThrows(ApiException.class,
                () -> api.createSObject("Lead", fields("LastName", "Ada", "Company", "A", "Nope__c", "x")));
        assertEquals("INVALID_FIELD", errorOf(unknown).path("errorCode").asText());
    }

    @Test
    void getSObjectReturnsTheRecordWithAttributesAndAuditFields() {
        CrmId id = lead("Ada");
        Map<?, ?> rec = api.getSObject("Lead", id.value()).asMap();
        assertEquals("Lead", ((Map<?, ?>) rec.get("attributes")).get("type"));
        assertEquals(id.value(), rec.get("Id"));
        assertEquals("Ada", rec.get("LastName"));
        assertEquals("2024-05-01T10:00:00.000+0000", rec.get("CreatedDate"));
        assertEquals(rec.get("CreatedById"), rec.get("LastModifiedById"));
        Map<?, ?> some = api.getSObject("Lead", id.value() + "?fields=LastName").asMap();
        assertEquals(List.of("attributes", "LastName"), new ArrayList<>(some.keySet()));
    }

    @Test
    void getSObjectOfAMissingOrDeletedRecordIs404WithTheOrgsCode() {
        ApiException missing = assertThrows(ApiException.class, () -> api.getSObject("Lead", "00Q000000000zzzAAA"));
        assertEquals(404, missing.getCode());
        assertEquals("NOT_FOUND", errorOf(missing).path("errorCode").asText());
        CrmId id = lead("Gone");
        sf.crm.delete(ObjectType.LEAD, id);
        ApiException deleted = assertThrows(ApiException.class, () -> api.getSObject("Lead", id.value()));
        assertEquals(404, deleted.getCode());
        assertEquals("ENTITY_IS_DELETED", errorOf(deleted).path("errorCode").asText());
    }

    @Test
    void updateSObjectGets204ThroughTheHttpMethodOverride() {
        CrmId id = lead("Ada");
        sf.clock.advance(Duration.ofMinutes(1));
        api.updateSObject("Lead", id.value(), fields("LastName", "Lovelace"));
        assertEquals(FieldValue.text("Lovelace"), stored(id).get("LastName"));
        Map<?, ?> rec = api.getSObject("Lead", id.value() + "?fields=CreatedDate,LastModifiedDate").asMap();
        assertEquals("2024-05-01T10:00:00.000+0000", rec.get("CreatedDate"));
        assertEquals("2024-05-01T10:01:00.000+0000", rec.get("LastModifiedDate"));
    }

    @Test
    void deleteSObjectGets204AndASecondDeleteSaysEntityIsDeleted() {
        CrmId id = lead("Ada");
        api.deleteSObject("Lead", id.value());
        assertTrue(stored(id).deleted());
        ApiException again = assertThrows(ApiException.class, () -> api.deleteSObject("Lead", id.value()));
        assertEquals(404, again.getCode());
        assertEquals("ENTITY_IS_DELETED", errorOf(again).path("errorCode").asText());
    }

    @Test
    void createOrUpdateSObjectByExternalIdCreatesThenUpdates() {
        sf.crm.addField(ObjectType.LEAD, FieldSchema.builder(EXT, FieldType.STRING).externalId(true).build());
        assertEquals(CreateOrUpdateResult.CREATED,
                api.createOrUpdateSObject("Lead", EXT, "m-1", fields("LastName", "Ada", "Company", "Acme")));
        assertEquals(CreateOrUpdateResult.UPDATED,
                api.createOrUpdateSObject("Lead", EXT, "m-1", fields("LastName", "Lovelace")));
        List<SyncRecord> leads = sf.crm.records(ObjectType.LEAD);
        assertEquals(1, leads.size());
        assertEquals(FieldValue.text("Lovelace"), leads.get(0).get("LastName"));
        ApiException notExternal = assertThrows(ApiException.class,
                () -> api.createOrUpdateSObject("Lead", "LastName", "x", fields("Company", "A")));
        assertEquals(404, notExternal.getCode());
        assertEquals("NOT_FOUND", errorOf(notExternal).path("errorCode").asText());
    }

    // ------------------------------------------------------------------ sObject Collections

    @Test
    void collectionsCreateUpdateAndRetrieveAnswerPerRecord() {
        List<?> created = api.post("/composite/sobjects", fields("allOrNone", false, "records", List.of(
                fields("attributes", fields("type", "Lead"), "LastName", "A", "Company", "X"),
                fields("attributes", fields("type", "Lead"), "LastName", "B")))).asList();
        Map<?, ?> ok = (Map<?, ?>) created.get(0);
        assertEquals(Boolean.TRUE, ok.get("success"));
        Map<?, ?> bad = (Map<?, ?>) created.get(1);
        assertEquals(Boolean.FALSE, bad.get("success"));
        assertEquals("REQUIRED_FIELD_MISSING", ((Map<?, ?>) ((List<?>) bad.get("errors")).get(0)).get("statusCode"));
        String id = (String) ok.get("id");
        List<?> updated = api.patch("/composite/sobjects", fields("records", List.of(
                fields("attributes", fields("type", "Lead"), "id", id, "Title", "CEO")))).asList();
        assertEquals(Boolean.TRUE, ((Map<?, ?>) updated.get(0)).get("success"));
        List<?> read = api.get("/composite/sobjects/Lead?ids=" + id + "&fields=Title").asList();
        assertEquals("CEO", ((Map<?, ?>) read.get(0)).get("Title"));
    }

    @Test
    void collectionsUpsertSaysWhichRecordsItCreated() {
        sf.crm.addField(ObjectType.LEAD, FieldSchema.builder(EXT, FieldType.STRING).externalId(true).build());
        List<?> first = api.patch("/composite/sobjects/Lead/" + EXT, fields("allOrNone", false, "records", List.of(
                fields("attributes", fields("type", "Lead"), EXT, "m-1", "LastName", "A", "Company", "X")))).asList();
        assertEquals(Boolean.TRUE, ((Map<?, ?>) first.get(0)).get("created"));
        List<?> again = api.patch("/composite/sobjects/Lead/" + EXT, fields("records", List.of(
                fields("attributes", fields("type", "Lead"), EXT, "m-1", "LastName", "B")))).asList();
        assertEquals(Boolean.FALSE, ((Map<?, ?>) again.get(0)).get("created"));
        assertEquals(((Map<?, ?>) first.get(0)).get("id"), ((Map<?, ?>) again.get(0)).get("id"));
    }

    @Test
    void collectionsDeleteGets200WithASaveResultPerId() {
        CrmId a = lead("A");
        List<?> results = api.delete("/composite/sobjects?allOrNone=false&ids=" + a.value() + ",00Q000000000zzzAAA")
                .asList();
        assertEquals(2, results.size());
        assertEquals(Boolean.TRUE, ((Map<?, ?>) results.get(0)).get("success"));
        assertEquals(a.value(), ((Map<?, ?>) results.get(0)).get("id"));
        assertEquals(Boolean.FALSE, ((Map<?, ?>) results.get(1)).get("success"));
        assertTrue(stored(a).deleted());
    }

    @Test
    void compositeRunsSubrequestsWithReferencesAndRollsBackAllOrNone() {
        Map<?, ?> ok = api.post("/composite", fields("allOrNone", true, "compositeRequest", List.of(
                fields("method", "POST", "url", "/services/data/v62.0/sobjects/Campaign", "referenceId", "NewCampaign",
                        "body", fields("Name", "Spring")),
                fields("method", "POST", "url", "/services/data/v62.0/sobjects/Lead", "referenceId", "NewLead",
                        "body", fields("LastName", "Ada", "Company", "Acme")),
                fields("method", "POST", "url", "/services/data/v62.0/sobjects/CampaignMember", "referenceId", "Member",
                        "body", fields("CampaignId", "@{NewCampaign.id}", "LeadId", "@{NewLead.id}")))))
                .asMap();
        List<?> responses = (List<?>) ok.get("compositeResponse");
        assertEquals(3, responses.size());
        for (Object o : responses) {
            assertEquals(201, ((Map<?, ?>) o).get("httpStatusCode"), o.toString());
        }
        assertEquals(1, sf.crm.count(ObjectType.CAMPAIGN_MEMBER));

        Map<?, ?> failed = api.post("/composite", fields("allOrNone", true, "compositeRequest", List.of(
                fields("method", "POST", "url", "/services/data/v62.0/sobjects/Lead", "referenceId", "Good",
                        "body", fields("LastName", "B", "Company", "Acme")),
                fields("method", "POST", "url", "/services/data/v62.0/sobjects/Lead", "referenceId", "Bad",
                        "body", fields("LastName", "NoCompany"))))).asMap();
        List<?> r = (List<?>) failed.get("compositeResponse");
        Map<?, ?> halted = (Map<?, ?>) ((List<?>) ((Map<?, ?>) r.get(0)).get("body")).get(0);
        assertEquals("PROCESSING_HALTED", halted.get("errorCode"));
        assertEquals(1, sf.crm.count(ObjectType.LEAD), "the good create was rolled back");
    }

    // ------------------------------------------------------------------ queries

    @Test
    void queryAndQueryMorePageThroughEveryRecord() {
        for (int i = 0; i < 450; i++) {
            lead("L" + i);
        }
        QueryResult<Map> first = api.query("SELECT Id, LastName FROM Lead ORDER BY LastName");
        assertEquals(450, first.getTotalSize());
        assertTrue(first.isDone(), "2000 rows a page by default");
        assertEquals(450, first.getRecords().size());
        sf.server.clearRequests();
        QueryResult<Map> count = api.query("SELECT COUNT() FROM Lead");
        assertEquals(450, count.getTotalSize());
    }

    @Test
    void queryMoreFollowsNextRecordsUrl() {
        for (int i = 0; i < 2500; i++) {
            lead("L" + i);
        }
        QueryResult<Map> first = api.query("SELECT Id FROM Lead");
        assertFalse(first.isDone());
        assertEquals(2000, first.getRecords().size());
        QueryResult<Map> rest = api.queryMore(first.getNextRecordsUrl());
        assertTrue(rest.isDone());
        assertEquals(500, rest.getRecords().size());
        assertEquals(2500, rest.getTotalSize());
    }

    @Test
    void queryAllAlsoReturnsDeletedRecords() {
        CrmId gone = lead("Gone");
        lead("Kept");
        sf.crm.delete(ObjectType.LEAD, gone);
        assertEquals(1, api.query("SELECT Id FROM Lead").getTotalSize());
        QueryResult<Map> all = api.queryAll("SELECT Id, IsDeleted FROM Lead WHERE IsDeleted = true", Map.class);
        assertEquals(1, all.getTotalSize());
        assertEquals(gone.value(), all.getRecords().get(0).get("Id"));
    }

    @Test
    void queryWithDateLiteralsParentPathsAndOffset() {
        CrmId owner = sf.crm.insert(ObjectType.USER, Map.of("FirstName", FieldValue.text("Grace"),
                "LastName", FieldValue.text("Hopper")));
        sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("A"), "Company", FieldValue.text("X"),
                "OwnerId", FieldValue.ref(owner)));
        sf.clock.set(Instant.parse("2024-05-02T09:00:00Z"));
        sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("B"), "Company", FieldValue.text("X")));
        QueryResult<Map> today = api.query("SELECT LastName FROM Lead WHERE CreatedDate = TODAY");
        assertEquals(1, today.getTotalSize());
        assertEquals("B", today.getRecords().get(0).get("LastName"));
        QueryResult<Map> owned = api.query("SELECT LastName, Owner.Name FROM Lead WHERE CreatedDate = LAST_N_DAYS:1 "
                + "ORDER BY LastName LIMIT 1 OFFSET 0");
        Map<?, ?> ownerNode = (Map<?, ?>) owned.getRecords().get(0).get("Owner");
        assertEquals("Grace Hopper", ownerNode.get("Name"));
        assertEquals("User", ((Map<?, ?>) ownerNode.get("attributes")).get("type"));
        QueryResult<Map> skipped = api.query("SELECT LastName FROM Lead ORDER BY LastName OFFSET 1");
        assertEquals("B", skipped.getRecords().get(0).get("LastName"));
    }

    @Test
    void aChildSubqueryComesAsTheListTheClientUnwrapsFromItsQueryResult() {
        CrmId account = sf.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Acme")));
        for (String last : List.of("B", "A")) {
            sf.crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text(last),
                    "AccountId", FieldValue.ref(account)));
        }
        QueryResult<Map> r = api.query("SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account");
        List<?> contacts = (List<?>) r.getRecords().get(0).get("Contacts");
        assertEquals(2, contacts.size());
        assertEquals("A", ((Map<?, ?>) contacts.get(0)).get("LastName"));
    }

    @Test
    void groupByAnswersAggregateResultRows() {
        for (String industry : List.of("Energy", "Energy", "Banking")) {
            sf.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("A"), "Industry", FieldValue.text(industry)));
        }
        QueryResult<Map> r = api.query("SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry ORDER BY Industry");
        assertEquals(2, r.getTotalSize());
        Map<?, ?> banking = r.getRecords().get(0);
        assertEquals("AggregateResult", ((Map<?, ?>) banking.get("attributes")).get("type"));
        assertEquals("Banking", banking.get("Industry"));
        assertEquals(1, banking.get("expr0"));
        assertEquals(2, r.getRecords().get(1).get("expr0"));
    }

    @Test
    void aMalformedQueryRaisesMalformedQuery() {
        ApiException e = assertThrows(ApiException.class, () -> api.query("SELEKT Id FROM Lead"));
        assertEquals(400, e.getCode());
        assertEquals("MALFORMED_QUERY", errorOf(e).path("errorCode").asText());
    }

    // ------------------------------------------------------------------ replication

    @Test
    void getUpdatedAndGetDeletedAnswerIdsAndTheLogsReach() {
        CrmId id = lead("A");
        sf.crm.delete(ObjectType.LEAD, id);
        sf.clock.advance(Duration.ofMinutes(2));
        Map<?, ?> deleted = api.get("/sobjects/Lead/deleted/?start=2024-05-01T09:00:00Z&end=2024-05-01T11:00:00Z")
                .asMap();
        assertEquals(1, ((List<?>) deleted.get("deletedRecords")).size());
        assertEquals("2024-04-16T10:02:00.000+0000", deleted.get("earliestDateAvailable"));
        assertEquals("2024-05-01T10:02:00.000+0000", deleted.get("latestDateCovered"));
        lead("B");
        sf.clock.advance(Duration.ofMinutes(2));
        Map<?, ?> updated = api.get("/sobjects/Lead/updated/?start=2024-05-01T10:01:00Z&end=2024-05-01T10:05:00Z")
                .asMap();
        assertEquals(1, ((List<?>) updated.get("ids")).size());
    }

    // ------------------------------------------------------------------ errors

    @Test
    void aBadTokenRaisesTheClientsTokenException() {
        ForceApi stranger = new ForceApi(new ApiConfig().setApiVersionString("v62.0"),
                new ApiSession("not-a-token", sf.server.baseUri().toString()));
        assertThrows(com.force.api.ApiTokenException.class, () -> stranger.query("SELECT Id FROM Lead"));
    }
}
