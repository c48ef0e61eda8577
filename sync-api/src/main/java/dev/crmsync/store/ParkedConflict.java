package dev.crmsync.store;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SafeText;
import java.time.Instant;
import java.util.Objects;

/**
 * A conflict the {@code ConflictPolicy} left for a person to decide (or that the policy failed
 * on), with every value it needs to be resolved later through the API.
 *
 * @param type the object type
 * @param crmId the CRM record
 * @param marketingId the marketing record
 * @param field the field in conflict
 * @param base the last agreed value
 * @param crmValue the CRM's value
 * @param marketingValue the marketing store's value
 * @param reason why it was parked (manual policy, or the policy's failure)
 * @param parkedAt when
 */
public record ParkedConflict(ObjectType type, CrmId crmId, String marketingId, String field, FieldValue base,
                             FieldValue crmValue, FieldValue marketingValue, String reason, Instant parkedAt) {
    /** Checks nulls. */
    public ParkedConflict {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(crmId, "crmId");
        Objects.requireNonNull(marketingId, "marketingId");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(crmValue, "crmValue");
        Objects.requireNonNull(marketingValue, "marketingValue");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(parkedAt, "parkedAt");
    }

    /** @return the conflict's identity and field; the values are withheld (they are customer data) */
    @Override
    public String toString() {
        return "ParkedConflict[type=" + type + ", crmId=" + crmId + ", marketingId=" + marketingId + ", field="
                + SafeText.name(field) + ", values withheld" + ", reason=" + SafeText.bounded(reason) + ", parkedAt=" + parkedAt + "]";
    }
}
