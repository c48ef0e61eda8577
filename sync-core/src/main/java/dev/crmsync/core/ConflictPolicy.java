package dev.crmsync.core;

/**
 * Decides a field changed on both sides, to different values, between two cycles. Called by the
 * engine's thread, once per conflicting field; must not block. A policy that throws or returns
 * null gets a clear error naming the field and record, and the record is parked, not lost.
 *
 * <p>Built-ins: {@link #crmWins()}, {@link #marketingWins()}, {@link #lastWriterWins()}; the engine's
 * default follows Marketo (see {@code SyncEngine.Builder}).
 */
@FunctionalInterface
public interface ConflictPolicy {

    /**
     * @param conflict the conflict
     * @return the decision, never null
     */
    Resolution resolve(Conflict conflict);

    /** @return a policy under which the CRM's value always wins (Marketo's rule for Contacts) */
    static ConflictPolicy crmWins() {
        return c -> Resolution.CRM;
    }

    /** @return a policy under which the marketing value always wins (Marketo's rule for Leads) */
    static ConflictPolicy marketingWins() {
        return c -> Resolution.MARKETING;
    }

    /**
     * @return a policy under which the side whose record changed later wins; on equal times the CRM
     *     wins (a fixed, coordination-free tie-break)
     */
    static ConflictPolicy lastWriterWins() {
        return c -> c.marketingModifiedAt().isAfter(c.crmModifiedAt()) ? Resolution.MARKETING : Resolution.CRM;
    }
}
