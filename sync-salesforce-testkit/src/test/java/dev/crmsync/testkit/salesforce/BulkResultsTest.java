package dev.crmsync.testkit.salesforce;

import static dev.crmsync.testkit.salesforce.FakeSf.error;
import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bulk 2.0 query results rendered chunk by chunk from a snapshot of ids: memory per job, chunk
 * size without {@code maxRecords}, rows changed after completion, retention and the cap on
 * unfinished jobs.
 */
class BulkResultsTest {

    private FakeSf sf;

    @AfterEach
    void stop() {
        if (sf != null) {
            sf.close();
        }
    }

    private FakeSf start(Consumer<FakeSalesforceServer.Builder> config) {
        sf = FakeSf.start(config);
        return sf;
    }

    private CrmId lead(String lastName) {
        return sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text(lastName),
                "Company", FieldValue.text("Acme")));
    }

    private String create(String soql) {
        HttpResponse<String> r = sf.post(sf.v("/jobs/query"), "{\"operation\":\"query\",\"query\":\"" + soql + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        return json(r).path("id").asText();
    }

    private String poll(String id) {
        HttpResponse<String> r = sf.get(sf.v("/jobs/query/" + id));
        assertEquals(200, r.statusCode(), r.body());
        return json(r).path("state").asText();
    }

    private String completed(String soql) {
        String id = create(soql);
        while (!poll(id).equals("JobComplete")) {
            // one step per poll
        }
        return id;
    }

    private HttpResponse<String> results(String id, String locator, Integer maxRecords) {
        StringBuilder q = new StringBuilder();
        if (maxRecords != null) {
            q.append("maxRecords=").append(maxRecords);
        }
        if (locator != null) {
            q.append(q.isEmpty() ? "" : "&").append("locator=").append(locator);
        }
        HttpResponse<String> r = sf.get(sf.v("/jobs/query/" + id + "/results" + (q.isEmpty() ? "" : "?" + q)));
        assertEquals(200, r.statusCode(), r.body());
        return r;
    }

    private static List<CSVRecord> csv(String body) {
        try (CSVParser p = CSVParser.parse(new StringReader(body), CSVFormat.DEFAULT.builder().setHeader()
                .setSkipHeaderRecord(true).get())) {
            return p.getRecords();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String locator(HttpResponse<String> r) {
        return r.headers().firstValue("Sforce-Locator").orElseThrow();
    }

    private static int numberOfRecords(HttpResponse<String> r) {
        return Integer.parseInt(r.headers().firstValue("Sforce-NumberOfRecords").orElseThrow());
    }

    @Test
    void twoConcurrentLargeJobsHoldAPageOfRowsAtOnceNotTheirResults() {
        start(b -> { });
        for (int i = 0; i < 100_000; i++) {
            lead("L" + i);
        }
        String a = completed("SELECT Id, LastName FROM Lead");
        String b = completed("SELECT Id, Company, SystemModstamp FROM Lead");
        assertEquals(0, sf.server.bulkRowsHeldPeak(), "completing a job renders nothing");
        String la = null;
        String lb = null;
        Set<String> idsA = new HashSet<>();
        Set<String> idsB = new HashSet<>();
        int chunks = 0;
        // both jobs open, their chunks read in turn
        while (!"null".equals(la) || !"null".equals(lb)) {
            if (!"null".equals(la)) {
                HttpResponse<String> r = results(a, la, 10_000);
                assertEquals(10_000, numberOfRecords(r));
                csv(r.body()).forEach(row -> idsA.add(row.get("Id")));
                la = locator(r);
                chunks++;
            }
            if (!"null".equals(lb)) {
                HttpResponse<String> r = results(b, lb, 10_000);
                assertEquals(10_000, numberOfRecords(r));
                csv(r.body()).forEach(row -> idsB.add(row.get("Id")));
                lb = locator(r);
                chunks++;
            }
        }
        assertEquals(20, chunks);
        assertEquals(100_000, idsA.size());
        assertEquals(idsA, idsB);
        // a chunk of 10,000 rows is rendered from records read 2,000 at a time (the CRM's page):
        // 2,000 held at most, against the 200,000 rows of the two jobs
        assertEquals(2_000, sf.server.bulkRowsHeldPeak());
    }

    @Test
    void withoutMaxRecordsAChunkEndsWithTheRowThatReachesTheSizeLimit() {
        start(b -> b.bulkResultsChunkChars(1_000));
        for (int i = 0; i < 100; i++) {
            lead(String.format("L%03d", i));
        }
        String id = completed("SELECT Id, LastName FROM Lead");
        // header "Id","LastName"\n is 16 characters, each row "<18-char id>","L000"\n 28: the 36th row
        // takes a chunk from 996 to 1,024 characters
        List<Integer> sizes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        String locator = null;
        do {
            HttpResponse<String> r = results(id, locator, null);
            List<CSVRecord> rows = csv(r.body());
            assertEquals(rows.size(), numberOfRecords(r));
            sizes.add(rows.size());
            assertEquals(16 + 28 * rows.size(), r.body().length());
            rows.forEach(row -> names.add(row.get("LastName")));
            locator = locator(r);
        } while (!locator.equals("null"));
        assertEquals(List.of(36, 36, 28), sizes);
        assertEquals(100, new HashSet<>(names).size());
    }

    @Test
    void maxRecordsIsStillSubjectToTheSizeLimit() {
        start(b -> b.bulkResultsChunkChars(1_000));
        for (int i = 0; i < 50; i++) {
            lead(String.format("L%03d", i));
        }
        String id = completed("SELECT Id, LastName FROM Lead");
        HttpResponse<String> first = results(id, null, 40);
        assertEquals(36, numberOfRecords(first));
        HttpResponse<String> rest = results(id, locator(first), 40);
        assertEquals(14, numberOfRecords(rest));
        assertEquals("null", locator(rest));
        HttpResponse<String> small = results(id, null, 5);
        assertEquals(5, numberOfRecords(small), "below the size limit maxRecords decides");
    }

    @Test
    void aLocatorGivesTheSameChunkAgain() {
        start(b -> { });
        for (int i = 0; i < 30; i++) {
            lead("L" + i);
        }
        String id = completed("SELECT Id, LastName FROM Lead ORDER BY LastName");
        HttpResponse<String> first = results(id, null, 10);
        String second = results(id, locator(first), 10).body();
        assertEquals(second, results(id, locator(first), 10).body());
        assertEquals("L0", csv(first.body()).get(0).get("LastName"));
    }

    @Test
    void aRowChangedAfterCompletionIsLeftOutOfItsChunk() {
        start(b -> { });
        lead("A");
        CrmId changed = lead("B");
        lead("C");
        String id = completed("SELECT Id, LastName FROM Lead");
        sf.clock.advance(Duration.ofSeconds(1));
        sf.crm.update(ObjectType.LEAD, changed, Map.of("LastName", FieldValue.text("B2")));
        HttpResponse<String> r = results(id, null, null);
        List<String> names = csv(r.body()).stream().map(row -> row.get("LastName")).toList();
        // a real org would still emit B as it was; the fake, which keeps no values, leaves it out
        // (never emits a version newer than the job) and says so in the count
        assertEquals(List.of("A", "C"), names);
        assertEquals(2, numberOfRecords(r));
        assertEquals(3, json(sf.get(sf.v("/jobs/query/" + id))).path("numberRecordsProcessed").asInt());
    }

    @Test
    void anAbandonedJobIsDeletedWhenItsRetentionHasPassed() {
        start(b -> b.bulkJobRetention(Duration.ofHours(1)));
        lead("A");
        String unfinished = create("SELECT Id FROM Lead");
        poll(unfinished); // InProgress; its client never polls again
        String done = completed("SELECT Id FROM Lead");
        sf.clock.advance(Duration.ofMinutes(59));
        assertEquals(200, sf.get(sf.v("/limits")).statusCode());
        assertEquals(Map.of(unfinished, "InProgress", done, "JobComplete"), sf.server.bulkJobStates());
        sf.clock.advance(Duration.ofMinutes(1));
        // any request on the server's clock expires them, not only a Bulk one
        assertEquals(200, sf.get(sf.v("/limits")).statusCode());
        assertEquals(Map.of(), sf.server.bulkJobStates());
        error(sf.get(sf.v("/jobs/query/" + done + "/results")), 404, "NOT_FOUND");
        error(sf.get(sf.v("/jobs/query/" + unfinished)), 404, "NOT_FOUND");
    }

    @Test
    void creatingAJobBeyondTheCapOnUnfinishedJobsIsRefused() {
        start(b -> b.maxOpenBulkJobs(2));
        lead("A");
        String first = create("SELECT Id FROM Lead");
        create("SELECT Id FROM Lead");
        HttpResponse<String> refused = sf.post(sf.v("/jobs/query"),
                "{\"operation\":\"query\",\"query\":\"SELECT Id FROM Lead\"}");
        error(refused, 400, "LIMIT_EXCEEDED");
        assertEquals(2, sf.server.openBulkJobs());
        while (!poll(first).equals("JobComplete")) {
            // finishing one frees a place
        }
        create("SELECT Id FROM Lead");
        assertEquals(2, sf.server.openBulkJobs());
        assertEquals(3, sf.server.bulkJobStates().size());
    }

    @Test
    void theBuilderRefusesBadBulkSettings() {
        FakeSalesforceServer.Builder b = FakeSalesforceServer.builder();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.bulkResultsChunkChars(0)).getMessage()
                .contains("0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.maxOpenBulkJobs(0)).getMessage()
                .contains("0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.bulkJobRetention(Duration.ZERO))
                .getMessage().contains("PT0S"));
        assertThrows(NullPointerException.class, () -> b.bulkJobRetention(null));
    }
}
