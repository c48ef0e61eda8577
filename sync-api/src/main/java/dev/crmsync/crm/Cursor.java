package dev.crmsync.crm;

import dev.crmsync.model.CrmId;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A position in the CRM's change stream: the composite key (modification stamp, id) of the last
 * record read. The next read returns records strictly after it, so many records sharing one
 * stamp are never skipped nor read twice across pages.
 *
 * @param modstamp the stamp of the last record read
 * @param lastId the id of the last record read at that stamp, or null to mean "every record at this stamp or later"
 */
public record Cursor(Instant modstamp, @Nullable CrmId lastId) implements Comparable<Cursor> {

    /** Before every record: the start of a first full copy. */
    public static final Cursor START = new Cursor(Instant.EPOCH, null);

    private static final Comparator<Cursor> ORDER = Comparator.comparing(Cursor::modstamp)
            .thenComparing(Cursor::lastId, Comparator.nullsFirst(Comparator.naturalOrder()));

    /** Checks nulls. */
    public Cursor {
        Objects.requireNonNull(modstamp, "modstamp");
    }

    /** @param modstamp a stamp @param id an id @return the cursor just after that record */
    public static Cursor after(Instant modstamp, CrmId id) {
        return new Cursor(modstamp, Objects.requireNonNull(id, "id"));
    }

    /**
     * @param stamp a record's stamp
     * @param id the record's id
     * @return true if that record lies strictly after this cursor
     */
    public boolean isBefore(Instant stamp, CrmId id) {
        int c = stamp.compareTo(modstamp);
        return c > 0 || (c == 0 && (lastId == null || id.compareTo(lastId) > 0));
    }

    /**
     * @param lookback how far to step back
     * @return a cursor {@code lookback} earlier that includes every record at that stamp (never before {@link #START})
     */
    public Cursor rewind(Duration lookback) {
        Instant back = modstamp.minus(lookback);
        return new Cursor(back.isBefore(Instant.EPOCH) ? Instant.EPOCH : back, null);
    }

    @Override
    public int compareTo(Cursor o) {
        return ORDER.compare(this, o);
    }
}
