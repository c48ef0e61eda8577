package dev.crmsync.salesforce.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crmsync.model.CallAbortedException;
import dev.crmsync.model.SyncException;
import dev.crmsync.crm.Cursor;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.SyncRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Bulk API 2.0 {@code queryAll} job: create it, poll with growing waits up to a deadline,
 * download every CSV result chunk by {@code Sforce-Locator} until the locator is {@code "null"},
 * and hand the rows out in (stamp, Id) order.
 *
 * <p><b>Chunk by chunk</b> ({@link #chunked}, for resumable reads): each result chunk is handed out
 * as soon as it is downloaded, sorted within itself (chunks are out of order between them), and
 * {@link #token()} tells after each batch where a later reader continues: the job id, the chunk's
 * locator and how many of its records were handed out, with the query's start and a hash of its
 * text. {@link #resume} continues such a job after a restart while it exists: a job still running is
 * waited for, a complete one read from the saved locator; a job gone, failed or aborted, or one of
 * another query (the hash differs; it is aborted if still open) is not resumed, and the caller reads
 * anew. Once its token was handed out, a job is left as it is on {@link #close()} (a later reader
 * continues it).
 *
 * <p>A job that is still running when the deadline passes,
 * or when the reader is closed, or when its wait is woken up ({@code wakeup}) or interrupted, is
 * aborted, so none is left open. When Bulk cannot serve the query
 * (the object is not supported, the job failed or timed out) {@link #next} throws
 * {@link Unavailable} and the caller falls back to REST. Not thread-safe.
 */
public final class BulkReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BulkReader.class);

    /** A Salesforce record id: job ids go into URL paths, so nothing else is accepted. */
    private static final java.util.regex.Pattern JOB_ID = java.util.regex.Pattern.compile("[A-Za-z0-9]{15,18}");

    /** Bulk cannot serve this query; read through REST instead. */
    public static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean typeUnsupported;

        Unavailable(String reason, boolean typeUnsupported) {
            super(reason, null, false, false);
            this.typeUnsupported = typeUnsupported;
        }

        /** @return true if Bulk can never query this object type (don't try again) */
        public boolean typeUnsupported() {
            return typeUnsupported;
        }
    }

    /**
     * One downloaded chunk: its rows laid out as the plan's columns with their sort keys
     * (chunk-by-chunk mode) or without (whole-job mode), and the next chunk's locator.
     */
    private record Chunk(List<Row> keyed, List<String[]> rows, String locator) {
    }

    /**
     * A row of a chunk held until it is handed out: its cells (the plan's columns) and its sort key.
     * A chunk is held as text cells, not records: about two thirds of the records' heap (a record's
     * values are decoded when its batch is handed out).
     */
    private record Row(Instant stamp, CrmId id, String[] cells) {
    }

    private static final Comparator<Row> ROW_ORDER = Comparator.comparing(Row::stamp).thenComparing(Row::id);

    private final SourceContext ctx;
    private final ReadPlan plan;
    private final String soql;
    private String jobId;
    private boolean jobOpen;
    private SortedRows rows;
    private boolean closed;

    // chunk-by-chunk mode
    private final boolean chunked;
    private final Cursor start;
    private final int maxRecords;
    private boolean complete;
    private Instant createdDate;
    private long jobRecords = -1;
    private boolean downloaded;
    private String chunkLocator;
    private String nextLocator;
    private List<Row> chunk = List.of();
    private int offset;
    private int skip;
    private long delivered;
    private boolean tokenGiven;

    /**
     * A reader that downloads the whole job, then hands its rows out in (stamp, Id) order.
     *
     * @param ctx the source's shared parts
     * @param plan what is selected and how rows map to records
     * @param soql the query (no ORDER BY: Bulk does not support it)
     */
    public BulkReader(SourceContext ctx, ReadPlan plan, String soql) {
        this(ctx, plan, soql, false, null, ctx.bulk().maxRecordsPerResult());
    }

    private BulkReader(SourceContext ctx, ReadPlan plan, String soql, boolean chunked, Cursor start, int maxRecords) {
        this.ctx = ctx;
        this.plan = plan;
        this.soql = soql;
        this.chunked = chunked;
        this.start = start;
        this.maxRecords = maxRecords;
    }

    /**
     * A reader that hands each result chunk out as soon as it is downloaded (see the class
     * documentation). Call {@link #start()} to create the job.
     *
     * @param ctx the source's shared parts
     * @param plan what is selected and how rows map to records
     * @param start the query reads records strictly after this cursor
     * @return the reader
     */
    public static BulkReader chunked(SourceContext ctx, ReadPlan plan, Cursor start) {
        return new BulkReader(ctx, plan, plan.soql(start, null, false), true, start, ctx.bulk().maxRecordsPerResult());
    }

    /**
     * Continues the job of a {@link #token()} while it can: asks for the job's state
     * ({@code GET /jobs/query/{id}}).
     *
     * @param ctx the source's shared parts
     * @param plan what is selected now and how rows map to records
     * @param token a token an earlier chunked reader gave
     * @return a reader continuing right after the records that reader had handed out, or empty if the
     *     job cannot be continued (gone, failed, aborted, of another query, or the token is not one of
     *     ours): the caller reads anew
     */
    public static Optional<BulkReader> resume(SourceContext ctx, ReadPlan plan, String token) {
        Token t = Token.parse(token);
        if (t == null) {
            LOG.warn("the saved read position of {} is not a Bulk API resume token; reading anew", plan.info().type());
            return Optional.empty();
        }
        BulkReader r = new BulkReader(ctx, plan, plan.soql(t.start(), null, false), true, t.start(), t.maxRecords());
        r.jobId = t.jobId();
        if (!hash(r.soql).equals(t.hash())) {
            LOG.info("Bulk API job {} of {} was for another query (the fields or the start changed); aborting it and"
                    + " reading anew", t.jobId(), plan.info().type());
            r.jobOpen = true;
            r.abortQuietly();
            return Optional.empty();
        }
        JsonNode info;
        try {
            info = ctx.api().sendJson(ApiCall.get("bulk.poll", "/jobs/query/" + t.jobId())).body();
        } catch (ApiFailure e) {
            LOG.info("Bulk API job {} of {} cannot be resumed ({} {}); reading anew", t.jobId(), plan.info().type(),
                    e.status(), e.errorCode());
            return Optional.empty();
        }
        String state = info == null ? "" : info.path("state").asText("");
        switch (state) {
            case "JobComplete" -> r.complete = true;
            case "UploadComplete", "InProgress" -> {
                r.jobOpen = true;
                ctx.openJobs().add(t.jobId());
            }
            default -> {
                LOG.info("Bulk API job {} of {} is {}; reading anew", t.jobId(), plan.info().type(),
                        state.isEmpty() ? "in no known state" : state);
                return Optional.empty();
            }
        }
        r.jobInfo(info);
        r.chunkLocator = t.locator();
        r.skip = t.skip();
        r.delivered = t.delivered();
        LOG.info("resuming Bulk API 2.0 query job {} of {} after {} records", t.jobId(), plan.info().type(),
                t.delivered());
        return Optional.of(r);
    }

    /**
     * Creates the job (chunk-by-chunk mode); does not wait for it.
     *
     * @throws Unavailable if Bulk refused the job
     */
    public void start() throws Unavailable {
        if (!chunked || jobId != null) {
            throw new IllegalStateException("start() is for a new chunk-by-chunk reader");
        }
        create();
    }

    /** @return true in chunk-by-chunk mode */
    public boolean isChunked() {
        return chunked;
    }

    /**
     * @return (chunk-by-chunk mode) where a later reader continues: right after the records handed
     *     out so far; null before the job exists
     */
    public String token() {
        if (!chunked || jobId == null) {
            return null;
        }
        tokenGiven = true;
        Token t;
        if (!downloaded) {
            t = new Token(jobId, start, maxRecords, chunkLocator, skip, delivered, hash(soql));
        } else if (offset >= chunk.size() && nextLocator != null) {
            t = new Token(jobId, start, maxRecords, nextLocator, 0, delivered, hash(soql));
        } else {
            t = new Token(jobId, start, maxRecords, chunkLocator, offset, delivered, hash(soql));
        }
        return t.encode();
    }

    /** @return (chunk-by-chunk mode) the job's creation time on the CRM's clock, if known */
    public Optional<Instant> createdDate() {
        return Optional.ofNullable(createdDate);
    }

    /** @return (chunk-by-chunk mode) the records of the job not handed out yet, once the job's count is known */
    public OptionalLong remaining() {
        return jobRecords < 0 ? OptionalLong.empty() : OptionalLong.of(Math.max(0, jobRecords - delivered));
    }

    /**
     * @param max the most records to return
     * @return the next records in (stamp, Id) order; empty when all were returned
     * @throws Unavailable if Bulk cannot serve the query (nothing was returned yet in that case)
     */
    public List<SyncRecord> next(int max) throws Unavailable {
        if (closed) {
            throw new IllegalStateException("bulk reader is closed");
        }
        if (chunked) {
            return nextChunked(max);
        }
        if (rows == null) {
            run();
        }
        List<SyncRecord> out = new ArrayList<>();
        for (SortedRows.Row r : rows.nextRows(max)) {
            out.add(plan.fromRaw(r.cells(), r.id(), r.stamp()));     // the sort key is not decoded again
        }
        return out;
    }

    /** @return the job id, once created */
    public String jobId() {
        return jobId;
    }

    private List<SyncRecord> nextChunked(int max) throws Unavailable {
        if (jobId == null) {
            create();
        }
        if (!complete) {
            try {
                waitForCompletion();
            } catch (Unavailable | RuntimeException e) {
                abortQuietly();
                throw e;
            }
            complete = true;
            jobOpen = false;
            ctx.openJobs().remove(jobId);
        }
        while (offset >= chunk.size()) {
            if (downloaded) {
                if (nextLocator == null) {
                    return List.of();
                }
                chunkLocator = nextLocator;
            }
            chunk = List.of();     // the chunk handed out is not kept while the next one is read
            Chunk c = fetchChunk(chunkLocator, maxRecords);
            chunk = sortedUnique(c.keyed());
            nextLocator = c.locator();
            downloaded = true;
            offset = Math.min(skip, chunk.size());
            skip = 0;
        }
        int until = Math.min(chunk.size(), offset + max);
        List<SyncRecord> out = new ArrayList<>(until - offset);
        for (int i = offset; i < until; i++) {
            Row r = chunk.get(i);       // its key decoded already: id and stamp are not decoded again
            out.add(plan.fromRaw(r.cells(), r.id(), r.stamp()));   // a value that does not fit throws before any is dropped
        }
        for (int i = offset; i < until; i++) {
            chunk.set(i, null);             // handed out: not held any longer
        }
        offset += out.size();
        delivered += out.size();
        if (offset >= chunk.size() && nextLocator == null) {
            LOG.info("Bulk API job {} for {} handed out {} records", jobId, plan.info().type(), delivered);
        }
        return out;
    }

    /** One chunk's rows in (stamp, Id) order, a record repeated within it kept once (sorted in place). */
    private static List<Row> sortedUnique(List<Row> rows) {
        rows.sort(ROW_ORDER);
        int kept = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            Row prev = kept == 0 ? null : rows.get(kept - 1);
            if (prev == null || !(prev.stamp().equals(r.stamp()) && prev.id().equals(r.id()))) {
                rows.set(kept++, r);
            }
        }
        return kept == rows.size() ? rows : new ArrayList<>(rows.subList(0, kept));
    }

    private Chunk fetchChunk(String locator, int maxRecordsPerChunk) throws Unavailable {
        ApiCall call = ApiCall.get("bulk.results", "/jobs/query/" + jobId + "/results")
                .withQuery("maxRecords", Integer.toString(maxRecordsPerChunk))
                .withHeader("Accept", "text/csv");
        if (locator != null) {
            call = call.withQuery("locator", locator);
        }
        try {
            return ctx.api().stream(call, chunkParser(true));
        } catch (ApiFailure e) {
            throw new Unavailable("Bulk API results of job " + jobId + " could not be read: " + e.getMessage(), false);
        }
    }

    /** Keeps what a job info says of the job's creation and size. */
    private void jobInfo(JsonNode info) {
        if (info == null) {
            return;
        }
        String created = info.path("createdDate").asText("");
        if (!created.isEmpty() && createdDate == null) {
            try {
                createdDate = ValueCodec.parseDateTime(created);
            } catch (java.time.DateTimeException e) {
                LOG.debug("Bulk API job {} has an unreadable createdDate", jobId);
            }
        }
        if (info.has("numberRecordsProcessed") && "JobComplete".equals(info.path("state").asText(""))) {
            jobRecords = info.path("numberRecordsProcessed").asLong(-1);
        }
    }

    /** A hash of the query text: a resumed job must be of the same query. */
    private static String hash(String soql) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(soql.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /**
     * What a chunked reader's {@link #token()} holds: {@code sfbulk1} and the fields below, joined by
     * {@code |}: printable ASCII, about 150 characters, no secret, no customer data.
     *
     * @param jobId the job
     * @param start the query's start cursor
     * @param maxRecords the {@code maxRecords} its chunks are asked with (a chunk's content depends on it)
     * @param locator the locator of the chunk to continue in, or null for the first chunk
     * @param skip how many records of that chunk (sorted) were handed out already
     * @param delivered how many records of the job were handed out in all
     * @param hash the hash of the query's text
     */
    record Token(String jobId, Cursor start, int maxRecords, String locator, int skip, long delivered, String hash) {
        private static final String PREFIX = "sfbulk1";
        private static final java.util.regex.Pattern LOCATOR = java.util.regex.Pattern.compile("[A-Za-z0-9+/=_.-]{1,200}");
        private static final java.util.regex.Pattern HASH = java.util.regex.Pattern.compile("[0-9a-f]{24}");

        String encode() {
            return String.join("|", PREFIX, jobId, start.modstamp().toString(),
                    start.lastId() == null ? "-" : start.lastId().value(), Integer.toString(maxRecords),
                    locator == null ? "-" : Base64.getUrlEncoder().withoutPadding()
                            .encodeToString(locator.getBytes(StandardCharsets.UTF_8)),
                    Integer.toString(skip), Long.toString(delivered), hash);
        }

        /** @return the token's content, or null if it is not a token of this form */
        static Token parse(String token) {
            String[] p = token.split("\\|", -1);
            if (p.length != 9 || !p[0].equals(PREFIX) || !JOB_ID.matcher(p[1]).matches() || !HASH.matcher(p[8]).matches()) {
                return null;
            }
            try {
                Instant at = Instant.parse(p[2]);
                Cursor start = p[3].equals("-") ? new Cursor(at, null) : Cursor.after(at, CrmId.of(p[3]));
                int max = Integer.parseInt(p[4]);
                String locator = null;
                if (!p[5].equals("-")) {
                    locator = new String(Base64.getUrlDecoder().decode(p[5]), StandardCharsets.UTF_8);
                    if (!LOCATOR.matcher(locator).matches()) {
                        return null;
                    }
                }
                int skip = Integer.parseInt(p[6]);
                long delivered = Long.parseLong(p[7]);
                if (max < 1 || skip < 0 || delivered < 0) {
                    return null;
                }
                return new Token(p[1], start, max, locator, skip, delivered, p[8]);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    private void run() throws Unavailable {
        create();
        try {
            waitForCompletion();
            download();
        } catch (Unavailable | RuntimeException e) {
            abortQuietly();
            if (rows != null) {
                rows.close();
                rows = null;
            }
            throw e;
        }
    }

    private void create() throws Unavailable {
        ObjectNode body = ctx.json().createObjectNode()
                .put("operation", "queryAll")
                .put("query", soql)
                .put("contentType", "CSV")
                .put("columnDelimiter", "COMMA")
                .put("lineEnding", "LF");
        ApiClient.JsonResponse r;
        try {
            r = ctx.api().sendJson(ApiCall.json("bulk.create", "POST", "/jobs/query", body.toString()).nonIdempotent());
        } catch (ApiFailure e) {
            throw new Unavailable("Bulk API refused the query job for " + plan.info().type() + ": " + e.getMessage(),
                    unsupported(e));
        }
        String id = r.body() == null ? "" : r.body().path("id").asText("");
        if (!JOB_ID.matcher(id).matches()) {
            throw new Unavailable("Bulk API returned no usable job id for " + plan.info().type(), false);
        }
        jobId = id;
        jobOpen = true;
        ctx.openJobs().add(id);
        ctx.bulkQuota().jobCreated();
        jobInfo(r.body());
        LOG.info("Bulk API 2.0 query job {} started for {}", id, plan.info().type());
    }

    private void waitForCompletion() throws Unavailable {
        Instant started = ctx.clock().instant();
        Duration slept = Duration.ZERO;
        Duration wait = ctx.bulk().pollInitial();
        while (true) {
            Duration elapsed = Duration.between(started, ctx.clock().instant());
            if (slept.compareTo(elapsed) > 0) {
                elapsed = slept; // a clock that does not move with the sleeper still reaches the deadline
            }
            if (elapsed.compareTo(ctx.bulk().jobTimeout()) >= 0) {
                abortQuietly();
                throw new Unavailable("Bulk API job " + jobId + " for " + plan.info().type() + " did not finish within "
                        + ctx.bulk().jobTimeout() + "; aborted it", false);
            }
            Duration remaining = ctx.bulk().jobTimeout().minus(elapsed);
            Duration nap = wait.compareTo(remaining) < 0 ? wait : remaining;
            sleep(nap);
            slept = slept.plus(nap);
            wait = min(Duration.ofMillis(wait.toMillis() * 3 / 2), ctx.bulk().pollMax());
            JsonNode info = ctx.api().sendJson(ApiCall.get("bulk.poll", "/jobs/query/" + jobId)).body();
            String state = info == null ? "" : info.path("state").asText("");
            switch (state) {
                case "JobComplete" -> {
                    jobInfo(info);
                    return;
                }
                case "Failed", "Aborted" -> {
                    jobOpen = false;
                    ctx.openJobs().remove(jobId);
                    String message = info.path("errorMessage").asText("");
                    throw new Unavailable("Bulk API job " + jobId + " for " + plan.info().type() + " ended " + state
                            + (message.isEmpty() ? "" : ": " + message), unsupportedMessage(message));
                }
                default -> LOG.debug("Bulk API job {} is {}", jobId, state);
            }
        }
    }

    private void download() throws Unavailable {
        String locator = null;
        int chunks = 0;
        do {
            ApiCall call = ApiCall.get("bulk.results", "/jobs/query/" + jobId + "/results")
                    .withQuery("maxRecords", Integer.toString(ctx.bulk().maxRecordsPerResult()))
                    .withHeader("Accept", "text/csv");
            if (locator != null) {
                call = call.withQuery("locator", locator);
            }
            Chunk chunk;
            try {
                chunk = ctx.api().stream(call, chunkParser(false));
            } catch (ApiFailure e) {
                throw new Unavailable("Bulk API results of job " + jobId + " could not be read: " + e.getMessage(), false);
            }
            accept(chunk);
            chunks++;
            locator = chunk.locator();
        } while (locator != null);
        jobOpen = false;
        ctx.openJobs().remove(jobId);
        if (rows == null) {
            rows = new SortedRows(0, 1, ctx.bulk().sortRunSize(), ctx.bulk().sortRunBytes(), ctx.bulk().spillDirectory());
        }
        rows.finish();
        LOG.info("Bulk API job {} for {} returned {} records in {} chunk(s)", jobId, plan.info().type(),
                rows.count(), chunks);
    }

    private void accept(Chunk chunk) {
        if (rows == null) {
            // rows are laid out as the plan's columns: Id first, then the stamp
            rows = new SortedRows(0, 1, ctx.bulk().sortRunSize(), ctx.bulk().sortRunBytes(),
                    ctx.bulk().spillDirectory());
        }
        for (String[] cells : chunk.rows()) {
            rows.add(cells);
        }
    }

    /**
     * Parses a CSV chunk from the response stream inside the retried attempt, row by row, into the
     * chunk's rows laid out as the plan's columns, with their sort keys ({@code asRecords}); the body is
     * never held whole. A chunk cut midway, malformed, or shorter than its
     * {@code Sforce-NumberOfRecords} fails with an {@link IOException}, so the whole chunk is read
     * again and nothing of the failed attempt is handed out.
     */
    private ApiClient.StreamParser<Chunk> chunkParser(boolean asRecords) {
        return (head, body) -> {
            CsvRows csv = new CsvRows(TextBytes.utf8Reader(body));
            List<Row> keyed = asRecords ? new ArrayList<>() : List.of();
            List<String[]> cellRows = asRecords ? List.of() : new ArrayList<>();
            String[] header = csv.next();
            int n = plan.columnCount();
            long count = 0;
            if (header != null) {
                int[] at = plan.cellsOf(header);
                String[] row;
                while ((row = csv.next()) != null) {
                    if (count == 0 && (at[0] < 0 || at[1] < 0)) {
                        throw new SyncException("Bulk API results of job " + jobId + " lack the Id or "
                                + plan.stampField() + " column", plan.info().type(), null, null);
                    }
                    String[] cells = new String[n];
                    for (int c = 0; c < n; c++) {
                        int i = at[c];
                        cells[c] = i >= 0 && i < row.length ? row[i] : null;
                    }
                    count++;
                    if (asRecords) {
                        keyed.add(new Row(plan.stampOf(cells), plan.idOf(cells), cells));
                    } else {
                        cellRows.add(cells);
                    }
                }
            }
            String expected = head.header("Sforce-NumberOfRecords");
            if (expected != null) {
                try {
                    long e = Long.parseLong(expected.trim());
                    if (e != count) {
                        throw new IOException("Bulk results chunk holds " + count + " rows, Sforce-NumberOfRecords says "
                                + e + " (truncated body)");
                    }
                } catch (NumberFormatException ignored) {
                    // an unreadable count is not a reason to fail the chunk
                }
            }
            String locator = head.header("Sforce-Locator");
            if (locator == null || locator.isBlank() || locator.trim().equals("null")) {
                locator = null;
            } else {
                locator = locator.trim();
            }
            return new Chunk(keyed, cellRows, locator);
        };
    }

    private void sleep(Duration d) {
        try {
            ctx.api().pause(d, "wait for Bulk API job " + jobId);
        } catch (CallAbortedException e) {
            boolean interrupted = Thread.interrupted(); // an interrupted thread cannot make the abort call
            abortQuietly();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            throw new CallAbortedException(e.getMessage() + "; the job was aborted", e);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static boolean unsupported(ApiFailure e) {
        return e.errorCode().equals("INVALIDENTITY") || e.errorCode().equals("INVALID_TYPE_FOR_OPERATION")
                || unsupportedMessage(e.getMessage());
    }

    private static boolean unsupportedMessage(String message) {
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        return m.contains("not supported by the bulk api") || m.contains("compound data not supported")
                || m.contains("does not support query");
    }

    private void abortQuietly() {
        if (!jobOpen || jobId == null) {
            return;
        }
        jobOpen = false;
        try {
            abort(ctx, jobId);
        } catch (RuntimeException e) {
            LOG.warn("could not abort Bulk API job {}: {}", jobId, e.getMessage());
        }
    }

    /**
     * Aborts a job ({@code PATCH /jobs/query/{id}} with state {@code Aborted}).
     *
     * @param ctx the source's shared parts
     * @param jobId the job
     */
    public static void abort(SourceContext ctx, String jobId) {
        ObjectNode body = ctx.json().createObjectNode().put("state", "Aborted");
        try {
            ctx.api().send(ApiCall.json("bulk.abort", "PATCH", "/jobs/query/" + jobId, body.toString()));
        } catch (ApiFailure e) {
            if (e.status() != 400 && e.status() != 404 && e.status() != 409) {
                throw e; // 400/409: already finished; 404: gone
            }
        }
        ctx.openJobs().remove(jobId);
        LOG.info("Bulk API job {} aborted", jobId);
    }

    /**
     * Aborts a job still running and deletes temporary files; idempotent. A chunk-by-chunk job whose
     * {@link #token()} was handed out is left running: the caller's saved position refers to it, and
     * a later reader continues it (if none does, it completes by itself and Salesforce deletes it;
     * closing the source aborts it).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!(chunked && tokenGiven)) {
            abortQuietly();
        }
        if (rows != null) {
            rows.close();
        }
    }
}
