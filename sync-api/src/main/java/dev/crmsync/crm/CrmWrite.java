package dev.crmsync.crm;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import java.util.Map;
import java.util.Objects;

/**
 * One record of a write batch to the CRM (bidirectional types only): a {@link Create}, an
 * {@link Update}, or an {@link Upsert} keyed by an external-id field.
 *
 * <p>A create is not idempotent: sent twice, it makes two records. An upsert is: sent again with
 * the same external id, it finds the record the first one made and updates it. The engine sends
 * upserts instead of creates where the CRM has an external-id field for the marketing id.
 */
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

    /**
     * Creates a record, or updates the one whose external-id field already holds the value
     * (Salesforce: sObject Collections upsert, {@code PATCH /composite/sobjects/{type}/{field}}).
     * Idempotent: sent again after a lost answer, it updates the record the first one created.
     * Answered by {@link CrmWriteResult.Written} with {@code created} true when a record was
     * made, false when one was updated; several records holding the value are a rejection
     * ({@code DUPLICATE_EXTERNAL_ID} on Salesforce), not a write.
     *
     * @param reference the caller's key for this write (e.g. the marketing id), echoed in logs and reports
     * @param externalIdField the API name of a field the type's describe marks
     *     {@link FieldSchema#externalId() externalId}
     * @param externalId the value that identifies the record in that field, not blank
     * @param fields the other values to set (createable fields; the external-id field itself is
     *     set from {@code externalId} and must not be among them)
     */
    record Upsert(String reference, String externalIdField, String externalId, Map<String, FieldValue> fields)
            implements CrmWrite {
        /**
         * Checks nulls and blanks, copies the map.
         *
         * @throws IllegalArgumentException if a name or the value is blank, or {@code fields} holds the
         *     external-id field
         */
        public Upsert {
            Objects.requireNonNull(reference, "reference");
            Objects.requireNonNull(externalIdField, "externalIdField");
            Objects.requireNonNull(externalId, "externalId");
            if (externalIdField.isBlank()) {
                throw new IllegalArgumentException("externalIdField must not be blank");
            }
            if (externalId.isBlank()) {
                throw new IllegalArgumentException("externalId must not be blank (an upsert of " + externalIdField
                        + " needs a value to look the record up by)");
            }
            fields = Map.copyOf(fields);
            if (fields.containsKey(externalIdField)) {
                throw new IllegalArgumentException("fields must not hold the external-id field " + externalIdField
                        + "; its value is externalId");
            }
        }

        /** @return the values the record holds after the upsert: {@link #fields()} plus the external id */
        public Map<String, FieldValue> allFields() {
            Map<String, FieldValue> all = new java.util.HashMap<>(fields);
            all.put(externalIdField, FieldValue.text(externalId));
            return Map.copyOf(all);
        }
    }
}
