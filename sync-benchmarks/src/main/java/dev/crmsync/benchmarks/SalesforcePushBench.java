package dev.crmsync.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.salesforce.ApiBudget;
import dev.crmsync.salesforce.SalesforceCredentials;
import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import dev.crmsync.testkit.salesforce.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;

/**
 * Issue 12's push benchmark: the engine writing host edits to Salesforce (a push of {@code n}
 * edited Leads by {@link SyncEngine#pushHostChangesNow}: the feed read, the CRM side fetched by id,
 * the three-way merge, the sObject Collections updates, the bases) against a raw client that makes
 * <b>the same HTTP calls</b> — every request the engine's adapter made, taken from the fake
 * server's log, replayed in order with the same HTTP client — and only parses the answers
 * (Jackson's streaming parser, every token read). Over loopback against {@link FakeSalesforceServer}
 * in the same JVM. Each round edits every lead with a new title first (untimed); the raw replay
 * sends the round's own requests again (the values already there: the fake answers as it did).
 * Reported per round: wall time and the calling thread's CPU time of each, their ratio (raw / engine:
 * 1.0 means the engine adds nothing to the calls), and the calls of each (equal by construction).
 */
final class SalesforcePushBench {

    static final String TOKEN = "00Dbench!push";

    private final int records;
    private final int rounds;
    private final Consumer<String> progress;

    /**
     * @param records leads edited and pushed each round
     * @param rounds timed rounds (after one warm-up round)
     * @param progress where progress lines go
     */
    SalesforcePushBench(int records, int rounds, Consumer<String> progress) {
        if (records < 1 || rounds < 1) {
            throw new IllegalArgumentException("records and rounds must be at least 1");
        }
        this.records = records;
        this.rounds = rounds;
        this.progress = progress;
    }

    /** One push and its replay. */
    record Round(long engineNanos, long engineCpuNanos, long rawNanos, long rawCpuNanos,
                 Map<String, Long> engineCalls, Map<String, Long> rawCalls, long written) {
        double wallRatio() {
            return (double) rawNanos / engineNanos;
        }

        double cpuRatio() {
            return (double) rawCpuNanos / Math.max(1, engineCpuNanos);
        }
    }

    record Results(int records, List<Round> rounds) {
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    Results run() {
        CrmFixture fx = CrmFixture.load(ObjectType.LEAD, records);
        InMemoryMarketingStore store = new InMemoryMarketingStore(fx.clock);
        InMemorySyncStateStore state = new InMemorySyncStateStore(fx.clock);
        List<Round> out = new ArrayList<>();
        try (FakeSalesforceServer server = FakeSalesforceServer.builder().crm(fx.crm).clock(fx.clock).seed(3)
                .fixedAccessToken(TOKEN).dailyApiLimit(100_000_000L).build().start();
             SalesforceCrmSource sf = SalesforceCrmSource.builder()
                     .credentials(SalesforceCredentials.accessToken(TOKEN, server.baseUri()))
                     .allowHttpForLoopback(true).budget(ApiBudget.UNLIMITED)
                     .bulkThreshold(Long.MAX_VALUE).build();
             CloseableHttpClient raw = HttpClients.custom().disableAutomaticRetries().build();
             SyncEngine engine = SyncEngine.builder().crmSource(sf).marketingStore(store).syncStateStore(state)
                     .clock(fx.clock).engineId("push-bench").objectTypes(ObjectType.LEAD).build()) {
            progress.accept("push benchmark: first copy of " + records + " leads");
            if (!engine.runCycle().isComplete()) {
                throw new IllegalStateException("the first copy did not complete");
            }
            List<String> mids = new ArrayList<>(records);
            dev.crmsync.store.IdCursor after = dev.crmsync.store.IdCursor.START;
            while (true) {
                List<dev.crmsync.model.CrmId> ids = store.crmIds(ObjectType.LEAD, after, 5_000);
                if (ids.isEmpty()) {
                    break;
                }
                store.findByCrmIds(ObjectType.LEAD, ids).values().forEach(m -> mids.add(m.marketingId()));
                after = dev.crmsync.store.IdCursor.after(ids.get(ids.size() - 1));
            }
            if (mids.size() != records) {
                throw new IllegalStateException("the store holds " + mids.size() + " leads, expected " + records);
            }
            for (int round = -1; round < rounds; round++) {
                String title = "Pushed round " + (round + 2);
                for (String mid : mids) {
                    store.saveLocal(ObjectType.LEAD, mid, Map.of("Title", FieldValue.text(title)));
                }
                fx.clock.advance(java.time.Duration.ofSeconds(1));
                server.clearRequests();
                Map<String, Long> before = sf.callCounts();
                long c0 = cpu();
                long t0 = System.nanoTime();
                TypeReport r = engine.pushHostChangesNow(ObjectType.LEAD);
                long engineNanos = System.nanoTime() - t0;
                long engineCpu = cpu() - c0;
                if (!(r.outcome() instanceof dev.crmsync.core.report.TypeOutcome.Synced)) {
                    throw new IllegalStateException("the push did not complete: " + r);
                }
                List<RecordedRequest> log = List.copyOf(server.requests());
                Map<String, Long> engineCalls = minus(sf.callCounts(), before);
                long[] rawTime = new long[2];
                Map<String, Long> rawCalls = replay(raw, server, log, rawTime);
                Round done = new Round(engineNanos, engineCpu, rawTime[0], rawTime[1], engineCalls, rawCalls,
                        countWritten(fx, title));
                if (round >= 0) {
                    out.add(done);
                }
                progress.accept(String.format(Locale.ROOT, "push round %d: engine %.0f ms (%.0f ms CPU), raw replay %.0f ms"
                                + " (%.0f ms CPU): wall ratio %.2f, CPU ratio %.2f; calls %s", round, engineNanos / 1e6,
                        engineCpu / 1e6, rawTime[0] / 1e6, rawTime[1] / 1e6, done.wallRatio(), done.cpuRatio(), engineCalls));
            }
        } catch (IOException e) {
            throw new IllegalStateException("the raw replay failed: " + e.getMessage(), e);
        } finally {
            fx.crm.close();
        }
        return new Results(records, out);
    }

    private long countWritten(CrmFixture fx, String title) {
        FieldValue v = FieldValue.text(title);
        return fx.crm.records(ObjectType.LEAD).stream().filter(r -> v.equals(r.get("Title"))).count();
    }

    private static final JsonFactory JSON = new JsonFactory();

    /** Sends every logged request again, in order, and reads each answer with the streaming parser. */
    private static Map<String, Long> replay(CloseableHttpClient raw, FakeSalesforceServer server,
                                            List<RecordedRequest> log, long[] time) throws IOException {
        String base = server.baseUri().toString().replaceAll("/$", "");
        Map<String, Long> calls = new TreeMap<>();
        long c0 = cpu();
        long t0 = System.nanoTime();
        for (RecordedRequest q : log) {
            StringBuilder uri = new StringBuilder(base).append(q.path());
            char sep = '?';
            for (Map.Entry<String, List<String>> p : q.queryParameters().entrySet()) {
                for (String v : p.getValue()) {
                    uri.append(sep).append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8)).append('=')
                            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
                    sep = '&';
                }
            }
            HttpUriRequestBase r = new HttpUriRequestBase(q.method(), URI.create(uri.toString()));
            r.setHeader("Authorization", "Bearer " + TOKEN);
            r.setHeader("Accept", "application/json");
            q.header("Sforce-Query-Options").ifPresent(v -> r.setHeader("Sforce-Query-Options", v));
            if (!q.body().isEmpty()) {
                r.setEntity(new StringEntity(q.body(), ContentType.APPLICATION_JSON));
            }
            raw.execute(r, response -> {
                if (response.getCode() >= 300) {
                    throw new IOException(q.method() + " " + q.path() + " answered " + response.getCode());
                }
                if (response.getEntity() != null) {
                    try (InputStream in = response.getEntity().getContent(); JsonParser p = JSON.createParser(in)) {
                        JsonToken t;
                        while ((t = p.nextToken()) != null) {
                            if (t == JsonToken.VALUE_STRING) {
                                p.getText();
                            }
                        }
                    }
                }
                return null;
            });
            calls.merge(endpoint(q), 1L, Long::sum);
        }
        time[0] = System.nanoTime() - t0;
        time[1] = cpu() - c0;
        return calls;
    }

    /** The adapter's call-count key of a request, as far as this benchmark's calls go. */
    static String endpoint(RecordedRequest q) {
        String p = q.path();
        if (p.endsWith("/composite/sobjects") && q.method().equals("PATCH")) {
            return "collections.update";
        }
        if (p.endsWith("/queryAll")) {
            return "queryAll";
        }
        if (p.endsWith("/query")) {
            return "query";
        }
        if (p.contains("/query/") || p.contains("/queryAll/")) {
            return "queryMore";
        }
        if (p.endsWith("/describe")) {
            return "describe";
        }
        if (p.endsWith("/limits")) {
            return "limits";
        }
        return q.method() + " " + p.replaceAll("/v[0-9.]+/", "/");
    }

    private static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> m = new TreeMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0) {
                m.put(k, d);
            }
        });
        return m;
    }

    /**
     * @param r the results
     * @return a Markdown report: per round the times, the ratios and the calls; the medians
     */
    static String markdown(Results r) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "### Push: %,d edited leads, engine vs the same calls replayed%n%n", r.records()));
        s.append("| Round | engine ms (CPU ms) | raw replay ms (CPU ms) | wall ratio raw/engine | CPU ratio | engine calls |\n");
        s.append("|---|---|---|---|---|---|\n");
        int i = 0;
        for (Round x : r.rounds()) {
            s.append(String.format(Locale.ROOT, "| %d | %.0f (%.0f) | %.0f (%.0f) | %.2f | %.2f | %s |%n", i++,
                    x.engineNanos() / 1e6, x.engineCpuNanos() / 1e6, x.rawNanos() / 1e6, x.rawCpuNanos() / 1e6,
                    x.wallRatio(), x.cpuRatio(), x.engineCalls()));
        }
        double[] wall = r.rounds().stream().mapToDouble(Round::wallRatio).sorted().toArray();
        double[] cpu = r.rounds().stream().mapToDouble(Round::cpuRatio).sorted().toArray();
        s.append(String.format(Locale.ROOT, "%nMedian wall ratio %.2f, median CPU ratio %.2f.%n", wall[wall.length / 2],
                cpu[cpu.length / 2]));
        return s.toString();
    }
}
