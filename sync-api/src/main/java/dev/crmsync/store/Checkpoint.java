package dev.crmsync.store;

import dev.crmsync.crm.Cursor;

import dev.crmsync.model.ObjectType;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The engine's progress for one object type, saved only after the writes it covers are durable.
 *
 * @param type the object type
 * @param crmCursor the position in the CRM's change stream up to which everything was applied
 * @param initialCopyDone false while the first full copy is under way (it resumes from {@code crmCursor})
 * @param recordsDone records applied so far in the current full copy (for progress); 0 once done
 * @param deletionsCheckedUntil up to when CRM deletions were applied, or null before the first check
 * @param marketingCursor the marketing store's change-feed position (bidirectional types),
 *     {@link FeedCursor#START} at the start
 * @param updatedAt when this checkpoint was saved
 */
public record Checkpoint(ObjectType type, Cursor crmCursor, boolean initialCopyDone, long recordsDone,
                         @Nullable Instant deletionsCheckedUntil, FeedCursor marketingCursor, Instant updatedAt) {

    /** Checks nulls and ranges. */
    public Checkpoint {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(crmCursor, "crmCursor");
        Objects.requireNonNull(marketingCursor, "marketingCursor");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (recordsDone < 0) {
            throw new IllegalArgumentException("recordsDone must be >= 0, was " + recordsDone);
        }
    }

    /** @param type the type @param now the time @return the checkpoint of a type never synced */
    public static Checkpoint initial(ObjectType type, Instant now) {
        return new Checkpoint(type, Cursor.START, false, 0, null, FeedCursor.START, now);
    }

    /** @param cursor the new position @param done records applied @param now the time @return an updated copy */
    public Checkpoint withCrmCursor(Cursor cursor, long done, Instant now) {
        return new Checkpoint(type, cursor, initialCopyDone, done, deletionsCheckedUntil, marketingCursor, now);
    }

    /** @param now the time @return a copy marking the first full copy finished */
    public Checkpoint withInitialCopyDone(Instant now) {
        return new Checkpoint(type, crmCursor, true, 0, deletionsCheckedUntil, marketingCursor, now);
    }

    /** @param until the time deletions were applied up to @param now the time @return an updated copy */
    public Checkpoint withDeletionsCheckedUntil(Instant until, Instant now) {
        return new Checkpoint(type, crmCursor, initialCopyDone, recordsDone, until, marketingCursor, now);
    }

    /** @param cursor the new feed cursor @param now the time @return an updated copy */
    public Checkpoint withMarketingCursor(FeedCursor cursor, Instant now) {
        return new Checkpoint(type, crmCursor, initialCopyDone, recordsDone, deletionsCheckedUntil, cursor, now);
    }
}
