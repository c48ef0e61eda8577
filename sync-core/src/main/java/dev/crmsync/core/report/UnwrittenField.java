package dev.crmsync.core.report;

import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SafeText;
import java.util.Objects;

/**
 * A field of the host's marketing records that the engine did not write to the CRM because the
 * CRM will not take it: told to the listener ({@code SyncListener.onFieldNotWritten}) once per
 * cycle per type and field, the first time a host change carrying it is merged, and counted in
 * {@link TypeReport#unwrittenFields()}. The rest of the record is written as usual.
 *
 * @param type the object type
 * @param field the field's name as reported: through {@link SafeText#name} (a hostile name's
 *     unusual characters become {@code ?}, a long one is cut)
 * @param reason why the CRM does not take it
 */
public record UnwrittenField(ObjectType type, String field, Reason reason) {

    /** Why a marketing field is not written to the CRM. */
    public enum Reason {
        /** The CRM type has no such field, or the integration user cannot see it (a hostile name is one). */
        NOT_IN_CRM,
        /**
         * The field exists but the integration user cannot write it (system fields such as
         * {@code Id} or {@code IsConverted}, formula and read-only fields), and the host holds a
         * value other than the one both sides last agreed on: the CRM's value stands.
         */
        READ_ONLY
    }

    /** Checks nulls; the field name is passed through {@link SafeText#name}. */
    public UnwrittenField {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(reason, "reason");
        field = SafeText.name(field);
    }
}
