package dev.crmsync.core.report;

import java.util.List;
import java.util.Objects;

/** How a whole cycle ended. */
public sealed interface CycleOutcome {

    /** @return a short upper-case label: {@code COMPLETE}, {@code PARTIAL}, {@code FAILED} or {@code QUOTA} */
    String label();

    /** Every type that could run did, and no record was rejected. */
    record Complete() implements CycleOutcome {
        @Override
        public String label() {
            return "COMPLETE";
        }
    }

    /**
     * Some work was done, but not all: a type failed or was stopped, a type was blocked by a
     * lease another engine instance holds ({@link TypeOutcome.Blocked}), or records were rejected
     * (they are queued for retry).
     *
     * @param reasons one line per problem, naming the object type
     */
    record Partial(List<String> reasons) implements CycleOutcome {
        /** Checks nulls, copies the list. */
        public Partial {
            reasons = List.copyOf(reasons);
        }

        @Override
        public String label() {
            return "PARTIAL";
        }
    }

    /**
     * Nothing could be synced: every type that was tried failed, or the cycle could not start.
     *
     * @param reason what failed
     * @param code a stable code for what failed when it is known (e.g.
     *     {@link dev.crmsync.model.CredentialsRefusedException#CODE}: the cycle could not start, or every type
     *     failed with that code), else empty
     */
    record Failed(String reason, String code) implements CycleOutcome {
        /** Checks nulls. */
        public Failed {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(code, "code");
        }

        /**
         * A failure without a code.
         *
         * @param reason what failed
         */
        public Failed(String reason) {
            this(reason, "");
        }

        @Override
        public String label() {
            return "FAILED";
        }
    }

    /**
     * The CRM's API allowance (or the host's budget) ran out. The cycle stopped cleanly; every
     * checkpoint already committed is kept and the next cycle resumes from it.
     *
     * @param message which allowance ran out
     */
    record Quota(String message) implements CycleOutcome {
        /** Checks nulls. */
        public Quota {
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String label() {
            return "QUOTA";
        }
    }
}
