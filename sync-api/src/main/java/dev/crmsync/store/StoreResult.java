package dev.crmsync.store;

import dev.crmsync.model.CrmId;
import java.util.Objects;

/**
 * The outcome of one record of a batch written to a {@link MarketingStore}. A store that cannot
 * take a record returns {@link Rejected} for it (with the reason) and goes on with the others;
 * it throws only when the store itself failed.
 */
public sealed interface StoreResult {

    /** @return the CRM id of the record the result is for */
    CrmId crmId();

    /** The record was new to the store. @param crmId the record @param marketingId the id the store gave it */
    record Created(CrmId crmId, String marketingId) implements StoreResult {
        /** Checks nulls. */
        public Created {
            Objects.requireNonNull(crmId, "crmId");
            Objects.requireNonNull(marketingId, "marketingId");
        }
    }

    /** Existing record, some value changed. @param crmId the record @param marketingId its store id */
    record Updated(CrmId crmId, String marketingId) implements StoreResult {
        /** Checks nulls. */
        public Updated {
            Objects.requireNonNull(crmId, "crmId");
            Objects.requireNonNull(marketingId, "marketingId");
        }
    }

    /** Existing record, nothing to change (an idempotent rewrite). @param crmId the record @param marketingId its store id */
    record Unchanged(CrmId crmId, String marketingId) implements StoreResult {
        /** Checks nulls. */
        public Unchanged {
            Objects.requireNonNull(crmId, "crmId");
            Objects.requireNonNull(marketingId, "marketingId");
        }
    }

    /** Nothing is held under that CRM id, so nothing was done (e.g. deleting an unknown record). @param crmId the record */
    record NotFound(CrmId crmId) implements StoreResult {
        /** Checks nulls. */
        public NotFound {
            Objects.requireNonNull(crmId, "crmId");
        }
    }

    /**
     * The store would not take the record; nothing of it was written.
     *
     * @param crmId the record
     * @param code a short machine-readable reason, e.g. {@code VALUE_TOO_LONG}, {@code UNKNOWN_TYPE}
     * @param message a human-readable reason naming the field or value at fault
     * @param retriable true if the same write may succeed later unchanged (e.g. a lock timeout)
     */
    record Rejected(CrmId crmId, String code, String message, boolean retriable) implements StoreResult {
        /** Checks nulls. */
        public Rejected {
            Objects.requireNonNull(crmId, "crmId");
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * The host changed the record since the engine read it — a field the write would set no
     * longer holds the value the engine saw ({@link BidirectionalStore#upsertIfUnchanged}), or the
     * record is gone — so nothing of it was written: the host's change stays, and the engine merges
     * the record again from the change feed.
     *
     * @param crmId the record
     * @param field the first field found changed (a field name, never a value), or null if the
     *     record is gone
     */
    record Changed(CrmId crmId, String field) implements StoreResult {
        /** Checks nulls. */
        public Changed {
            Objects.requireNonNull(crmId, "crmId");
        }
    }

    /** @return true unless {@link Rejected} */
    default boolean isSuccess() {
        return !(this instanceof Rejected);
    }
}
