package dev.crmsync.testkit.salesforce.internal;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.SyncRecord;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A Bulk query job's results held compactly: the id and {@code SystemModstamp} of each row, in
 * the order the results emit them, and nothing else. The rows' values are read again when a
 * results chunk is rendered ({@link QueryEngine#reread}), so a job costs two references per row
 * however many fields it selects. Immutable once built.
 */
public final class Snapshot {

    private final CrmId[] ids;
    private final Instant[] stamps;

    private Snapshot(CrmId[] ids, Instant[] stamps) {
        this.ids = ids;
        this.stamps = stamps;
    }

    /**
     * @param rows records in result order
     * @return their ids and stamps
     */
    static Snapshot of(List<SyncRecord> rows) {
        Builder b = new Builder();
        rows.forEach(r -> b.add(r.id(), r.modstamp()));
        return b.build();
    }

    /** @return the number of rows */
    public int size() {
        return ids.length;
    }

    /**
     * @param row a row index, from 0
     * @return its record's id
     */
    public CrmId id(int row) {
        return ids[row];
    }

    /**
     * @param row a row index, from 0
     * @return its record's {@code SystemModstamp} when the snapshot was taken
     */
    public Instant stamp(int row) {
        return stamps[row];
    }

    /**
     * @param from the first row
     * @param to the row after the last
     * @return the ids of those rows
     */
    public List<CrmId> ids(int from, int to) {
        return List.of(Arrays.copyOfRange(ids, from, to));
    }

    /** Collects rows in order. Not thread-safe. */
    static final class Builder {
        private CrmId[] ids = new CrmId[64];
        private Instant[] stamps = new Instant[64];
        private int size;

        void add(CrmId id, Instant stamp) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
                stamps = Arrays.copyOf(stamps, size * 2);
            }
            ids[size] = Objects.requireNonNull(id, "id");
            stamps[size] = Objects.requireNonNull(stamp, "stamp");
            size++;
        }

        int size() {
            return size;
        }

        Snapshot build() {
            return new Snapshot(Arrays.copyOf(ids, size), Arrays.copyOf(stamps, size));
        }
    }
}
