package dev.crmsync.core.report;

import java.time.Duration;
import java.util.Objects;

/**
 * One step of a type's run, as Marketo's sync status lists them: the step, how it ended and what
 * it counted. Steps that did not run (after a failed one) are not listed.
 *
 * @param step the step
 * @param status how it ended
 * @param counts what it counted (its share of the type's {@link TypeReport#counts()})
 * @param duration how long it took, by the engine's clock
 */
public record StepReport(Step step, Status status, SyncCounts counts, Duration duration) {

    /** The steps of a type's run, in the order they run. */
    public enum Step {
        /** records a store rejected earlier, fetched again (one-way types) */
        RETRY_FAILED,
        /** the CRM's delete log since the last check, and an id-set reconciliation after a gap */
        PULL_DELETES,
        /** the CRM's new and changed records (the first copy, then the changes since the checkpoint) */
        PULL_UPDATES,
        /** the host's changes: new persons created in the CRM, changed ones merged and written (two-way types) */
        PUSH_UPDATES,
        /** the host's deletions, deleted in the CRM (two-way types) */
        PUSH_DELETES,
        /** creates sent earlier that never reached the CRM, sent again (two-way types) */
        RESEND_CREATES,
        /** records that failed earlier or wait for a follow-up, merged again (two-way types) */
        RETRY,
        /**
         * a slice of the stored ids checked against the CRM, for records it removed without a trace in
         * its delete log (hard-deleted campaign members; two-way types with an id sweep)
         */
        SWEEP_IDS,
        /**
         * a slice of the stored records re-read from the CRM for their calculated fields (formulas,
         * roll-ups), which change without moving the record's stamp; only what differs is written
         */
        REFRESH_CALCULATED,
        /** values of newly synced fields, for the records synced before */
        BACKFILL,
        /** named records brought over now, outside a cycle ({@code SyncEngine.applyCrmChanges}) */
        APPLY_IDS
    }

    /** How a step ended. */
    public enum Status {
        /** it did all its work */
        SUCCEEDED,
        /**
         * it failed, and what it had not committed was rolled back: the store and the checkpoint are
         * as of its last committed page, from which the next cycle resumes (writes the CRM had already
         * taken are not undone — a CRM has no rollback — but are recorded, and reconciled next cycle)
         */
        CLEANED_UP,
        /** it stopped at a page boundary (API quota, the engine closing, the lease lost): nothing to clean up */
        INCOMPLETE
    }

    /** Checks nulls and the duration's sign. */
    public StepReport {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative, was " + duration);
        }
    }
}
