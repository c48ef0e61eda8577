package dev.crmsync.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.Cursor;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.salesforce.ApiBudget;
import dev.crmsync.salesforce.SalesforceCredentials;
import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import dev.crmsync.testkit.salesforce.RecordedRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.StringEntity;

/**
 * The Salesforce adapter at the wire's limits (issue 12), over loopback against
 * {@link FakeSalesforceServer}: the adapter's reads beside a raw client that makes the same requests
 * with the same HTTP client and only parses the responses (REST pages with Jackson's streaming
 * parser, every value read as text; Bulk CSV chunks with commons-csv, every cell read), in
 * alternating timed rounds of the same run; and the 64 MB check: a first copy by the engine with the
 * adapter's defaults, in a forked JVM at {@code -Xmx64m}, from the fake server in this JVM.
 */
final class SalesforceBench {

    static final String TOKEN = "00Dbench!fake-access-token";
    private static final int PAGE = 2_000;

    private final int records;
    private final int heapRecords;
    private final int rounds;
    private final Consumer<String> progress;
    private final ObjectType type = LeadData.BENCH_TYPE;
    private final Set<String> fields = Set.copyOf(LeadData.FIELD_NAMES);

    /**
     * @param records leads read by the parse rounds
     * @param heapRecords leads of the 64 MB check's copy (0 leaves it out)
     * @param rounds timed rounds of each read (after two warm-up rounds)
     * @param progress progress lines
     */
    SalesforceBench(int records, int heapRecords, int rounds, Consumer<String> progress) {
        if (records < 1 || heapRecords < 0 || rounds < 1) {
            throw new IllegalArgumentException("records " + records + ", heap records " + heapRecords + ", rounds "
                    + rounds + ": need records >= 1, heap records >= 0, rounds >= 1");
        }
        this.records = records;
        this.heapRecords = heapRecords;
        this.rounds = rounds;
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /**
     * One timed read.
     *
     * @param records records read
     * @param nanos wall time
     * @param cpuNanos CPU time of the reading thread (all the client's work: the HTTP client reads on it)
     * @param calls HTTP requests by endpoint
     */
    record Read(long records, long nanos, long cpuNanos, Map<String, Long> calls) {
        double perSecond() {
            return records * 1e9 / nanos;
        }

        double perCpuSecond() {
            return records * 1e9 / Math.max(1, cpuNanos);
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory
            .getThreadMXBean();

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** The figures of one kind of read: the adapter's and the raw client's rounds. */
    record Pair(String what, List<Read> adapter, List<Read> raw) {
        double ratioOfMedians() {
            return median(adapter.stream().mapToDouble(Read::perSecond).toArray())
                    / median(raw.stream().mapToDouble(Read::perSecond).toArray());
        }

        double cpuRatioOfMedians() {
            return median(adapter.stream().mapToDouble(Read::perCpuSecond).toArray())
                    / median(raw.stream().mapToDouble(Read::perCpuSecond).toArray());
        }

        double medianOfRatios() {
            double[] r = new double[adapter.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = adapter.get(i).perSecond() / raw.get(i).perSecond();
            }
            return median(r);
        }
    }

    /** The 64 MB check's outcome. @param exitCode the child's @param line its HEAPRUN line, or its last output */
    record HeapRun(int exitCode, String line, long nanos) {
        /** @param key a HEAPRUN field @return its value, or "" */
        String field(String key) {
            for (String part : line.split(" ")) {
                if (part.startsWith(key + "=")) {
                    return part.substring(key.length() + 1);
                }
            }
            return "";
        }
    }

    /** Everything one run measured. */
    record Results(int records, List<Pair> pairs, HeapRun heap, HeapRun adapterHeap, int heapRecords, String loadBefore,
                   String loadAfter) {
    }

    Results run() {
        String loadBefore = loadAverage();
        List<Pair> pairs = new ArrayList<>();
        progress.accept("loading " + records + " leads into the fake Salesforce");
        CrmFixture fx = CrmFixture.load(type, records);
        try (FakeSalesforceServer server = server(fx);
             CloseableHttpClient raw = HttpClients.custom().disableAutomaticRetries().build()) {
            pairs.add(measure("REST query paging", server, raw, false, false));
            pairs.add(measure("Bulk API 2.0, chunk by chunk (the first copy's path)", server, raw, true, true));
            pairs.add(measure("Bulk API 2.0, whole job sorted locally", server, raw, true, false));
        } catch (IOException e) {
            throw new IllegalStateException("raw client failed: " + e.getMessage(), e);
        } finally {
            fx.crm.close();
        }
        HeapRun heap = null;
        HeapRun adapterHeap = null;
        if (heapRecords > 0) {
            progress.accept("64 MB check: loading " + heapRecords + " leads");
            CrmFixture hx = CrmFixture.load(type, heapRecords);
            try (FakeSalesforceServer server = server(hx)) {
                heap = forkHeapRun(server, type, LeadData.FIELD_NAMES, "64m");
                progress.accept("64 MB check, engine: " + heap.line());
                try (CloseableHttpClient client = HttpClients.createDefault()) {
                    deleteJobs(server, client);
                }
                adapterHeap = forkHeapRun(server, type, LeadData.FIELD_NAMES, "64m", true);
            } catch (IOException e) {
                throw new IllegalStateException("could not delete the check's Bulk jobs: " + e.getMessage(), e);
            } finally {
                hx.crm.close();
            }
            progress.accept("64 MB check, adapter alone: " + adapterHeap.line());
        }
        return new Results(records, pairs, heap, adapterHeap, heapRecords, loadBefore, loadAverage());
    }

    static FakeSalesforceServer server(CrmFixture fx) {
        return FakeSalesforceServer.builder().crm(fx.crm).clock(fx.clock).seed(3).fixedAccessToken(TOKEN)
                .dailyApiLimit(100_000_000L).build().start();
    }

    private SalesforceCrmSource adapter(FakeSalesforceServer server, boolean bulk) {
        return SalesforceCrmSource.builder()
                .credentials(SalesforceCredentials.accessToken(TOKEN, server.baseUri()))
                .allowHttpForLoopback(true)
                .budget(ApiBudget.UNLIMITED)
                .bulkThreshold(bulk ? SalesforceCrmSource.DEFAULT_BULK_THRESHOLD : Long.MAX_VALUE)
                .bulkPollInterval(Duration.ofMillis(1), Duration.ofMillis(1))
                .build();
    }

    private Pair measure(String what, FakeSalesforceServer server, CloseableHttpClient raw, boolean bulk,
                         boolean chunked) throws IOException {
        List<Read> adapterReads = new ArrayList<>();
        List<Read> rawReads = new ArrayList<>();
        try (SalesforceCrmSource sf = adapter(server, bulk)) {
            Script script = null;
            for (int round = -2; round < rounds; round++) {
                // alternate who goes first, so that neither always runs on a warmer (or busier) machine
                Read a;
                Read r;
                if (script == null || (round & 1) == 0) {
                    a = adapterRead(sf, server, chunked);
                    if (script == null) {
                        script = script(server, bulk);
                    }
                    r = rawRead(server, raw, script);
                } else {
                    r = rawRead(server, raw, script);
                    a = adapterRead(sf, server, chunked);
                }
                deleteJobs(server, raw);
                if (round >= 0) {
                    adapterReads.add(a);
                    rawReads.add(r);
                }
                progress.accept(String.format(Locale.ROOT, "%s round %d: adapter %.0f rec/s (%.0f per CPU s), raw %.0f"
                        + " rec/s (%.0f per CPU s)", what, round, a.perSecond(), a.perCpuSecond(), r.perSecond(),
                        r.perCpuSecond()));
            }
        }
        return new Pair(what, adapterReads, rawReads);
    }

    /** The adapter reads every lead; the server's request log then holds the requests the raw client repeats. */
    private Read adapterRead(SalesforceCrmSource sf, FakeSalesforceServer server, boolean chunked) {
        server.clearRequests();
        Map<String, Long> before = sf.callCounts();
        ChangeQuery q = new ChangeQuery(type, fields, Cursor.START, PAGE);
        if (chunked) {
            q = q.resumable(null);
        }
        long n = 0;
        long cpu0 = cpu();
        long start = System.nanoTime();
        try (ChangeStream s = sf.openChanges(q)) {
            List<SyncRecord> page;
            while (!(page = s.nextPage()).isEmpty()) {
                n += page.size();
            }
        }
        long nanos = System.nanoTime() - start;
        long cpuNanos = cpu() - cpu0;
        if (n != records) {
            throw new IllegalStateException("the adapter read " + n + " records, expected " + records);
        }
        return new Read(n, nanos, cpuNanos, minus(sf.callCounts(), before));
    }

    /**
     * The raw client: the adapter's first query (its text from the server's log), its pages by
     * {@code nextRecordsUrl}; for Bulk, the adapter's job (its body from the log), polled every
     * millisecond as the adapter was, and its result chunks by locator with the same {@code maxRecords}.
     */
    private record Script(String q, String batch, String createBody, String maxRecords) {
    }

    /** What the adapter just asked, from the server's request log. */
    private static Script script(FakeSalesforceServer server, boolean bulk) {
        List<RecordedRequest> log = server.requests();
        RecordedRequest first = log.stream().filter(r -> r.path().endsWith("/queryAll")).findFirst()
                .orElseThrow(() -> new IllegalStateException("the adapter made no queryAll"));
        String q = first.queryParameter("q").orElseThrow();
        String batch = first.header("Sforce-Query-Options").orElse("batchSize=" + PAGE);
        RecordedRequest create = bulk ? log.stream().filter(r -> r.method().equals("POST")
                && r.path().endsWith("/jobs/query")).findFirst().orElse(null) : null;
        String maxRecords = log.stream().filter(r -> r.path().endsWith("/results")).findFirst()
                .flatMap(r -> r.queryParameter("maxRecords")).orElse("10000");
        return new Script(q, batch, create == null ? null : create.body(), maxRecords);
    }

    private Read rawRead(FakeSalesforceServer server, CloseableHttpClient raw, Script script) throws IOException {
        String q = script.q();
        String batch = script.batch();
        String maxRecords = script.maxRecords();
        server.clearRequests();
        String base = server.baseUri().toString().replaceAll("/$", "");
        String api = base + "/services/data/v" + server.apiVersion();
        Map<String, Long> calls = new java.util.TreeMap<>();
        long n = 0;
        long cpu0 = cpu();
        long start = System.nanoTime();
        Page page = restPage(raw, api + "/queryAll?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8), batch, calls,
                "queryAll");
        n += page.records;
        if (script.createBody() != null) {
            String id = createJob(raw, api, script.createBody(), calls);
            poll(raw, api, id, calls);
            String locator = null;
            do {
                Chunk c = chunk(raw, api + "/jobs/query/" + id + "/results?maxRecords=" + maxRecords
                        + (locator == null ? "" : "&locator=" + URLEncoder.encode(locator, StandardCharsets.UTF_8)),
                        calls);
                n += c.rows;
                locator = c.locator;
            } while (locator != null);
        } else {
            while (page.next != null) {
                page = restPage(raw, base + page.next, batch, calls, "queryMore");
                n += page.records;
            }
        }
        long nanos = System.nanoTime() - start;
        long cpuNanos = cpu() - cpu0;
        if (n != records) {
            throw new IllegalStateException("the raw client read " + n + " records, expected " + records);
        }
        return new Read(n, nanos, cpuNanos, calls);
    }

    private record Page(long records, String next) {
    }

    private record Chunk(long rows, String locator) {
    }

    private static final JsonFactory JSON = new JsonFactory();
    private static final CSVFormat CSV = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get();

    private static HttpUriRequestBase request(String method, String uri) {
        HttpUriRequestBase r = new HttpUriRequestBase(method, URI.create(uri));
        r.setHeader("Authorization", "Bearer " + TOKEN);
        return r;
    }

    /** Parses a query page: every value read as text, records counted, nextRecordsUrl kept. */
    private static Page restPage(CloseableHttpClient raw, String uri, String batch, Map<String, Long> calls,
                                 String endpoint) throws IOException {
        HttpUriRequestBase r = request("GET", uri);
        r.setHeader("Accept", "application/json");
        r.setHeader("Sforce-Query-Options", batch);
        calls.merge(endpoint, 1L, Long::sum);
        return raw.execute(r, response -> {
            check(response.getCode(), endpoint);
            long count = 0;
            String next = null;
            long chars = 0;
            try (InputStream in = response.getEntity().getContent(); JsonParser p = JSON.createParser(in)) {
                int depth = 0;
                boolean inRecords = false;
                JsonToken t;
                while ((t = p.nextToken()) != null) {
                    switch (t) {
                        case START_OBJECT, START_ARRAY -> {
                            depth++;
                            if (inRecords && depth == 3 && t == JsonToken.START_OBJECT) {
                                count++;
                            }
                            if (depth == 2 && t == JsonToken.START_ARRAY && "records".equals(p.currentName())) {
                                inRecords = true;
                            }
                        }
                        case END_OBJECT, END_ARRAY -> {
                            depth--;
                            if (depth == 1) {
                                inRecords = false;
                            }
                        }
                        case FIELD_NAME -> { }
                        default -> {
                            String text = p.getText();
                            chars += text.length();
                            if (depth == 1 && "nextRecordsUrl".equals(p.currentName()) && t == JsonToken.VALUE_STRING) {
                                next = text;
                            }
                        }
                    }
                }
            }
            if (chars < 0) {
                throw new IllegalStateException("unreachable");
            }
            return new Page(count, next);
        });
    }

    private static String createJob(CloseableHttpClient raw, String api, String body, Map<String, Long> calls)
            throws IOException {
        HttpUriRequestBase r = request("POST", api + "/jobs/query");
        r.setHeader("Accept", "application/json");
        r.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
        calls.merge("bulk.create", 1L, Long::sum);
        return raw.execute(r, response -> {
            check(response.getCode(), "bulk.create");
            try (InputStream in = response.getEntity().getContent(); JsonParser p = JSON.createParser(in)) {
                JsonToken t;
                while ((t = p.nextToken()) != null) {
                    if (t == JsonToken.VALUE_STRING && "id".equals(p.currentName()) && p.getParsingContext().getParent()
                            .inRoot()) {
                        return p.getText();
                    }
                }
            }
            throw new IOException("no job id");
        });
    }

    private static void poll(CloseableHttpClient raw, String api, String id, Map<String, Long> calls)
            throws IOException {
        while (true) {
            sleepMillis(1);
            HttpUriRequestBase r = request("GET", api + "/jobs/query/" + id);
            r.setHeader("Accept", "application/json");
            calls.merge("bulk.poll", 1L, Long::sum);
            String state = raw.execute(r, response -> {
                check(response.getCode(), "bulk.poll");
                try (InputStream in = response.getEntity().getContent(); JsonParser p = JSON.createParser(in)) {
                    JsonToken t;
                    while ((t = p.nextToken()) != null) {
                        if (t == JsonToken.VALUE_STRING && "state".equals(p.currentName())) {
                            return p.getText();
                        }
                    }
                }
                return "";
            });
            if (state.equals("JobComplete")) {
                return;
            }
            if (state.equals("Failed") || state.equals("Aborted")) {
                throw new IOException("job " + state);
            }
        }
    }

    /** Parses a results chunk with commons-csv: every cell read, rows counted, the locator kept. */
    private static Chunk chunk(CloseableHttpClient raw, String uri, Map<String, Long> calls) throws IOException {
        HttpUriRequestBase r = request("GET", uri);
        r.setHeader("Accept", "text/csv");
        calls.merge("bulk.results", 1L, Long::sum);
        return raw.execute(r, response -> {
            check(response.getCode(), "bulk.results");
            long rows = 0;
            long chars = 0;
            try (InputStream in = response.getEntity().getContent();
                 BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
                 CSVParser parser = CSVParser.builder().setReader(reader).setFormat(CSV).get()) {
                for (CSVRecord rec : parser) {
                    for (String cell : rec.values()) {
                        chars += cell.length();
                    }
                    rows++;
                }
            }
            if (chars < 0) {
                throw new IllegalStateException("unreachable");
            }
            Header h = response.getFirstHeader("Sforce-Locator");
            String locator = h == null || h.getValue().isBlank() || h.getValue().trim().equals("null") ? null
                    : h.getValue().trim();
            return new Chunk(rows, locator);
        });
    }

    private static void check(int status, String endpoint) throws IOException {
        if (status < 200 || status >= 300) {
            throw new IOException(endpoint + " answered HTTP " + status);
        }
    }

    /** Deletes the round's Bulk jobs (not timed): the fake server holds a finished job's result until then. */
    private static void deleteJobs(FakeSalesforceServer server, CloseableHttpClient raw) throws IOException {
        String api = server.baseUri().toString().replaceAll("/$", "") + "/services/data/v" + server.apiVersion();
        for (String id : server.bulkJobStates().keySet()) {
            HttpUriRequestBase r = request("DELETE", api + "/jobs/query/" + id);
            raw.execute(r, response -> {
                org.apache.hc.core5.http.io.entity.EntityUtils.consume(response.getEntity());
                return null;
            });
        }
    }

    /**
     * Runs {@link SalesforceHeapRun} in a JVM of its own with the heap capped, against {@code server}.
     *
     * @param server the fake server (in this JVM)
     * @param type the type to copy
     * @param fields the fields to copy
     * @param heap the child's {@code -Xmx}, e.g. {@code 64m}
     * @return its exit code and its HEAPRUN line (or its last output line)
     */
    static HeapRun forkHeapRun(FakeSalesforceServer server, ObjectType type, List<String> fields, String heap) {
        return forkHeapRun(server, type, fields, heap, false);
    }

    /**
     * @param server the fake server (in this JVM)
     * @param type the type to copy
     * @param fields the fields to copy
     * @param heap the child's {@code -Xmx}
     * @param adapterOnly true to drain the adapter's resumable read without the engine
     * @return its exit code and its HEAPRUN line (or its last output line)
     */
    static HeapRun forkHeapRun(FakeSalesforceServer server, ObjectType type, List<String> fields, String heap,
                               boolean adapterOnly) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError"));
        // extra options of the child for diagnosis, e.g. -Dcrmsync.heaprun.options=-XX:+HeapDumpOnOutOfMemoryError
        String extra = System.getProperty("crmsync.heaprun.options", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SalesforceHeapRun.class.getName(),
                server.baseUri().toString(), TOKEN, type.apiName(), String.join(",", fields)));
        if (adapterOnly) {
            cmd.add("adapter");
        }
        try {
            Path out = Files.createTempFile("crmsync-heaprun", ".log");
            try {
                long start = System.nanoTime();
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(30, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("the 64 MB check did not finish within 30 minutes");
                }
                long nanos = System.nanoTime() - start;
                List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
                String line = lines.stream().filter(l -> l.startsWith("HEAPRUN ")).findFirst()
                        .orElse(lines.isEmpty() ? "(no output)" : String.join(" | ",
                                lines.subList(Math.max(0, lines.size() - 5), lines.size())));
                return new HeapRun(p.exitValue(), line, nanos);
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run the 64 MB check: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running the 64 MB check", e);
        }
    }

    private static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> m = new java.util.TreeMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0) {
                m.put(k, d);
            }
        });
        return m;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0] + " "
                    + Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[1] + " "
                    + Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** @return the report's Markdown section */
    static String markdown(Results r) {
        StringBuilder b = new StringBuilder();
        b.append("## Salesforce adapter: parse, heap, push\n\n");
        b.append(String.format(Locale.ROOT, "%,d leads (%d fields each) over loopback from the fake server; load average"
                + " %s before, %s after.%n%n", r.records(), LeadData.FIELD_NAMES.size(), r.loadBefore(), r.loadAfter()));
        b.append("| Read | adapter rec/s (median) | raw rec/s (median) | wall ratio of medians | median of per-round"
                + " ratios | by client thread CPU: adapter / raw rec per CPU s, ratio | adapter calls | raw calls |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        for (Pair p : r.pairs()) {
            b.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | **%.2f** | %.2f | %,.0f / %,.0f = **%.2f** | %s |"
                    + " %s |%n", p.what(),
                    median(p.adapter().stream().mapToDouble(Read::perSecond).toArray()),
                    median(p.raw().stream().mapToDouble(Read::perSecond).toArray()), p.ratioOfMedians(),
                    p.medianOfRatios(), median(p.adapter().stream().mapToDouble(Read::perCpuSecond).toArray()),
                    median(p.raw().stream().mapToDouble(Read::perCpuSecond).toArray()), p.cpuRatioOfMedians(),
                    p.adapter().get(0).calls(), p.raw().get(0).calls()));
        }
        if (r.heap() != null) {
            HeapRun h = r.heap();
            b.append(String.format(Locale.ROOT, "%n64 MB check, %,d leads, forked JVM `-Xmx64m`"
                    + " `-XX:+ExitOnOutOfMemoryError`, the adapter's defaults:%n%n"
                    + "- first copy by the engine into a store that keeps nothing: exit %d, %.1f s: `%s`%n", r.heapRecords(),
                    h.exitCode(), h.nanos() / 1e9, h.line()));
            HeapRun a = r.adapterHeap();
            b.append(String.format(Locale.ROOT, "- the adapter's resumable read alone (the first copy's read), drained:"
                    + " exit %d, %.1f s: `%s`%n", a.exitCode(), a.nanos() / 1e9, a.line()));
        }
        return b.toString();
    }
}
