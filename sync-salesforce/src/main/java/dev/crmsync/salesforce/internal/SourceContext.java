package dev.crmsync.salesforce.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crmsync.model.ObjectType;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;

/**
 * What the read and write paths of one source share.
 *
 * @param api the client
 * @param json the mapper
 * @param describer describe cache
 * @param clock the clock
 * @param bulk Bulk settings
 * @param openJobs ids of Bulk jobs not yet finished, aborted when the source closes (concurrent set)
 * @param bulkUnsupported types Bulk refused to query; they are read through REST (concurrent set)
 * @param maxBatchSize the largest REST batch to ask for (200..2000)
 * @param maxQueryTimeoutSplits how many times in a row a timed-out window may be halved
 * @param bulkQuota the org's daily Bulk API 2.0 query quotas, from {@code /limits}
 */
public record SourceContext(ApiClient api, ObjectMapper json, Describer describer, Clock clock, BulkSettings bulk, Set<String> openJobs, Set<ObjectType> bulkUnsupported,
                            int maxBatchSize, int maxQueryTimeoutSplits, BulkQuota bulkQuota) {
    /** Checks nulls. */
    public SourceContext {
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(describer, "describer");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(bulk, "bulk");
        Objects.requireNonNull(openJobs, "openJobs");
        Objects.requireNonNull(bulkUnsupported, "bulkUnsupported");
        Objects.requireNonNull(bulkQuota, "bulkQuota");
    }
}
