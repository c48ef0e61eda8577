package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.Cursor;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads parse straight from the response stream; a page or chunk whose body is cut midway (the fake
 * sends half of it under the full {@code Content-Length}, then closes) is read again whole: every
 * record is handed out exactly once, and the calls are the fault-free ones plus exactly one.
 */
class StreamingReadRetryTest {

    private static final Set<String> FIELDS = Set.of("LastName", "Company", "Email");

    private final FakeOrg org = new FakeOrg();

    @TempDir
    Path spill;

    @AfterEach
    void close() {
        org.close();
    }

    private Set<CrmId> leads(int n) {
        Set<CrmId> ids = new HashSet<>();
        for (int i = 0; i < n; i += 500) {
            org.clock.advance(Duration.ofSeconds(1));
            ids.addAll(org.leads(Math.min(500, n - i)));
        }
        return ids;
    }

    /**
     * Reads every page; once {@code endpoint} was called {@code after} times, the next request to
     * {@code pathRegex} has its body cut midway.
     */
    private List<SyncRecord> readCutting(SalesforceCrmSource sf, ChangeQuery q, String endpoint, long after,
                                         String pathRegex) {
        List<SyncRecord> all = new ArrayList<>();
        boolean armed = false;
        try (ChangeStream s = sf.openChanges(q)) {
            List<SyncRecord> page;
            while (!(page = s.nextPage()).isEmpty()) {
                all.addAll(page);
                if (!armed && sf.callCounts().getOrDefault(endpoint, 0L) >= after) {
                    org.server.faults().truncateBodyNext(pathRegex, 1);
                    armed = true;
                }
            }
        }
        assertTrue(armed, "the fault was set");
        return all;
    }

    private static void assertEachOnce(Set<CrmId> expected, List<SyncRecord> got) {
        assertEquals(expected.size(), got.size(), "records handed out");
        Set<CrmId> seen = new HashSet<>();
        for (SyncRecord r : got) {
            assertTrue(seen.add(r.id()), "handed out twice: " + r.id());
        }
        assertEquals(expected, seen);
    }

    @Test
    void aRestPageCutMidwayIsReadAgainWholeAndNoRecordComesTwice() {
        Set<CrmId> ids = leads(1_000);
        try (SalesforceCrmSource sf = org.open(org.source().bulkThreshold(Long.MAX_VALUE).pageSize(200))) {
            List<SyncRecord> got = readCutting(sf, new ChangeQuery(ObjectType.LEAD, FIELDS, Cursor.START, 200),
                    "queryMore", 1, "/query/");
            assertEachOnce(ids, got);
            SalesforceReadTest.assertStrictlyOrdered(got);
            assertEquals(1L, sf.callCounts().get("queryAll"));
            assertEquals(4L + 1, sf.callCounts().get("queryMore"), "4 pages after the first, one of them twice");
        }
    }

    @Test
    void aBulkChunkCutMidwayIsReadAgainWholeAndNoRecordComesTwice() {
        Set<CrmId> ids = leads(3_000);
        try (SalesforceCrmSource sf = org.open(org.source().bulkThreshold(1_000).pageSize(200)
                .bulkMaxRecordsPerResult(500).bulkSpillDirectory(spill))) {
            // whole-job mode downloads every chunk before the first Bulk page: cut the first results request
            List<SyncRecord> got = readCutting(sf, new ChangeQuery(ObjectType.LEAD, FIELDS, Cursor.START, 200),
                    "queryAll", 1, "/results");
            assertEachOnce(ids, got);
            SalesforceReadTest.assertStrictlyOrdered(got);
            assertEquals(1L, sf.callCounts().get("bulk.create"));
            // 2,800 records after the first REST page: 6 chunks of at most 500, the cut one twice
            assertEquals(6L + 1, sf.callCounts().get("bulk.results"));
        }
    }

    @Test
    void aResumableBulkChunkCutMidwayIsReadAgainWholeAndNoRecordComesTwice() {
        Set<CrmId> ids = leads(3_000);
        try (SalesforceCrmSource sf = org.open(org.source().bulkThreshold(1_000).pageSize(200)
                .bulkMaxRecordsPerResult(500).bulkSpillDirectory(spill))) {
            // chunk by chunk: cut the third chunk, after two were handed out
            List<SyncRecord> got = readCutting(sf,
                    new ChangeQuery(ObjectType.LEAD, FIELDS, Cursor.START, 200).resumable(null),
                    "bulk.results", 2, "/results");
            assertEachOnce(ids, got);
            assertEquals(1L, sf.callCounts().get("bulk.create"));
            assertEquals(6L + 1, sf.callCounts().get("bulk.results"));
        }
    }
}
