package dev.crmsync.core.report;

import java.util.Objects;

/** How one object type fared in a cycle. */
public sealed interface TypeOutcome {

    /** @return a short label for tables and logs, such as {@code done} or {@code failed} */
    String label();

    /** @return the reason, or an empty string for {@link Synced} */
    String reason();

    /** The type ran to the end of its change stream; rejected records, if any, are counted in its report. */
    record Synced() implements TypeOutcome {
        @Override
        public String label() {
            return "done";
        }

        @Override
        public String reason() {
            return "";
        }
    }

    /**
     * The type was not synced, by design: the integration user cannot query it, or it no longer exists.
     *
     * @param reason why
     */
    record Skipped(String reason) implements TypeOutcome {
        /** Checks nulls. */
        public Skipped {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String label() {
            return "skipped";
        }
    }

    /**
     * Another engine holds the type's lease, so this engine left the type alone.
     *
     * @param leaseName the lease asked for
     */
    record LeaseHeld(String leaseName) implements TypeOutcome {
        /** Checks nulls. */
        public LeaseHeld {
            Objects.requireNonNull(leaseName, "leaseName");
        }

        @Override
        public String label() {
            return "lease held";
        }

        @Override
        public String reason() {
            return "lease '" + leaseName + "' held by another engine";
        }
    }

    /**
     * The type failed (a CRM or store call threw). Its checkpoint stays where the last durable page
     * put it; the next cycle resumes from there.
     *
     * @param reason what failed
     * @param retriable true if the failure may pass by itself
     */
    record Failed(String reason, boolean retriable) implements TypeOutcome {
        /** Checks nulls. */
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String label() {
            return "failed";
        }
    }

    /**
     * The type was stopped part-way: the API quota ran out, or the engine was closed. Its
     * checkpoint keeps every page already applied.
     *
     * @param reason why
     */
    record Stopped(String reason) implements TypeOutcome {
        /** Checks nulls. */
        public Stopped {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String label() {
            return "stopped";
        }
    }

    /**
     * The cycle stopped before reaching this type.
     *
     * @param reason why the cycle stopped
     */
    record NotRun(String reason) implements TypeOutcome {
        /** Checks nulls. */
        public NotRun {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String label() {
            return "not run";
        }
    }
}
