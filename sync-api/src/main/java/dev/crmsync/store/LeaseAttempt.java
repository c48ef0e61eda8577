package dev.crmsync.store;

import java.util.Objects;

/** What {@link SyncStateStore#tryAcquireLease} answered: the lease, or who holds it instead. */
public sealed interface LeaseAttempt {

    /**
     * The lease is the caller's (new, or its own renewed).
     *
     * @param lease the grant
     */
    record Granted(Lease lease) implements LeaseAttempt {
        /** Checks nulls. */
        public Granted {
            Objects.requireNonNull(lease, "lease");
        }
    }

    /**
     * Another owner — or another instance of the same owner — holds an unexpired lease.
     *
     * @param holder the current grant, naming its owner, instance and since when
     */
    record Refused(Lease holder) implements LeaseAttempt {
        /** Checks nulls. */
        public Refused {
            Objects.requireNonNull(holder, "holder");
        }
    }

    /** @return true if the lease was granted */
    default boolean granted() {
        return this instanceof Granted;
    }
}
