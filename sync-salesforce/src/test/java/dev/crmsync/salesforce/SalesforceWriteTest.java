package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.testkit.salesforce.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Writes through sObject Collections with per-record results. */
class SalesforceWriteTest {

    private FakeOrg org = new FakeOrg();

    @AfterEach
    void close() {
        org.close();
    }

    private static CrmWrite.Create newLead(int i) {
        return new CrmWrite.Create("m-" + i, Map.of("LastName", FieldValue.text("New " + i),
                "Company", FieldValue.text("Co " + i)));
    }

    @Test
    void writesUseFull200RecordBatchesSoTheCallCountIsTheMinimum() {
        List<CrmId> ids = org.leads(1_000);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            sf.describe(ObjectType.LEAD);
            for (int from = 0; from < ids.size(); from += sf.maxWriteBatch()) {
                List<CrmWrite> batch = new ArrayList<>();
                for (CrmId id : ids.subList(from, from + sf.maxWriteBatch())) {
                    batch.add(new CrmWrite.Update(id, Map.of("Title", FieldValue.text("VP"))));
                }
                List<CrmWriteResult> results = sf.write(ObjectType.LEAD, batch);
                assertTrue(results.stream().allMatch(r -> r instanceof CrmWriteResult.Written));
            }
            assertEquals(5L, sf.callCounts().get("collections.update"), "1,000 updates = 5 calls of 200");
        }
        assertEquals(FieldValue.text("VP"), org.crm.get(ObjectType.LEAD, ids.get(999)).orElseThrow().get("Title"));
        for (RecordedRequest r : org.requests("/composite/sobjects")) {
            assertTrue(r.body().contains("\"allOrNone\":false"), r.body());
        }
    }

    @Test
    void createsReturnNewIdsInInputOrder() {
        try (SalesforceCrmSource sf = org.open(org.source())) {
            List<CrmWriteResult> results = sf.write(ObjectType.LEAD, List.of(newLead(1), newLead(2), newLead(3)));
            assertEquals(3, results.size());
            for (int i = 0; i < 3; i++) {
                CrmWriteResult.Written w = assertInstanceOf(CrmWriteResult.Written.class, results.get(i));
                assertTrue(w.created());
                assertEquals(FieldValue.text("New " + (i + 1)),
                        org.crm.get(ObjectType.LEAD, w.id()).orElseThrow().get("LastName"));
            }
            assertEquals(1L, sf.callCounts().get("collections.create"));
        }
    }

    @Test
    void rejectedRecordsAreValuesAndTheRestIsWritten() {
        List<CrmId> ids = org.leads(3);
        org.crm.addValidationRule(ObjectType.LEAD, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Title must not be CEO",
                f -> FieldValue.text("CEO").equals(f.get("Title")));
        org.crm.lockRecord(ids.get(2), 1);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            List<CrmWriteResult> results = sf.write(ObjectType.LEAD, List.of(
                    new CrmWrite.Update(ids.get(0), Map.of("Title", FieldValue.text("CTO"))),
                    new CrmWrite.Update(ids.get(1), Map.of("Title", FieldValue.text("CEO"))),
                    new CrmWrite.Update(ids.get(2), Map.of("Title", FieldValue.text("CFO"))),
                    new CrmWrite.Create("m-9", Map.of("LastName", FieldValue.text("No company")))));
            assertInstanceOf(CrmWriteResult.Written.class, results.get(0));
            CrmWriteResult.Rejected validation = assertInstanceOf(CrmWriteResult.Rejected.class, results.get(1));
            assertEquals("FIELD_CUSTOM_VALIDATION_EXCEPTION", validation.code());
            assertEquals("Title must not be CEO", validation.message());
            assertFalse(validation.retriable());
            CrmWriteResult.Rejected locked = assertInstanceOf(CrmWriteResult.Rejected.class, results.get(2));
            assertEquals("UNABLE_TO_LOCK_ROW", locked.code());
            assertTrue(locked.retriable());
            CrmWriteResult.Rejected missing = assertInstanceOf(CrmWriteResult.Rejected.class, results.get(3));
            assertEquals("REQUIRED_FIELD_MISSING", missing.code());
            assertFalse(missing.retriable());
        }
        assertEquals(FieldValue.text("CTO"), org.crm.get(ObjectType.LEAD, ids.get(0)).orElseThrow().get("Title"));
    }

    @Test
    void anUpdateOfAConvertedLeadIsWrittenToItsContact() {
        org.close();
        org = new FakeOrg(b -> b.redirectConvertedLeadWrites(false), b -> { });
        CrmId lead = org.leads(1).get(0);
        var conversion = org.crm.convertLead(lead, null);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            List<CrmWriteResult> results = sf.write(ObjectType.LEAD, List.of(new CrmWrite.Update(lead,
                    Map.of("Title", FieldValue.text("Director"), "Company", FieldValue.text("Not on contacts")))));
            CrmWriteResult.Written w = assertInstanceOf(CrmWriteResult.Written.class, results.get(0));
            assertEquals(conversion.contactId(), w.id());
        }
        assertEquals(FieldValue.text("Director"),
                org.crm.get(ObjectType.CONTACT, conversion.contactId()).orElseThrow().get("Title"));
    }

    @Test
    void anUpdateOfAMergedRecordIsRejectedWhenRedirectIsOff() {
        List<CrmId> ids = org.leads(2);
        org.crm.merge(ObjectType.LEAD, ids.get(0), List.of(ids.get(1)));
        try (SalesforceCrmSource sf = org.open(org.source().redirectMergedWrites(false))) {
            CrmWriteResult.Rejected r = assertInstanceOf(CrmWriteResult.Rejected.class, sf.write(ObjectType.LEAD,
                    List.of(new CrmWrite.Update(ids.get(1), Map.of("Title", FieldValue.text("x"))))).get(0));
            assertEquals("ENTITY_IS_DELETED", r.code());
        }
        assertTrue(org.requests("/queryAll").isEmpty());
    }

    @Test
    void anUpdateOfAMergedRecordIsRetriedOnceOnItsMaster() {
        List<CrmId> ids = org.leads(2);
        org.clock.advance(Duration.ofSeconds(1));
        org.crm.merge(ObjectType.LEAD, ids.get(0), List.of(ids.get(1)));
        try (SalesforceCrmSource sf = org.open(org.source())) {
            List<CrmWriteResult> results = sf.write(ObjectType.LEAD, List.of(new CrmWrite.Update(ids.get(1),
                    Map.of("Title", FieldValue.text("Merged title")))));
            CrmWriteResult.Written w = assertInstanceOf(CrmWriteResult.Written.class, results.get(0));
            assertEquals(ids.get(0), w.id());
        }
        assertEquals(FieldValue.text("Merged title"), org.crm.get(ObjectType.LEAD, ids.get(0)).orElseThrow().get("Title"));
        assertFalse(org.requests("/queryAll").isEmpty(), "MasterRecordId is found through queryAll");
    }

    @Test
    void anUpdateOfADeletedRecordStaysRejected() {
        CrmId id = org.leads(1).get(0);
        org.crm.delete(ObjectType.LEAD, id);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            CrmWriteResult.Rejected r = assertInstanceOf(CrmWriteResult.Rejected.class, sf.write(ObjectType.LEAD,
                    List.of(new CrmWrite.Update(id, Map.of("Title", FieldValue.text("x"))))).get(0));
            assertEquals("ENTITY_IS_DELETED", r.code());
        }
    }

    @Test
    void hostileValuesRoundTripExactly() {
        List<String> hostile = List.of("O'Brien", "back\\slash\\", "' OR Id != '", "\"double\" 'single'",
                "line 1\nline 2\r\nline 3\ttab", "Zoë – 東京 – 😀 – ﷽", "%_*?", "\\'\\\"", "{\"json\":true}",
                "<script>alert(1)</script>", "  leading and trailing  ");
        try (SalesforceCrmSource sf = org.open(org.source())) {
            List<CrmWrite> creates = new ArrayList<>();
            for (int i = 0; i < hostile.size(); i++) {
                creates.add(new CrmWrite.Create("m-" + i, Map.of("LastName", FieldValue.text(hostile.get(i)),
                        "Company", FieldValue.text("Co"), "Description", FieldValue.text(hostile.get(i)))));
            }
            List<CrmWriteResult> results = sf.write(ObjectType.LEAD, creates);
            List<CrmId> ids = results.stream().map(r -> assertInstanceOf(CrmWriteResult.Written.class, r).id()).toList();
            List<SyncRecord> back = sf.fetch(ObjectType.LEAD, ids, java.util.Set.of("LastName", "Description"));
            for (int i = 0; i < hostile.size(); i++) {
                CrmId id = ids.get(i);
                SyncRecord r = back.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
                assertEquals(FieldValue.text(hostile.get(i)), r.get("LastName"));
                assertEquals(FieldValue.text(hostile.get(i)), r.get("Description"));
                assertEquals(FieldValue.text(hostile.get(i)), org.crm.get(ObjectType.LEAD, id).orElseThrow().get("LastName"));
            }
        }
    }

    @Test
    void recordsSettingFieldsTheUserCannotSetAreRejectedWithoutBeingSent() {
        List<CrmId> ids = org.leads(3);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            List<CrmWriteResult> results = sf.write(ObjectType.LEAD, List.of(
                    new CrmWrite.Update(ids.get(0), Map.of("Title", FieldValue.text("ok"))),
                    new CrmWrite.Update(ids.get(1), Map.of("Title", FieldValue.text("x"), "IsConverted", FieldValue.bool(true))),
                    new CrmWrite.Update(ids.get(2), Map.of("NoSuchField__c", FieldValue.text("x")))));
            assertInstanceOf(CrmWriteResult.Written.class, results.get(0));
            CrmWriteResult.Rejected readOnly = assertInstanceOf(CrmWriteResult.Rejected.class, results.get(1));
            assertEquals("INVALID_FIELD_FOR_INSERT_UPDATE", readOnly.code());
            assertEquals(List.of("IsConverted"), readOnly.fields());
            assertFalse(readOnly.retriable());
            CrmWriteResult.Rejected unknown = assertInstanceOf(CrmWriteResult.Rejected.class, results.get(2));
            assertEquals("INVALID_FIELD", unknown.code());
        }
        RecordedRequest patch = org.requests("/composite/sobjects").get(0);
        assertTrue(patch.body().contains(ids.get(0).value()));
        assertFalse(patch.body().contains(ids.get(1).value()), "a refused record is not sent");
        assertFalse(patch.body().contains("NoSuchField__c"));
    }

    @Test
    void malformedFieldNamesAndOneWayTypesAreRefusedBeforeAnyRequest() {
        CrmId id = org.leads(1).get(0);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            int before = org.recorded();
            assertThrows(IllegalArgumentException.class, () -> sf.write(ObjectType.LEAD,
                    List.of(new CrmWrite.Update(id, Map.of("Title\", \"IsDeleted", FieldValue.text("x"))))));
            assertThrows(IllegalArgumentException.class, () -> sf.write(ObjectType.ACCOUNT, List.of()));
            List<CrmWrite> tooMany = new ArrayList<>();
            for (int i = 0; i < 201; i++) {
                tooMany.add(newLead(i));
            }
            assertThrows(IllegalArgumentException.class, () -> sf.write(ObjectType.LEAD, tooMany));
            assertEquals(before, org.recorded());
        }
    }

    @Test
    void aCreateIsNotRepeatedAfterAnAmbiguousFailure() {
        org.server.faults().failNext("/composite/sobjects", 1, 500, "UNKNOWN_EXCEPTION", "An unexpected error occurred",
                null);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            dev.crmsync.model.SyncException e = assertThrows(dev.crmsync.model.SyncException.class,
                    () -> sf.write(ObjectType.LEAD, List.of(newLead(1))));
            assertTrue(e.isRetriable());
            assertEquals(1L, sf.callCounts().get("collections.create"));
        }
    }

    @Test
    void aCreateRefusedAs503IsRepeated() {
        org.server.faults().failNext("/composite/sobjects", 1, 503, "SERVER_UNAVAILABLE", "try later", Duration.ofSeconds(2));
        try (SalesforceCrmSource sf = org.open(org.source())) {
            assertInstanceOf(CrmWriteResult.Written.class, sf.write(ObjectType.LEAD, List.of(newLead(1))).get(0));
            assertEquals(2L, sf.callCounts().get("collections.create"));
        }
        assertEquals(List.of(Duration.ofSeconds(2)), org.sleeps);
    }

    @Test
    void aNumberSalesforceCannotParseFailsTheWholeRequestNotRetriably() {
        List<CrmId> ids = org.leads(2);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            List<CrmWrite> batch = List.of(new CrmWrite.Update(ids.get(0), Map.of("Title", FieldValue.text("ok"))),
                    new CrmWrite.Update(ids.get(1), Map.of("AnnualRevenue",
                            FieldValue.number(new java.math.BigDecimal("1E+400")))));
            dev.crmsync.model.SyncException e = assertThrows(dev.crmsync.model.SyncException.class,
                    () -> sf.write(ObjectType.LEAD, batch));
            assertFalse(e.isRetriable(), "a 400 is not retried: the engine narrows the batch down instead");
            assertEquals(1L, sf.callCounts().get("collections.update"), "one call, not retried");
        }
        assertEquals(FieldValue.NULL, org.crm.get(ObjectType.LEAD, ids.get(0)).orElseThrow().get("Title"));
    }

    @Test
    void aValueOutOfRangeIsAPerRecordRejectionWithSalesforcesCode() {
        List<CrmId> ids = org.leads(2);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            List<CrmWriteResult> r = sf.write(ObjectType.LEAD, List.of(
                    new CrmWrite.Update(ids.get(0), Map.of("NumberOfEmployees", FieldValue.number(2_147_483_648L))),
                    new CrmWrite.Update(ids.get(1), Map.of("Title", FieldValue.text("ok")))));
            CrmWriteResult.Rejected rej = assertInstanceOf(CrmWriteResult.Rejected.class, r.get(0));
            assertEquals("NUMBER_OUTSIDE_VALID_RANGE", rej.code());
            assertEquals(List.of("NumberOfEmployees"), rej.fields());
            assertFalse(rej.retriable());
            assertInstanceOf(CrmWriteResult.Written.class, r.get(1));
        }
    }
}
