package dev.crmsync.core.report;

import dev.crmsync.model.ObjectType;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one cycle did for one object type.
 *
 * @param type the object type
 * @param outcome how it fared
 * @param counts its record counts
 * @param duration how long it took (by the engine's clock)
 * @param notes noteworthy events, one line each (fields not readable, an id-set reconciliation, …)
 * @param unwrittenFields fields of the host's records the CRM will not take, by (sanitised) name,
 *     with how many records carried one this cycle (see {@link UnwrittenField}); at most
 *     {@link #MAX_UNWRITTEN_FIELDS} names, sorted
 * @param backlog the work that waited for the type when the run began, in each direction, and its
 *     trend ({@link Backlog#unknown} when nothing was counted)
 * @param steps the steps the run took, in order, with how each ended (empty if the type did not run)
 */
public record TypeReport(ObjectType type, TypeOutcome outcome, SyncCounts counts, Duration duration,
                         List<String> notes, Map<String, Long> unwrittenFields, Backlog backlog,
                         List<StepReport> steps) {

    /** The most field names {@link #unwrittenFields()} lists; further ones are not named. */
    public static final int MAX_UNWRITTEN_FIELDS = 50;

    /** Checks nulls and the bound, copies the collections (the map sorted by name). */
    public TypeReport {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(backlog, "backlog");
        notes = List.copyOf(notes);
        steps = List.copyOf(steps);
        if (unwrittenFields.size() > MAX_UNWRITTEN_FIELDS) {
            throw new IllegalArgumentException("unwrittenFields holds " + unwrittenFields.size()
                    + " names, at most " + MAX_UNWRITTEN_FIELDS);
        }
        unwrittenFields.forEach((f, n) -> {
            Objects.requireNonNull(f, "unwrittenFields key");
            if (n == null || n < 1) {
                throw new IllegalArgumentException("unwrittenFields count must be >= 1, was " + n);
            }
        });
        unwrittenFields = Collections.unmodifiableMap(new TreeMap<>(unwrittenFields));
    }

    /**
     * A report with no steps listed.
     *
     * @param type the object type
     * @param outcome how it fared
     * @param counts its record counts
     * @param duration how long it took
     * @param notes noteworthy events
     * @param unwrittenFields fields the CRM will not take, with how many records carried one
     * @param backlog the work that waited for it when the run began
     */
    public TypeReport(ObjectType type, TypeOutcome outcome, SyncCounts counts, Duration duration, List<String> notes,
                      Map<String, Long> unwrittenFields, Backlog backlog) {
        this(type, outcome, counts, duration, notes, unwrittenFields, backlog, List.of());
    }

    /**
     * A report with nothing counted for its backlog.
     *
     * @param type the object type
     * @param outcome how it fared
     * @param counts its record counts
     * @param duration how long it took
     * @param notes noteworthy events
     * @param unwrittenFields fields the CRM will not take, with how many records carried one
     */
    public TypeReport(ObjectType type, TypeOutcome outcome, SyncCounts counts, Duration duration, List<String> notes,
                      Map<String, Long> unwrittenFields) {
        this(type, outcome, counts, duration, notes, unwrittenFields, Backlog.unknown(Instant.EPOCH), List.of());
    }

    /**
     * A report with no unwritten fields.
     *
     * @param type the object type
     * @param outcome how it fared
     * @param counts its record counts
     * @param duration how long it took
     * @param notes noteworthy events
     */
    public TypeReport(ObjectType type, TypeOutcome outcome, SyncCounts counts, Duration duration, List<String> notes) {
        this(type, outcome, counts, duration, notes, Map.of(), Backlog.unknown(Instant.EPOCH), List.of());
    }
}
