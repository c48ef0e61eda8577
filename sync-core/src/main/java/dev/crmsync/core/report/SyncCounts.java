package dev.crmsync.core.report;

/**
 * Record counts of one object type (or of a whole cycle) in a {@link SyncReport}.
 *
 * @param read records read from the CRM (change stream, retries and reconciliation)
 * @param created records new to the marketing store
 * @param updated stored records whose values changed
 * @param unchanged records the store already held as read (an overlap re-read or a replay after a crash): nothing written
 * @param deleted stored records newly flagged deleted in the CRM
 * @param failed records the store rejected (queued for retry, or parked)
 * @param skipped records that needed no write for another reason: only fields that are not synced changed, or a
 *     record deleted in the CRM before it ever reached the store
 */
public record SyncCounts(long read, long created, long updated, long unchanged, long deleted, long failed,
                         long skipped) {

    /** All zero. */
    public static final SyncCounts ZERO = new SyncCounts(0, 0, 0, 0, 0, 0, 0);

    /** Checks that no count is negative. */
    public SyncCounts {
        check("read", read);
        check("created", created);
        check("updated", updated);
        check("unchanged", unchanged);
        check("deleted", deleted);
        check("failed", failed);
        check("skipped", skipped);
    }

    private static void check(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
    }

    /**
     * @param other counts to add
     * @return the sum of both
     */
    public SyncCounts plus(SyncCounts other) {
        return new SyncCounts(read + other.read, created + other.created, updated + other.updated,
                unchanged + other.unchanged, deleted + other.deleted, failed + other.failed, skipped + other.skipped);
    }

    /**
     * @param earlier counts taken before these (each at most these)
     * @return what was counted since {@code earlier}
     * @throws IllegalArgumentException if a count of {@code earlier} is larger
     */
    public SyncCounts minus(SyncCounts earlier) {
        return new SyncCounts(read - earlier.read, created - earlier.created, updated - earlier.updated,
                unchanged - earlier.unchanged, deleted - earlier.deleted, failed - earlier.failed,
                skipped - earlier.skipped);
    }

    /** @return the records that moved: created, updated and deleted */
    public long moved() {
        return created + updated + deleted;
    }
}
