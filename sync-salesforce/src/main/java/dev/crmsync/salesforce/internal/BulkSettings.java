package dev.crmsync.salesforce.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How reads use Bulk API 2.0 query jobs.
 *
 * @param threshold a read whose result holds more records than this goes through Bulk
 *     ({@link Long#MAX_VALUE} disables Bulk)
 * @param pollInitial the first wait before polling a job
 * @param pollMax the longest wait between polls (waits grow by half each time)
 * @param jobTimeout how long a job may take before it is aborted and the read falls back to REST
 * @param maxRecordsPerResult {@code maxRecords} asked for per results request
 * @param sortRunSize rows sorted in memory before a run spills to a temporary file
 * @param sortRunBytes estimated heap bytes of the rows sorted in memory before a run spills
 * @param spillDirectory where spilled runs go, or null for the system temporary directory
 */
public record BulkSettings(long threshold, Duration pollInitial, Duration pollMax, Duration jobTimeout,
                           int maxRecordsPerResult, int sortRunSize, long sortRunBytes,
                           Path spillDirectory) {
    /** Checks nulls and ranges. */
    public BulkSettings {
        Objects.requireNonNull(pollInitial, "pollInitial");
        Objects.requireNonNull(pollMax, "pollMax");
        Objects.requireNonNull(jobTimeout, "jobTimeout");
        if (threshold < 0 || maxRecordsPerResult < 1 || sortRunSize < 1 || sortRunBytes < 1) {
            throw new IllegalArgumentException("invalid bulk settings: threshold " + threshold + ", maxRecords "
                    + maxRecordsPerResult + ", sortRunSize " + sortRunSize + ", sortRunBytes " + sortRunBytes);
        }
    }
}
