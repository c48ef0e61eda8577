package dev.crmsync.core;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SafeText;
import java.time.Instant;
import java.util.Objects;

/**
 * A field changed on both sides, to different values, since they last agreed.
 *
 * @param type the object type
 * @param crmId the CRM record
 * @param marketingId the marketing record
 * @param field the field
 * @param base the value both sides last agreed on
 * @param crmValue the CRM's value now
 * @param marketingValue the marketing store's value now
 * @param crmModifiedAt when the CRM record last changed
 * @param marketingModifiedAt when the marketing record last changed
 */
public record Conflict(ObjectType type, CrmId crmId, String marketingId, String field, FieldValue base,
                       FieldValue crmValue, FieldValue marketingValue, Instant crmModifiedAt,
                       Instant marketingModifiedAt) {
    /** Checks nulls. */
    public Conflict {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(crmId, "crmId");
        Objects.requireNonNull(marketingId, "marketingId");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(crmValue, "crmValue");
        Objects.requireNonNull(marketingValue, "marketingValue");
        Objects.requireNonNull(crmModifiedAt, "crmModifiedAt");
        Objects.requireNonNull(marketingModifiedAt, "marketingModifiedAt");
    }

    /** @return the conflict's identity and field; the values are withheld (they are customer data) */
    @Override
    public String toString() {
        return "Conflict[type=" + type + ", crmId=" + crmId + ", marketingId=" + marketingId + ", field="
                + SafeText.name(field) + ", values withheld" + ", crmModifiedAt=" + crmModifiedAt + ", marketingModifiedAt=" + marketingModifiedAt + "]";
    }
}
