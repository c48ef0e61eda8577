package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.testkit.salesforce.RecordedRequest;
import dev.crmsync.crm.Cursor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reads over HTTP against the fake server: describe, keyset paging, queryAll, getDeleted, fetch. */
class SalesforceReadTest {

    private final FakeOrg org = new FakeOrg();

    @AfterEach
    void close() {
        org.close();
    }

    static List<SyncRecord> drain(ChangeStream s) {
        List<SyncRecord> all = new ArrayList<>();
        List<SyncRecord> page;
        while (!(page = s.nextPage()).isEmpty()) {
            all.addAll(page);
        }
        return all;
    }

    static void assertStrictlyOrdered(List<SyncRecord> records) {
        for (int i = 1; i < records.size(); i++) {
            SyncRecord a = records.get(i - 1);
            assertTrue(Cursor.after(a.modstamp(), a.id()).isBefore(records.get(i).modstamp(), records.get(i).id()),
                    "record " + i + " is not after record " + (i - 1));
        }
    }

    @Test
    void describeMarksFormulaFieldsAndWhatMayBeWritten() {
        ObjectType invoice = ObjectType.of("Invoice__c");
        org.crm.defineType(invoice, List.of(FieldSchema.of("Name", FieldType.STRING),
                new FieldSchema("Total__c", FieldType.CURRENCY, true, false, false, true, 0, List.of()),
                new FieldSchema("Code__c", FieldType.STRING, true, true, false, false, 20, List.of())));
        try (SalesforceCrmSource sf = org.open(org.source())) {
            assertTrue(sf.availableTypes().contains(invoice));
            ObjectSchema s = sf.describe(invoice).orElseThrow();
            assertTrue(s.field("Total__c").orElseThrow().calculated());
            assertFalse(s.field("Total__c").orElseThrow().createable());
            assertTrue(s.field("Code__c").orElseThrow().createable());
            assertFalse(s.field("Code__c").orElseThrow().updateable());
            assertEquals(20, s.field("Code__c").orElseThrow().length());
        }
    }

    @Test
    void describeMatchesTheCrmsOwnViewOfItsFields() {
        try (SalesforceCrmSource sf = org.open(org.source())) {
            for (ObjectType t : List.of(ObjectType.LEAD, ObjectType.CONTACT, ObjectType.ACCOUNT)) {
                java.util.Set<String> expected = new java.util.LinkedHashSet<>(
                        org.crm.describe(t).orElseThrow().readableFieldNames());
                if (!expected.contains("Name") && expected.contains("FirstName")) {
                    expected.add("Name");   // a person's full name, which a real org describes
                }
                expected.addAll(FakeOrg.AUDIT_FIELDS);   // what every real org describes besides the CRM's own fields
                assertEquals(expected, sf.describe(t).orElseThrow().readableFieldNames(), t.apiName());
            }
        }
    }

    @Test
    void hiddenTypesAndFieldsAreNotOffered() {
        org.crm.hideType(ObjectType.EVENT);
        org.crm.hideField(ObjectType.LEAD, "Phone");
        try (SalesforceCrmSource sf = org.open(org.source())) {
            assertFalse(sf.availableTypes().contains(ObjectType.EVENT));
            assertTrue(sf.describe(ObjectType.EVENT).isEmpty());
            assertTrue(sf.describe(ObjectType.LEAD).orElseThrow().field("Phone").isEmpty());
        }
    }

    @Test
    void describeIsRevalidatedWithIfModifiedSinceAndPicksUpANewField() {
        try (SalesforceCrmSource sf = org.open(org.source())) {
            ObjectSchema first = sf.describe(ObjectType.LEAD).orElseThrow();
            org.clock.advance(Duration.ofMinutes(5));
            ObjectSchema second = sf.describe(ObjectType.LEAD).orElseThrow();
            assertEquals(first, second);
            List<RecordedRequest> describes = org.requests("/sobjects/Lead/describe");
            assertEquals(2, describes.size());
            assertTrue(describes.get(1).header("If-Modified-Since").isPresent());
            assertEquals(304, describes.get(1).status());

            org.clock.advance(Duration.ofMinutes(5));
            org.crm.addField(ObjectType.LEAD, FieldSchema.of("Score__c", FieldType.DOUBLE));
            org.clock.advance(Duration.ofMinutes(5));
            assertTrue(sf.describe(ObjectType.LEAD).orElseThrow().field("Score__c").isPresent());
        }
    }

    @Test
    void fullCopyReadsEveryRecordOnceInKeysetOrderAcrossPagesSharingOneStamp() {
        List<CrmId> ids = org.leads(4_500);
        try (SalesforceCrmSource sf = org.open(org.source());
             ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of("Email"), Cursor.START, 2_000))) {
            List<SyncRecord> all = drain(s);
            assertEquals(4_500, all.size());
            assertEquals(Set.copyOf(ids), Set.copyOf(all.stream().map(SyncRecord::id).toList()));
            assertStrictlyOrdered(all);
            assertEquals(4_500, s.estimatedTotal().orElseThrow());
        }
    }

    @Test
    void readsUseFullPagesSoTheCallCountIsTheMinimum() {
        org.leads(4_500);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            sf.describe(ObjectType.LEAD);
            Map<String, Long> before = sf.callCounts();
            try (ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of("Email"), Cursor.START, 2_000))) {
                List<SyncRecord> first = s.nextPage();
                assertEquals(2_000, first.size());
                drain(s);
            }
            Map<String, Long> after = sf.callCounts();
            long reads = after.getOrDefault("queryAll", 0L) + after.getOrDefault("queryMore", 0L)
                    - before.getOrDefault("queryAll", 0L) - before.getOrDefault("queryMore", 0L);
            assertEquals(3, reads, "ceil(4500 / 2000) query calls: " + after);
            for (RecordedRequest r : org.requests("/query")) {
                assertEquals("batchSize=2000", r.header("Sforce-Query-Options").orElse(""));
            }
        }
    }

    @Test
    void incrementalReadReturnsOnlyRecordsStrictlyAfterTheCursor() {
        List<CrmId> ids = org.leads(10);
        SyncRecord fifth;
        try (SalesforceCrmSource sf = org.open(org.source())) {
            List<SyncRecord> all;
            try (ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of("Email"), Cursor.START, 2_000))) {
                all = drain(s);
            }
            fifth = all.get(4);
            org.clock.advance(Duration.ofSeconds(30));
            org.crm.update(ObjectType.LEAD, ids.get(0), Map.of("Email", FieldValue.text("new@example.com")));
            try (ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of("Email"),
                    Cursor.after(fifth.modstamp(), fifth.id()), 2_000))) {
                List<SyncRecord> later = drain(s);
                assertEquals(all.subList(5, 10).stream().map(SyncRecord::id).filter(id -> !id.equals(ids.get(0))).toList(),
                        later.subList(0, later.size() - 1).stream().map(SyncRecord::id).toList());
                SyncRecord updated = later.get(later.size() - 1);
                assertEquals(ids.get(0), updated.id());
                assertEquals(FieldValue.text("new@example.com"), updated.get("Email"));
            }
        }
    }

    @Test
    void deletionsAndMergeLosersComeThroughQueryAll() {
        List<CrmId> ids = org.leads(3);
        org.clock.advance(Duration.ofSeconds(5));
        org.crm.delete(ObjectType.LEAD, ids.get(0));
        org.crm.merge(ObjectType.LEAD, ids.get(1), List.of(ids.get(2)));
        try (SalesforceCrmSource sf = org.open(org.source());
             ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD,
                     Set.of("Email", SyncRecord.MASTER_RECORD_ID), Cursor.START, 2_000))) {
            Map<CrmId, SyncRecord> byId = new java.util.HashMap<>();
            drain(s).forEach(r -> byId.put(r.id(), r));
            assertTrue(byId.get(ids.get(0)).deleted());
            assertFalse(byId.get(ids.get(1)).deleted());
            assertTrue(byId.get(ids.get(2)).deleted());
            assertEquals(FieldValue.ref(ids.get(1)), byId.get(ids.get(2)).get(SyncRecord.MASTER_RECORD_ID));
        }
        assertFalse(org.requests("/queryAll").isEmpty());
        assertTrue(org.requests("/v62.0/query$").isEmpty(), "deleted rows need queryAll, never query");
    }

    @Test
    void leadConversionFieldsAreRead() {
        CrmId lead = org.leads(1).get(0);
        org.clock.advance(Duration.ofSeconds(1));
        var conversion = org.crm.convertLead(lead, null);
        try (SalesforceCrmSource sf = org.open(org.source());
             ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of(SyncRecord.IS_CONVERTED,
                     SyncRecord.CONVERTED_CONTACT_ID, SyncRecord.CONVERTED_ACCOUNT_ID), Cursor.START, 2_000))) {
            SyncRecord r = drain(s).get(0);
            assertEquals(FieldValue.bool(true), r.get(SyncRecord.IS_CONVERTED));
            assertEquals(FieldValue.ref(conversion.contactId()), r.get(SyncRecord.CONVERTED_CONTACT_ID));
            assertEquals(FieldValue.ref(conversion.accountId()), r.get(SyncRecord.CONVERTED_ACCOUNT_ID));
        }
    }

    @Test
    void aTimedOutQueryIsSplitAndStillReadsEverything() {
        List<CrmId> early = org.leads(5);
        org.clock.advance(Duration.ofDays(30));
        List<CrmId> late = org.leads(5);
        org.server.faults().failNext("/queryAll", 1, 400, "QUERY_TIMEOUT",
                "Your query request was running for too long.", null);
        try (SalesforceCrmSource sf = org.open(org.source());
             ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of("Email"), Cursor.START, 2_000))) {
            List<SyncRecord> all = drain(s);
            assertEquals(10, all.size());
            assertStrictlyOrdered(all);
            assertTrue(all.stream().map(SyncRecord::id).toList().containsAll(early));
            assertTrue(all.stream().map(SyncRecord::id).toList().containsAll(late));
        }
        List<RecordedRequest> queries = org.requests("/queryAll");
        assertTrue(queries.size() >= 3, "the timed-out query, then one per half window");
        assertTrue(queries.get(1).queryParameter("q").orElseThrow().contains("SystemModstamp <="));
    }

    @Test
    void windowsAreHalvedUntilEachFitsUnderTheQueryTimeout() {
        for (int day = 0; day < 4; day++) {
            org.clock.advance(Duration.ofDays(1));
            org.leads(30);
        }
        org.server.faults().queryTimeoutAbove(40);
        try (SalesforceCrmSource sf = org.open(org.source().maxQueryTimeoutSplits(8));
             ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of("Email"), Cursor.START, 2_000))) {
            List<SyncRecord> all = drain(s);
            assertEquals(120, all.size());
            assertEquals(120, all.stream().map(SyncRecord::id).distinct().count());
            assertStrictlyOrdered(all);
            assertTrue(sf.callCounts().get("queryAll") < 80, sf.callCounts().toString());
        }
    }

    @Test
    void aTimeoutThatSplittingCannotCureFailsRetriably() {
        org.leads(50);
        org.server.faults().queryTimeoutAbove(10);
        try (SalesforceCrmSource sf = org.open(org.source());
             ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of("Email"), Cursor.START, 2_000))) {
            dev.crmsync.model.SyncException e = assertThrows(dev.crmsync.model.SyncException.class, () -> drain(s));
            assertTrue(e.isRetriable());
            assertTrue(e.getMessage().contains("QUERY_TIMEOUT"), e.getMessage());
        }
    }

    @Test
    void theEstimateIsKnownBeforeTheFirstPageWithoutAnExtraCall() {
        org.leads(2_500);
        try (SalesforceCrmSource sf = org.open(org.source());
             ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of("Email"), Cursor.START, 2_000))) {
            assertEquals(2_500, s.estimatedTotal().orElseThrow());
            assertEquals(2_500, drain(s).size());
            assertEquals(1L, sf.callCounts().get("queryAll"));
            assertEquals(1L, sf.callCounts().get("queryMore"));
        }
    }

    @Test
    void anExpiredQueryLocatorRestartsFromTheLastRecordRead() {
        org.leads(500);
        try (SalesforceCrmSource sf = org.open(org.source().pageSize(200));
             ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of("Email"), Cursor.START, 200))) {
            List<SyncRecord> all = new ArrayList<>(s.nextPage());
            org.server.faults().expireQueryLocators();
            all.addAll(drain(s));
            assertEquals(500, all.size());
            assertEquals(500, all.stream().map(SyncRecord::id).distinct().count());
            assertStrictlyOrdered(all);
        }
    }

    @Test
    void deletedSinceReportsTheDeleteLog() {
        List<CrmId> ids = org.leads(3);
        Instant start = org.clock.instant();
        org.clock.advance(Duration.ofMinutes(2));
        org.crm.delete(ObjectType.LEAD, ids.get(1));
        org.clock.advance(Duration.ofMinutes(2));
        try (SalesforceCrmSource sf = org.open(org.source())) {
            DeletedRecords d = sf.deletedSince(ObjectType.LEAD, start, org.clock.instant());
            assertEquals(List.of(ids.get(1)), d.deletions().stream().map(x -> x.crmId()).toList());
            assertFalse(d.latestDateCovered().isAfter(org.clock.instant()));
            assertFalse(d.earliestDateAvailable().isAfter(start));
        }
    }

    @Test
    void aWindowOlderThanTheDeleteLogSaysDeletionsMayBeLost() {
        org.leads(1);
        Instant longAgo = org.clock.instant();
        org.clock.advance(Duration.ofDays(20));
        try (SalesforceCrmSource sf = org.open(org.source())) {
            DeletedRecords d = sf.deletedSince(ObjectType.LEAD, longAgo, org.clock.instant());
            assertTrue(d.earliestDateAvailable().isAfter(longAgo), "the engine must reconcile id sets");
        }
    }

    @Test
    void fetchReturnsRecordsByIdDeletedOnesFlagged() {
        List<CrmId> ids = org.leads(3);
        org.crm.delete(ObjectType.LEAD, ids.get(2));
        try (SalesforceCrmSource sf = org.open(org.source())) {
            List<SyncRecord> got = sf.fetch(ObjectType.LEAD, ids, Set.of("Email"));
            assertEquals(3, got.size());
            assertEquals(1, got.stream().filter(SyncRecord::deleted).count());
            assertEquals(FieldValue.text("lead0@example.com"),
                    got.stream().filter(r -> r.id().equals(ids.get(0))).findFirst().orElseThrow().get("Email"));
        }
    }

    @Test
    void hostileIdentifiersAreRefusedBeforeAnyRequest() {
        org.leads(1);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            int before = org.recorded();
            for (String hostile : List.of("Email' OR Id != '", "Email, Phone", "Id FROM Contact --", "Name\n",
                    "Owner.Name", "Émail")) {
                assertThrows(IllegalArgumentException.class, () -> sf.openChanges(
                        new ChangeQuery(ObjectType.LEAD, Set.of(hostile), Cursor.START, 200)), hostile);
                assertThrows(IllegalArgumentException.class, () -> sf.fetch(ObjectType.LEAD, List.of(), Set.of(hostile)));
            }
            assertEquals(before, org.recorded(), "nothing was sent");
            assertThrows(IllegalArgumentException.class, () -> ObjectType.of("Lead WHERE Id != null"));
        }
    }

    @Test
    void unknownButWellFormedFieldsAreSkipped() {
        org.leads(2);
        try (SalesforceCrmSource sf = org.open(org.source());
             ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of("Email", "NoSuchField__c"),
                     Cursor.START, 200))) {
            List<SyncRecord> all = drain(s);
            assertEquals(2, all.size());
            assertEquals(Set.of("Email"), all.get(0).fields().keySet());
        }
        for (RecordedRequest r : org.requests("/queryAll")) {
            assertFalse(r.queryParameter("q").orElseThrow().contains("NoSuchField__c"));
        }
    }
}
