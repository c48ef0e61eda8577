package dev.crmsync.testkit.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecordingTest {

    private final FakeSf sf = FakeSf.start(b -> b.connectedApp("app", "s3cr3t-value").refreshToken("r3fresh-value"));

    @AfterEach
    void stop() {
        sf.close();
    }

    @Test
    void everyRequestIsRecordedWithItsParametersBodyAndStatus() {
        sf.query("SELECT Id FROM Lead", "Sforce-Query-Options", "batchSize=500");
        sf.post(sf.v("/composite/sobjects"), "{\"records\":[]}");
        List<RecordedRequest> r = sf.server.requests();
        assertEquals(2, r.size());
        RecordedRequest q = r.get(0);
        assertEquals("GET", q.method());
        assertEquals("/services/data/v62.0/query", q.path());
        assertEquals("SELECT Id FROM Lead", q.queryParameter("q").orElseThrow());
        assertEquals("batchSize=500", q.header("sforce-query-options").orElseThrow());
        assertEquals(200, q.status());
        assertEquals(FakeSf.T0, q.time());
        RecordedRequest post = r.get(1);
        assertEquals("{\"records\":[]}", post.body());
        assertEquals(400, post.status());
    }

    @Test
    void theAuthorizationHeaderIsRedacted() {
        sf.get(sf.v("/limits"));
        RecordedRequest r = sf.server.requests().get(0);
        assertEquals(RecordedRequest.REDACTED, r.header("Authorization").orElseThrow());
        assertFalse(r.toString().contains(FakeSalesforceServer.DEFAULT_ACCESS_TOKEN));
        assertFalse(r.headers().toString().contains(FakeSalesforceServer.DEFAULT_ACCESS_TOKEN));
    }

    @Test
    void secretsSentToTheTokenEndpointAreRedacted() {
        HttpResponse<String> r = sf.form("/services/oauth2/token?client_secret=s3cr3t-value",
                "grant_type=refresh_token&client_id=app&client_secret=s3cr3t-value&refresh_token=r3fresh-value");
        assertEquals(200, r.statusCode(), r.body());
        RecordedRequest rec = sf.server.requests().get(0);
        String everything = rec.body() + rec.queryParameters() + rec.headers() + rec;
        assertFalse(everything.contains("s3cr3t-value"), everything);
        assertFalse(everything.contains("r3fresh-value"), everything);
        assertTrue(rec.body().contains("grant_type=refresh_token"));
        assertTrue(rec.body().contains("client_secret=" + RecordedRequest.REDACTED));
    }

    @Test
    void requestCountMatchesMethodAndPath() {
        sf.query("SELECT Id FROM Lead");
        sf.queryAll("SELECT Id FROM Lead");
        sf.get(sf.v("/limits"));
        assertEquals(2, sf.server.requestCount("GET", "/query"), "'/query' is found in '/queryAll' too");
        assertEquals(1, sf.server.requestCount("get", "/query$"));
        assertEquals(3, sf.server.requestCount(null, "^/services/data/"));
        assertEquals(0, sf.server.requestCount("POST", "/query"));
    }

    @Test
    void clearRequestsForgetsThem() {
        sf.get(sf.v("/limits"));
        sf.server.clearRequests();
        assertTrue(sf.server.requests().isEmpty());
        assertEquals(1, sf.server.apiCallsUsed());
    }

    @Test
    void concurrentRequestsAreAllServedCountedAndRecorded() {
        for (int i = 0; i < 300; i++) {
            sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("L" + i), "Company", FieldValue.text("c")));
        }
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            String path = switch (i % 3) {
                case 0 -> sf.v("/query?q=" + FakeSf.enc("SELECT Id FROM Lead"));
                case 1 -> sf.v("/sobjects/Lead/describe");
                default -> sf.v("/limits");
            };
            futures.add(FakeSf.HTTP.sendAsync(sf.request("GET", path, null, true, "Sforce-Query-Options", "batchSize=200"),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : futures) {
            assertEquals(200, f.join().statusCode());
        }
        assertEquals(120, sf.server.apiCallsUsed());
        assertEquals(120, sf.server.requests().size());
        List<String> locators = new ArrayList<>();
        for (int i = 0; i < 120; i += 3) {
            locators.add(FakeSf.json(futures.get(i).join()).path("nextRecordsUrl").asText());
        }
        assertEquals(40, locators.stream().distinct().count(), "each query got its own cursor");
    }
}
