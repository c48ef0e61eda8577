package dev.crmsync.testkit.salesforce;

import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.fault.Fault;
import static dev.crmsync.testkit.salesforce.FakeSf.error;
import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FaultsTest {

    private final List<Duration> slept = new CopyOnWriteArrayList<>();
    private final FakeSf sf = FakeSf.start(b -> b.sleeper(slept::add));

    @AfterEach
    void stop() {
        sf.close();
    }

    private void leads(int n) {
        for (int i = 0; i < n; i++) {
            sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("L" + i), "Company", FieldValue.text("c")));
        }
    }

    /** Sends a raw HTTP/1.1 request and returns every byte the server sent before closing. */
    private byte[] raw(String path) throws IOException {
        try (Socket s = new Socket(sf.server.baseUri().getHost(), sf.server.baseUri().getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + sf.token
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return in.readAllBytes();
        }
    }

    @Test
    void failNextAnswersTheErrorWithRetryAfterForNRequestsThenRecovers() {
        sf.server.faults().failNext("/limits$", 2, 503, "SERVER_UNAVAILABLE", "try later", Duration.ofSeconds(7));
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = sf.get(sf.v("/limits"));
            JsonNode e = error(r, 503, "SERVER_UNAVAILABLE");
            assertEquals("try later", e.path("message").asText());
            assertEquals("7", r.headers().firstValue("Retry-After").orElseThrow());
        }
        assertEquals(200, sf.get(sf.v("/limits")).statusCode());
        assertEquals(1, sf.server.apiCallsUsed(), "faulted requests are not counted");
    }

    @Test
    void failNextOnlyHitsMatchingPaths() {
        sf.server.faults().failNext("/query$", 1, 429, "REQUEST_LIMIT_EXCEEDED", "slow down", null);
        assertEquals(200, sf.get(sf.v("/limits")).statusCode());
        HttpResponse<String> r = sf.query("SELECT Id FROM Lead");
        error(r, 429, "REQUEST_LIMIT_EXCEEDED");
        assertTrue(r.headers().firstValue("Retry-After").isEmpty());
        assertEquals(200, sf.query("SELECT Id FROM Lead").statusCode());
    }

    @Test
    void faultsFireInTheOrderScheduled() {
        sf.server.faults().failNext("/limits", 1, 500, "UNKNOWN_EXCEPTION", "first", null)
                .failNext("/limits", 1, 420, "EDGE", "second", null);
        assertEquals(500, sf.get(sf.v("/limits")).statusCode());
        assertEquals(420, sf.get(sf.v("/limits")).statusCode());
        assertEquals(200, sf.get(sf.v("/limits")).statusCode());
    }

    @Test
    void dropConnectionClosesWithoutAnyResponse() throws IOException {
        sf.server.faults().dropConnectionNext("/limits", 1);
        assertEquals(0, raw(sf.v("/limits")).length);
        assertEquals(0, sf.server.requests().get(0).status(), "recorded as unanswered");
        assertEquals(200, sf.get(sf.v("/limits")).statusCode());
    }

    @Test
    void aLostAnswerServesTheWriteThenDropsTheConnection() {
        sf.server.faults().plan().failNext(sf.v("/composite/sobjects"), 1, Fault.loseAnswer());
        String body = "{\"allOrNone\":false,\"records\":[{\"attributes\":{\"type\":\"Lead\"},"
                + "\"LastName\":\"Lost\",\"Company\":\"c\"}]}";
        try {
            sf.post(sf.v("/composite/sobjects"), body);
            throw new AssertionError("expected an I/O failure");
        } catch (java.io.UncheckedIOException expected) {
            // the connection was closed without a response
        }
        assertEquals(1, sf.crm.count(ObjectType.LEAD), "the CRM committed the create whose answer was lost");
        assertEquals(1, sf.server.apiCallsUsed(), "a served request is counted");
        assertEquals(0, sf.server.requests().get(0).status(), "recorded as unanswered");
    }

    @Test
    void theServerCountsRequestsByEndpoint() {
        sf.get(sf.v("/limits"));
        sf.get(sf.v("/limits"));
        sf.query("SELECT Id FROM Lead");
        assertEquals(2, sf.server.log().count("/limits"));
        assertEquals(1, sf.server.log().count("/query"));
        assertEquals(3, sf.server.log().total());
        assertEquals(sf.server.requests().size(), sf.server.log().total());
    }

    @Test
    void dropConnectionMakesTheJdkClientFail() {
        sf.server.faults().dropConnectionNext("/limits", 5);
        try {
            sf.get(sf.v("/limits"));
            throw new AssertionError("expected an I/O failure");
        } catch (java.io.UncheckedIOException expected) {
            // the connection was closed without a response
        }
    }

    @Test
    void truncateBodySendsTheFullLengthButOnlyPartOfTheBody() throws IOException {
        leads(20);
        sf.server.faults().truncateBodyNext("/query", 1);
        String response = new String(raw(sf.v("/query?q=SELECT+Id+FROM+Lead")), StandardCharsets.UTF_8);
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        Matcher m = Pattern.compile("(?i)content-length: (\\d+)").matcher(response);
        assertTrue(m.find(), response);
        int declared = Integer.parseInt(m.group(1));
        int received = response.length() - response.indexOf("\r\n\r\n") - 4;
        assertTrue(received < declared, received + " < " + declared);
        assertTrue(received > 0);
        assertEquals(200, sf.query("SELECT Id FROM Lead").statusCode());
    }

    @Test
    void nonJsonBodyAnswersAnHtmlPage() {
        sf.server.faults().nonJsonBodyNext("/sobjects", 1).nonJsonBodyNext("/sobjects", 1, 503);
        HttpResponse<String> r = sf.get(sf.v("/sobjects"));
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(r.body().startsWith("<!DOCTYPE html>"));
        assertEquals(503, sf.get(sf.v("/sobjects")).statusCode());
        assertEquals(200, sf.get(sf.v("/sobjects")).statusCode());
    }

    @Test
    void slowNextDelaysThroughTheSleeper() {
        sf.server.faults().slowNext("/limits", 2, Duration.ofSeconds(30));
        assertEquals(200, sf.get(sf.v("/limits")).statusCode());
        assertEquals(200, sf.get(sf.v("/limits")).statusCode());
        assertEquals(200, sf.get(sf.v("/limits")).statusCode());
        assertEquals(List.of(Duration.ofSeconds(30), Duration.ofSeconds(30)), slept);
    }

    @Test
    void expiredTokensGet401AndNewTokensWork() {
        sf.server.faults().expireAccessTokens();
        error(sf.get(sf.v("/limits")), 401, "INVALID_SESSION_ID");
        sf.token = json(sf.form("/services/oauth2/token", "grant_type=client_credentials&client_id="
                + FakeSalesforceServer.DEFAULT_CLIENT_ID + "&client_secret=" + FakeSalesforceServer.DEFAULT_CLIENT_SECRET))
                .path("access_token").asText();
        assertEquals(200, sf.get(sf.v("/limits")).statusCode());
    }

    @Test
    void tokensExpireAfterTheGivenNumberOfRequests() {
        sf.server.faults().expireAccessTokensAfter(2);
        assertEquals(200, sf.get(sf.v("/limits")).statusCode());
        assertEquals(200, sf.get(sf.v("/limits")).statusCode());
        error(sf.get(sf.v("/limits")), 401, "INVALID_SESSION_ID");
    }

    @Test
    void wideQueriesTimeOutUntilTheWindowIsNarrowed() {
        leads(5);
        sf.clock.advance(Duration.ofMinutes(1));
        leads(5);
        sf.server.faults().queryTimeoutAbove(6);
        JsonNode e = error(sf.query("SELECT Id FROM Lead ORDER BY SystemModstamp, Id LIMIT 2"), 400, "QUERY_TIMEOUT");
        assertEquals("Your query request was running for too long.", e.path("message").asText());
        HttpResponse<String> narrow = sf.query("SELECT Id FROM Lead WHERE SystemModstamp <= 2024-05-01T10:00:00Z");
        assertEquals(200, narrow.statusCode());
        assertEquals(5, json(narrow).path("totalSize").asInt());
    }

    @Test
    void expiredLocatorsAreInvalid() {
        leads(250);
        String next = json(sf.query("SELECT Id FROM Lead", "Sforce-Query-Options", "batchSize=200"))
                .path("nextRecordsUrl").asText();
        sf.server.faults().expireQueryLocators();
        error(sf.get(next), 400, "INVALID_QUERY_LOCATOR");
    }

    @Test
    void crmFailuresBecomeHttpErrors() {
        sf.crm.faults().failNext(CrmOperation.READ_PAGE, 1, Fault.retriable());
        error(sf.query("SELECT Id FROM Lead"), 503, "SERVER_UNAVAILABLE");
        sf.crm.faults().failNext(CrmOperation.DESCRIBE, 1, Fault.fatal());
        error(sf.get(sf.v("/sobjects/Lead/describe")), 500, "UNKNOWN_EXCEPTION");
        assertEquals(200, sf.query("SELECT Id FROM Lead").statusCode());
    }

    @Test
    void crmQuotaExhaustionIsRequestLimitExceeded() {
        sf.crm.faults().quotaExceededAfter(0);
        JsonNode e = error(sf.query("SELECT Id FROM Lead"), 403, "REQUEST_LIMIT_EXCEEDED");
        assertEquals("TotalRequests Limit exceeded.", e.path("message").asText());
    }

    @Test
    void randomFailuresAreReproducibleFromTheSeed() {
        List<Integer> first = statuses(11L);
        List<Integer> second = statuses(11L);
        assertEquals(first, second);
        assertTrue(first.contains(500) && first.contains(200), first.toString());
    }

    private static List<Integer> statuses(long seed) {
        try (FakeSf s = FakeSf.start(b -> b.seed(seed))) {
            s.server.faults().failRandomly("/limits", 0.5, 500, "UNKNOWN_EXCEPTION", "boom");
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                out.add(s.get(s.v("/limits")).statusCode());
            }
            return out;
        }
    }

    @Test
    void clearRemovesScheduledFaults() {
        sf.server.faults().failNext("/limits", 3, 500, "X", "x", null).bulkJobsNeverComplete(true)
                .queryTimeoutAbove(0).expireAccessTokensAfter(1);
        sf.server.faults().clear();
        leads(1);
        assertEquals(200, sf.get(sf.v("/limits")).statusCode());
        assertEquals(200, sf.query("SELECT Id FROM Lead").statusCode());
        assertEquals(200, sf.get(sf.v("/limits")).statusCode());
    }
}
