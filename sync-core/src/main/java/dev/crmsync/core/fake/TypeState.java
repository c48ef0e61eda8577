package dev.crmsync.core.fake;

import dev.crmsync.core.FieldSchema;
import dev.crmsync.core.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;

/**
 * The records and schema of one object type inside {@link InMemoryCrm}. Not thread-safe: the
 * CRM's lock guards it.
 *
 * <p>Memory layout, chosen so a million records of about thirty fields fit a small heap: each
 * record is a {@link Rec} holding its id counter, stamp, flags and its field values encoded in one
 * {@code byte[]} against the type's slot list (low-cardinality text is dictionary-coded). Records
 * are kept in id order in an array list (ids grow in creation order, so a binary search finds one)
 * and indexed by stamp in a tree of {@link Bucket}s, one per distinct second, each holding its
 * records sorted by id; reads walk that index, so a page costs O(page), not O(records).
 */
final class TypeState {

    static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int COUNTER_DIGITS = 9;
    private static final long COUNTER_LIMIT = pow62(COUNTER_DIGITS);
    private static final int DICT_MAX_VALUE_LENGTH = 255;
    /** The 16 characters of phone numbers, postal codes and numbers-as-text, packed two per byte. */
    private static final String NIBBLES = "0123456789 +-().";

    final ObjectType type;
    final String prefix;
    private final String idHead;
    private final Random idSteps;
    private final long base;
    private long lastCounter;

    final List<Slot> slots = new ArrayList<>();
    private final Map<String, Slot> byName = new HashMap<>();
    boolean hidden;

    /** Every record not yet purged, ascending by id counter. */
    final ArrayList<Rec> records = new ArrayList<>();
    /** Stamp (epoch second) to the records carrying it. */
    final TreeMap<Long, Bucket> buckets = new TreeMap<>();
    /** Records in the recycle bin, oldest deletion first (entries may be stale). */
    final PriorityQueue<BinEntry> bin = new PriorityQueue<>(Comparator.comparingLong(BinEntry::deletedAt));
    int liveCount;
    /** The log of deletions is complete from this epoch second on. */
    long deleteLogCompleteFrom = Long.MIN_VALUE;

    TypeState(ObjectType type, String prefix, String pod, long seed) {
        this.type = type;
        this.prefix = prefix;
        this.idHead = prefix + pod + "0";
        this.idSteps = new Random(seed ^ (prefix.hashCode() * 0x9E3779B97F4A7C15L));
        // start somewhere realistic: a few million records into the org's history
        this.base = 62L * 62 * 62 + idSteps.nextInt(62 * 62 * 62 * 62);
        this.lastCounter = base;
    }

    // ---- ids --------------------------------------------------------------------------------

    private int nextSeq() {
        lastCounter += 1 + idSteps.nextInt(3);
        if (lastCounter - base >= Integer.MAX_VALUE || lastCounter >= COUNTER_LIMIT) {
            throw new IllegalStateException("id space of " + type + " exhausted");
        }
        return (int) (lastCounter - base);
    }

    String shortId(long counter) {
        char[] c = new char[15];
        idHead.getChars(0, 6, c, 0);
        long v = counter;
        for (int i = 14; i >= 6; i--) {
            c[i] = BASE62.charAt((int) (v % 62));
            v /= 62;
        }
        return new String(c);
    }

    String shortId(Rec r) {
        return shortId(base + r.seq);
    }

    CrmId idOf(Rec r) {
        return CrmId.of(shortId(base + r.seq));
    }

    /** @return the id counter, or -1 if the id is not one of this type's ids */
    long counterOf(CrmId id) {
        String s = id.shortForm();
        if (!s.startsWith(idHead)) {
            return -1;
        }
        long v = 0;
        for (int i = 6; i < 15; i++) {
            int d = BASE62.indexOf(s.charAt(i));
            if (d < 0) {
                return -1;
            }
            v = v * 62 + d;
        }
        return v;
    }

    Rec find(CrmId id) {
        long counter = counterOf(id) - base;
        if (counter < 0 || counter > Integer.MAX_VALUE) {
            return null;
        }
        int lo = 0;
        int hi = records.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long c = records.get(mid).seq;
            if (c < counter) {
                lo = mid + 1;
            } else if (c > counter) {
                hi = mid - 1;
            } else {
                return records.get(mid);
            }
        }
        return null;
    }

    private static long pow62(int n) {
        long v = 1;
        for (int i = 0; i < n; i++) {
            v *= 62;
        }
        return v;
    }

    // ---- schema -----------------------------------------------------------------------------

    Slot slot(String name) {
        return byName.get(name);
    }

    /** @return the active (not removed) slots, in schema order */
    List<Slot> activeSlots() {
        List<Slot> out = new ArrayList<>();
        for (Slot s : slots) {
            if (!s.removed) {
                out.add(s);
            }
        }
        return out;
    }

    Slot addSlot(FieldSchema schema) {
        if (byName.containsKey(schema.name())) {
            throw new IllegalArgumentException("field '" + schema.name() + "' already exists on " + type);
        }
        Slot s = new Slot(slots.size(), schema);
        s.hidden = !schema.readable();
        slots.add(s);
        byName.put(schema.name(), s);
        return s;
    }

    void removeSlot(String name) {
        Slot s = byName.remove(name);
        if (s == null) {
            throw new IllegalArgumentException("no field '" + name + "' on " + type);
        }
        s.removed = true;
    }

    /** Replaces the schema: fields keeping their name keep their values; others are removed or added. */
    void redefine(List<FieldSchema> fields) {
        Map<String, FieldSchema> wanted = new HashMap<>();
        for (FieldSchema f : fields) {
            wanted.put(f.name(), f);
        }
        for (Slot s : new ArrayList<>(byName.values())) {
            if (!wanted.containsKey(s.schema.name())) {
                removeSlot(s.schema.name());
            }
        }
        for (FieldSchema f : fields) {
            Slot s = byName.get(f.name());
            if (s == null) {
                addSlot(f);
            } else {
                if (s.schema.type() != f.type()) {
                    // a changed type makes old values meaningless: a fresh slot
                    removeSlot(f.name());
                    addSlot(f);
                } else {
                    s.schema = f;
                    s.hidden = !f.readable();
                }
            }
        }
        // keep the schema order of the new definition for describe
        List<Slot> ordered = new ArrayList<>();
        for (FieldSchema f : fields) {
            ordered.add(byName.get(f.name()));
        }
        order = ordered;
    }

    private List<Slot> order;

    /** @return the active slots in describe order */
    List<Slot> describeOrder() {
        if (order == null) {
            return activeSlots();
        }
        List<Slot> out = new ArrayList<>();
        for (Slot s : order) {
            if (!s.removed) {
                out.add(s);
            }
        }
        for (Slot s : slots) {
            if (!s.removed && !order.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    // ---- index ------------------------------------------------------------------------------

    Rec create(long stamp, FieldValue[] values) {
        Rec r = new Rec(nextSeq());
        r.data = encode(values);
        r.stamp = stamp;
        records.add(r);
        bucket(stamp).add(r);
        liveCount++;
        return r;
    }

    private Bucket bucket(long stamp) {
        return buckets.computeIfAbsent(stamp, Bucket::new);
    }

    /** Moves a record to a new stamp in the index. */
    void restamp(Rec r, long stamp) {
        if (r.stamp == stamp) {
            return;
        }
        Bucket old = buckets.get(r.stamp);
        if (old != null && --old.live == 0) {
            buckets.remove(r.stamp);
        }
        r.stamp = stamp;
        bucket(stamp).add(r);
    }

    void markDeleted(Rec r, long stamp) {
        r.flags |= Rec.DELETED;
        restamp(r, stamp);
        liveCount--;
        bin.add(new BinEntry(r, stamp));
    }

    void markUndeleted(Rec r, long stamp) {
        r.flags &= ~Rec.DELETED;
        restamp(r, stamp);
        liveCount++;
    }

    /** Removes records from the recycle bin for good. */
    void purge(List<Rec> gone) {
        if (gone.isEmpty()) {
            return;
        }
        for (Rec r : gone) {
            if (r.purged()) {
                continue; // listed twice: deleted, undeleted and deleted again within one second
            }
            r.flags |= Rec.PURGED;
            Bucket b = buckets.get(r.stamp);
            if (b != null && --b.live == 0) {
                buckets.remove(r.stamp);
            }
            deleteLogCompleteFrom = Math.max(deleteLogCompleteFrom, r.stamp + 1);
        }
        records.removeIf(Rec::purged);
    }

    // ---- encoding ---------------------------------------------------------------------------

    private static final byte T_TEXT = 1;
    private static final byte T_DICT = 2;
    private static final byte T_NUM = 3;
    private static final byte T_BIGNUM = 4;
    private static final byte T_TRUE = 5;
    private static final byte T_FALSE = 6;
    private static final byte T_DATE = 7;
    private static final byte T_DATETIME = 8;
    private static final byte T_REF = 9;
    /** Text that UTF-8 cannot carry (an unpaired surrogate): UTF-16 code units. */
    private static final byte T_TEXT16 = 10;
    /** Text of {@link #NIBBLES} characters only, two per byte. */
    private static final byte T_NIBBLE = 11;
    /** An e-mail address: the local part inline, the domain from the field's domain dictionary. */
    private static final byte T_EMAIL = 12;

    private final Buf buf = new Buf();

    /** @param values one entry per slot (shorter is fine); null or NULL means empty */
    byte[] encode(FieldValue[] values) {
        int last = values.length - 1;
        while (last >= 0 && (values[last] == null || values[last].isNull())) {
            last--;
        }
        buf.reset();
        for (int i = 0; i <= last; i++) {
            FieldValue v = values[i];
            if (v == null || v.isNull()) {
                buf.put(0);
            } else if (v instanceof FieldValue.Text t) {
                encodeText(slots.get(i), t);
            } else if (v instanceof FieldValue.Number n) {
                BigDecimal d = n.value();
                BigInteger u = d.unscaledValue();
                if (u.bitLength() < 63) {
                    buf.put(T_NUM);
                    buf.zigzag(d.scale());
                    buf.zigzag(u.longValue());
                } else {
                    byte[] b = u.toByteArray();
                    buf.put(T_BIGNUM);
                    buf.zigzag(d.scale());
                    buf.varint(b.length);
                    buf.put(b);
                }
            } else if (v instanceof FieldValue.Bool b) {
                buf.put(b.value() ? T_TRUE : T_FALSE);
            } else if (v instanceof FieldValue.Date d) {
                buf.put(T_DATE);
                buf.zigzag(d.value().toEpochDay());
            } else if (v instanceof FieldValue.DateTime dt) {
                buf.put(T_DATETIME);
                buf.zigzag(dt.value().getEpochSecond());
                buf.varint(dt.value().getNano());
            } else if (v instanceof FieldValue.Ref r) {
                int code = slots.get(i).dict == null ? -1 : slots.get(i).dict.code(r);
                if (code >= 0) {
                    buf.put(T_DICT);
                    buf.varint(code);
                } else {
                    buf.put(T_REF);
                    buf.put(r.id().shortForm().getBytes(StandardCharsets.ISO_8859_1));
                }
            } else {
                throw new IllegalStateException("unknown value kind " + v.getClass());
            }
        }
        return buf.toArray();
    }

    private void encodeText(Slot slot, FieldValue.Text t) {
        String str = t.value();
        if (slot.dict != null && str.length() <= DICT_MAX_VALUE_LENGTH) {
            int code = slot.dict.code(t);
            if (code >= 0) {
                buf.put(T_DICT);
                buf.varint(code);
                return;
            }
        }
        if (!utf8Safe(str)) {
            buf.put(T_TEXT16);
            buf.varint(str.length());
            for (int k = 0; k < str.length(); k++) {
                buf.put(str.charAt(k) >>> 8);
                buf.put(str.charAt(k) & 0xFF);
            }
            return;
        }
        if (str.length() >= 4 && nibbleText(str)) {
            buf.put(T_NIBBLE);
            buf.varint(str.length());
            for (int k = 0; k < str.length(); k += 2) {
                int hi = NIBBLES.indexOf(str.charAt(k));
                int lo = k + 1 < str.length() ? NIBBLES.indexOf(str.charAt(k + 1)) : 0;
                buf.put((hi << 4) | lo);
            }
            return;
        }
        int at = str.lastIndexOf('@');
        if (slot.domains != null && at > 0 && at < str.length() - 1) {
            int code = slot.domains.code(new FieldValue.Text(str.substring(at + 1)));
            if (code >= 0) {
                byte[] local = str.substring(0, at).getBytes(StandardCharsets.UTF_8);
                buf.put(T_EMAIL);
                buf.varint(local.length);
                buf.put(local);
                buf.varint(code);
                return;
            }
        }
        byte[] b = str.getBytes(StandardCharsets.UTF_8);
        buf.put(T_TEXT);
        buf.varint(b.length);
        buf.put(b);
    }

    private static boolean nibbleText(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (NIBBLES.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** @return one value per slot, null where empty */
    FieldValue[] decode(byte[] data) {
        FieldValue[] out = new FieldValue[slots.size()];
        int[] pos = {0};
        int i = 0;
        while (pos[0] < data.length) {
            byte tag = data[pos[0]++];
            FieldValue v;
            switch (tag) {
                case 0 -> v = null;
                case T_TEXT -> {
                    int len = (int) readVarint(data, pos);
                    v = new FieldValue.Text(new String(data, pos[0], len, StandardCharsets.UTF_8));
                    pos[0] += len;
                }
                case T_TEXT16 -> {
                    int len = (int) readVarint(data, pos);
                    char[] chars = new char[len];
                    for (int k = 0; k < len; k++) {
                        chars[k] = (char) (((data[pos[0]] & 0xFF) << 8) | (data[pos[0] + 1] & 0xFF));
                        pos[0] += 2;
                    }
                    v = new FieldValue.Text(new String(chars));
                }
                case T_NIBBLE -> {
                    int len = (int) readVarint(data, pos);
                    char[] chars = new char[len];
                    for (int k = 0; k < len; k += 2) {
                        int b = data[pos[0]++] & 0xFF;
                        chars[k] = NIBBLES.charAt(b >>> 4);
                        if (k + 1 < len) {
                            chars[k + 1] = NIBBLES.charAt(b & 0x0F);
                        }
                    }
                    v = new FieldValue.Text(new String(chars));
                }
                case T_EMAIL -> {
                    int len = (int) readVarint(data, pos);
                    String local = new String(data, pos[0], len, StandardCharsets.UTF_8);
                    pos[0] += len;
                    String domain = slots.get(i).domains.value((int) readVarint(data, pos)).asText();
                    v = new FieldValue.Text(local + "@" + domain);
                }
                case T_DICT -> v = slots.get(i).dict.value((int) readVarint(data, pos));
                case T_NUM -> {
                    int scale = (int) unzigzag(readVarint(data, pos));
                    long unscaled = unzigzag(readVarint(data, pos));
                    v = new FieldValue.Number(BigDecimal.valueOf(unscaled, scale));
                }
                case T_BIGNUM -> {
                    int scale = (int) unzigzag(readVarint(data, pos));
                    int len = (int) readVarint(data, pos);
                    v = new FieldValue.Number(new BigDecimal(
                            new BigInteger(Arrays.copyOfRange(data, pos[0], pos[0] + len)), scale));
                    pos[0] += len;
                }
                case T_TRUE -> v = new FieldValue.Bool(true);
                case T_FALSE -> v = new FieldValue.Bool(false);
                case T_DATE -> v = new FieldValue.Date(LocalDate.ofEpochDay(unzigzag(readVarint(data, pos))));
                case T_DATETIME -> {
                    long sec = unzigzag(readVarint(data, pos));
                    int nano = (int) readVarint(data, pos);
                    v = new FieldValue.DateTime(Instant.ofEpochSecond(sec, nano));
                }
                case T_REF -> {
                    v = new FieldValue.Ref(CrmId.of(new String(data, pos[0], 15, StandardCharsets.ISO_8859_1)));
                    pos[0] += 15;
                }
                default -> throw new IllegalStateException("corrupt record encoding, tag " + tag);
            }
            if (i < out.length) {
                out[i] = v;
            }
            i++;
        }
        return out;
    }

    /** @return false if the text holds an unpaired surrogate, which UTF-8 would replace */
    private static boolean utf8Safe(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static long readVarint(byte[] data, int[] pos) {
        long v = 0;
        int shift = 0;
        while (true) {
            byte b = data[pos[0]++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
            shift += 7;
        }
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    /** A growable byte buffer for encoding. */
    private static final class Buf {
        private byte[] b = new byte[256];
        private int n;

        void reset() {
            n = 0;
        }

        void put(int v) {
            ensure(1);
            b[n++] = (byte) v;
        }

        void put(byte[] bytes) {
            ensure(bytes.length);
            System.arraycopy(bytes, 0, b, n, bytes.length);
            n += bytes.length;
        }

        void varint(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                b[n++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            b[n++] = (byte) v;
        }

        void zigzag(long v) {
            varint((v << 1) ^ (v >> 63));
        }

        private void ensure(int extra) {
            if (n + extra > b.length) {
                b = Arrays.copyOf(b, Math.max(b.length * 2, n + extra));
            }
        }

        byte[] toArray() {
            return Arrays.copyOf(b, n);
        }
    }

    // ---- nested state -----------------------------------------------------------------------

    /** One field position in the encoded records. Removed slots keep their index. */
    static final class Slot {
        final int index;
        FieldSchema schema;
        boolean removed;
        boolean hidden;
        /** Repeated values of this field (text and reference fields), or null. */
        final ValueDict dict;
        /** Repeated e-mail domains (e-mail fields), or null. */
        final ValueDict domains;

        Slot(int index, FieldSchema schema) {
            this.index = index;
            this.schema = schema;
            FieldType t = schema.type();
            boolean valued = switch (t) {
                case BOOLEAN, INT, DOUBLE, CURRENCY, PERCENT, DATE, DATETIME, BASE64, ADDRESS, LOCATION -> false;
                default -> true;
            };
            this.dict = valued ? new ValueDict() : null;
            this.domains = t == FieldType.EMAIL ? new ValueDict() : null;
        }

        String name() {
            return schema.name();
        }
    }

    /** One record. Its deletion time, while deleted, is its stamp (a deleted record is never edited). */
    static final class Rec {
        static final byte DELETED = 1;
        static final byte PURGED = 2;

        /** The id counter minus the type's base: ids grow with it. */
        final int seq;
        long stamp;
        byte flags;
        byte[] data;

        Rec(int seq) {
            this.seq = seq;
        }

        boolean deleted() {
            return (flags & DELETED) != 0;
        }

        boolean purged() {
            return (flags & PURGED) != 0;
        }
    }

    /** A recycle-bin entry; stale once the record is undeleted, re-stamped or purged. */
    record BinEntry(Rec rec, long deletedAt) {
        boolean current() {
            return rec.deleted() && !rec.purged() && rec.stamp == deletedAt;
        }
    }

    /**
     * The records carrying one stamp, sorted by id counter on demand. Entries whose record has
     * since moved to another stamp (or was purged) are stale and skipped; {@link #live} counts the
     * records currently at this stamp.
     */
    static final class Bucket {
        final long stamp;
        Rec[] recs = new Rec[4];
        int size;
        int live;
        private boolean sorted = true;

        Bucket(long stamp) {
            this.stamp = stamp;
        }

        void add(Rec r) {
            if (size == recs.length) {
                recs = Arrays.copyOf(recs, size + (size >> 1) + 4);
            }
            if (size > 0 && recs[size - 1].seq >= r.seq) {
                sorted = false;
            }
            recs[size++] = r;
            live++;
        }

        boolean holds(Rec r) {
            return r.stamp == stamp && !r.purged();
        }

        /** Sorts and drops stale entries when needed, so reads can binary-search. */
        void normalize() {
            if (sorted && size <= 2 * live + 16) {
                return;
            }
            if (!sorted) {
                Arrays.sort(recs, 0, size, Comparator.comparingInt(r -> r.seq));
            }
            int w = 0;
            for (int i = 0; i < size; i++) {
                Rec r = recs[i];
                if (holds(r) && (w == 0 || recs[w - 1] != r)) {
                    recs[w++] = r;
                }
            }
            Arrays.fill(recs, w, size, null);
            size = w;
            sorted = true;
        }
    }
}
