package dev.crmsync.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A page of a person's activity history, newest first ({@link ActivityHistory#history}).
 *
 * @param activities the entries, newest first
 * @param next the position to read the older entries from, or null when there are none
 */
public record ActivityPage(List<PersonActivity> activities, @Nullable String next) {

    /** Checks nulls and copies the list. */
    public ActivityPage {
        Objects.requireNonNull(activities, "activities");
        activities = List.copyOf(activities);
    }

    /** @return the position of the older entries, if any */
    public Optional<String> nextCursor() {
        return Optional.ofNullable(next);
    }

    /**
     * A position in a history as the stores shipped here spell it: the time of the last entry
     * returned and the store's append sequence number of it, {@code at|seq}.
     *
     * @param at the entry's time
     * @param seq the store's sequence number of the entry
     */
    public record Position(Instant at, long seq) {

        /** Checks nulls. */
        public Position {
            Objects.requireNonNull(at, "at");
        }

        /**
         * @param cursor a position's text, from {@link #cursor()}
         * @return the position
         * @throws IllegalArgumentException if the text is not one
         */
        public static Position of(String cursor) {
            Objects.requireNonNull(cursor, "cursor");
            int bar = cursor.indexOf('|');
            try {
                return new Position(Instant.parse(cursor.substring(0, bar)), Long.parseLong(cursor.substring(bar + 1)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not an activity-history position of this store: '" + cursor + "'");
            }
        }

        /** @return the position's text */
        public String cursor() {
            return at + "|" + seq;
        }
    }
}
