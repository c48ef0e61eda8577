package dev.crmsync.core.report;

import dev.crmsync.model.ObjectType;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one cycle did for one object type.
 *
 * @param type the object type
 * @param outcome how it fared
 * @param counts its record counts
 * @param duration how long it took (by the engine's clock)
 * @param notes noteworthy events, one line each (fields not readable, an id-set reconciliation, …)
 */
public record TypeReport(ObjectType type, TypeOutcome outcome, SyncCounts counts, Duration duration,
                         List<String> notes) {

    /** Checks nulls, copies the list. */
    public TypeReport {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(duration, "duration");
        notes = List.copyOf(notes);
    }
}
