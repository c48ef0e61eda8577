package dev.crmsync.salesforce.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crmsync.model.CallAbortedException;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import java.io.IOException;
import java.io.Reader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Bulk API 2.0 {@code queryAll} job: create it, poll with growing waits up to a deadline,
 * download every CSV result chunk by {@code Sforce-Locator} until the locator is {@code "null"},
 * and hand the rows out in (stamp, Id) order. A job that is still running when the deadline passes,
 * or when the reader is closed, or when its wait is woken up ({@code wakeup}) or interrupted, is
 * aborted, so none is left open. When Bulk cannot serve the query
 * (the object is not supported, the job failed or timed out) {@link #next} throws
 * {@link Unavailable} and the caller falls back to REST. Not thread-safe.
 */
public final class BulkReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BulkReader.class);

    /** A Salesforce record id: job ids go into URL paths, so nothing else is accepted. */
    private static final java.util.regex.Pattern JOB_ID = java.util.regex.Pattern.compile("[A-Za-z0-9]{15,18}");

    private static final CSVFormat CSV = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get();

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

    /** One downloaded chunk. */
    private record Chunk(List<String> header, List<String[]> rows, String locator) {
    }

    private final SourceContext ctx;
    private final ReadPlan plan;
    private final String soql;
    private String jobId;
    private boolean jobOpen;
    private SortedRows rows;
    private List<String> columns;
    private Map<String, Integer> columnIndex;
    private boolean closed;

    /**
     * @param ctx the source's shared parts
     * @param plan what is selected and how rows map to records
     * @param soql the query (no ORDER BY: Bulk does not support it)
     */
    public BulkReader(SourceContext ctx, ReadPlan plan, String soql) {
        this.ctx = ctx;
        this.plan = plan;
        this.soql = soql;
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
        if (rows == null) {
            run();
        }
        List<SyncRecord> out = new ArrayList<>();
        for (String[] cells : rows.next(max)) {
            out.add(plan.fromCells(name -> {
                Integer i = columnIndex.get(name.toLowerCase(Locale.ROOT));
                return i == null || i >= cells.length ? null : cells[i];
            }));
        }
        return out;
    }

    /** @return the job id, once created */
    public String jobId() {
        return jobId;
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
                chunk = ctx.api().send(call, BulkReader::parseChunk);
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
            rows = new SortedRows(0, 1, ctx.bulk().sortRunSize(), ctx.bulk().spillDirectory());
            columnIndex = Map.of();
        }
        rows.finish();
        LOG.info("Bulk API job {} for {} returned {} records in {} chunk(s)", jobId, plan.info().type(),
                rows.count(), chunks);
    }

    private void accept(Chunk chunk) {
        if (columns == null) {
            columns = chunk.header();
            columnIndex = new HashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                columnIndex.put(columns.get(i).toLowerCase(Locale.ROOT), i);
            }
            Integer id = columnIndex.get("id");
            Integer stamp = columnIndex.get(plan.stampField().toLowerCase(Locale.ROOT));
            if (id == null || stamp == null) {
                throw new SyncException("Bulk API results of job " + jobId + " lack the Id or " + plan.stampField()
                        + " column", plan.info().type(), null, null);
            }
            rows = new SortedRows(id, stamp, ctx.bulk().sortRunSize(), ctx.bulk().spillDirectory());
        }
        boolean sameHeader = chunk.header().equals(columns);
        for (String[] cells : chunk.rows()) {
            if (sameHeader) {
                rows.add(cells);
            } else {
                String[] mapped = new String[columns.size()];
                for (int i = 0; i < chunk.header().size(); i++) {
                    Integer at = columnIndex.get(chunk.header().get(i).toLowerCase(Locale.ROOT));
                    if (at != null && i < cells.length) {
                        mapped[at] = cells[i];
                    }
                }
                rows.add(mapped);
            }
        }
    }

    /** Parses a CSV chunk inside the retried attempt; a short chunk (truncated body) is retried. */
    private static Chunk parseChunk(RawResponse r) throws IOException {
        List<String[]> rows = new ArrayList<>();
        List<String> header;
        try (Reader reader = new java.io.StringReader(TextBytes.decodeUtf8(r.body()));
             CSVParser parser = CSVParser.builder().setReader(reader).setFormat(CSV).get()) {
            header = new ArrayList<>(parser.getHeaderNames());
            for (CSVRecord rec : parser) {
                String[] cells = new String[rec.size()];
                for (int i = 0; i < cells.length; i++) {
                    cells[i] = rec.get(i);
                }
                rows.add(cells);
            }
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            throw new IOException("malformed CSV in Bulk results", e);
        }
        String count = r.header("Sforce-NumberOfRecords");
        if (count != null) {
            try {
                long expected = Long.parseLong(count.trim());
                if (expected != rows.size()) {
                    throw new IOException("Bulk results chunk holds " + rows.size() + " rows, Sforce-NumberOfRecords says "
                            + expected + " (truncated body)");
                }
            } catch (NumberFormatException ignored) {
                // an unreadable count is not a reason to fail the chunk
            }
        }
        String locator = r.header("Sforce-Locator");
        if (locator == null || locator.isBlank() || locator.trim().equals("null")) {
            locator = null;
        } else {
            locator = locator.trim();
        }
        return new Chunk(header, rows, locator);
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

    /** Aborts a job still running and deletes temporary files; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        abortQuietly();
        if (rows != null) {
            rows.close();
        }
    }
}
