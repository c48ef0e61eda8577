package dev.crmsync.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A page of the marketing store's own change feed.
 *
 * @param records changed records, oldest change first; each record at most once per page, with its current values
 * @param nextCursor the position to pass next time; equal to the one passed when nothing changed
 * @param hasMore true if more changes follow right away
 * @param unreadable changed records in this page's range that the store could not read back (the
 *     engine reports each as rejected and retries it; the cursor moves past them)
 * @param deletions records the host deleted in this page's range (a store that cannot tell gives
 *     none: the host's deletes then stay in the store only)
 */
public record ChangePage(List<MarketingRecord> records, FeedCursor nextCursor, boolean hasMore,
                         List<UnreadableRecord> unreadable, List<HostDeletion> deletions) {
    /** Checks nulls and copies the lists. */
    public ChangePage {
        records = List.copyOf(records);
        Objects.requireNonNull(nextCursor, "nextCursor");
        unreadable = List.copyOf(unreadable);
        deletions = List.copyOf(deletions);
    }

    /**
     * A page with no host deletion.
     *
     * @param records changed records
     * @param nextCursor the next position
     * @param hasMore true if more changes follow
     * @param unreadable changed records the store could not read back
     */
    public ChangePage(List<MarketingRecord> records, FeedCursor nextCursor, boolean hasMore,
                      List<UnreadableRecord> unreadable) {
        this(records, nextCursor, hasMore, unreadable, List.of());
    }

    /**
     * A page with no unreadable record.
     *
     * @param records changed records
     * @param nextCursor the next position
     * @param hasMore true if more changes follow
     */
    public ChangePage(List<MarketingRecord> records, FeedCursor nextCursor, boolean hasMore) {
        this(records, nextCursor, hasMore, List.of());
    }

    /**
     * Builds a page from the rows a store read after {@code from}: a store asks its storage for
     * {@code limit + 1} rows in feed order, and the extra row, if there is one, only says that more
     * follow. The next position is the last row's; with no row it stays {@code from}.
     *
     * @param fetched up to {@code limit + 1} rows, oldest change first
     * @param limit the page size asked for, at least 1
     * @param from the position the rows were read after
     * @param positionOf a row's own feed position
     * @param recordOf a row as the record the page reports
     * @param <R> the store's row type
     * @return the page
     */
    public static <R> ChangePage of(List<R> fetched, int limit, FeedCursor from, Function<? super R, FeedCursor> positionOf,
                                    Function<? super R, MarketingRecord> recordOf) {
        StoreChecks.requireLimit(limit);
        Objects.requireNonNull(from, "from");
        boolean hasMore = fetched.size() > limit;
        List<R> rows = hasMore ? fetched.subList(0, limit) : fetched;
        List<MarketingRecord> out = new ArrayList<>(rows.size());
        for (R r : rows) {
            out.add(recordOf.apply(r));
        }
        FeedCursor next = rows.isEmpty() ? from : positionOf.apply(rows.get(rows.size() - 1));
        return new ChangePage(out, next, hasMore);
    }
}
