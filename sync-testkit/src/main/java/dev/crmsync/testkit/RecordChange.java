package dev.crmsync.testkit;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;

import java.util.List;
import java.util.Objects;

/**
 * One record's committed change in an {@link InMemoryCrm}, as Salesforce's Change Data Capture would publish
 * it: what happened and, for an update, which fields changed. Calculated (formula, roll-up) fields are never
 * listed, and a change of a calculated field alone is no change, as in Salesforce.
 *
 * @param type          the record's type
 * @param id            the record
 * @param kind          what happened
 * @param changedFields for {@link Kind#UPDATE}, the fields whose values changed (empty for the other kinds)
 */
public record RecordChange(ObjectType type, CrmId id, Kind kind, List<String> changedFields) {

    /** The kinds of change. */
    public enum Kind {
        /** Created (also by a conversion, a Bulk job or a SOAP call). */
        CREATE,
        /** Fields changed and the record's stamp moved. */
        UPDATE,
        /** Deleted: to the recycle bin, merged away, or removed for good (a campaign member). */
        DELETE,
        /** Restored from the recycle bin. */
        UNDELETE
    }

    /** Copies the list; checks for nulls. */
    public RecordChange {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        changedFields = List.copyOf(changedFields);
    }

    /**
     * Told of every transaction an {@link InMemoryCrm} commits (one public call: a write batch, a delete, a
     * conversion, a merge), in commit order, while the CRM's lock is held — so a listener sees transactions
     * in the order they committed and may read the records (the lock is reentrant), but must not block.
     */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param changes        the transaction's record changes, in the order they were made (one per record:
         *                       a record created and then updated in one call is one {@code CREATE})
         * @param transactionKey an id shared by the transaction's changes, unique within the CRM
         */
        void committed(List<RecordChange> changes, String transactionKey);
    }
}
