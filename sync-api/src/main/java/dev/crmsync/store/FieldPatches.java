package dev.crmsync.store;

import dev.crmsync.model.FieldValue;
import java.util.HashMap;
import java.util.Map;

/**
 * The patch semantics every {@link MarketingStore} implements, for adapter writers: the fields a
 * write names are set, the others are left alone, and {@link FieldValue#NULL} clears a field
 * (a stored record holds no NULL entries).
 */
public final class FieldPatches {

    private FieldPatches() {
    }

    /**
     * Applies a patch in place.
     *
     * @param stored the stored fields, mutable, holding no NULL values
     * @param patch the fields a write names ({@link FieldValue#NULL} clears)
     * @return true if any stored value changed
     */
    public static boolean apply(Map<String, FieldValue> stored, Map<String, FieldValue> patch) {
        boolean changed = false;
        for (Map.Entry<String, FieldValue> e : patch.entrySet()) {
            FieldValue v = e.getValue();
            if (v.isNull()) {
                changed |= stored.remove(e.getKey()) != null;
            } else {
                changed |= !v.equals(stored.put(e.getKey(), v));
            }
        }
        return changed;
    }

    /**
     * @param fields field values
     * @return the same map if it holds no {@link FieldValue#NULL}, else a copy without them
     */
    public static Map<String, FieldValue> withoutNulls(Map<String, FieldValue> fields) {
        for (FieldValue v : fields.values()) {
            if (v.isNull()) {
                Map<String, FieldValue> m = new HashMap<>(fields);
                m.values().removeIf(FieldValue::isNull);
                return m;
            }
        }
        return fields;
    }
}
