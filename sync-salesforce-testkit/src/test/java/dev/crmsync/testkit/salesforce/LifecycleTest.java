package dev.crmsync.testkit.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LifecycleTest {

    private static HttpResponse<String> get(URI uri, String token) throws IOException, InterruptedException {
        return FakeSf.HTTP.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void startsInOneLineOnALoopbackPortWithTheDefaults() throws Exception {
        try (InMemoryCrm crm = InMemoryCrm.builder().build();
             FakeSalesforceServer sf = FakeSalesforceServer.start(crm)) {
            crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("x"), "Company", FieldValue.text("y")));
            assertEquals("127.0.0.1", sf.baseUri().getHost());
            assertTrue(sf.baseUri().getPort() > 0);
            HttpResponse<String> r = get(URI.create(sf.baseUri() + "/services/data/v62.0/query?q=SELECT+Id+FROM+Lead"),
                    FakeSalesforceServer.DEFAULT_ACCESS_TOKEN);
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("\"totalSize\":1"));
        }
    }

    @Test
    void closeIsIdempotentAndFreesThePort() throws Exception {
        InMemoryCrm crm = InMemoryCrm.builder().build();
        FakeSalesforceServer sf = FakeSalesforceServer.start(crm);
        URI uri = URI.create(sf.baseUri() + "/services/data/");
        sf.close();
        sf.close();
        assertThrows(ConnectException.class, () -> get(uri, "x"));
        assertThrows(IllegalStateException.class, sf::start);
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("fake-salesforce-" + uri.getPort() + "-")),
                "the server's threads are gone");
    }

    @Test
    void closeInterruptsARequestStuckInTheSleeper() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        try (InMemoryCrm crm = InMemoryCrm.builder().build()) {
            FakeSalesforceServer sf = FakeSalesforceServer.builder().crm(crm).sleeper(d -> {
                entered.countDown();
                Thread.sleep(Long.MAX_VALUE);
            }).build().start();
            sf.faults().slowNext("/limits", 1, java.time.Duration.ofHours(1));
            var pending = FakeSf.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(sf.baseUri()
                    + "/services/data/v62.0/limits")).header("Authorization", "Bearer "
                    + FakeSalesforceServer.DEFAULT_ACCESS_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(entered.await(10, java.util.concurrent.TimeUnit.SECONDS));
            sf.close();
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> pending.get(10, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof IOException, e.toString());
        }
    }

    @Test
    void startOnARunningServerDoesNothing() {
        try (InMemoryCrm crm = InMemoryCrm.builder().build();
             FakeSalesforceServer sf = FakeSalesforceServer.start(crm)) {
            URI before = sf.baseUri();
            assertEquals(before, sf.start().baseUri());
        }
    }

    @Test
    void anUnstartedServerSaysSo() {
        FakeSalesforceServer sf = FakeSalesforceServer.builder().crm(InMemoryCrm.builder().build()).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, sf::baseUri);
        assertTrue(e.getMessage().contains("start()"));
        assertTrue(sf.toString().contains("not started"));
    }

    @Test
    void theBuilderNeedsACrm() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> FakeSalesforceServer.builder().build());
        assertTrue(e.getMessage().contains("crm"));
    }

    @Test
    void theBuilderRefusesBadValuesNamingThem() {
        FakeSalesforceServer.Builder b = FakeSalesforceServer.builder();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.apiVersion("29.0")).getMessage()
                .contains("29.0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.apiVersion("sixty")).getMessage()
                .contains("sixty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.dailyApiLimit(-1)).getMessage().contains("-1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.port(70_000)).getMessage().contains("70000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.bulkResultsChunkSize(0)).getMessage()
                .contains("0"));
        assertThrows(NullPointerException.class, () -> b.crm(null));
    }

    @Test
    void toStringShowsNoSecret() {
        try (InMemoryCrm crm = InMemoryCrm.builder().build();
             FakeSalesforceServer sf = FakeSalesforceServer.builder().crm(crm).fixedAccessToken("sekrit-token")
                     .connectedApp("id", "sekrit-secret").build().start()) {
            String s = sf.toString();
            assertFalse(s.contains("sekrit"), s);
            assertTrue(s.contains(sf.baseUri().toString()));
        }
    }

    @Test
    void theApiVersionIsConfigurable() throws Exception {
        try (InMemoryCrm crm = InMemoryCrm.builder().build();
             FakeSalesforceServer sf = FakeSalesforceServer.builder().crm(crm).apiVersion("v59.0").build().start()) {
            assertEquals("59.0", sf.apiVersion());
            assertEquals(404, get(URI.create(sf.baseUri() + "/services/data/v62.0/limits"),
                    FakeSalesforceServer.DEFAULT_ACCESS_TOKEN).statusCode());
            assertEquals(200, get(URI.create(sf.baseUri() + "/services/data/v59.0/limits"),
                    FakeSalesforceServer.DEFAULT_ACCESS_TOKEN).statusCode());
        }
    }
}
