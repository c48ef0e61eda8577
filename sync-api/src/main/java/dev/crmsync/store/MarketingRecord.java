package dev.crmsync.store;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A record as the marketing store holds it.
 *
 * @param type the object type
 * @param marketingId the store's own id, assigned on create, never reused
 * @param crmId the linked CRM id, or null for a marketing-only record not yet in the CRM
 * @param fields field values by CRM API name
 * @param crmDeleted true when the CRM deleted the record (Marketo's "SFDC Is Deleted"); the store keeps it
 * @param crmModstamp the CRM modification stamp of the values last applied from the CRM, or null
 * @param localModstamp when the record last changed in the store, by the engine or the host
 */
public record MarketingRecord(ObjectType type, String marketingId, @Nullable CrmId crmId, Map<String, FieldValue> fields,
                              boolean crmDeleted, @Nullable Instant crmModstamp, Instant localModstamp) {

    /** Checks nulls and copies the field map. */
    public MarketingRecord {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(marketingId, "marketingId");
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(localModstamp, "localModstamp");
        if (marketingId.isBlank()) {
            throw new IllegalArgumentException("marketingId must not be blank");
        }
        fields = Map.copyOf(fields);
    }

    /** @return the CRM id, if linked */
    public Optional<CrmId> linkedCrmId() {
        return Optional.ofNullable(crmId);
    }

    /** @param name a field API name @return its value, or {@link FieldValue#NULL} when absent */
    public FieldValue get(String name) {
        FieldValue v = fields.get(name);
        return v == null ? FieldValue.NULL : v;
    }
}
