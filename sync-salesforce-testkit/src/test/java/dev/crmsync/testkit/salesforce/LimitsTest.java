package dev.crmsync.testkit.salesforce;

import static dev.crmsync.testkit.salesforce.FakeSf.error;
import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LimitsTest {

    private FakeSf sf;

    @AfterEach
    void stop() {
        sf.close();
    }

    private static String limitInfo(HttpResponse<String> r) {
        return r.headers().firstValue("Sforce-Limit-Info").orElse(null);
    }

    @Test
    void everyDataResponseCarriesTheUsageIncludingItself() {
        sf = FakeSf.start(b -> b.dailyApiLimit(5000));
        assertEquals("api-usage=1/5000", limitInfo(sf.get(sf.v("/sobjects"))));
        assertEquals("api-usage=2/5000", limitInfo(sf.query("SELECT Id FROM Lead")));
        assertEquals("api-usage=3/5000", limitInfo(sf.query("SELECT Nope FROM Lead")), "errors count too");
        assertEquals(3, sf.server.apiCallsUsed());
    }

    @Test
    void versionsAndOAuthAreNotCountedAndCarryNoHeader() {
        sf = FakeSf.start();
        HttpResponse<String> versions = sf.anonymous("GET", "/services/data/", null);
        assertEquals(null, limitInfo(versions));
        sf.form("/services/oauth2/token", "grant_type=client_credentials&client_id="
                + FakeSalesforceServer.DEFAULT_CLIENT_ID + "&client_secret=" + FakeSalesforceServer.DEFAULT_CLIENT_SECRET);
        assertEquals(0, sf.server.apiCallsUsed());
    }

    @Test
    void unauthenticatedCallsAreNotCounted() {
        sf = FakeSf.start();
        sf.token = "wrong";
        assertEquals(401, sf.get(sf.v("/limits")).statusCode());
        assertEquals(0, sf.server.apiCallsUsed());
    }

    @Test
    void thePerAppFormIsAddedWhenConfigured() {
        sf = FakeSf.start(b -> b.dailyApiLimit(5000).perAppApiLimit("sample-connected-app", 250));
        assertEquals("api-usage=1/5000; per-app-api-usage=1/250(appName=sample-connected-app)",
                limitInfo(sf.get(sf.v("/sobjects"))));
        JsonNode limits = json(sf.get(sf.v("/limits")));
        assertEquals(250, limits.path("DailyApiRequests").path("sample-connected-app").path("Max").asInt());
        assertEquals(248, limits.path("DailyApiRequests").path("sample-connected-app").path("Remaining").asInt());
    }

    @Test
    void limitsReportsMaxAndRemaining() {
        sf = FakeSf.start(b -> b.dailyApiLimit(15_000));
        sf.server.faults().usedApiCalls(100);
        JsonNode limits = json(sf.get(sf.v("/limits")));
        assertEquals(15_000, limits.path("DailyApiRequests").path("Max").asInt());
        assertEquals(14_899, limits.path("DailyApiRequests").path("Remaining").asInt());
        assertTrue(limits.path("DailyBulkV2QueryJobs").path("Max").isNumber());
    }

    @Test
    void atTheLimitCallsAre403RequestLimitExceeded() {
        sf = FakeSf.start(b -> b.dailyApiLimit(3));
        for (int i = 0; i < 3; i++) {
            assertEquals(200, sf.get(sf.v("/limits")).statusCode());
        }
        HttpResponse<String> r = sf.get(sf.v("/limits"));
        JsonNode e = error(r, 403, "REQUEST_LIMIT_EXCEEDED");
        assertEquals("TotalRequests Limit exceeded.", e.path("message").asText());
        assertEquals("api-usage=3/3", limitInfo(r));
        assertEquals(3, sf.server.apiCallsUsed(), "refused calls are not counted");
    }

    @Test
    void usedApiCallsSetsTheCounter() {
        sf = FakeSf.start(b -> b.dailyApiLimit(1000));
        sf.server.faults().usedApiCalls(1000);
        error(sf.query("SELECT Id FROM Lead"), 403, "REQUEST_LIMIT_EXCEEDED");
        sf.server.faults().usedApiCalls(10);
        assertEquals("api-usage=11/1000", limitInfo(sf.query("SELECT Id FROM Lead")));
    }

    @Test
    void theCounterStartsAgainAfter24Hours() {
        sf = FakeSf.start(b -> b.dailyApiLimit(2));
        sf.get(sf.v("/limits"));
        sf.get(sf.v("/limits"));
        assertEquals(403, sf.get(sf.v("/limits")).statusCode());
        sf.clock.advance(Duration.ofHours(24));
        assertEquals("api-usage=1/2", limitInfo(sf.get(sf.v("/limits"))));
    }
}
