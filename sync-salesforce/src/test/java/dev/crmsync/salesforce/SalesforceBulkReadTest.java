package dev.crmsync.salesforce;

import static dev.crmsync.salesforce.SalesforceReadTest.assertStrictlyOrdered;
import static dev.crmsync.salesforce.SalesforceReadTest.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.crm.Cursor;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Initial loads through Bulk API 2.0 query jobs, and their fallbacks. */
class SalesforceBulkReadTest {

    private static final ObjectType GADGET = ObjectType.of("Gadget__c");
    private static final Set<String> FIELDS = Set.of("Name", "Price__c", "Qty__c", "Active__c", "Launch__c", "Seen__c",
            "Notes__c", "Owner__c");

    private final FakeOrg org = new FakeOrg();

    @TempDir
    Path spill;

    @AfterEach
    void close() {
        org.close();
    }

    /** Gadgets with every kind of value, hostile text and nulls included, spread over several stamps. */
    private void gadgets(int n) {
        org.crm.defineType(GADGET, List.of(FieldSchema.of("Name", FieldType.STRING),
                FieldSchema.of("Price__c", FieldType.CURRENCY), FieldSchema.of("Qty__c", FieldType.INT),
                FieldSchema.of("Active__c", FieldType.BOOLEAN), FieldSchema.of("Launch__c", FieldType.DATE),
                FieldSchema.of("Seen__c", FieldType.DATETIME), FieldSchema.of("Notes__c", FieldType.TEXTAREA),
                new FieldSchema("Owner__c", FieldType.REFERENCE, true, true, true, false, 18, List.of("User"))));
        String[] notes = {"plain", "O'Brien, \"quoted\"", "line 1\nline 2\r\nline 3", "back\\slash", "' OR Id != '",
                "Zoë 東京 😀", "trailing space ", null};
        for (int i = 0; i < n; i++) {
            if (i % 1_000 == 0) {
                org.clock.advance(Duration.ofSeconds(1));
            }
            Map<String, FieldValue> f = new LinkedHashMap<>();
            f.put("Name", FieldValue.text("Gadget " + i));
            f.put("Price__c", i % 5 == 0 ? FieldValue.NULL : FieldValue.number(new BigDecimal(i).movePointLeft(2)));
            f.put("Qty__c", FieldValue.number(i % 7));
            f.put("Active__c", FieldValue.bool(i % 2 == 0));
            f.put("Launch__c", FieldValue.date(LocalDate.of(2020, 1, 1).plusDays(i % 400)));
            f.put("Seen__c", FieldValue.dateTime(Instant.parse("2023-01-01T00:00:00Z").plusSeconds(i * 61L)));
            f.put("Notes__c", FieldValue.textOrNull(notes[i % notes.length]));
            org.crm.insert(GADGET, f);
        }
    }

    private List<SyncRecord> readAll(SalesforceCrmSource sf) {
        try (ChangeStream s = sf.openChanges(new ChangeQuery(GADGET, FIELDS, Cursor.START, 2_000))) {
            return drain(s);
        }
    }

    @Test
    void aLargeInitialLoadUsesBulkAndNormalisesToTheSameValuesAsRest() {
        gadgets(12_000);
        List<SyncRecord> viaBulk;
        List<SyncRecord> viaRest;
        try (SalesforceCrmSource sf = org.open(org.source().bulkThreshold(10_000).bulkSpillDirectory(spill))) {
            viaBulk = readAll(sf);
            assertEquals(1L, sf.callCounts().get("bulk.create"));
            assertEquals(0, sf.openBulkJobs());
        }
        try (SalesforceCrmSource sf = org.open(org.source().bulkThreshold(Long.MAX_VALUE))) {
            viaRest = readAll(sf);
            assertFalse(sf.callCounts().containsKey("bulk.create"));
        }
        assertEquals(12_000, viaBulk.size());
        assertStrictlyOrdered(viaBulk);
        assertEquals(viaRest, viaBulk, "REST and Bulk give identical records");
        assertEquals(0, org.server.openBulkJobs());
    }

    @Test
    void bulkResultsAcrossManyLocatorsAndSpilledRunsStayOrdered() throws Exception {
        gadgets(3_000);
        try (SalesforceCrmSource sf = org.open(org.source().bulkThreshold(1_000).bulkMaxRecordsPerResult(250)
                .bulkSortBufferRecords(300).bulkSpillDirectory(spill))) {
            List<SyncRecord> all = readAll(sf);
            assertEquals(3_000, all.size());
            assertEquals(3_000, all.stream().map(SyncRecord::id).distinct().count());
            assertStrictlyOrdered(all);
            assertTrue(sf.callCounts().get("bulk.results") >= 4, sf.callCounts().toString());
        }
        try (Stream<Path> left = Files.list(spill)) {
            assertEquals(0, left.count(), "spilled runs are deleted");
        }
    }

    @Test
    void objectsBulkCannotQueryFallBackToRest() {
        gadgets(2_500);
        org.server.faults().bulkUnsupported(GADGET);
        try (SalesforceCrmSource sf = org.open(org.source().bulkThreshold(1_000))) {
            List<SyncRecord> all = readAll(sf);
            assertEquals(2_500, all.size());
            assertStrictlyOrdered(all);
            // the type is remembered: the next large read does not try Bulk again
            readAll(sf);
            assertEquals(1L, sf.callCounts().get("bulk.create"));
        }
    }

    @Test
    void aJobThatNeverFinishesIsAbortedAtItsDeadlineAndRestFinishesTheRead() {
        gadgets(2_500);
        org.server.faults().bulkJobsNeverComplete(true);
        try (SalesforceCrmSource sf = org.open(org.source().bulkThreshold(1_000).bulkJobTimeout(Duration.ofMinutes(10))
                .bulkPollInterval(Duration.ofSeconds(5), Duration.ofSeconds(60)))) {
            List<SyncRecord> all = readAll(sf);
            assertEquals(2_500, all.size());
            assertEquals(0, sf.openBulkJobs());
            assertEquals(1L, sf.callCounts().get("bulk.abort"));
        }
        assertEquals(0, org.server.openBulkJobs(), "no job is left open");
        Duration waited = org.sleeps.stream().reduce(Duration.ZERO, Duration::plus);
        assertEquals(Duration.ofMinutes(10), waited, "polled up to the deadline, no longer");
    }

    @Test
    void aFailedJobFallsBackToRest() {
        gadgets(1_500);
        org.server.faults().bulkJobsFail("Internal error while processing the job");
        try (SalesforceCrmSource sf = org.open(org.source().bulkThreshold(1_000))) {
            assertEquals(1_500, readAll(sf).size());
        }
        assertEquals(0, org.server.openBulkJobs());
    }

    @Test
    void anInterruptWhileWaitingForTheJobAbortsIt() {
        gadgets(2_500);
        org.server.faults().bulkJobsNeverComplete(true);
        int[] naps = {0};
        try (SalesforceCrmSource sf = org.open(org.base().credentials(SalesforceCredentials.jwtBearer(FakeOrg.CONSUMER_KEY,
                        FakeOrg.USERNAME, FakeOrg.keys().getPrivate()))
                .sleeper(d -> {
                    if (++naps[0] == 3) {
                        throw new InterruptedException("host is shutting down");
                    }
                })
                .bulkThreshold(1_000).bulkJobTimeout(Duration.ofHours(1)));
             ChangeStream s = sf.openChanges(new ChangeQuery(GADGET, FIELDS, Cursor.START, 2_000))) {
            s.nextPage();
            dev.crmsync.model.SyncException e = assertThrows(
                    dev.crmsync.model.SyncException.class, s::nextPage);
            assertTrue(Thread.interrupted(), "the interrupt flag is restored");
            assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
            assertEquals(0, sf.openBulkJobs());
        }
        assertEquals(0, org.server.openBulkJobs(), "the job was aborted");
    }

    @Test
    void closingTheSourceFromAnotherThreadAbortsARunningJob() throws Exception {
        gadgets(2_500);
        org.server.faults().bulkJobsNeverComplete(true);
        java.util.concurrent.CountDownLatch polling = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        SalesforceCrmSource sf = org.open(org.base().credentials(SalesforceCredentials.jwtBearer(FakeOrg.CONSUMER_KEY,
                        FakeOrg.USERNAME, FakeOrg.keys().getPrivate()))
                .sleeper(d -> {
                    polling.countDown();
                    if (!closed.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                        throw new IllegalStateException("test timed out");
                    }
                })
                .bulkThreshold(1_000).bulkJobTimeout(Duration.ofHours(1)));
        ChangeStream s = sf.openChanges(new ChangeQuery(GADGET, FIELDS, Cursor.START, 2_000));
        s.nextPage();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                s.nextPage();
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
        reader.start();
        assertTrue(polling.await(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(1, org.server.openBulkJobs());
        sf.close();
        closed.countDown();
        reader.join(10_000);
        assertFalse(reader.isAlive());
        assertEquals(0, org.server.openBulkJobs(), "close aborted the job");
        assertTrue(failure.get() != null, "the read fails once its source is closed");
    }

    @Test
    void sameRecordReadBothWaysIsEqualFieldByField() {
        gadgets(450);
        Map<CrmId, SyncRecord> rest = new HashMap<>();
        Map<CrmId, SyncRecord> bulk = new HashMap<>();
        try (SalesforceCrmSource sf = org.open(org.source().bulkThreshold(Long.MAX_VALUE).pageSize(200))) {
            readAll(sf).forEach(r -> rest.put(r.id(), r));
        }
        try (SalesforceCrmSource sf = org.open(org.source().bulkThreshold(1).pageSize(200));
             ChangeStream s = sf.openChanges(new ChangeQuery(GADGET, FIELDS, Cursor.START, 200))) {
            drain(s).forEach(r -> bulk.put(r.id(), r));
            assertEquals(1L, sf.callCounts().get("bulk.create"));
        }
        assertEquals(450, bulk.size());
        assertEquals(rest, bulk);
    }
}
