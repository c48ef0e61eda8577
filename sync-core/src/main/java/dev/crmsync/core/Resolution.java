package dev.crmsync.core;

import java.util.Objects;

/** What a {@link ConflictPolicy} decided for one field. */
public sealed interface Resolution {

    /** The CRM's value wins; it is written to the marketing store. */
    Resolution CRM = new TakeCrm();
    /** The marketing store's value wins; it is written to the CRM. */
    Resolution MARKETING = new TakeMarketing();

    /** @param reason why @return a resolution that parks the conflict for a person to decide */
    static Resolution park(String reason) {
        return new Park(reason);
    }

    /** The CRM's value wins. */
    record TakeCrm() implements Resolution {
    }

    /** The marketing value wins. */
    record TakeMarketing() implements Resolution {
    }

    /** Neither wins now: the conflict is parked with both values for manual resolution. @param reason why */
    record Park(String reason) implements Resolution {
        /** Checks nulls. */
        public Park {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
