package dev.crmsync.core.report;

import dev.crmsync.store.Lease;
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
     * Another engine instance holds the type's lease — another engine, or another running instance
     * of this engine id (a second process, or a restart while the dead one's lease has not lapsed
     * yet) — so this instance left the type alone this cycle. The cycle's outcome is then not
     * {@link CycleOutcome.Complete}.
     *
     * @param holder the lease as the store showed it: name, the holder's engine id and instance
     *     token, since when and until when
     */
    record Blocked(Lease holder) implements TypeOutcome {
        /** Checks nulls. */
        public Blocked {
            Objects.requireNonNull(holder, "holder");
        }

        @Override
        public String label() {
            return "blocked";
        }

        @Override
        public String reason() {
            return "lease '" + holder.name() + "' is held by " + holder.holder();
        }
    }

    /**
     * The type failed (a CRM or store call threw). Its checkpoint stays where the last durable page
     * put it; the next cycle resumes from there.
     *
     * @param reason what failed
     * @param retriable true if the failure may pass by itself
     * @param code a stable code for what failed when it is known (e.g.
     *     {@link dev.crmsync.model.CredentialsRefusedException#CODE}), else empty
     */
    record Failed(String reason, boolean retriable, String code) implements TypeOutcome {
        /** Checks nulls. */
        public Failed {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(code, "code");
        }

        /**
         * A failure without a code.
         *
         * @param reason what failed
         * @param retriable true if the failure may pass by itself
         */
        public Failed(String reason, boolean retriable) {
            this(reason, retriable, "");
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
