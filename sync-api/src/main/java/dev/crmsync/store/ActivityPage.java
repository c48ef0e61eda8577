package dev.crmsync.store;

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
}
