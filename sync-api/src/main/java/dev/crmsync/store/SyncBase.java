package dev.crmsync.store;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The merge base of one bidirectional record: the field values both sides last agreed on, and
 * the link between the CRM record and the marketing record. A value read later from either side
 * that equals the base is no change (this is how the engine's own writes never echo back).
 *
 * @param type the object type
 * @param crmId the CRM id
 * @param marketingId the marketing store's id, or {@code null} while it is not known yet: the engine
 *     saves a base just before the store creates the record, so that a crash in between loses
 *     nothing, and the next save fills it in. A store keeps {@code null} as {@code null}.
 * @param fields the agreed values, by field name
 * @param pending the values being written to either side ({@link PendingWrites#NONE} when nothing is in flight)
 * @param crmModstamp the CRM's stamp of the agreed version
 * @param syncedAt when the two sides agreed
 */
public record SyncBase(ObjectType type, CrmId crmId, String marketingId, Map<String, FieldValue> fields,
                       PendingWrites pending, Instant crmModstamp, Instant syncedAt) {

    /** Checks nulls (the marketing id may be null, never blank) and copies the map. */
    public SyncBase {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(crmId, "crmId");
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(pending, "pending");
        Objects.requireNonNull(crmModstamp, "crmModstamp");
        Objects.requireNonNull(syncedAt, "syncedAt");
        if (marketingId != null && marketingId.isBlank()) {
            throw new IllegalArgumentException("marketingId must be null (not known yet) or not blank");
        }
        fields = Map.copyOf(fields);
    }

    /**
     * A base with nothing in flight.
     *
     * @param type the object type
     * @param crmId the CRM id
     * @param marketingId the marketing id, or null while not known yet
     * @param fields the agreed values
     * @param crmModstamp the CRM's stamp of the agreed version
     * @param syncedAt when the two sides agreed
     */
    public SyncBase(ObjectType type, CrmId crmId, String marketingId, Map<String, FieldValue> fields,
                    Instant crmModstamp, Instant syncedAt) {
        this(type, crmId, marketingId, fields, PendingWrites.NONE, crmModstamp, syncedAt);
    }

    /** @return the marketing id, or empty while it is not known yet */
    public Optional<String> knownMarketingId() {
        return Optional.ofNullable(marketingId);
    }

    /** @param name a field @return the agreed value, or {@link FieldValue#NULL} */
    public FieldValue get(String name) {
        FieldValue v = fields.get(name);
        return v == null ? FieldValue.NULL : v;
    }

    /**
     * @param next the values in flight
     * @return this base with those pending writes
     */
    public SyncBase withPending(PendingWrites next) {
        return new SyncBase(type, crmId, marketingId, fields, next, crmModstamp, syncedAt);
    }
}
