package dev.crmsync.crm;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import java.util.Map;
import java.util.Objects;

/** One record of a write batch to the CRM (bidirectional types only). */
public sealed interface CrmWrite {

    /** @return the values to set */
    Map<String, FieldValue> fields();

    /**
     * Create a record.
     *
     * @param reference the caller's key for this create (e.g. the marketing id), echoed in logs and reports
     * @param fields the values (createable fields only)
     */
    record Create(String reference, Map<String, FieldValue> fields) implements CrmWrite {
        /** Checks nulls, copies the map. */
        public Create {
            Objects.requireNonNull(reference, "reference");
            fields = Map.copyOf(fields);
        }
    }

    /**
     * Update a record.
     *
     * @param id the record
     * @param fields the values to change (updateable fields only)
     */
    record Update(CrmId id, Map<String, FieldValue> fields) implements CrmWrite {
        /** Checks nulls, copies the map. */
        public Update {
            Objects.requireNonNull(id, "id");
            fields = Map.copyOf(fields);
        }
    }
}
