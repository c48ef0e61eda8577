package dev.crmsync.store;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The merge base of one bidirectional record: the field values both sides last agreed on, and
 * the link between the CRM record and the marketing record. A value read later from either side
 * that equals the base is no change (this is how the engine's own writes never echo back).
 *
 * @param type the object type
 * @param crmId the CRM id
 * @param marketingId the marketing store's id, or {@value #PENDING_MARKETING_ID} while the engine does not know
 *     it yet (it saves a base just before the store creates the record, so that a crash in between
 *     loses nothing; the next cycle fills it in)
 * @param fields the agreed values; names starting with {@code crmsync.} are the engine's bookkeeping (a write to
 *     the CRM in flight), kept by a store like any other entry
 * @param crmModstamp the CRM's stamp of the agreed version
 * @param syncedAt when the two sides agreed
 */
public record SyncBase(ObjectType type, CrmId crmId, String marketingId, Map<String, FieldValue> fields,
                       Instant crmModstamp, Instant syncedAt) {

    /** The marketing id of a base saved before the store assigned one: empty. */
    public static final String PENDING_MARKETING_ID = "";

    /** Checks nulls and copies the map. */
    public SyncBase {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(crmId, "crmId");
        Objects.requireNonNull(marketingId, "marketingId");
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(crmModstamp, "crmModstamp");
        Objects.requireNonNull(syncedAt, "syncedAt");
        fields = Map.copyOf(fields);
    }

    /** @param name a field @return the agreed value, or {@link FieldValue#NULL} */
    public FieldValue get(String name) {
        FieldValue v = fields.get(name);
        return v == null ? FieldValue.NULL : v;
    }
}
