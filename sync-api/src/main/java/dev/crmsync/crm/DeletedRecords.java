package dev.crmsync.crm;

import dev.crmsync.model.Deletion;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The CRM's delete log for a window (Salesforce {@code getDeleted}).
 *
 * @param deletions records deleted in the window
 * @param earliestDateAvailable the oldest entry the log still holds; if it is after the window's
 *     start, deletions may have been lost and the engine reconciles id sets
 * @param latestDateCovered up to when the log is complete; the next window starts here
 */
public record DeletedRecords(List<Deletion> deletions, Instant earliestDateAvailable, Instant latestDateCovered) {
    /** Checks nulls, copies the list. */
    public DeletedRecords {
        deletions = List.copyOf(deletions);
        Objects.requireNonNull(earliestDateAvailable, "earliestDateAvailable");
        Objects.requireNonNull(latestDateCovered, "latestDateCovered");
    }
}
