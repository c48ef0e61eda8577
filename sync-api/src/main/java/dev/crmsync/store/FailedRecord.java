package dev.crmsync.store;

import dev.crmsync.model.ObjectType;
import java.time.Instant;
import java.util.Objects;

/**
 * A record that failed to apply, kept for retry: nothing is dropped. Only its identity and the
 * reason are kept; the engine re-reads current values when it retries. After the configured
 * number of attempts it is parked: kept, listed through the API, and retried only when the host
 * re-drives it (or, for the CRM side, when the record changes again). The engine's own
 * bookkeeping is never a failure: it is kept as {@link EngineIntent}s.
 *
 * @param type the object type
 * @param key the record's key: its CRM id, or for a record not (yet) in the CRM its marketing id
 * @param target the side the write was rejected by
 * @param code a short machine-readable reason (the CRM's status code, or the store's)
 * @param message the human-readable reason
 * @param retriable true if a retry without a change may succeed (e.g. {@code UNABLE_TO_LOCK_ROW})
 * @param attempts how many times it has failed
 * @param firstFailedAt the first failure
 * @param lastFailedAt the latest failure
 * @param parked true once attempts are exhausted
 */
public record FailedRecord(ObjectType type, RecordKey key, SyncSide target, String code, String message,
                           boolean retriable, int attempts, Instant firstFailedAt, Instant lastFailedAt,
                           boolean parked) {

    /** Checks nulls and ranges. */
    public FailedRecord {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(firstFailedAt, "firstFailedAt");
        Objects.requireNonNull(lastFailedAt, "lastFailedAt");
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, was " + attempts);
        }
    }

    /**
     * @param code the new reason code @param message the new reason @param retriable whether retriable
     * @param now the time @param maxAttempts attempts allowed before parking
     * @return this failure after one more failed attempt
     */
    public FailedRecord failedAgain(String code, String message, boolean retriable, Instant now, int maxAttempts) {
        int n = attempts + 1;
        return new FailedRecord(type, key, target, code, message, retriable, n, firstFailedAt, now, n >= maxAttempts);
    }

    /** @return a copy taken out of the parked state, with its attempt count reset, for a re-drive */
    public FailedRecord unparked() {
        return new FailedRecord(type, key, target, code, message, retriable, 1, firstFailedAt, lastFailedAt, false);
    }
}
