package dev.crmsync.testkit.salesforce;

import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What every real org describes and answers besides the data: audit fields, owners, key prefixes, limits, delete-log reach. */
class OrgMetadataTest {

    private static final List<String> AUDIT = List.of("CreatedDate", "CreatedById", "LastModifiedDate",
            "LastModifiedById", "SystemModstamp");

    private final FakeSf sf = FakeSf.start();

    @AfterEach
    void stop() {
        sf.close();
    }

    private Map<String, JsonNode> describedFields(String type) {
        Map<String, JsonNode> m = new HashMap<>();
        json(sf.get(sf.v("/sobjects/" + type + "/describe"))).path("fields").forEach(f -> m.put(f.path("name").asText(), f));
        return m;
    }

    @Test
    void everyObjectDescribesTheAuditFieldsReadOnlyAndNeverNull() {
        sf.crm.defineType(ObjectType.of("Invoice__c"), List.of(FieldSchema.of("Amount__c", FieldType.CURRENCY)));
        for (JsonNode entry : json(sf.get(sf.v("/sobjects"))).path("sobjects")) {
            String type = entry.path("name").asText();
            Map<String, JsonNode> fields = describedFields(type);
            for (String name : AUDIT) {
                JsonNode f = fields.get(name);
                assertTrue(f != null, type + " describes " + name);
                assertEquals(name.endsWith("Id") ? "reference" : "datetime", f.path("type").asText(), type + "." + name);
                assertFalse(f.path("createable").asBoolean(), type + "." + name);
                assertFalse(f.path("updateable").asBoolean(), type + "." + name);
                assertFalse(f.path("nillable").asBoolean(), type + "." + name);
                if (name.endsWith("ById")) {
                    assertEquals("User", f.path("referenceTo").get(0).asText());
                    assertEquals(name.substring(0, name.length() - 2), f.path("relationshipName").asText());
                }
            }
        }
    }

    @Test
    void customObjectsHaveAnOwnerAndAStableThreeCharacterKeyPrefix() {
        sf.crm.defineType(ObjectType.of("Invoice__c"), List.of(FieldSchema.of("Amount__c", FieldType.CURRENCY)));
        sf.crm.defineType(ObjectType.of("Shipment__c"), List.of(FieldSchema.of("Weight__c", FieldType.DOUBLE)));
        JsonNode owner = describedFields("Invoice__c").get("OwnerId");
        assertEquals("reference", owner.path("type").asText());
        assertEquals("Owner", owner.path("relationshipName").asText());
        JsonNode d = json(sf.get(sf.v("/sobjects/Invoice__c/describe")));
        assertEquals("a0X", d.path("keyPrefix").asText());
        assertEquals("a0Y", json(sf.get(sf.v("/sobjects/Shipment__c/describe"))).path("keyPrefix").asText());
        Map<String, String> prefixes = new HashMap<>();
        for (JsonNode e : json(sf.get(sf.v("/sobjects"))).path("sobjects")) {
            String p = e.path("keyPrefix").asText();
            assertEquals(3, p.length(), e.toString());
            assertEquals(null, prefixes.put(p, e.path("name").asText()), "key prefixes are distinct: " + p);
        }
        CrmId id = sf.crm.insert(ObjectType.of("Invoice__c"), Map.of("Amount__c", FieldValue.number(12)));
        assertTrue(id.value().startsWith("a0X"));
        JsonNode rec = json(sf.get(sf.v("/sobjects/Invoice__c/" + id.value())));
        assertTrue(rec.path("OwnerId").asText().startsWith("005"), rec.toString());
    }

    @Test
    void auditFieldsAreKeptOnWrites() {
        CrmId id = CrmId.of(json(sf.post(sf.v("/sobjects/Lead"), "{\"LastName\":\"Ada\",\"Company\":\"Acme\"}"))
                .path("id").asText());
        JsonNode created = json(sf.get(sf.v("/sobjects/Lead/" + id.value())));
        assertEquals("2024-05-01T10:00:00.000+0000", created.path("CreatedDate").asText());
        assertEquals(created.path("CreatedDate"), created.path("LastModifiedDate"));
        assertEquals(created.path("CreatedDate"), created.path("SystemModstamp"));
        assertTrue(created.path("CreatedById").asText().startsWith("005"));
        sf.clock.advance(Duration.ofHours(2));
        sf.patch(sf.v("/sobjects/Lead/" + id.value()), "{\"LastName\":\"Lovelace\"}");
        JsonNode updated = json(sf.query("SELECT Id, CreatedDate, LastModifiedDate, LastModifiedById FROM Lead "
                + "WHERE CreatedDate < 2024-05-01T11:00:00Z AND LastModifiedDate > 2024-05-01T11:00:00Z"))
                .path("records").get(0);
        assertEquals("2024-05-01T10:00:00.000+0000", updated.path("CreatedDate").asText());
        assertEquals("2024-05-01T12:00:00.000+0000", updated.path("LastModifiedDate").asText());
        assertEquals(created.path("CreatedById"), updated.path("LastModifiedById"));
    }

    @Test
    void aWriteToAnAuditFieldIsRejectedAsReadOnly() {
        JsonNode e = FakeSf.error(sf.post(sf.v("/sobjects/Lead"), "{\"LastName\":\"Ada\",\"Company\":\"Acme\","
                + "\"CreatedDate\":\"2020-01-01T00:00:00.000+0000\"}"), 400, "INVALID_FIELD_FOR_INSERT_UPDATE");
        assertEquals("CreatedDate", e.path("fields").get(0).asText());
        assertEquals(0, sf.crm.count(ObjectType.LEAD));
    }

    @Test
    void limitsListEveryEntryARealOrgReturns() {
        JsonNode limits = json(sf.get(sf.v("/limits")));
        for (String name : Set.of("DailyApiRequests", "DailyBulkApiRequests", "DailyBulkApiBatches",
                "DailyBulkV2QueryJobs", "DailyBulkV2QueryFileStorageMB", "DailyAsyncApexExecutions",
                "DailyStreamingApiEvents", "DailyGenericStreamingApiEvents", "DailyDurableStreamingApiEvents",
                "DailyWorkflowEmails", "DataStorageMB", "FileStorageMB", "HourlyODataCallout", "SingleEmail",
                "MassEmail", "ConcurrentSyncReportRuns", "HourlyTimeBasedWorkflow", "PermissionSets",
                "StreamingApiConcurrentClients", "HourlyDashboardStatuses")) {
            JsonNode l = limits.path(name);
            assertTrue(l.path("Max").isIntegralNumber() && l.path("Remaining").isIntegralNumber(), name + ": " + l);
        }
        assertTrue(limits.size() >= 47, "entries: " + limits.size());
        sf.post(sf.v("/jobs/query"), "{\"operation\":\"query\",\"query\":\"SELECT Id FROM Lead\"}");
        JsonNode after = json(sf.get(sf.v("/limits"))).path("DailyBulkV2QueryJobs");
        assertEquals(after.path("Max").asLong() - 1, after.path("Remaining").asLong());
    }

    @Test
    void theDeleteLogReachesBackAtMostFifteenDaysEvenWhenNothingWasPurged() {
        CrmId id = sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("A"),
                "Company", FieldValue.text("X")));
        sf.crm.delete(ObjectType.LEAD, id);
        sf.clock.advance(Duration.ofMinutes(2));
        JsonNode now = json(sf.get(sf.v("/sobjects/Lead/deleted/?start=2024-04-25T00:00:00Z&end=2024-05-02T00:00:00Z")));
        assertEquals("2024-04-16T10:02:00.000+0000", now.path("earliestDateAvailable").asText());
        assertEquals(1, now.path("deletedRecords").size());
        sf.clock.advance(Duration.ofDays(20).plusSeconds(30));
        JsonNode later = json(sf.get(sf.v("/sobjects/Lead/deleted/?start=2024-05-10T00:00:00Z&end=2024-05-22T00:00:00Z")));
        assertEquals("2024-05-06T10:03:00.000+0000", later.path("earliestDateAvailable").asText(),
                "the horizon is at most 15 days back, rounded up to the minute");
        assertNotEquals(now.path("earliestDateAvailable"), later.path("earliestDateAvailable"));
    }
}
