package dev.crmsync.store;

import java.util.Objects;

/**
 * A position in a marketing store's own change feed ({@link BidirectionalStore#changesSince}):
 * opaque text that only the store that issued it reads. {@link #START} is before every record;
 * every other position is one the store returned in {@link ChangePage#nextCursor()}.
 *
 * <p>An adapter makes its positions with {@link #of(String)} and reads them back with
 * {@link #value()}; the empty text is reserved for {@link #START}, so a position persisted as text
 * (the JDBC state store keeps {@link Checkpoint#marketingCursor()} in a text column) survives a
 * round trip through {@link #value()} and {@link #of(String)} unchanged, {@code START} included.
 *
 * @param value the store's own spelling of the position; empty for {@link #START}
 */
public record FeedCursor(String value) {

    /** Before every record: a first read from here lists every record a host wrote ({@link BidirectionalStore#changesSince}). */
    public static final FeedCursor START = new FeedCursor("");

    /** Checks nulls. */
    public FeedCursor {
        Objects.requireNonNull(value, "value");
    }

    /**
     * A position as the store spells it, or as it was persisted.
     *
     * @param value text returned earlier by {@link #value()}; {@code ""} gives {@link #START}
     * @return the position
     */
    public static FeedCursor of(String value) {
        return value.isEmpty() ? START : new FeedCursor(value);
    }

    /** @return true for {@link #START} */
    public boolean isStart() {
        return value.isEmpty();
    }
}
