package dev.crmsync.testkit;

import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
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
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;

/**
 * The records and schema of one object type inside {@link InMemoryCrm}. Not thread-safe: the
 * CRM's lock guards it.
 *
 * <p>Memory layout, chosen so a million records of about thirty fields fit a small heap. A record
 * is an int <em>handle</em> (its position in creation order) into parallel primitive arrays: its
 * id sequence, stamp, flags, and the address of its field values, which are encoded against the
 * type's slot list (repeated values dictionary-coded, see {@link ValueDict}) into large shared
 * byte chunks (a slab; rewritten records leave garbage that compaction reclaims). Ids grow in
 * creation order, so a binary search over the sequences finds a record. Reads walk a tree of
 * {@link Bucket}s, one per distinct stamp second, each holding its handles sorted by id, so a page
 * costs O(page), not O(records). Purged records stay as tombstone handles without data.
 */
final class TypeState {

    static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int COUNTER_DIGITS = 9;
    private static final long COUNTER_LIMIT = pow62(COUNTER_DIGITS);
    private static final int DICT_MAX_VALUE_LENGTH = 255;
    /** The 16 characters of phone numbers, postal codes and numbers-as-text, packed two per byte. */
    private static final String NIBBLES = "0123456789 +-().";

    private static final byte DELETED = 1;
    private static final byte PURGED = 2;

    private static final int CHUNK_BITS = 20;
    private static final int CHUNK_SIZE = 1 << CHUNK_BITS;
    /** Compact the slab when garbage exceeds live data plus this. */
    private static final long COMPACT_SLACK = 4L << 20;

    final ObjectType type;
    final String prefix;
    private final String idHead;
    private final Random idSteps;
    private final long base;
    private long lastCounter;

    final List<Slot> slots = new ArrayList<>();
    private final Map<String, Slot> byName = new HashMap<>();
    boolean hidden;

    // ---- records, by handle -----------------------------------------------------------------
    private int count;
    private int[] seqs = new int[16];
    /** Stamps as unsigned epoch seconds (1970 to 2106). */
    private int[] stamps = new int[16];
    /** Creation stamps (CreatedDate) as unsigned epoch seconds. */
    private int[] createdStamps = new int[16];
    private byte[] flags = new byte[16];
    /** Slab address of the encoded values: {@code chunkIndex << CHUNK_BITS | offset}; -1 when purged. */
    private int[] addrs = new int[16];

    private final List<byte[]> chunks = new ArrayList<>();
    private int chunkFill = CHUNK_SIZE;
    private long slabBytes;
    private long garbageBytes;

    /** Stamp (epoch second) to the records carrying it. */
    final TreeMap<Long, Bucket> buckets = new TreeMap<>();
    /** Records in the recycle bin, oldest deletion first (entries may be stale). */
    final PriorityQueue<BinEntry> bin = new PriorityQueue<>(Comparator.comparingLong(BinEntry::deletedAt));

    /** Told of every committed record change (the CRM's change-data-capture hook), or null when nobody listens. */
    interface ChangeSink {
        /** @param t the type @param h the new record */
        void created(TypeState t, int h);

        /** @param t the type @param h the record @param changed the non-calculated fields whose values differ */
        void stored(TypeState t, int h, List<String> changed);

        /** @param t the type @param h the record whose stamp moved (an update) */
        void touched(TypeState t, int h);

        /** @param t the type @param h the record, deleted (to the bin or for good) */
        void deleted(TypeState t, int h);

        /** @param t the type @param h the record, restored */
        void undeleted(TypeState t, int h);
    }

    ChangeSink sink;
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

    private String shortId(long counter) {
        char[] c = new char[15];
        idHead.getChars(0, 6, c, 0);
        long v = counter;
        for (int i = 14; i >= 6; i--) {
            c[i] = BASE62.charAt((int) (v % 62));
            v /= 62;
        }
        return new String(c);
    }

    /** @param h a handle @return the record's 15-character id */
    String shortId(int h) {
        return shortId(base + seqs[h]);
    }

    /** @param h a handle @return the record's id */
    CrmId idOf(int h) {
        return CrmId.of(shortId(base + seqs[h]));
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

    /** @return the record's handle, or -1 if unknown or purged */
    int find(CrmId id) {
        long seq = counterOf(id) - base;
        if (seq < 0 || seq > Integer.MAX_VALUE) {
            return -1;
        }
        int h = Arrays.binarySearch(seqs, 0, count, (int) seq);
        return h < 0 || purged(h) ? -1 : h;
    }

    private static long pow62(int n) {
        long v = 1;
        for (int i = 0; i < n; i++) {
            v *= 62;
        }
        return v;
    }

    // ---- record access ----------------------------------------------------------------------

    /** @return how many handles exist (purged ones included; skip them with {@link #purged}) */
    int handles() {
        return count;
    }

    boolean purged(int h) {
        return (flags[h] & PURGED) != 0;
    }

    boolean deleted(int h) {
        return (flags[h] & DELETED) != 0;
    }

    long stamp(int h) {
        return Integer.toUnsignedLong(stamps[h]);
    }

    /** @param h a handle @return the stamp the record was created with (epoch seconds) */
    long created(int h) {
        return Integer.toUnsignedLong(createdStamps[h]);
    }

    /** @return the stamp as stored: unsigned epoch seconds */
    private int packStamp(long stamp) {
        if (stamp < 0 || stamp > 0xFFFF_FFFFL) {
            throw new IllegalStateException("stamp " + Instant.ofEpochSecond(stamp) + " of " + type
                    + " is outside the fake's range (1970 to 2106)");
        }
        return (int) stamp;
    }

    /** @return one value per slot, null where empty */
    FieldValue[] values(int h) {
        int a = addrs[h];
        byte[] chunk = chunks.get(a >>> CHUNK_BITS);
        int[] pos = {a & (CHUNK_SIZE - 1)};
        if (chunk.length > CHUNK_SIZE) {
            pos[0] = 0; // an oversized record has a chunk of its own
        }
        int len = (int) readVarint(chunk, pos);
        return decode(chunk, pos[0], pos[0] + len);
    }

    /** Replaces a record's values (its stamp is unchanged; see {@link #restamp}). */
    void store(int h, FieldValue[] values) {
        if (sink != null) {
            FieldValue[] old = values(h);
            List<String> changed = new ArrayList<>();
            for (Slot sl : slots) {
                if (sl.removed || sl.schema.calculated()) {
                    continue;
                }
                FieldValue a = sl.index < old.length && old[sl.index] != null ? old[sl.index] : FieldValue.NULL;
                FieldValue b = sl.index < values.length && values[sl.index] != null ? values[sl.index] : FieldValue.NULL;
                if (!Objects.equals(a, b)) {
                    changed.add(sl.schema.name());
                }
            }
            sink.stored(this, h, changed);
        }
        garbageBytes += storedLength(h);
        addrs[h] = write(values);
        if (garbageBytes > slabBytes - garbageBytes + COMPACT_SLACK) {
            compact();
        }
    }

    private long storedLength(int h) {
        int a = addrs[h];
        if (a < 0) {
            return 0;
        }
        byte[] chunk = chunks.get(a >>> CHUNK_BITS);
        int[] pos = {chunk.length > CHUNK_SIZE ? 0 : a & (CHUNK_SIZE - 1)};
        int start = pos[0];
        int len = (int) readVarint(chunk, pos);
        return pos[0] - start + len;
    }

    /** Encodes the values into the slab. @return their address */
    private int write(FieldValue[] values) {
        encode(values);
        return writeRaw(buf.bytes(), 0, buf.length());
    }

    /** Appends {@code n} encoded bytes, prefixed by their length. @return their address */
    private int writeRaw(byte[] src, int off, int n) {
        int need = n + 5;
        if (need > CHUNK_SIZE) {
            byte[] own = new byte[need]; // longer than a chunk: the reader knows it starts at 0
            int p = putVarint(own, 0, n);
            System.arraycopy(src, off, own, p, n);
            chunks.add(own);
            chunkFill = CHUNK_SIZE; // the next write opens a regular chunk
            slabBytes += p + n;
            return address(chunks.size() - 1, 0);
        }
        if (chunkFill + need > CHUNK_SIZE) {
            chunks.add(new byte[CHUNK_SIZE]);
            chunkFill = 0;
        }
        byte[] chunk = chunks.get(chunks.size() - 1);
        int addr = address(chunks.size() - 1, chunkFill);
        int p = putVarint(chunk, chunkFill, n);
        System.arraycopy(src, off, chunk, p, n);
        slabBytes += p + n - chunkFill;
        chunkFill = p + n;
        return addr;
    }

    private int address(int chunk, int offset) {
        if (chunk >= 1 << (31 - CHUNK_BITS)) {
            throw new IllegalStateException("the fake's storage for " + type + " is full (2 GiB)");
        }
        return (chunk << CHUNK_BITS) | offset;
    }

    private static int putVarint(byte[] b, int at, int v) {
        while ((v & ~0x7F) != 0) {
            b[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[at++] = (byte) v;
        return at;
    }

    /** Copies every live record into fresh chunks, dropping the garbage of rewrites and purges. */
    private void compact() {
        List<byte[]> old = new ArrayList<>(chunks);
        chunks.clear();
        chunkFill = CHUNK_SIZE;
        slabBytes = 0;
        garbageBytes = 0;
        for (int h = 0; h < count; h++) {
            int a = addrs[h];
            if (a < 0) {
                continue;
            }
            byte[] chunk = old.get(a >>> CHUNK_BITS);
            int[] pos = {chunk.length > CHUNK_SIZE ? 0 : a & (CHUNK_SIZE - 1)};
            int len = (int) readVarint(chunk, pos);
            addrs[h] = writeRaw(chunk, pos[0], len);
        }
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

    /** @return the new record's handle */
    int create(long stamp, FieldValue[] values) {
        int packed = packStamp(stamp); // validate before changing anything
        if (count == seqs.length) {
            int cap = count + (count >> 2) + 16;
            seqs = Arrays.copyOf(seqs, cap);
            stamps = Arrays.copyOf(stamps, cap);
            createdStamps = Arrays.copyOf(createdStamps, cap);
            flags = Arrays.copyOf(flags, cap);
            addrs = Arrays.copyOf(addrs, cap);
        }
        int h = count++;
        seqs[h] = nextSeq();
        stamps[h] = packed;
        createdStamps[h] = packed;
        addrs[h] = -1;
        addrs[h] = write(values);
        bucket(stamp).add(h);
        liveCount++;
        if (sink != null) {
            sink.created(this, h);
        }
        return h;
    }

    private Bucket bucket(long stamp) {
        return buckets.computeIfAbsent(stamp, Bucket::new);
    }

    /** Moves a record to a new stamp in the index. */
    void restamp(int h, long stamp) {
        if (sink != null) {
            sink.touched(this, h);
        }
        move(h, stamp);
    }

    private void move(int h, long stamp) {
        int packed = packStamp(stamp);
        if (stamps[h] == packed) {
            return;
        }
        Bucket old = buckets.get(stamp(h));
        if (old != null && --old.live == 0) {
            buckets.remove(stamp(h));
        }
        stamps[h] = packed;
        bucket(stamp).add(h);
    }

    void markDeleted(int h, long stamp) {
        packStamp(stamp);
        flags[h] |= DELETED;
        move(h, stamp);
        liveCount--;
        if (sink != null) {
            sink.deleted(this, h);
        }
        bin.add(new BinEntry(h, stamp));
    }

    void markUndeleted(int h, long stamp) {
        packStamp(stamp);
        flags[h] &= ~DELETED;
        move(h, stamp);
        liveCount++;
        if (sink != null) {
            sink.undeleted(this, h);
        }
    }

    /** @return true if the bin entry still describes the record (deleted then, not since restored or purged) */
    boolean current(BinEntry e) {
        int h = e.handle();
        return deleted(h) && !purged(h) && stamp(h) == e.deletedAt();
    }

    /** Removes records from the recycle bin for good, leaving tombstone handles. */
    /**
     * Removes a live record at once, as Salesforce removes a campaign member: no recycle bin, no
     * delete-log entry, and the delete log's horizon is left as it is.
     */
    void vanish(int h) {
        if (purged(h)) {
            return;
        }
        if (!deleted(h)) {
            liveCount--;
            if (sink != null) {
                sink.deleted(this, h);
            }
        }
        flags[h] |= PURGED;
        Bucket b = buckets.get(stamp(h));
        if (b != null && --b.live == 0) {
            buckets.remove(stamp(h));
        }
        garbageBytes += storedLength(h);
        addrs[h] = -1;
        if (garbageBytes > slabBytes - garbageBytes + COMPACT_SLACK) {
            compact();
        }
    }

    void purge(List<Integer> gone) {
        for (int h : gone) {
            if (purged(h)) {
                continue; // listed twice: deleted, undeleted and deleted again within one second
            }
            flags[h] |= PURGED;
            Bucket b = buckets.get(stamp(h));
            if (b != null && --b.live == 0) {
                buckets.remove(stamp(h));
            }
            deleteLogCompleteFrom = Math.max(deleteLogCompleteFrom, stamp(h) + 1);
            garbageBytes += storedLength(h);
            addrs[h] = -1;
        }
        if (garbageBytes > slabBytes - garbageBytes + COMPACT_SLACK) {
            compact();
        }
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
    /** Tags from here up are dictionary codes 0 to 255 - T_SMALL_DICT in one byte. */
    private static final int T_SMALL_DICT = 16;

    private final Buf buf = new Buf();

    /** Encodes into {@link #buf}. @param values one entry per slot (shorter is fine); null or NULL means empty */
    private void encode(FieldValue[] values) {
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
                    putCode(code);
                } else {
                    buf.put(T_REF);
                    buf.put(r.id().shortForm().getBytes(StandardCharsets.ISO_8859_1));
                }
            } else {
                throw new IllegalStateException("unknown value kind " + v.getClass());
            }
        }
    }

    private void encodeText(Slot slot, FieldValue.Text t) {
        String str = t.value();
        if (slot.dict != null && str.length() <= DICT_MAX_VALUE_LENGTH) {
            int code = slot.dict.code(t);
            if (code >= 0) {
                putCode(code);
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

    private void putCode(int code) {
        if (code < 256 - T_SMALL_DICT) {
            buf.put(T_SMALL_DICT + code);
        } else {
            buf.put(T_DICT);
            buf.varint(code);
        }
    }

    private static boolean nibbleText(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (NIBBLES.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** @return one value per slot, null where empty, decoded from {@code data[start, end)} */
    private FieldValue[] decode(byte[] data, int start, int end) {
        FieldValue[] out = new FieldValue[slots.size()];
        int[] pos = {start};
        int i = 0;
        while (pos[0] < end) {
            int tag = data[pos[0]++] & 0xFF;
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
                default -> {
                    if (tag < T_SMALL_DICT) {
                        throw new IllegalStateException("corrupt record encoding, tag " + tag);
                    }
                    v = slots.get(i).dict.value(tag - T_SMALL_DICT);
                }
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

        int length() {
            return n;
        }

        byte[] bytes() {
            return b;
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

    /**
     * A recycle-bin entry; stale once the record is undeleted, re-stamped or purged.
     *
     * @param handle the record
     * @param deletedAt when it was deleted (epoch second)
     */
    record BinEntry(int handle, long deletedAt) {
    }

    /**
     * The records carrying one stamp, sorted by handle (hence by id) on demand. Entries whose
     * record has since moved to another stamp (or was purged) are stale and skipped; {@link #live}
     * counts the records currently at this stamp.
     */
    final class Bucket {
        final long stamp;
        int[] hs = new int[4];
        int size;
        int live;
        private boolean sorted = true;

        Bucket(long stamp) {
            this.stamp = stamp;
        }

        void add(int h) {
            if (size == hs.length) {
                hs = Arrays.copyOf(hs, size + (size >> 1) + 4);
            }
            if (size > 0 && hs[size - 1] >= h) {
                sorted = false;
            }
            hs[size++] = h;
            live++;
        }

        /** @return true if the entry's record is currently at this stamp */
        boolean holds(int h) {
            return stamp(h) == stamp && !purged(h);
        }

        /** Sorts and drops stale entries when needed, so reads can binary-search. */
        void normalize() {
            if (sorted && size <= 2 * live + 16) {
                return;
            }
            if (!sorted) {
                Arrays.sort(hs, 0, size);
            }
            int w = 0;
            for (int i = 0; i < size; i++) {
                int h = hs[i];
                if (holds(h) && (w == 0 || hs[w - 1] != h)) {
                    hs[w++] = h;
                }
            }
            size = w;
            sorted = true;
            if (hs.length > 2 * size + 16) {
                hs = Arrays.copyOf(hs, size + 4);
            }
        }
    }
}
