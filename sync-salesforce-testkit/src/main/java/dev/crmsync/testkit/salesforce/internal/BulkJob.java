package dev.crmsync.testkit.salesforce.internal;

import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A Bulk API 2.0 query job. Its state moves one step on each status poll:
 * {@code UploadComplete → InProgress → JobComplete} (or {@code Failed} when the fault plan says
 * so), unless the plan keeps jobs in progress forever. Results are a {@link Snapshot} taken when
 * the job completes — the ids and stamps of its rows, in order, not their values, which each
 * results request reads again for its chunk alone; they can be read, from any locator the results
 * handed out, as often as asked until the job is deleted (by the client, or by the server once its
 * retention has passed since its creation, by default {@link #LIFESPAN} as a real org deletes query
 * jobs and their results). Thread-safe.
 */
public final class BulkJob {

    /** How long the server keeps a query job and its results after its creation by default (a real org: 7 days). */
    public static final java.time.Duration LIFESPAN = java.time.Duration.ofDays(7);

    /** Job states. */
    public enum State {
        /** Created, queued. */ UploadComplete,
        /** Running. */ InProgress,
        /** Done; results can be read. */ JobComplete,
        /** Failed; see errorMessage. */ Failed,
        /** Aborted by the client. */ Aborted;

        /** @return true for JobComplete, Failed and Aborted */
        public boolean isFinal() {
            return this == JobComplete || this == Failed || this == Aborted;
        }
    }

    private final String id;
    private final String operation;
    private final QueryEngine.Prepared query;
    private final String apiVersion;
    private final Instant created;
    private final String createdById;
    private final String columnDelimiter;
    private final String lineEnding;
    private State state = State.UploadComplete;
    private Instant modstamp;
    private Snapshot snapshot;
    private String errorMessage;

    /**
     * @param id the job id ({@code 750...})
     * @param operation {@code query} or {@code queryAll}
     * @param query the prepared query
     * @param apiVersion the API version it was created with
     * @param created when
     * @param createdById the user
     * @param columnDelimiter the delimiter name (COMMA, TAB, ...)
     * @param lineEnding LF or CRLF
     */
    public BulkJob(String id, String operation, QueryEngine.Prepared query, String apiVersion, Instant created,
                   String createdById, String columnDelimiter, String lineEnding) {
        this.id = Objects.requireNonNull(id, "id");
        this.operation = operation;
        this.query = query;
        this.apiVersion = apiVersion;
        this.created = created;
        this.modstamp = created;
        this.createdById = createdById;
        this.columnDelimiter = columnDelimiter;
        this.lineEnding = lineEnding;
    }

    /** @return the id */
    public String id() {
        return id;
    }

    /** @return when it was created */
    public Instant created() {
        return created;
    }

    /** @return the API version it was created with */
    public String apiVersion() {
        return apiVersion;
    }

    /** @return query or queryAll */
    public String operation() {
        return operation;
    }

    /** @return the prepared query */
    public QueryEngine.Prepared query() {
        return query;
    }

    /** @return the delimiter name */
    public String columnDelimiter() {
        return columnDelimiter;
    }

    /** @return LF or CRLF */
    public String lineEnding() {
        return lineEnding;
    }

    /** @return the current state */
    public synchronized State state() {
        return state;
    }

    /** @return the results' rows, once complete (null before) */
    public synchronized Snapshot snapshot() {
        return snapshot;
    }

    /**
     * Moves one step, as a status poll does.
     *
     * @param now the time
     * @param neverComplete true to stay InProgress
     * @param failure a failure message, or null
     * @param run takes the results' snapshot when the job completes
     */
    public synchronized void advance(Instant now, boolean neverComplete, String failure,
                                     Supplier<Snapshot> run) {
        switch (state) {
            case UploadComplete -> {
                state = State.InProgress;
                modstamp = now;
            }
            case InProgress -> {
                if (neverComplete) {
                    return;
                }
                if (failure != null) {
                    state = State.Failed;
                    errorMessage = failure;
                } else {
                    try {
                        snapshot = run.get();
                        state = State.JobComplete;
                    } catch (ApiException | SoqlException e) {
                        state = State.Failed;
                        errorMessage = e.getMessage();
                    }
                }
                modstamp = now;
            }
            default -> {
            }
        }
    }

    /**
     * Aborts the job.
     *
     * @param now the time
     * @return false if it had already finished
     */
    public synchronized boolean abort(Instant now) {
        if (state.isFinal()) {
            return false;
        }
        state = State.Aborted;
        modstamp = now;
        return true;
    }

    /**
     * @param detailed true for the status (GET) form, with counters
     * @return the job info JSON
     */
    public synchronized ObjectNode info(boolean detailed) {
        ObjectNode o = SfJson.object();
        o.put("id", id);
        o.put("operation", operation);
        o.put("object", query.type().apiName());
        o.put("createdById", createdById);
        o.put("createdDate", SfFormats.jsonDateTime(created));
        o.put("systemModstamp", SfFormats.jsonDateTime(modstamp));
        o.put("state", state.name());
        if (errorMessage != null) {
            o.put("errorMessage", errorMessage);
        }
        o.put("concurrencyMode", "Parallel");
        o.put("contentType", "CSV");
        o.set("apiVersion", DecimalNode.valueOf(new BigDecimal(apiVersion)));
        if (detailed) {
            o.put("jobType", "V2Query");
        }
        o.put("lineEnding", lineEnding);
        o.put("columnDelimiter", columnDelimiter);
        if (detailed) {
            o.put("numberRecordsProcessed", snapshot == null ? 0 : snapshot.size());
            o.put("retries", 0);
            o.put("totalProcessingTime", state.isFinal() ? 1 : 0);
        }
        return o;
    }
}
