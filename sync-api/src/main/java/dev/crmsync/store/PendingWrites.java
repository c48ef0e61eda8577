package dev.crmsync.store;

import dev.crmsync.model.FieldValue;
import java.util.Map;
import java.util.Objects;

/**
 * The values of one bidirectional record the engine is writing to either side, kept in its
 * {@link SyncBase} just before the writes. Should the process die before the base after the
 * writes is saved, the next cycle finds a side holding exactly such a value and knows it is the
 * engine's own write, not a user's change (no false conflict, nothing sent back). A store keeps
 * both maps exactly, as it keeps {@link SyncBase#fields()}.
 *
 * @param toCrm values on their way to the CRM, by field ({@link FieldValue#NULL}: a clear)
 * @param toStore values on their way to the marketing store, by field
 */
public record PendingWrites(Map<String, FieldValue> toCrm, Map<String, FieldValue> toStore) {

    /** Nothing in flight. */
    public static final PendingWrites NONE = new PendingWrites(Map.of(), Map.of());

    /** Checks nulls and copies the maps. */
    public PendingWrites {
        toCrm = Map.copyOf(Objects.requireNonNull(toCrm, "toCrm"));
        toStore = Map.copyOf(Objects.requireNonNull(toStore, "toStore"));
    }

    /** @return true when nothing is in flight to either side */
    public boolean isEmpty() {
        return toCrm.isEmpty() && toStore.isEmpty();
    }
}
