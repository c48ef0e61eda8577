package dev.crmsync.testkit;

import dev.crmsync.model.FieldValue;
import java.util.Arrays;

/**
 * A per-field dictionary of repeated values (text or references), so a value shared by many
 * records is stored once and a record holds a small code. Decoding returns the cached value
 * itself, so reads of dictionary-coded fields allocate nothing.
 *
 * <p>Second-chance admission: a value enters the dictionary the second time it is seen (a small
 * direct-mapped cache of hashes remembers first sightings), so fields of unique values such as
 * e-mail addresses never fill it, while values repeated across records (picklists, names,
 * companies, owners) do, up to {@value #CAP} values. An open-addressing table keeps it small
 * (about 12 bytes per entry plus the value).
 */
final class ValueDict {

    static final int CAP = 65_536;
    private static final int SEEN_SLOTS = 8_192;

    private FieldValue[] values = new FieldValue[16];
    private int size;
    /** Slots hold code + 1; 0 is empty. Length is a power of two, at most half full. */
    private int[] table = new int[32];
    /** Hashes of values seen once and not admitted yet (0 is empty); allocated on first need. */
    private int[] seen;

    /** @return the value's code, or -1 if the dictionary does not (and will not now) hold it */
    int code(FieldValue v) {
        int mask = table.length - 1;
        int i = mix(v.hashCode()) & mask;
        while (table[i] != 0) {
            FieldValue there = values[table[i] - 1];
            if (there.equals(v)) {
                return table[i] - 1;
            }
            i = (i + 1) & mask;
        }
        if (size >= CAP || !secondSighting(v.hashCode())) {
            return -1;
        }
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size] = v;
        table[i] = ++size;
        if (size * 2 > table.length) {
            rehash();
        }
        return size - 1;
    }

    /** @return true if a value with this hash was seen before; otherwise remembers it */
    private boolean secondSighting(int hash) {
        int h = hash == 0 ? 1 : hash;
        if (seen == null) {
            seen = new int[SEEN_SLOTS];
        }
        int i = mix(h) & (SEEN_SLOTS - 1);
        if (seen[i] == h) {
            seen[i] = 0;
            return true;
        }
        seen[i] = h;
        return false;
    }

    FieldValue value(int code) {
        return values[code];
    }

    private void rehash() {
        int[] t = new int[table.length * 2];
        int mask = t.length - 1;
        for (int c = 0; c < size; c++) {
            int i = mix(values[c].hashCode()) & mask;
            while (t[i] != 0) {
                i = (i + 1) & mask;
            }
            t[i] = c + 1;
        }
        table = t;
    }

    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
