package dev.crmsync.crm;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.SafeText;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The CRM's answer for one record of a write batch. A rejection is a value, not an exception. */
public sealed interface CrmWriteResult {

    /**
     * The write took effect.
     *
     * @param id the record's id (new for a create; for an update redirected, e.g. a converted lead
     *     written through its contact, the id actually written)
     * @param created true if a record was made: always for a create, for an upsert when no record
     *     held its external id (false: it updated the one that did)
     * @param modstamp the record's new modification stamp, or null if the CRM did not say
     */
    record Written(CrmId id, boolean created, @Nullable Instant modstamp) implements CrmWriteResult {
        /** Checks nulls. */
        public Written {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * The CRM rejected the record; nothing of it was written.
     *
     * @param code the CRM's status code, e.g. {@code FIELD_CUSTOM_VALIDATION_EXCEPTION}, {@code UNABLE_TO_LOCK_ROW}
     * @param message the CRM's message, as the CRM wrote it: it may quote the record's values
     *     (Salesforce echoes them), so the engine never logs, reports or keeps it — it keeps
     *     {@link #reason()}
     * @param fields the fields the CRM blamed, if any
     * @param retriable true if the same write may succeed later unchanged (a locked row); false for
     *     data errors, which are retried only after the record changes again
     */
    record Rejected(String code, String message, List<String> fields, boolean retriable) implements CrmWriteResult {
        /** Checks nulls, copies the list. */
        public Rejected {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
            fields = List.copyOf(fields);
        }

        /**
         * @return the rejection as crmsync reports it: the code and the fields blamed, never the
         *     CRM's message text (see {@link SafeText})
         */
        public String reason() {
            return SafeText.bounded("the CRM answered " + SafeText.name(code)
                    + (fields.isEmpty() ? "" : " on " + SafeText.names(fields)));
        }
    }
}
