package dev.crmsync.model;

import java.util.Objects;

/**
 * A CRM record id in Salesforce's form: 15 characters (case-sensitive) or 18 characters
 * (case-insensitive, with a 3-character checksum suffix). A 15-character id is normalised to
 * its 18-character form, so both spellings of one record are equal.
 *
 * @param value the 18-character id
 */
public record CrmId(String value) implements Comparable<CrmId> {

    private static final String SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

    /**
     * Validates and normalises.
     *
     * @throws IllegalArgumentException if the value is not a well-formed 15- or 18-character id
     */
    public CrmId {
        Objects.requireNonNull(value, "CRM id");
        value = normalise(value);
    }

    /**
     * Parses an id.
     *
     * @param value a 15- or 18-character id
     * @return the id, in its 18-character form
     * @throws IllegalArgumentException if malformed
     */
    public static CrmId of(String value) {
        return new CrmId(value);
    }

    /** @return the 3-character key prefix that names the object type in Salesforce ids */
    public String keyPrefix() {
        return value.substring(0, 3);
    }

    /** @return the case-sensitive 15-character form */
    public String shortForm() {
        return value.substring(0, 15);
    }

    private static String normalise(String raw) {
        if (raw.length() != 15 && raw.length() != 18) {
            throw new IllegalArgumentException("invalid CRM id '" + abbreviate(raw)
                    + "': expected 15 or 18 characters, got " + raw.length());
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!ok) {
                throw new IllegalArgumentException("invalid CRM id '" + abbreviate(raw)
                        + "': character " + (i + 1) + " is not a letter or digit");
            }
        }
        if (raw.length() == 18 && hasChecksum(raw)) {
            return raw;     // already normal: no new string
        }
        String base = raw.substring(0, 15);
        String suffix = checksum(base);
        if (raw.length() == 18 && !raw.substring(15).equalsIgnoreCase(suffix)) {
            throw new IllegalArgumentException("invalid CRM id '" + raw
                    + "': checksum suffix should be '" + suffix + "'");
        }
        return base + suffix;
    }

    /** @return true if the 18 characters end in their checksum exactly as {@link #checksum} spells it */
    private static boolean hasChecksum(String raw) {
        for (int chunk = 0; chunk < 3; chunk++) {
            int bits = 0;
            for (int i = 0; i < 5; i++) {
                char c = raw.charAt(chunk * 5 + i);
                if (c >= 'A' && c <= 'Z') {
                    bits |= 1 << i;
                }
            }
            if (raw.charAt(15 + chunk) != SUFFIX_ALPHABET.charAt(bits)) {
                return false;
            }
        }
        return true;
    }

    /** Salesforce's suffix: per 5-character chunk, a bit for each upper-case letter, as one base-32 character. */
    private static String checksum(String base) {
        StringBuilder sb = new StringBuilder(3);
        for (int chunk = 0; chunk < 3; chunk++) {
            int bits = 0;
            for (int i = 0; i < 5; i++) {
                char c = base.charAt(chunk * 5 + i);
                if (c >= 'A' && c <= 'Z') {
                    bits |= 1 << i;
                }
            }
            sb.append(SUFFIX_ALPHABET.charAt(bits));
        }
        return sb.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    @Override
    public int compareTo(CrmId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
