package dev.crmsync.jdbc.internal;

import dev.crmsync.model.FieldValue;
import java.util.Map;

/** Checks of field values before anything is written, so a bad record is rejected whole. */
public final class Checks {
    private Checks() {
    }

    /** The longest field name the schema holds (conflicts keep it in a VARCHAR(255)). */
    public static final int MAX_FIELD_NAME = 255;

    /** A problem with a record: a reason code and a message naming the field. */
    public record Problem(String code, String message) {
    }

    /**
     * @param fields the values to write
     * @param maxText the longest text allowed
     * @return the first problem, or null
     */
    public static Problem check(Map<String, FieldValue> fields, int maxText) {
        for (Map.Entry<String, FieldValue> e : fields.entrySet()) {
            String name = e.getKey();
            if (name.isBlank()) {
                return new Problem("INVALID_FIELD_NAME", "a field name is blank");
            }
            if (name.length() > MAX_FIELD_NAME) {
                return new Problem("INVALID_FIELD_NAME", "field name '" + name.substring(0, 40) + "…' is "
                        + name.length() + " characters long; at most " + MAX_FIELD_NAME + " fit");
            }
            int bad = unpairedSurrogate(name);
            if (bad >= 0) {
                return new Problem("INVALID_TEXT", "a field name holds an unpaired UTF-16 surrogate at index " + bad);
            }
            if (e.getValue() instanceof FieldValue.Text t) {
                String s = t.value();
                if (s.length() > maxText) {
                    return new Problem("VALUE_TOO_LONG", "field '" + name + "' holds " + s.length()
                            + " characters; at most " + maxText + " fit");
                }
                bad = unpairedSurrogate(s);
                if (bad >= 0) {
                    return new Problem("INVALID_TEXT", "field '" + name + "' holds an unpaired UTF-16 surrogate at index "
                            + bad + ": not valid UTF-8, the database cannot store it");
                }
            }
        }
        return null;
    }

    /** @return the index of the first unpaired surrogate, or -1 */
    public static int unpairedSurrogate(String s) {
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
