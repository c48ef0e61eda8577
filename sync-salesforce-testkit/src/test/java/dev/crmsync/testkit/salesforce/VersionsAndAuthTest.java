package dev.crmsync.testkit.salesforce;

import static dev.crmsync.testkit.salesforce.FakeSf.error;
import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VersionsAndAuthTest {

    private final FakeSf sf = FakeSf.start(b -> b.apiVersion("62.0"));

    @AfterEach
    void stop() {
        sf.close();
    }

    @Test
    void versionsListRunsFrom31ToTheConfiguredOneWithoutAuth() {
        HttpResponse<String> r = sf.anonymous("GET", "/services/data/", null);
        assertEquals(200, r.statusCode());
        JsonNode v = json(r);
        assertEquals(32, v.size());
        assertEquals("31.0", v.get(0).path("version").asText());
        JsonNode last = v.get(v.size() - 1);
        assertEquals("62.0", last.path("version").asText());
        assertEquals("/services/data/v62.0", last.path("url").asText());
        assertEquals("Winter '25", last.path("label").asText());
    }

    @Test
    void aCallWithoutTokenIs401InvalidSessionId() {
        HttpResponse<String> r = sf.anonymous("GET", sf.v("/sobjects"), null);
        JsonNode e = error(r, 401, "INVALID_SESSION_ID");
        assertEquals("Session expired or invalid", e.path("message").asText());
        assertEquals("[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]", r.body());
    }

    @Test
    void aWrongTokenIs401() {
        sf.token = "forged";
        error(sf.get(sf.v("/sobjects")), 401, "INVALID_SESSION_ID");
    }

    @Test
    void theOAuthSchemeIsAcceptedLikeBearer() {
        HttpResponse<String> r = sf.anonymous("GET", sf.v("/limits"), null, "Authorization",
                "OAuth " + FakeSalesforceServer.DEFAULT_ACCESS_TOKEN);
        assertEquals(200, r.statusCode());
    }

    @Test
    void aRetiredVersionIs410() {
        assertEquals(410, sf.get("/services/data/v30.0/sobjects").statusCode());
    }

    @Test
    void aVersionNewerThanServedIs404() {
        error(sf.get("/services/data/v63.0/sobjects"), 404, "NOT_FOUND");
    }

    @Test
    void olderSupportedVersionsWorkAndShowInUrls() {
        HttpResponse<String> r = sf.get("/services/data/v45.0/sobjects");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("/services/data/v45.0/sobjects/Lead/describe"));
    }

    @Test
    void theVersionRootListsResources() {
        assertEquals("/services/data/v62.0/query", json(sf.get(sf.v(""))).path("query").asText());
    }

    @Test
    void anUnknownResourceIs404() {
        error(sf.get(sf.v("/nothing/here")), 404, "NOT_FOUND");
        error(sf.anonymous("GET", "/elsewhere", null), 404, "NOT_FOUND");
    }

    @Test
    void aWrongMethodIs405() {
        HttpResponse<String> r = sf.send("DELETE", sf.v("/query?q=x"), null);
        error(r, 405, "METHOD_NOT_ALLOWED");
        assertEquals("GET", r.headers().firstValue("Allow").orElseThrow());
    }
}
