package dev.crmsync.store;

import dev.crmsync.model.FieldValue;
import java.util.Objects;

/**
 * A short, stable fingerprint of a field value, its kind included (text {@code "1"} and number
 * {@code 1} differ). The engine keeps fingerprints, not values, of what it sent in a create whose
 * answer may be lost ({@link EngineIntent.UnconfirmedCreate}), so that a later cycle can tell
 * whether either side still holds the value sent.
 *
 * @param hex the 64-bit FNV-1a hash of the value's kind and text, in lower-case hexadecimal
 *     without leading zeros (1 to 16 characters)
 */
public record ValueFingerprint(String hex) {

    /** Checks the form. */
    public ValueFingerprint {
        Objects.requireNonNull(hex, "hex");
        if (hex.isEmpty() || hex.length() > 16 || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
                || (hex.length() > 1 && hex.charAt(0) == '0')) {
            throw new IllegalArgumentException("hex must be 1 to 16 lower-case hexadecimal digits without leading"
                    + " zeros (length " + hex.length() + ")");
        }
    }

    /**
     * @param value a value
     * @return its fingerprint
     */
    public static ValueFingerprint of(FieldValue value) {
        Objects.requireNonNull(value, "value");
        String text = value.getClass().getSimpleName() + ":" + value.asText();
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < text.length(); i++) {
            h ^= text.charAt(i);
            h *= 0x100000001b3L;
        }
        return new ValueFingerprint(Long.toHexString(h));
    }

    /**
     * @param value a value, or {@link FieldValue#NULL}
     * @return true if the value is not null and has this fingerprint
     */
    public boolean matches(FieldValue value) {
        Objects.requireNonNull(value, "value");
        return !value.isNull() && of(value).equals(this);
    }
}
