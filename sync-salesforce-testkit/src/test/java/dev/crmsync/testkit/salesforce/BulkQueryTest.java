package dev.crmsync.testkit.salesforce;

import static dev.crmsync.testkit.salesforce.FakeSf.error;
import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BulkQueryTest {

    private final FakeSf sf = FakeSf.start();

    @AfterEach
    void stop() {
        sf.close();
    }

    private CrmId lead(String lastName, Map<String, FieldValue> more) {
        Map<String, FieldValue> f = new HashMap<>(more);
        f.put("LastName", FieldValue.text(lastName));
        f.put("Company", FieldValue.text("Acme"));
        return sf.crm.insert(ObjectType.LEAD, f);
    }

    private JsonNode create(String operation, String soql) {
        HttpResponse<String> r = sf.post(sf.v("/jobs/query"), "{\"operation\":\"" + operation + "\",\"query\":\""
                + soql.replace("\"", "\\\"") + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    private JsonNode poll(String id) {
        HttpResponse<String> r = sf.get(sf.v("/jobs/query/" + id));
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    private String completed(String operation, String soql) {
        String id = create(operation, soql).path("id").asText();
        while (!poll(id).path("state").asText().equals("JobComplete")) {
            // advances one step per poll
        }
        return id;
    }

    private static List<CSVRecord> csv(String body) {
        try (CSVParser p = CSVParser.parse(new StringReader(body), CSVFormat.DEFAULT.builder().setHeader()
                .setSkipHeaderRecord(true).get())) {
            return p.getRecords();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aJobMovesFromUploadCompleteThroughInProgressToJobCompleteOnPolls() {
        lead("A", Map.of());
        JsonNode created = create("query", "SELECT Id FROM Lead");
        assertEquals("UploadComplete", created.path("state").asText());
        assertEquals("query", created.path("operation").asText());
        assertEquals("Lead", created.path("object").asText());
        assertEquals("CSV", created.path("contentType").asText());
        assertEquals("LF", created.path("lineEnding").asText());
        assertEquals("COMMA", created.path("columnDelimiter").asText());
        assertTrue(created.path("apiVersion").isNumber());
        assertEquals("62.0", created.path("apiVersion").asText());
        assertTrue(created.path("id").asText().startsWith("750"));
        assertEquals("2024-05-01T10:00:00.000+0000", created.path("createdDate").asText());
        assertEquals(1, sf.server.openBulkJobs());
        String id = created.path("id").asText();
        assertEquals("InProgress", poll(id).path("state").asText());
        JsonNode done = poll(id);
        assertEquals("JobComplete", done.path("state").asText());
        assertEquals(1, done.path("numberRecordsProcessed").asInt());
        assertEquals("V2Query", done.path("jobType").asText());
        assertEquals(0, sf.server.openBulkJobs());
        assertEquals("JobComplete", poll(id).path("state").asText(), "a finished job stays finished");
    }

    @Test
    void resultsComeInChunksByLocatorEndingWithTheLiteralNull() {
        for (int i = 0; i < 25; i++) {
            lead("L" + i, Map.of());
        }
        String id = completed("query", "SELECT Id, LastName FROM Lead");
        List<String> names = new ArrayList<>();
        String locator = null;
        int chunks = 0;
        do {
            String path = sf.v("/jobs/query/" + id + "/results?maxRecords=10" + (locator == null ? "" : "&locator=" + locator));
            HttpResponse<String> r = sf.get(path);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
            List<CSVRecord> rows = csv(r.body());
            assertEquals(Integer.toString(rows.size()), r.headers().firstValue("Sforce-NumberOfRecords").orElseThrow());
            rows.forEach(row -> names.add(row.get("LastName")));
            locator = r.headers().firstValue("Sforce-Locator").orElseThrow();
            chunks++;
        } while (!locator.equals("null"));
        assertEquals(3, chunks);
        assertEquals(25, names.size());
        assertEquals(25, names.stream().distinct().count());
    }

    @Test
    void csvValuesAreWrittenAsBulkWritesThem() {
        CrmId id = lead("Smith, \"Jr\"\nline2", Map.of("DoNotCall", FieldValue.bool(true),
                "AnnualRevenue", FieldValue.number(new BigDecimal("1500")), "Email", FieldValue.NULL));
        String jobId = completed("query", "SELECT Id, LastName, DoNotCall, AnnualRevenue, Email, SystemModstamp FROM Lead");
        String body = sf.get(sf.v("/jobs/query/" + jobId + "/results")).body();
        assertEquals("\"Id\",\"LastName\",\"DoNotCall\",\"AnnualRevenue\",\"Email\",\"SystemModstamp\"\n"
                + "\"" + id + "\",\"Smith, \"\"Jr\"\"\nline2\",\"true\",\"1500.0\",\"\",\"2024-05-01T10:00:00.000Z\"\n", body);
    }

    @Test
    void csvRoundTripsToTheSameValuesAsRest() {
        for (int i = 0; i < 5; i++) {
            lead("Name " + i + " ' \" , ;", Map.of("NumberOfEmployees", FieldValue.number(i), "Email",
                    i % 2 == 0 ? FieldValue.NULL : FieldValue.text("p" + i + "@x.com")));
        }
        String soql = "SELECT Id, LastName, NumberOfEmployees, Email FROM Lead ORDER BY Id";
        JsonNode rest = json(sf.query(soql)).path("records");
        List<CSVRecord> bulk = csv(sf.get(sf.v("/jobs/query/" + completed("query", soql) + "/results")).body());
        assertEquals(rest.size(), bulk.size());
        for (int i = 0; i < bulk.size(); i++) {
            JsonNode r = rest.get(i);
            CSVRecord b = bulk.get(i);
            assertEquals(r.path("Id").asText(), b.get("Id"));
            assertEquals(r.path("LastName").asText(), b.get("LastName"));
            assertEquals(r.path("NumberOfEmployees").asText(), b.get("NumberOfEmployees"));
            assertEquals(r.path("Email").isNull() ? "" : r.path("Email").asText(), b.get("Email"));
        }
    }

    @Test
    void queryAllJobsIncludeDeletedRows() {
        CrmId gone = lead("Gone", Map.of());
        sf.crm.delete(ObjectType.LEAD, gone);
        lead("Kept", Map.of());
        assertEquals(1, csv(sf.get(sf.v("/jobs/query/" + completed("query", "SELECT Id FROM Lead") + "/results"))
                .body()).size());
        List<CSVRecord> all = csv(sf.get(sf.v("/jobs/query/" + completed("queryAll", "SELECT Id, IsDeleted FROM Lead")
                + "/results")).body());
        assertEquals(2, all.size());
        assertTrue(all.stream().anyMatch(r -> r.get("Id").equals(gone.value()) && r.get("IsDeleted").equals("true")));
    }

    @Test
    void otherDelimitersAndLineEndingsAreHonoured() {
        lead("A", Map.of());
        HttpResponse<String> r = sf.post(sf.v("/jobs/query"), "{\"operation\":\"query\",\"query\":\"SELECT LastName, "
                + "Company FROM Lead\",\"columnDelimiter\":\"PIPE\",\"lineEnding\":\"CRLF\"}");
        String id = json(r).path("id").asText();
        poll(id);
        poll(id);
        assertEquals("\"LastName\"|\"Company\"\r\n\"A\"|\"Acme\"\r\n", sf.get(sf.v("/jobs/query/" + id + "/results")).body());
    }

    @Test
    void resultsBeforeCompletionAre412JobNotComplete() {
        String id = create("query", "SELECT Id FROM Lead").path("id").asText();
        error(sf.get(sf.v("/jobs/query/" + id + "/results")), 412, "JOB_NOT_COMPLETE");
    }

    @Test
    void resultsWithAnotherApiVersionAre409() {
        String id = completed("query", "SELECT Id FROM Lead");
        HttpResponse<String> r = sf.get("/services/data/v61.0/jobs/query/" + id + "/results");
        assertEquals(409, r.statusCode(), r.body());
    }

    @Test
    void abortingStopsTheJobAndLeavesNoneOpen() {
        String id = create("query", "SELECT Id FROM Lead").path("id").asText();
        HttpResponse<String> r = sf.patch(sf.v("/jobs/query/" + id), "{\"state\":\"Aborted\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("Aborted", json(r).path("state").asText());
        assertEquals(0, sf.server.openBulkJobs());
        assertEquals("Aborted", poll(id).path("state").asText());
        error(sf.patch(sf.v("/jobs/query/" + id), "{\"state\":\"Aborted\"}"), 400, "INVALIDJOB");
    }

    @Test
    void aFinishedJobCanBeDeleted() {
        String id = completed("query", "SELECT Id FROM Lead");
        assertEquals(204, sf.send("DELETE", sf.v("/jobs/query/" + id), null).statusCode());
        error(sf.get(sf.v("/jobs/query/" + id)), 404, "NOT_FOUND");
    }

    @Test
    void jobsNeverCompleteWhenTheFaultSaysSo() {
        sf.server.faults().bulkJobsNeverComplete(true);
        String id = create("query", "SELECT Id FROM Lead").path("id").asText();
        for (int i = 0; i < 10; i++) {
            assertEquals("InProgress", poll(id).path("state").asText());
        }
        assertEquals(1, sf.server.openBulkJobs());
        sf.server.faults().bulkJobsNeverComplete(false);
        assertEquals("JobComplete", poll(id).path("state").asText());
    }

    @Test
    void jobsFailWhenTheFaultSaysSo() {
        sf.server.faults().bulkJobsFail("InternalServerError: retry later");
        String id = create("query", "SELECT Id FROM Lead").path("id").asText();
        poll(id);
        JsonNode failed = poll(id);
        assertEquals("Failed", failed.path("state").asText());
        assertEquals("InternalServerError: retry later", failed.path("errorMessage").asText());
        error(sf.get(sf.v("/jobs/query/" + id + "/results")), 400, "INVALIDJOB");
    }

    @Test
    void aTypeBulkCannotQueryIsRefusedAtCreation() {
        sf.server.faults().bulkUnsupported(ObjectType.TASK);
        JsonNode e = error(sf.post(sf.v("/jobs/query"), "{\"operation\":\"query\",\"query\":\"SELECT Id FROM Task\"}"),
                400, "INVALIDENTITY");
        assertEquals("Entity 'Task' is not supported by the Bulk API.", e.path("message").asText());
        assertEquals(0, sf.server.openBulkJobs());
    }

    @Test
    void badSoqlIsRefusedAtCreation() {
        error(sf.post(sf.v("/jobs/query"), "{\"operation\":\"query\",\"query\":\"SELECT Nope__c FROM Lead\"}"), 400,
                "INVALID_FIELD");
        error(sf.post(sf.v("/jobs/query"), "{\"operation\":\"upsert\",\"query\":\"SELECT Id FROM Lead\"}"), 400,
                "INVALIDJOB");
    }

    @Test
    void theResultsAreASnapshotTakenAtCompletion() {
        lead("Before", Map.of());
        String id = create("query", "SELECT LastName FROM Lead").path("id").asText();
        poll(id);
        poll(id);
        lead("After", Map.of());
        assertEquals(1, csv(sf.get(sf.v("/jobs/query/" + id + "/results")).body()).size());
    }

    @Test
    void jobsAreListed() {
        String id = create("query", "SELECT Id FROM Lead").path("id").asText();
        JsonNode list = json(sf.get(sf.v("/jobs/query")));
        assertTrue(list.path("done").asBoolean());
        assertEquals(id, list.path("records").get(0).path("id").asText());
    }
}
