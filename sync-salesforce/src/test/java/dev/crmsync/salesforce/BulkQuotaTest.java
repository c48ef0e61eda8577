package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.Cursor;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The daily Bulk API 2.0 query quotas come from {@code /limits} (which {@code Sforce-Limit-Info} does
 * not carry): a spent quota means no Bulk job and REST paging instead, and {@code /limits} is read
 * only when a job is about to be created, at most once per cycle and per refresh interval. A
 * loopback proxy in front of the fake server answers {@code /limits} with the remaining quota set
 * here and forwards everything else (the fake itself is not changed).
 */
class BulkQuotaTest {

    private static final Set<String> FIELDS = Set.of("LastName", "Company", "Email");

    private final FakeOrg org = new FakeOrg();
    private final AtomicLong jobsRemaining = new AtomicLong(10_000);
    private final AtomicInteger limitsStatus = new AtomicInteger(200);
    private final AtomicInteger limitsServed = new AtomicInteger();
    private HttpServer proxy;
    private final HttpClient forward = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws IOException {
        proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getRawPath();
                if (path.endsWith("/limits")) {
                    limitsServed.incrementAndGet();
                    byte[] body = limitsStatus.get() == 200
                            ? ("{\"DailyApiRequests\":{\"Max\":15000,\"Remaining\":14000},"
                            + "\"DailyBulkApiBatches\":{\"Max\":15000,\"Remaining\":15000},"
                            + "\"DailyBulkV2QueryFileStorageMB\":{\"Max\":976562,\"Remaining\":976562},"
                            + "\"DailyBulkV2QueryJobs\":{\"Max\":10000,\"Remaining\":" + jobsRemaining.get() + "}}")
                            .getBytes(StandardCharsets.UTF_8)
                            : "[{\"message\":\"The REST API is not enabled for this Organization.\",\"errorCode\":\"API_DISABLED_FOR_ORG\"}]"
                            .getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(limitsStatus.get(), body.length);
                    exchange.getResponseBody().write(body);
                    return;
                }
                String query = exchange.getRequestURI().getRawQuery();
                URI target = URI.create(org.server.baseUri().toString().replaceAll("/$", "") + path
                        + (query == null ? "" : "?" + query));
                byte[] in = exchange.getRequestBody().readAllBytes();
                HttpRequest.Builder rb = HttpRequest.newBuilder(target).method(exchange.getRequestMethod(),
                        in.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(in));
                for (String h : List.of("Authorization", "Accept", "Content-Type", "Sforce-Query-Options",
                        "If-Modified-Since")) {
                    String v = exchange.getRequestHeaders().getFirst(h);
                    if (v != null) {
                        rb.header(h, v);
                    }
                }
                HttpResponse<byte[]> r = forward.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
                r.headers().map().forEach((name, values) -> {
                    String n = name.toLowerCase(Locale.ROOT);
                    if (!n.equals("content-length") && !n.equals("transfer-encoding") && !n.equals("connection")
                            && !n.equals("date") && !n.startsWith(":")) {
                        exchange.getResponseHeaders().put(name, values);
                    }
                });
                byte[] body = r.body();
                exchange.sendResponseHeaders(r.statusCode(), body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        });
        proxy.start();
        for (int i = 0; i < 6; i++) {
            org.clock.advance(Duration.ofSeconds(1));
            org.leads(500);
        }
    }

    @AfterEach
    void stop() {
        proxy.stop(0);
        org.close();
    }

    private SalesforceCrmSource source() {
        URI instance = URI.create("http://127.0.0.1:" + proxy.getAddress().getPort());
        return org.open(org.base().credentials(SalesforceCredentials.accessToken(FakeOrg.FIXED_TOKEN, instance))
                .bulkThreshold(1_000).pageSize(200).bulkMaxRecordsPerResult(1_000));
    }

    private static int readAll(SalesforceCrmSource sf) {
        int n = 0;
        try (ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, FIELDS, Cursor.START, 200))) {
            List<SyncRecord> page;
            while (!(page = s.nextPage()).isEmpty()) {
                n += page.size();
            }
        }
        return n;
    }

    @Test
    void noBulkJobWhenTheDaysQueryJobsAreSpentTheReadPagesThroughRest() {
        jobsRemaining.set(0);
        LogCapture.clear();
        try (SalesforceCrmSource sf = source()) {
            assertEquals(3_000, readAll(sf));
            assertFalse(sf.callCounts().containsKey("bulk.create"));
            assertEquals(1L, sf.callCounts().get("limits"));
            assertEquals(1L, sf.callCounts().get("queryAll"));
            assertEquals(14L, sf.callCounts().get("queryMore"), "15 pages of 200 through REST");
        }
        assertEquals(1, limitsServed.get());
        String log = LogCapture.text();
        assertTrue(log.contains("DailyBulkV2QueryJobs") && log.contains("REST query paging"), log);
        assertFalse(log.contains("@example.com"), "no customer data in the log");
    }

    @Test
    void limitsAreReadOncePerCycleAndIntervalAndJobsCreatedCountDownLocally() {
        jobsRemaining.set(2);
        try (SalesforceCrmSource sf = source()) {
            sf.beginCycle();
            assertEquals(3_000, readAll(sf));           // reads /limits: 2 left; creates a job: 1 left
            assertEquals(3_000, readAll(sf));           // same cycle: no /limits; 1 left, creates a job: 0 left
            assertEquals(3_000, readAll(sf));           // same cycle: spent locally, REST
            assertEquals(1L, sf.callCounts().get("limits"));
            assertEquals(2L, sf.callCounts().get("bulk.create"));

            jobsRemaining.set(5);
            sf.beginCycle();                            // a new cycle, but within the refresh interval
            assertEquals(3_000, readAll(sf));
            assertEquals(1L, sf.callCounts().get("limits"));
            assertEquals(2L, sf.callCounts().get("bulk.create"));

            org.clock.advance(SalesforceCrmSource.DEFAULT_LIMITS_REFRESH_INTERVAL);
            assertEquals(3_000, readAll(sf));           // the interval passed: reads 5 left, creates a job
            assertEquals(2L, sf.callCounts().get("limits"));
            assertEquals(3L, sf.callCounts().get("bulk.create"));
        }
        assertEquals(2, limitsServed.get());
    }

    @Test
    void withNoRefreshIntervalLimitsAreReadOncePerCycle() {
        URI instance = URI.create("http://127.0.0.1:" + proxy.getAddress().getPort());
        try (SalesforceCrmSource sf = org.open(org.base().credentials(SalesforceCredentials.accessToken(
                FakeOrg.FIXED_TOKEN, instance)).bulkThreshold(1_000).pageSize(200).limitsRefreshInterval(Duration.ZERO))) {
            sf.beginCycle();
            assertEquals(3_000, readAll(sf));
            assertEquals(3_000, readAll(sf));
            assertEquals(1L, sf.callCounts().get("limits"));
            sf.beginCycle();
            assertEquals(3_000, readAll(sf));
            assertEquals(3_000, readAll(sf));
            assertEquals(2L, sf.callCounts().get("limits"));
            assertEquals(4L, sf.callCounts().get("bulk.create"));
        }
    }

    @Test
    void aReadUnderTheBulkThresholdNeverReadsLimits() {
        try (SalesforceCrmSource sf = org.open(org.base().credentials(SalesforceCredentials.accessToken(
                FakeOrg.FIXED_TOKEN, URI.create("http://127.0.0.1:" + proxy.getAddress().getPort())))
                .bulkThreshold(10_000).pageSize(200))) {
            assertEquals(3_000, readAll(sf));
            assertFalse(sf.callCounts().containsKey("limits"));
            assertFalse(sf.callCounts().containsKey("bulk.create"));
        }
        assertEquals(0, limitsServed.get());
    }

    @Test
    void limitsThatCannotBeReadLeaveTheQuotaUnknownAndBulkIsUsed() {
        limitsStatus.set(403);
        try (SalesforceCrmSource sf = source()) {
            assertEquals(3_000, readAll(sf));
            assertEquals(3_000, readAll(sf));
            assertEquals(1L, sf.callCounts().get("limits"), "not asked again within the cycle");
            assertEquals(2L, sf.callCounts().get("bulk.create"));
        }
    }
}
