package dev.crmsync.store;

import dev.crmsync.model.FieldValue;
import dev.crmsync.model.SyncRecord;
import java.util.Map;
import java.util.Objects;

/**
 * A write of CRM values into a stored record, made only if the host has not changed the fields
 * it sets since the engine read them ({@link BidirectionalStore#upsertIfUnchanged}).
 *
 * @param record the values to set (patch semantics, as {@link MarketingStore#upsert})
 * @param seen per field of {@code record}, the value the engine read from the store
 *     ({@link FieldValue#NULL} for an empty field); a field of the record missing here is not
 *     checked
 */
public record GuardedUpsert(SyncRecord record, Map<String, FieldValue> seen) {

    /** Checks nulls and copies the map. */
    public GuardedUpsert {
        Objects.requireNonNull(record, "record");
        seen = Map.copyOf(Objects.requireNonNull(seen, "seen"));
    }

    /**
     * @param current the stored record now
     * @return the first field of the write whose stored value is no longer the one seen, or null
     */
    public String changedField(MarketingRecord current) {
        Objects.requireNonNull(current, "current");
        for (Map.Entry<String, FieldValue> e : seen.entrySet()) {
            if (!current.get(e.getKey()).equals(e.getValue())) {
                return e.getKey();
            }
        }
        return null;
    }
}
