package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.salesforce.RecordedRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Upserts by external id through sObject Collections. */
class SalesforceUpsertTest {

    private final FakeOrg org = new FakeOrg();

    @AfterEach
    void close() {
        org.close();
    }

    private static CrmWrite.Upsert upsert(String field, String ext, String last) {
        return new CrmWrite.Upsert(ext, field, ext, Map.of("LastName", FieldValue.text(last),
                "Company", FieldValue.text("Acme")));
    }

    @Test
    void upsertsGoAsCollectionsUpsertAndTheCreatedFlagIsMapped() {
        org.crm.addField(ObjectType.LEAD, FieldSchema.builder("Crmsync_Id__c", FieldType.STRING).externalId(true).build());
        try (SalesforceCrmSource sf = org.open(org.source())) {
            CrmWriteResult.Written first = assertInstanceOf(CrmWriteResult.Written.class,
                    sf.write(ObjectType.LEAD, List.of(upsert("Crmsync_Id__c", "m-1", "A"))).get(0));
            assertTrue(first.created());
            CrmWriteResult.Written again = assertInstanceOf(CrmWriteResult.Written.class,
                    sf.write(ObjectType.LEAD, List.of(upsert("Crmsync_Id__c", "m-1", "B"))).get(0));
            assertFalse(again.created());
            assertEquals(first.id(), again.id());
            assertEquals(2L, sf.callCounts().get("collections.upsert"));
        }
        assertEquals(1, org.crm.count(ObjectType.LEAD));
        List<RecordedRequest> sent = org.requests("/composite/sobjects/Lead/Crmsync_Id__c");
        assertEquals(2, sent.size());
        assertEquals("PATCH", sent.get(0).method());
        assertTrue(sent.get(0).body().contains("\"allOrNone\":false"), sent.get(0).body());
        assertTrue(sent.get(0).body().contains("\"attributes\":{\"type\":\"Lead\"}"), sent.get(0).body());
        assertTrue(sent.get(0).body().contains("\"Crmsync_Id__c\":\"m-1\""), sent.get(0).body());
    }

    @Test
    void anUpsertOnAFieldThatIsNotAnExternalIdIsRejectedWithoutARequest() {
        org.crm.addField(ObjectType.LEAD, FieldSchema.of("Plain__c", FieldType.STRING));
        try (SalesforceCrmSource sf = org.open(org.source())) {
            CrmWriteResult.Rejected r = assertInstanceOf(CrmWriteResult.Rejected.class,
                    sf.write(ObjectType.LEAD, List.of(upsert("Plain__c", "m-1", "A"))).get(0));
            assertEquals("NOT_FOUND", r.code());
            assertFalse(r.retriable());
            assertEquals(null, sf.callCounts().get("collections.upsert"));
        }
        assertEquals(0, org.crm.count(ObjectType.LEAD));
    }

    @Test
    void anUpsertIsRepeatedAfterAServerErrorWhereACreateIsNot() {
        org.crm.addField(ObjectType.LEAD, FieldSchema.builder("Crmsync_Id__c", FieldType.STRING).externalId(true).build());
        try (SalesforceCrmSource sf = org.open(org.source())) {
            sf.describe(ObjectType.LEAD);
            org.server.faults().failNext("/composite/sobjects/Lead/Crmsync_Id__c", 1, 500, "UNKNOWN_EXCEPTION",
                    "An unexpected error occurred.", null);
            assertInstanceOf(CrmWriteResult.Written.class,
                    sf.write(ObjectType.LEAD, List.of(upsert("Crmsync_Id__c", "m-1", "A"))).get(0));
            assertEquals(2L, sf.callCounts().get("collections.upsert"), "the failed attempt and its repeat");
        }
        assertEquals(1, org.crm.count(ObjectType.LEAD));
    }

    @Test
    void theLongestWriteFollowsFromTimeoutsAndRetries() {
        try (SalesforceCrmSource sf = org.open(org.source())) {
            assertEquals(Duration.ofMinutes(18).plusSeconds(50), sf.maxWriteDuration());
        }
        try (SalesforceCrmSource sf = org.open(org.source().socketTimeout(Duration.ofSeconds(20))
                .retry(RetrySettings.custom().maxAttempts(1).build()))) {
            assertEquals(Duration.ofSeconds(30), sf.maxWriteDuration());
        }
    }
}
