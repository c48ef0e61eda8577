package dev.crmsync.store.memory;

import dev.crmsync.model.FieldValue;
import java.util.Map;

/** Checks of field maps shared by the in-memory stores. */
final class Validation {
    private Validation() {
    }

    /** A problem with a record's values: a reason code and a message naming the field. */
    record Problem(String code, String message) {
    }

    /**
     * @param fields values to check
     * @return the first problem, or null when every name is non-blank and every text is valid UTF-16
     */
    static Problem check(Map<String, FieldValue> fields) {
        for (Map.Entry<String, FieldValue> e : fields.entrySet()) {
            String name = e.getKey();
            if (name.isBlank()) {
                return new Problem("INVALID_FIELD_NAME", "a field name is blank");
            }
            if (e.getValue() instanceof FieldValue.Text t) {
                int at = unpairedSurrogate(t.value());
                if (at >= 0) {
                    return new Problem("INVALID_TEXT", "field '" + name
                            + "' holds an unpaired UTF-16 surrogate at index " + at + " (not encodable as UTF-8)");
                }
            }
        }
        return null;
    }

    /** @return the index of the first unpaired surrogate, or -1 */
    static int unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
