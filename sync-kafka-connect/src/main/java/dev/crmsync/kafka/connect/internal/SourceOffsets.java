package dev.crmsync.kafka.connect.internal;

import dev.crmsync.crm.Cursor;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.jspecify.annotations.Nullable;

/**
 * Source partitions and offsets. A partition is {@code {org, type}}; its offset is the engine's cursor for that
 * type:
 *
 * <pre>
 * stamp    string   ISO-8601 instant of the last record read (exact, as the CRM gave it)
 * id       string   its CRM id (absent: every record at that stamp or later)
 * phase    string   "copy" during the first full copy, "incremental" after it
 * copied   long     records read so far in the full copy (progress; 0 once incremental)
 * </pre>
 *
 * <p>An offset holds ids and stamps only, never field values. The connector's offsets can be read and altered with
 * Connect's offsets REST API (KIP-875) in this form.
 */
public final class SourceOffsets {

    /** Partition key: the org. */
    public static final String ORG = "org";
    /** Partition key: the object type's API name. */
    public static final String TYPE = "type";
    /** Offset key: the stamp. */
    public static final String STAMP = "stamp";
    /** Offset key: the id. */
    public static final String ID = "id";
    /** Offset key: the phase. */
    public static final String PHASE = "phase";
    /** Offset key: records copied. */
    public static final String COPIED = "copied";
    /** Phase value of the first full copy. */
    public static final String COPY = "copy";
    /** Phase value after it. */
    public static final String INCREMENTAL = "incremental";

    private SourceOffsets() {
    }

    /**
     * A stored position: the cursor, whether the full copy is done, records copied.
     *
     * @param cursor the cursor
     * @param copyDone true once the first full copy finished
     * @param copied records read so far in the full copy
     */
    public record Position(Cursor cursor, boolean copyDone, long copied) {

        /** Where a partition never read starts. */
        public static final Position START = new Position(Cursor.START, false, 0);

        /** Checks nulls. */
        public Position {
            java.util.Objects.requireNonNull(cursor, "cursor");
        }
    }

    /**
     * The source partition, as a {@link HashMap}: Connect finds an offset by the bytes of its serialized partition,
     * which follow the map's iteration order, and the offsets REST API (KIP-875) rebuilds a partition from JSON as a
     * {@code HashMap}. A {@code Map.of} map iterates in an order that changes from one JVM to the next, so its
     * offsets would be invisible to the REST API, and after a restart, to the task itself.
     *
     * @param org the org
     * @param type the type
     * @return the source partition
     */
    public static Map<String, String> partition(String org, ObjectType type) {
        Map<String, String> partition = new HashMap<>();
        partition.put(ORG, org);
        partition.put(TYPE, type.apiName());
        return Collections.unmodifiableMap(partition);
    }

    /**
     * @param p a position
     * @return its offset map
     */
    public static Map<String, Object> offset(Position p) {
        Map<String, Object> m = new HashMap<>();
        m.put(STAMP, p.cursor().modstamp().toString());
        if (p.cursor().lastId() != null) {
            m.put(ID, p.cursor().lastId().value());
        }
        m.put(PHASE, p.copyDone() ? INCREMENTAL : COPY);
        m.put(COPIED, p.copied());
        return m;
    }

    /**
     * @param org the org (for messages)
     * @param type the type (for messages)
     * @param offset a stored offset, or null if none
     * @return the position it holds ({@link Position#START} for none)
     * @throws ConnectException if the offset is malformed (the message names the key)
     */
    public static Position position(String org, ObjectType type, @Nullable Map<String, Object> offset) {
        if (offset == null) {
            return Position.START;
        }
        String where = "offset of org " + org + ", type " + type;
        Object stamp = offset.get(STAMP);
        Object id = offset.get(ID);
        Object phase = offset.get(PHASE);
        Object copied = offset.get(COPIED);
        if (!(stamp instanceof String s)) {
            throw new ConnectException(where + ": no " + STAMP);
        }
        if (!COPY.equals(phase) && !INCREMENTAL.equals(phase)) {
            throw new ConnectException(where + ": " + PHASE + " must be " + COPY + " or " + INCREMENTAL);
        }
        try {
            Instant at = Instant.parse(s);
            CrmId last = id == null ? null : CrmId.of(String.valueOf(id));
            long n = copied instanceof Number num ? num.longValue() : 0;
            return new Position(new Cursor(at, last), INCREMENTAL.equals(phase), Math.max(0, n));
        } catch (DateTimeParseException e) {
            throw new ConnectException(where + ": " + STAMP + " is not an ISO-8601 instant");
        } catch (IllegalArgumentException e) {
            throw new ConnectException(where + ": " + ID + " is not a CRM id");
        }
    }
}
