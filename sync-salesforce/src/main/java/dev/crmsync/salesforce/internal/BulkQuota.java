package dev.crmsync.salesforce.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code Sforce-Limit-Info} does not carry: the org's daily Bulk API 2.0 query quotas, read from
 * {@code GET /limits} ({@code DailyBulkV2QueryJobs}, {@code DailyBulkV2QueryFileStorageMB}; also
 * kept, for diagnostics, {@code DailyBulkApiBatches}). Read lazily, only when a read is about to
 * create a Bulk job, and then at most once per cycle ({@link #beginCycle()}) and at most once per
 * refresh interval on the source's clock; between reads each job this source creates counts against
 * the jobs remaining. A {@code /limits} the integration user may not read (or that fails) leaves the
 * quota unknown, and unknown allows a job (the job's own creation then says whether it may run).
 * Thread-safe.
 */
public final class BulkQuota {

    private static final Logger LOG = LoggerFactory.getLogger(BulkQuota.class);

    /** The {@code /limits} entry of Bulk API 2.0 query jobs a day. */
    public static final String QUERY_JOBS = "DailyBulkV2QueryJobs";
    /** The {@code /limits} entry of Bulk API 2.0 query result storage a day, in MB. */
    public static final String QUERY_STORAGE = "DailyBulkV2QueryFileStorageMB";
    /** The {@code /limits} entry of Bulk API (1.0 and 2.0 ingest) batches a day. */
    public static final String BATCHES = "DailyBulkApiBatches";

    private final ApiClient api;
    private final Clock clock;
    private final Duration refreshInterval;
    private boolean readThisCycle;
    private Instant lastRead;
    private long jobsRemaining = -1;
    private long storageRemaining = -1;
    private long batchesRemaining = -1;

    /**
     * @param api the client
     * @param clock the source's clock
     * @param refreshInterval the shortest time between two reads of {@code /limits}
     */
    public BulkQuota(ApiClient api, Clock clock, Duration refreshInterval) {
        this.api = Objects.requireNonNull(api, "api");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.refreshInterval = Objects.requireNonNull(refreshInterval, "refreshInterval");
    }

    /** A new cycle: the next job decision may read {@code /limits} again (if the interval has passed). */
    public synchronized void beginCycle() {
        readThisCycle = false;
    }

    /**
     * Whether a new Bulk API 2.0 query job may be created: not when the day's query jobs or query
     * result storage are spent. May call {@code GET /limits} (endpoint {@code limits}) first.
     *
     * @return true if a job may be created (or the quota is unknown)
     */
    public synchronized boolean allowsQueryJob() {
        Instant now = clock.instant();
        if (!readThisCycle && (lastRead == null || !now.isBefore(lastRead.plus(refreshInterval)))) {
            refresh(now);
        }
        return jobsRemaining != 0 && storageRemaining != 0;
    }

    /** Counts a job this source created against the jobs remaining. */
    public synchronized void jobCreated() {
        if (jobsRemaining > 0) {
            jobsRemaining--;
        }
    }

    /** @return the query jobs remaining today as last known, or -1 if unknown */
    public synchronized long queryJobsRemaining() {
        return jobsRemaining;
    }

    /** @return the Bulk batches remaining today as last read, or -1 if unknown */
    public synchronized long batchesRemaining() {
        return batchesRemaining;
    }

    private void refresh(Instant now) {
        readThisCycle = true;
        lastRead = now;
        JsonNode body;
        try {
            body = api.sendJson(ApiCall.get("limits", "/limits")).body();
        } catch (ApiFailure e) {
            jobsRemaining = -1;
            storageRemaining = -1;
            batchesRemaining = -1;
            LOG.debug("Salesforce /limits could not be read (HTTP {} {}); the Bulk API quota is unknown", e.status(),
                    e.errorCode());
            return;
        }
        jobsRemaining = remaining(body, QUERY_JOBS);
        storageRemaining = remaining(body, QUERY_STORAGE);
        batchesRemaining = remaining(body, BATCHES);
        LOG.debug("Salesforce /limits: {} remaining {}, {} remaining {}, {} remaining {}", QUERY_JOBS, jobsRemaining,
                QUERY_STORAGE, storageRemaining, BATCHES, batchesRemaining);
    }

    private static long remaining(JsonNode body, String name) {
        JsonNode n = body == null ? null : body.path(name).get("Remaining");
        return n != null && n.canConvertToLong() ? Math.max(0, n.asLong()) : -1;
    }
}
