package dev.crmsync.testkit.salesforce.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Open query cursors, by locator. As a real org's server-side cursor "gathers all the IDs" when the
 * query runs, a cursor of a records query holds the ids (and stamps) of its rows in result order, a
 * {@link Snapshot}, and no record: each page ({@code nextRecordsUrl}) reads its rows again by id
 * (a row changed since the query ran is left out; see {@code SalesforceApi#idPage}).
 * Only a query with child subqueries keeps its whole result (its children are part of each row).
 * Pages can be read, and re-read, until the server closes, the cursor is evicted (the oldest go
 * beyond {@code capacity}) or a fault invalidates all cursors.
 */
public final class QueryCursors {

    /**
     * An open cursor: a records query's ids ({@code rows}), or a whole result ({@code result}, a query
     * with child subqueries); one of the two is null.
     *
     * @param locator its id ({@code 01g...})
     * @param prepared the query
     * @param rows the ids and stamps of the query's rows, in result order, or null
     * @param result the whole result, or null
     * @param batchSize the page size chosen by the first request
     * @param includeDeleted true for queryAll
     */
    public record Open(String locator, QueryEngine.Prepared prepared, Snapshot rows, QueryEngine.Result result,
                       int batchSize, boolean includeDeleted) {

        /** @return the rows the cursor pages through */
        public int size() {
            return rows != null ? rows.size() : result.rows().size();
        }

        /** @return the records (rows and child rows) the cursor holds: none for a cursor of ids */
        public long heldRecords() {
            if (result == null) {
                return 0;
            }
            long n = result.rows().size();
            for (var byParent : result.children().values()) {
                for (var kids : byParent.values()) {
                    n += kids.size();
                }
            }
            return n;
        }
    }

    private final int capacity;
    private final IdFactory ids;
    private final Map<String, Open> open;

    /**
     * @param capacity how many cursors to keep
     * @param ids makes locators
     */
    public QueryCursors(int capacity, IdFactory ids) {
        this.capacity = capacity;
        this.ids = ids;
        this.open = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Open> eldest) {
                return size() > QueryCursors.this.capacity;
            }
        };
    }

    /**
     * @param result a query's whole result (one with child subqueries)
     * @param batchSize its page size
     * @return the new cursor
     */
    public synchronized Open open(QueryEngine.Result result, int batchSize) {
        Open c = new Open(ids.next("01g"), result.prepared(), null, result, batchSize, false);
        open.put(c.locator(), c);
        return c;
    }

    /**
     * @param prepared a records query
     * @param rows its rows' ids and stamps, in result order
     * @param batchSize its page size
     * @param includeDeleted true for queryAll
     * @return the new cursor
     */
    public synchronized Open open(QueryEngine.Prepared prepared, Snapshot rows, int batchSize, boolean includeDeleted) {
        Open c = new Open(ids.next("01g"), prepared, rows, null, batchSize, includeDeleted);
        open.put(c.locator(), c);
        return c;
    }

    /** @return the records the open cursors hold in all (ids are not records: a cursor of ids holds none) */
    public synchronized long heldRecords() {
        long n = 0;
        for (Open c : open.values()) {
            n += c.heldRecords();
        }
        return n;
    }

    /**
     * @param locator a locator
     * @return the cursor, if still open
     */
    public synchronized Optional<Open> get(String locator) {
        return Optional.ofNullable(open.get(locator));
    }

    /** Invalidates every open cursor (later pages fail with INVALID_QUERY_LOCATOR). */
    public synchronized void invalidateAll() {
        open.clear();
    }
}
