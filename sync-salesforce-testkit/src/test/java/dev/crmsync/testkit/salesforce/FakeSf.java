package dev.crmsync.testkit.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Test support: an {@link InMemoryCrm} on a {@link ManualClock}, a {@link FakeSalesforceServer} over
 * it, and a plain JDK {@link HttpClient} to talk to the server (not the library's client, so the
 * server is tested on its own).
 */
final class FakeSf implements AutoCloseable {

    static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    final ManualClock clock = new ManualClock(T0);
    final InMemoryCrm crm;
    final FakeSalesforceServer server;
    String token = FakeSalesforceServer.DEFAULT_ACCESS_TOKEN;

    private FakeSf(Consumer<InMemoryCrm.Builder> crmConfig, Consumer<FakeSalesforceServer.Builder> config) {
        InMemoryCrm.Builder cb = InMemoryCrm.builder().clock(clock).seed(1);
        crmConfig.accept(cb);
        crm = cb.build();
        FakeSalesforceServer.Builder b = FakeSalesforceServer.builder().crm(crm).clock(clock).seed(7)
                .sleeper(d -> { });
        config.accept(b);
        server = b.build().start();
    }

    static FakeSf start() {
        return new FakeSf(c -> { }, b -> { });
    }

    static FakeSf start(Consumer<FakeSalesforceServer.Builder> config) {
        return new FakeSf(c -> { }, config);
    }

    static FakeSf start(Consumer<InMemoryCrm.Builder> crmConfig, Consumer<FakeSalesforceServer.Builder> config) {
        return new FakeSf(crmConfig, config);
    }

    /** @return the versioned path, e.g. {@code v("/query")} is {@code /services/data/v62.0/query} */
    String v(String rest) {
        return "/services/data/v" + server.apiVersion() + rest;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    HttpResponse<String> get(String path, String... headers) {
        return send("GET", path, null, headers);
    }

    HttpResponse<String> query(String soql, String... headers) {
        return get(v("/query?q=" + enc(soql)), headers);
    }

    HttpResponse<String> queryAll(String soql, String... headers) {
        return get(v("/queryAll?q=" + enc(soql)), headers);
    }

    HttpResponse<String> post(String path, String json) {
        return send("POST", path, json, "Content-Type", "application/json");
    }

    HttpResponse<String> patch(String path, String json) {
        return send("PATCH", path, json, "Content-Type", "application/json");
    }

    HttpResponse<String> form(String path, String form, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Content-Type";
        all[1] = "application/x-www-form-urlencoded";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return sendRaw("POST", path, form, false, all);
    }

    HttpResponse<String> send(String method, String path, String body, String... headers) {
        return sendRaw(method, path, body, true, headers);
    }

    /** Sends without the bearer token. */
    HttpResponse<String> anonymous(String method, String path, String body, String... headers) {
        return sendRaw(method, path, body, false, headers);
    }

    private HttpResponse<String> sendRaw(String method, String path, String body, boolean auth, String... headers) {
        try {
            return HTTP.send(request(method, path, body, auth, headers), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpRequest request(String method, String path, String body, boolean auth, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUri() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (auth && token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b.build();
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON (" + r.statusCode() + "): " + r.body(), e);
        }
    }

    /** Asserts a Salesforce error body and returns its first element. */
    static JsonNode error(HttpResponse<String> r, int status, String errorCode) {
        org.junit.jupiter.api.Assertions.assertEquals(status, r.statusCode(), r.body());
        JsonNode body = json(r);
        org.junit.jupiter.api.Assertions.assertTrue(body.isArray(), r.body());
        org.junit.jupiter.api.Assertions.assertEquals(errorCode, body.get(0).path("errorCode").asText(), r.body());
        return body.get(0);
    }

    @Override
    public void close() {
        server.close();
        crm.close();
    }
}
