package dev.crmsync.testkit.salesforce.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Open query cursors, by locator. A cursor is a snapshot of a query's results taken when the
 * query ran; its pages ({@code nextRecordsUrl}) can be read, and re-read, until the server closes,
 * the cursor is evicted (the oldest go beyond {@code capacity}) or a fault invalidates all cursors.
 */
public final class QueryCursors {

    /**
     * An open cursor.
     *
     * @param locator its id ({@code 01g...})
     * @param result the snapshot
     * @param batchSize the page size chosen by the first request
     */
    public record Open(String locator, QueryEngine.Result result, int batchSize) {
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
     * @param result a snapshot
     * @param batchSize its page size
     * @return the new cursor
     */
    public synchronized Open open(QueryEngine.Result result, int batchSize) {
        Open c = new Open(ids.next("01g"), result, batchSize);
        open.put(c.locator(), c);
        return c;
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
