package dev.crmsync.store.memory;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Encodes a record's typed field map into one compact byte array, so an in-memory store holds a
 * record as a few dozen bytes of header plus roughly the size of its values — no map, no entry,
 * no value object per field. Field names are numbered in a per-store dictionary; text values
 * and references a field holds more than once (picklists, countries, companies, owners…) are
 * numbered in a bounded per-field dictionary. Text is encoded one UTF-16 unit at a time (1 to 3 bytes, ASCII
 * in one), so every Java string — even one with an unpaired surrogate — round-trips exactly.
 *
 * <p>Not thread-safe: the owning store calls it under its lock.
 */
final class FieldCodec {

    private static final int T_NULL = 0;
    private static final int T_TRUE = 1;
    private static final int T_FALSE = 2;
    private static final int T_TEXT = 3;
    private static final int T_NUMBER = 5;
    private static final int T_BIG_NUMBER = 6;
    private static final int T_DATE = 7;
    private static final int T_DATE_TIME = 8;
    private static final int T_REF = 9;
    private static final int T_DICT = 10;
    private static final int DELTA_ESCAPE = 15;

    /** Text values longer than this are never put in a dictionary (references always qualify). */
    static final int DICT_MAX_LENGTH = 512;
    /** A field's dictionary takes every new value until it holds this many. */
    static final int DICT_FREE_VALUES = 256;
    /** A field's dictionary stops growing at this many values. */
    static final int DICT_MAX_VALUES = 65_536;
    /** The largest table of fingerprints of values seen once, per field. */
    static final int SEEN_MAX_SLOTS = 32_768;

    private final List<String> names = new ArrayList<>();
    private final Map<String, Integer> nameIndex = new HashMap<>();
    private final List<Dict> dicts = new ArrayList<>();

    private byte[] buf = new byte[256];
    private int pos;

    /**
     * A per-field dictionary of short text values and references. The first
     * {@value #DICT_FREE_VALUES} values enter at once; after that a value enters only when it is
     * seen a second time (a small direct-mapped table remembers fingerprints of values seen once),
     * so a field of unique values (e-mails, phones) stops growing its dictionary while a field of
     * repeated values (companies, last names, descriptions) keeps numbering them.
     */
    private static final class Dict {
        final Map<FieldValue, Integer> index = new HashMap<>();
        final List<FieldValue> values = new ArrayList<>();
        long[] seen = new long[1024];
        long lookups;

        /** @return true if the value should enter the dictionary now */
        boolean admit(FieldValue v) {
            if (values.size() < DICT_FREE_VALUES) {
                return true;
            }
            if (values.size() >= DICT_MAX_VALUES) {
                return false;
            }
            if (++lookups > 4L * seen.length && seen.length < SEEN_MAX_SLOTS) {
                seen = new long[seen.length * 2];
            }
            long h = v.hashCode() * 0x9E3779B97F4A7C15L;
            long fp = h | 1;
            int slot = (int) (h >>> 40) & (seen.length - 1);
            if (seen[slot] == fp) {
                seen[slot] = 0;
                return true;
            }
            seen[slot] = fp;
            return false;
        }
    }

    private int[] order = new int[32];
    private FieldValue[] orderValues = new FieldValue[32];

    // ---- encoding ------------------------------------------------------------------------------

    /**
     * Each field is one header byte — the distance from the previous field's number (fields are
     * written in number order) in the high four bits, the value's tag in the low four — then the
     * value's bytes. A record of 30 fields spends 30 bytes on names and types.
     */
    byte[] encode(Map<String, FieldValue> fields) {
        int n = fields.size();
        if (order.length < n) {
            order = new int[n];
            orderValues = new FieldValue[n];
        }
        int k = 0;
        for (Map.Entry<String, FieldValue> e : fields.entrySet()) {
            int idx = nameIndex(e.getKey());
            FieldValue v = e.getValue();
            int j = k++;
            while (j > 0 && order[j - 1] > idx) {
                order[j] = order[j - 1];
                orderValues[j] = orderValues[j - 1];
                j--;
            }
            order[j] = idx;
            orderValues[j] = v;
        }
        pos = 0;
        int prev = -1;
        for (int i = 0; i < n; i++) {
            writeField(order[i] - prev, order[i], orderValues[i]);
            prev = order[i];
            orderValues[i] = null;
        }
        return Arrays.copyOf(buf, pos);
    }

    private void header(int delta, int tag) {
        if (delta < DELTA_ESCAPE) {
            writeByte((delta << 4) | tag);
        } else {
            writeByte((DELTA_ESCAPE << 4) | tag);
            writeVarint(delta);
        }
    }

    private int nameIndex(String name) {
        Integer i = nameIndex.get(name);
        if (i == null) {
            i = names.size();
            names.add(name);
            nameIndex.put(name, i);
            dicts.add(new Dict());
        }
        return i;
    }

    private void writeField(int delta, int field, FieldValue v) {
        if ((v instanceof FieldValue.Text t && t.value().length() <= DICT_MAX_LENGTH) || v instanceof FieldValue.Ref) {
            Dict d = dicts.get(field);
            Integer idx = d.index.get(v);
            if (idx == null && d.admit(v)) {
                idx = d.values.size();
                d.values.add(v);
                d.index.put(v, idx);
            }
            if (idx != null) {
                header(delta, T_DICT);
                writeVarint(idx);
                return;
            }
        }
        if (v instanceof FieldValue.Text t) {
            header(delta, T_TEXT);
            writeText(t.value());
        } else if (v instanceof FieldValue.Number num) {
            BigDecimal d = num.value();
            BigInteger unscaled = d.unscaledValue();
            if (unscaled.bitLength() < 64) {
                header(delta, T_NUMBER);
                writeVarint(zigzag(d.scale()));
                writeVarint(zigzag(unscaled.longValue()));
            } else {
                header(delta, T_BIG_NUMBER);
                writeVarint(zigzag(d.scale()));
                byte[] b = unscaled.toByteArray();
                writeVarint(b.length);
                writeBytes(b);
            }
        } else if (v instanceof FieldValue.Bool b) {
            header(delta, b.value() ? T_TRUE : T_FALSE);
        } else if (v instanceof FieldValue.Date d) {
            header(delta, T_DATE);
            writeVarint(zigzag(d.value().toEpochDay()));
        } else if (v instanceof FieldValue.DateTime dt) {
            header(delta, T_DATE_TIME);
            writeVarint(zigzag(dt.value().getEpochSecond()));
            writeVarint(dt.value().getNano());
        } else if (v instanceof FieldValue.Ref r) {
            header(delta, T_REF);
            String id = r.id().value();
            for (int i = 0; i < 15; i++) {
                writeByte(id.charAt(i));
            }
        } else {
            header(delta, T_NULL);
        }
    }

    private void ensure(int extra) {
        if (pos + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + extra));
        }
    }

    private void writeByte(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    private void writeBytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    private void writeVarint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    private void writeText(String s) {
        int len = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            len += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        writeVarint(len);
        ensure(len);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                buf[pos++] = (byte) c;
            } else if (c < 0x800) {
                buf[pos++] = (byte) (0xC0 | (c >> 6));
                buf[pos++] = (byte) (0x80 | (c & 0x3F));
            } else {
                buf[pos++] = (byte) (0xE0 | (c >> 12));
                buf[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[pos++] = (byte) (0x80 | (c & 0x3F));
            }
        }
    }

    // ---- decoding ------------------------------------------------------------------------------

    /** @return a new mutable map of the encoded fields */
    Map<String, FieldValue> decode(byte[] data) {
        Map<String, FieldValue> out = new HashMap<>();
        Reader r = new Reader(data);
        int field = -1;
        while (r.pos < data.length) {
            int h = data[r.pos++] & 0xFF;
            int delta = h >>> 4;
            if (delta == DELTA_ESCAPE) {
                delta = (int) r.varint();
            }
            field += delta;
            out.put(names.get(field), r.value(field, h & 0x0F));
        }
        return out;
    }

    private final class Reader {
        final byte[] d;
        int pos;

        Reader(byte[] d) {
            this.d = d;
        }

        long varint() {
            long v = 0;
            int shift = 0;
            while (true) {
                byte b = d[pos++];
                v |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return v;
                }
                shift += 7;
            }
        }

        FieldValue value(int field, int tag) {
            switch (tag) {
                case T_NULL:
                    return FieldValue.NULL;
                case T_TRUE:
                    return FieldValue.bool(true);
                case T_FALSE:
                    return FieldValue.bool(false);
                case T_DICT:
                    return dicts.get(field).values.get((int) varint());
                case T_TEXT:
                    return FieldValue.text(text());
                case T_NUMBER: {
                    int scale = (int) unzigzag(varint());
                    return FieldValue.number(BigDecimal.valueOf(unzigzag(varint()), scale));
                }
                case T_BIG_NUMBER: {
                    int scale = (int) unzigzag(varint());
                    int len = (int) varint();
                    byte[] b = Arrays.copyOfRange(d, pos, pos + len);
                    pos += len;
                    return FieldValue.number(new BigDecimal(new BigInteger(b), scale));
                }
                case T_DATE:
                    return FieldValue.date(LocalDate.ofEpochDay(unzigzag(varint())));
                case T_DATE_TIME: {
                    long sec = unzigzag(varint());
                    return FieldValue.dateTime(Instant.ofEpochSecond(sec, varint()));
                }
                case T_REF: {
                    char[] c = new char[15];
                    for (int i = 0; i < 15; i++) {
                        c[i] = (char) d[pos++];
                    }
                    return FieldValue.ref(new CrmId(new String(c)));
                }
                default:
                    throw new IllegalStateException("corrupt field encoding: tag " + tag);
            }
        }

        String text() {
            int len = (int) varint();
            int end = pos + len;
            char[] out = new char[len];
            int n = 0;
            while (pos < end) {
                int b = d[pos++] & 0xFF;
                if (b < 0x80) {
                    out[n++] = (char) b;
                } else if (b < 0xE0) {
                    out[n++] = (char) (((b & 0x1F) << 6) | (d[pos++] & 0x3F));
                } else {
                    int b2 = d[pos++] & 0x3F;
                    int b3 = d[pos++] & 0x3F;
                    out[n++] = (char) (((b & 0x0F) << 12) | (b2 << 6) | b3);
                }
            }
            return new String(out, 0, n);
        }
    }

    // ---- references ------------------------------------------------------------------------------

    /**
     * Rewrites every reference to a key of {@code repoint} into its value.
     *
     * @return the new encoding, or null when the data holds no such reference
     */
    byte @Nullable [] repointRefs(byte[] data, Map<CrmId, CrmId> repoint, boolean inDictionary) {
        if (!inDictionary && !mayHoldRef(data, repoint.keySet())) {
            return null;
        }
        Map<String, FieldValue> fields = decode(data);
        boolean changed = false;
        for (Map.Entry<String, FieldValue> e : fields.entrySet()) {
            if (e.getValue() instanceof FieldValue.Ref r) {
                CrmId to = repoint.get(r.id());
                if (to != null) {
                    e.setValue(FieldValue.ref(to));
                    changed = true;
                }
            }
        }
        return changed ? encode(fields) : null;
    }

    /** @return true if a dictionary holds a reference to one of the ids (then every record must be checked) */
    boolean dictionaryHoldsRef(Collection<CrmId> ids) {
        for (Dict d : dicts) {
            for (CrmId id : ids) {
                if (d.index.containsKey(FieldValue.ref(id))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean mayHoldRef(byte[] data, Collection<CrmId> ids) {
        for (CrmId id : ids) {
            String v = id.value();
            outer:
            for (int i = 0; i + 15 <= data.length; i++) {
                for (int k = 0; k < 15; k++) {
                    if (data[i + k] != v.charAt(k)) {
                        continue outer;
                    }
                }
                return true;
            }
        }
        return false;
    }
}
