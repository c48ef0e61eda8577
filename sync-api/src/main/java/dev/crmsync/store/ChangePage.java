package dev.crmsync.store;

import java.util.List;
import java.util.Objects;

/**
 * A page of the marketing store's own change feed.
 *
 * @param records changed records, oldest change first; each record at most once per page, with its current values
 * @param nextCursor the position to pass next time; equal to the one passed when nothing changed
 * @param hasMore true if more changes follow right away
 */
public record ChangePage(List<MarketingRecord> records, FeedCursor nextCursor, boolean hasMore) {
    /** Checks nulls and copies the list. */
    public ChangePage {
        records = List.copyOf(records);
        Objects.requireNonNull(nextCursor, "nextCursor");
    }
}
