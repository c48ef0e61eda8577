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

/**
 * Encodes a record's typed field map into one compact byte array, so an in-memory store holds a
 * record as a few dozen bytes of header plus roughly the size of its values — no map, no entry,
 * no value object per field. Field names are numbered in a per-store dictionary; short text
 * values of fields with few distinct values (picklists, countries, sources…) are numbered in a
 * bounded per-field dictionary. Text is encoded one UTF-16 unit at a time (1 to 3 bytes, ASCII
 * in one), so every Java string — even one with an unpaired surrogate — round-trips exactly.
 *
 * <p>Not thread-safe: the owning store calls it under its lock.
 */
final class FieldCodec {

    private static final int T_NULL = 0;
    private static final int T_TRUE = 1;
    private static final int T_FALSE = 2;
    private static final int T_TEXT = 3;
    private static final int T_TEXT_DICT = 4;
    private static final int T_NUMBER = 5;
    private static final int T_BIG_NUMBER = 6;
    private static final int T_DATE = 7;
    private static final int T_DATE_TIME = 8;
    private static final int T_REF = 9;

    /** Text values longer than this are never put in a dictionary. */
    static final int DICT_MAX_LENGTH = 64;
    /** A field's dictionary stops growing at this many values. */
    static final int DICT_MAX_VALUES = 1024;

    private final List<String> names = new ArrayList<>();
    private final Map<String, Integer> nameIndex = new HashMap<>();
    private final List<Dict> dicts = new ArrayList<>();

    private byte[] buf = new byte[256];
    private int pos;

    /** A per-field dictionary of short text values. */
    private static final class Dict {
        final Map<String, Integer> index = new HashMap<>();
        final List<FieldValue> values = new ArrayList<>();
    }

    // ---- encoding ------------------------------------------------------------------------------

    byte[] encode(Map<String, FieldValue> fields) {
        pos = 0;
        for (Map.Entry<String, FieldValue> e : fields.entrySet()) {
            int n = nameIndex(e.getKey());
            writeVarint(n);
            writeValue(n, e.getValue());
        }
        return Arrays.copyOf(buf, pos);
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

    private void writeValue(int field, FieldValue v) {
        if (v instanceof FieldValue.Text t) {
            String s = t.value();
            if (s.length() <= DICT_MAX_LENGTH) {
                Dict d = dicts.get(field);
                Integer idx = d.index.get(s);
                if (idx == null && d.values.size() < DICT_MAX_VALUES) {
                    idx = d.values.size();
                    d.values.add(t);
                    d.index.put(s, idx);
                }
                if (idx != null) {
                    writeByte(T_TEXT_DICT);
                    writeVarint(idx);
                    return;
                }
            }
            writeByte(T_TEXT);
            writeText(s);
        } else if (v instanceof FieldValue.Number num) {
            BigDecimal d = num.value();
            BigInteger unscaled = d.unscaledValue();
            if (unscaled.bitLength() < 64) {
                writeByte(T_NUMBER);
                writeVarint(zigzag(d.scale()));
                writeVarint(zigzag(unscaled.longValue()));
            } else {
                writeByte(T_BIG_NUMBER);
                writeVarint(zigzag(d.scale()));
                byte[] b = unscaled.toByteArray();
                writeVarint(b.length);
                writeBytes(b);
            }
        } else if (v instanceof FieldValue.Bool b) {
            writeByte(b.value() ? T_TRUE : T_FALSE);
        } else if (v instanceof FieldValue.Date d) {
            writeByte(T_DATE);
            writeVarint(zigzag(d.value().toEpochDay()));
        } else if (v instanceof FieldValue.DateTime dt) {
            writeByte(T_DATE_TIME);
            writeVarint(zigzag(dt.value().getEpochSecond()));
            writeVarint(dt.value().getNano());
        } else if (v instanceof FieldValue.Ref r) {
            writeByte(T_REF);
            String id = r.id().value();
            for (int i = 0; i < 15; i++) {
                writeByte(id.charAt(i));
            }
        } else {
            writeByte(T_NULL);
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
        while (r.pos < data.length) {
            int field = (int) r.varint();
            out.put(names.get(field), r.value(field));
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

        FieldValue value(int field) {
            int tag = d[pos++];
            switch (tag) {
                case T_NULL:
                    return FieldValue.NULL;
                case T_TRUE:
                    return FieldValue.bool(true);
                case T_FALSE:
                    return FieldValue.bool(false);
                case T_TEXT_DICT:
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
    byte[] repointRefs(byte[] data, Map<CrmId, CrmId> repoint) {
        if (!mayHoldRef(data, repoint.keySet())) {
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

    private static boolean mayHoldRef(byte[] data, Collection<CrmId> ids) {
        for (CrmId id : ids) {
            String v = id.value();
            outer:
            for (int i = 0; i + 16 <= data.length; i++) {
                if (data[i] != T_REF) {
                    continue;
                }
                for (int k = 0; k < 15; k++) {
                    if (data[i + 1 + k] != v.charAt(k)) {
                        continue outer;
                    }
                }
                return true;
            }
        }
        return false;
    }
}
