package dev.crmsync.store.memory;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.model.Deletion;
import dev.crmsync.store.ActivityHistory;
import dev.crmsync.store.ActivityPage;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.ChangePage;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.HostDeletion;
import dev.crmsync.store.FieldPatches;
import dev.crmsync.store.GuardedUpsert;
import dev.crmsync.store.IdCursor;
import dev.crmsync.store.LocalWrites;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.PersonActivity;
import dev.crmsync.store.StoreChecks;
import dev.crmsync.store.StoreResult;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import java.util.TreeMap;

/**
 * A complete, thread-safe marketing store held in memory, with every capability
 * ({@link BidirectionalStore}, {@link LocalWrites}, {@link ActivityHistory}): the fake that engine and host tests use, and a
 * reference for adapter writers. It passes {@code MarketingStoreContract}.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li><b>Ids.</b> Marketing ids are positive decimals ({@code "1"}, {@code "2"}, …) from one
 *       counter shared by every type, never reused; a record keeps its id when
 *       {@linkplain #relink relinked} to another type.</li>
 *   <li><b>Patch and clear.</b> {@link #upsert} and {@link #saveLocal} set the given fields;
 *       {@link FieldValue#NULL} removes a field, so a cleared field is absent from
 *       {@link MarketingRecord#fields()} (and {@link MarketingRecord#get} gives {@code NULL}).</li>
 *   <li><b>Rejections.</b> A record with a blank field name ({@code INVALID_FIELD_NAME}) or a text
 *       (value or field name) holding an unpaired UTF-16 surrogate ({@code INVALID_TEXT}) is
 *       rejected, as a SQL store must ({@link StoreChecks#valueProblem(Map)}: no length limit).</li>
 *   <li><b>Change feed.</b> Exact. Every record has a feed position {@code (seq, marketingId)}:
 *       records the engine created sit at {@code seq 0}, which no read of the feed lists; each
 *       {@link #saveLocal} that changes something moves the record to a fresh, higher {@code seq}.
 *       Engine writes never move a record, so they never echo and never hide a pending host
 *       change. A cursor is the position of the last record returned
 *       ({@link StoreChecks.FeedPosition}); {@link FeedCursor#START} lists every record a host
 *       wrote, and no record the engine created that no host write has touched since. A {@link #deleteLocal} is reported as a
 *       {@link HostDeletion} at a fresh position (kept for good: this is a test store).</li>
 *   <li><b>Merge and relink</b> repoint every {@link FieldValue.Ref} in any record of any type
 *       (a campaign member's {@code LeadId}/{@code ContactId}, an activity's {@code WhoId}…)
 *       from the old id to the new one. This scans every record: fine for a test store.</li>
 *   <li><b>Activity history</b> ({@link ActivityHistory}): kept in memory per person, for good;
 *       {@link #referencing} scans the records of the type (a test store).</li>
 * </ul>
 *
 * <h2>Memory</h2>
 * A record costs about 100 bytes plus its encoded values (measured on a million leads of about 25
 * filled fields: 235 bytes each with realistic repetition, 280 when a dozen texts per record are
 * unique): fields live in one byte array per record (see the
 * package documentation), CRM ids are packed into two longs, stamps into one long each (kept to
 * the microsecond, as SQL timestamps are), and the indexes are open hash tables.
 *
 * <h2>Threads</h2>
 * All methods are safe to call from any thread; every SPI call runs under one lock. The store
 * neither counts its calls nor injects faults: a test wraps it for that
 * ({@code dev.crmsync.testkit.fault.InstrumentedStores} in the {@code sync-testkit} artifact, which
 * wraps any store the same way).
 */
public final class InMemoryMarketingStore implements BidirectionalStore, LocalWrites, ActivityHistory {

    private static final PairIndex.Key<Slot> SLOT_KEY = new PairIndex.Key<>() {
        @Override
        public long hi(Slot s) {
            return s.hi;
        }

        @Override
        public long lo(Slot s) {
            return s.lo;
        }
    };

    private final Object lock = new Object();
    /** Status sets of marketing campaigns, by marketing id ({@link #memberStatuses(String, Set)}). */
    private final Map<String, Set<String>> programStatuses = new HashMap<>();
    private final Clock clock;
    private final FieldCodec codec = new FieldCodec();
    private final Map<ObjectType, TypeTable> tables = new HashMap<>();
    private final List<TypeTable> tableList = new ArrayList<>();
    /** Activity histories, by person ({@code type + '/' + marketingId}), in append order. */
    private final Map<String, List<Logged>> histories = new HashMap<>();
    /** The keys of every activity held. */
    private final Set<String> activityKeys = new HashSet<>();
    private long activitySeq;
    private Slot[] slots = new Slot[1024];
    private int slotCount;
    private int lastSeq;

    /** One stored record: 64 bytes plus its encoded values. Stamps are kept to the microsecond. */
    private static final class Slot {
        final int mid;
        int seq;
        short typeIndex;
        boolean linked;
        boolean deleted;
        boolean hasCrmStamp;
        long hi;
        long lo;
        long crmMicros;
        long localMicros;
        byte[] data;

        Slot(int mid, short typeIndex) {
            this.mid = mid;
            this.typeIndex = typeIndex;
        }
    }

    /** An activity held, with its append position (the order among activities of one instant). */
    private record Logged(long seq, PersonActivity activity) {
    }

    /** Newest first: by instant, then by append position. */
    private static final Comparator<Logged> NEWEST_FIRST = Comparator.comparing((Logged l) -> l.activity().at())
            .thenComparingLong(Logged::seq).reversed();

    /** A record the host deleted, at its feed position. */
    private record Tombstone(int seq, int mid, HostDeletion deletion) {
    }

    /** The records of one type. */
    private static final class TypeTable {
        final PairIndex<Slot> byCrm = new PairIndex<>(SLOT_KEY);
        final ObjectType type;
        final short index;
        final TreeMap<Integer, Slot> bySeq = new TreeMap<>();
        /** Host deletions, by feed position (kept for good: a test store). */
        final TreeMap<Integer, Tombstone> deletedBySeq = new TreeMap<>();
        int[] mids = new int[16];
        int midCount;
        int count;
        Slot[] sorted;

        TypeTable(ObjectType type, short index) {
            this.type = type;
            this.index = index;
        }

        void addMid(int mid) {
            if (midCount == 0 || mids[midCount - 1] < mid) {
                if (midCount == mids.length) {
                    mids = Arrays.copyOf(mids, midCount * 2);
                }
                mids[midCount++] = mid;
                return;
            }
            int at = Arrays.binarySearch(mids, 0, midCount, mid);
            if (at >= 0) {
                return;
            }
            int ins = -at - 1;
            if (midCount == mids.length) {
                mids = Arrays.copyOf(mids, midCount * 2);
            }
            System.arraycopy(mids, ins, mids, ins + 1, midCount - ins);
            mids[ins] = mid;
            midCount++;
        }
    }

    /** Creates an empty store on the system UTC clock. */
    public InMemoryMarketingStore() {
        this(Clock.systemUTC());
    }

    /**
     * Creates an empty store.
     *
     * @param clock the source of {@link MarketingRecord#localModstamp()}
     */
    public InMemoryMarketingStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    // ---- size ----------------------------------------------------------------------------------

    /** @param type an object type @return how many records of that type the store holds (including flagged deleted) */
    public int size(ObjectType type) {
        Objects.requireNonNull(type, "type");
        synchronized (lock) {
            TypeTable t = tables.get(type);
            return t == null ? 0 : t.count;
        }
    }

    /**
     * Every record of a type the store holds, linked or not, flagged deleted or not, in
     * marketing-id order — what a test compares with the CRM (the change feed lists only what
     * hosts wrote).
     *
     * @param type an object type
     * @return the records
     */
    public List<MarketingRecord> records(ObjectType type) {
        Objects.requireNonNull(type, "type");
        synchronized (lock) {
            TypeTable t = tables.get(type);
            List<MarketingRecord> out = new ArrayList<>(t == null ? 0 : t.count);
            if (t != null) {
                for (int i = 0; i < t.midCount; i++) {
                    Slot s = slots[t.mids[i] - 1];
                    if (s != null && s.typeIndex == t.index) {
                        out.add(toRecord(s));
                    }
                }
            }
            return out;
        }
    }

    // ---- engine writes -------------------------------------------------------------------------

    @Override
    public List<StoreResult> upsert(ObjectType type, List<SyncRecord> records) {
        StoreChecks.requireBatch(type, records);
        synchronized (lock) {
            Instant now = clock.instant();
            TypeTable t = table(type);
            List<StoreResult> out = new ArrayList<>(records.size());
            for (SyncRecord r : records) {
                out.add(upsertOne(t, r, now));
            }
            return out;
        }
    }

    /** Atomic: the check and the write run under the store's one lock. */
    @Override
    public List<StoreResult> upsertIfUnchanged(ObjectType type, List<GuardedUpsert> writes) {
        java.util.Objects.requireNonNull(writes, "writes");
        StoreChecks.requireBatch(type, writes.stream().map(GuardedUpsert::record).toList());
        synchronized (lock) {
            return BidirectionalStore.super.upsertIfUnchanged(type, writes);
        }
    }

    private StoreResult upsertOne(TypeTable t, SyncRecord r, Instant now) {
        CrmId id = r.id();
        Optional<StoreChecks.Problem> p = StoreChecks.valueProblem(r.fields());
        if (p.isPresent()) {
            return p.get().rejection(id);
        }
        long hi = Ids.hi(id);
        long lo = Ids.lo(id);
        Slot s = t.byCrm.get(hi, lo);
        if (s == null) {
            s = newSlot(t);
            s.linked = true;
            s.hi = hi;
            s.lo = lo;
            s.data = codec.encode(FieldPatches.withoutNulls(r.fields()));
            s.deleted = r.deleted();
            setCrmStamp(s, r.modstamp());
            setLocal(s, now);
            t.byCrm.put(s);
            t.sorted = null;
            return new StoreResult.Created(id, marketingId(s));
        }
        Map<String, FieldValue> cur = codec.decode(s.data);
        boolean changed = FieldPatches.apply(cur, r.fields());
        setCrmStamp(s, r.modstamp());
        if (!changed && s.deleted == r.deleted()) {
            return new StoreResult.Unchanged(id, marketingId(s));
        }
        if (changed) {
            s.data = codec.encode(cur);
        }
        s.deleted = r.deleted();
        setLocal(s, now);
        return new StoreResult.Updated(id, marketingId(s));
    }

    @Override
    public List<StoreResult> markDeleted(ObjectType type, List<Deletion> deletions) {
        StoreChecks.requireDeletions(type, deletions);
        synchronized (lock) {
            Instant now = clock.instant();
            TypeTable t = table(type);
            List<StoreResult> out = new ArrayList<>(deletions.size());
            for (Deletion d : deletions) {
                CrmId id = d.crmId();
                Slot s = t.byCrm.get(Ids.hi(id), Ids.lo(id));
                if (s == null) {
                    out.add(new StoreResult.NotFound(id));
                } else if (s.deleted) {
                    out.add(new StoreResult.Unchanged(id, marketingId(s)));
                } else {
                    s.deleted = true;
                    setLocal(s, now);
                    out.add(new StoreResult.Updated(id, marketingId(s)));
                }
            }
            return out;
        }
    }

    // ---- reads ---------------------------------------------------------------------------------

    @Override
    public Map<CrmId, MarketingRecord> findByCrmIds(ObjectType type, Collection<CrmId> ids) {
        StoreChecks.requireIds(type, ids);
        synchronized (lock) {
            Map<CrmId, MarketingRecord> out = new HashMap<>();
            TypeTable t = tables.get(type);
            if (t != null) {
                for (CrmId id : ids) {
                    Slot s = t.byCrm.get(Ids.hi(id), Ids.lo(id));
                    if (s != null) {
                        out.put(id, toRecord(s));
                    }
                }
            }
            return Map.copyOf(out);
        }
    }

    @Override
    public Optional<MarketingRecord> findByMarketingId(ObjectType type, String marketingId) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(marketingId, "marketingId");
        synchronized (lock) {
            Slot s = slot(type, marketingId);
            return s == null ? Optional.empty() : Optional.of(toRecord(s));
        }
    }

    @Override
    public List<CrmId> crmIds(ObjectType type, IdCursor after, int limit) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(after, "after");
        StoreChecks.requireLimit(limit);
        CrmId last = after.lastId();
        synchronized (lock) {
            TypeTable t = tables.get(type);
            List<CrmId> out = new ArrayList<>();
            if (t != null) {
                Slot[] sorted = sorted(t);
                int from = 0;
                if (last != null) {
                    long hi = Ids.hi(last);
                    long lo = Ids.lo(last);
                    int low = 0;
                    int high = sorted.length;
                    while (low < high) {
                        int mid = (low + high) >>> 1;
                        if (Ids.compare(sorted[mid].hi, sorted[mid].lo, hi, lo) <= 0) {
                            low = mid + 1;
                        } else {
                            high = mid;
                        }
                    }
                    from = low;
                }
                for (int i = from; i < sorted.length && out.size() < limit; i++) {
                    out.add(Ids.unpack(sorted[i].hi, sorted[i].lo));
                }
            }
            return List.copyOf(out);
        }
    }

    private static Slot[] sorted(TypeTable t) {
        if (t.sorted == null) {
            Slot[] a = new Slot[t.byCrm.size()];
            int[] n = {0};
            t.byCrm.forEach(s -> a[n[0]++] = s);
            Arrays.sort(a, (x, y) -> Ids.compare(x.hi, x.lo, y.hi, y.lo));
            t.sorted = a;
        }
        return t.sorted;
    }

    // ---- host writes and the change feed ------------------------------------------------------

    @Override
    public MarketingRecord saveLocal(ObjectType type, @Nullable String marketingId, Map<String, FieldValue> fields) {
        StoreChecks.requireBidirectional(type);
        checkFields(fields);
        synchronized (lock) {
            Instant now = clock.instant();
            TypeTable t = table(type);
            Slot s;
            if (marketingId == null) {
                s = newSlot(t);
                s.data = codec.encode(FieldPatches.withoutNulls(fields));
                setLocal(s, now);
                bumpSeq(t, s);
            } else {
                s = slot(type, marketingId);
                if (s == null) {
                    throw new IllegalArgumentException("no " + type + " record with marketing id '" + marketingId + "'");
                }
                Map<String, FieldValue> cur = codec.decode(s.data);
                if (FieldPatches.apply(cur, fields)) {
                    s.data = codec.encode(cur);
                    setLocal(s, now);
                    bumpSeq(t, s);
                }
            }
            MarketingRecord out = toRecord(s);
            return out;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The record goes; the change feed reports a {@link HostDeletion} at a fresh position.
     */
    @Override
    public boolean deleteLocal(ObjectType type, String marketingId) {
        StoreChecks.requireBidirectional(type);
        Objects.requireNonNull(marketingId, "marketingId");
        synchronized (lock) {
            Slot s = slot(type, marketingId);
            if (s == null) {
                return false;
            }
            TypeTable t = table(type);
            HostDeletion d = new HostDeletion(marketingId(s), s.linked ? Ids.unpack(s.hi, s.lo) : null);
            remove(t, s);
            if (lastSeq == Integer.MAX_VALUE) {
                throw new IllegalStateException("change-feed sequence exhausted");
            }
            int seq = ++lastSeq;
            t.deletedBySeq.put(seq, new Tombstone(seq, s.mid, d));
            return true;
        }
    }

    @Override
    public ChangePage changesSince(ObjectType type, FeedCursor cursor, int limit) {
        StoreChecks.requireBidirectional(type);
        StoreChecks.requireLimit(limit);
        StoreChecks.FeedPosition from = StoreChecks.FeedPosition.of(cursor);
        long cseq = from.seq();
        long cmid = from.id();
        synchronized (lock) {
            TypeTable t = tables.get(type);
            List<Slot> found = new ArrayList<>();
            if (t != null) {
                // records the engine created and no host write touched since (seq 0) are not listed:
                // each equals the merge base the engine saved with it
                Map<Integer, Slot> tail = cseq == 0 ? t.bySeq
                        : t.bySeq.tailMap((int) Math.min(cseq, Integer.MAX_VALUE), false);
                Map<Integer, Tombstone> gone = cseq == 0 ? t.deletedBySeq
                        : t.deletedBySeq.tailMap((int) Math.min(cseq, Integer.MAX_VALUE), false);
                if (gone.isEmpty()) {
                    for (Slot s : tail.values()) {
                        if (found.size() > limit) {
                            break;
                        }
                        found.add(s);
                    }
                } else {
                    return withDeletions(found, tail, gone, limit, cursor);
                }
            }
            return ChangePage.of(found, limit, cursor, s -> new StoreChecks.FeedPosition(s.seq, s.mid).cursor(),
                    this::toRecord);
        }
    }

    /** A feed page holding host deletions: records and tombstones merged in position order. */
    private ChangePage withDeletions(List<Slot> head, Map<Integer, Slot> tail, Map<Integer, Tombstone> gone, int limit,
                                     FeedCursor cursor) {
        List<MarketingRecord> records = new ArrayList<>();
        List<HostDeletion> deletions = new ArrayList<>();
        StoreChecks.FeedPosition last = null;
        int n = 0;
        for (Slot s : head) {
            if (n == limit) {
                return new ChangePage(records, last.cursor(), true, List.of(), deletions);
            }
            records.add(toRecord(s));
            last = new StoreChecks.FeedPosition(s.seq, s.mid);
            n++;
        }
        java.util.Iterator<Slot> a = tail.values().iterator();
        java.util.Iterator<Tombstone> b = gone.values().iterator();
        Slot sa = a.hasNext() ? a.next() : null;
        Tombstone sb = b.hasNext() ? b.next() : null;
        while (sa != null || sb != null) {
            if (n == limit) {
                return new ChangePage(records, last.cursor(), true, List.of(), deletions);
            }
            if (sb == null || (sa != null && sa.seq < sb.seq())) {
                records.add(toRecord(sa));
                last = new StoreChecks.FeedPosition(sa.seq, sa.mid);
                sa = a.hasNext() ? a.next() : null;
            } else {
                deletions.add(sb.deletion());
                last = new StoreChecks.FeedPosition(sb.seq(), sb.mid());
                sb = b.hasNext() ? b.next() : null;
            }
            n++;
        }
        return new ChangePage(records, last == null ? cursor : last.cursor(), false, List.of(), deletions);
    }

    // ---- program status sets -------------------------------------------------------------------

    /**
     * Gives a marketing campaign a status set (a Marketo program's statuses), which
     * {@link #memberStatuses} reports; an empty set removes it.
     *
     * @param campaignMarketingId the store's id of a Campaign record
     * @param labels the status labels
     */
    public void memberStatuses(String campaignMarketingId, Set<String> labels) {
        Objects.requireNonNull(campaignMarketingId, "campaignMarketingId");
        Set<String> copy = Set.copyOf(labels);
        synchronized (lock) {
            if (copy.isEmpty()) {
                programStatuses.remove(campaignMarketingId);
            } else {
                programStatuses.put(campaignMarketingId, copy);
            }
        }
    }

    @Override
    public Optional<Set<String>> memberStatuses(String campaignMarketingId) {
        Objects.requireNonNull(campaignMarketingId, "campaignMarketingId");
        synchronized (lock) {
            return Optional.ofNullable(programStatuses.get(campaignMarketingId));
        }
    }

    // ---- identity changes ----------------------------------------------------------------------

    @Override
    public void link(ObjectType type, String marketingId, CrmId crmId) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(marketingId, "marketingId");
        Objects.requireNonNull(crmId, "crmId");
        synchronized (lock) {
            Slot s = slot(type, marketingId);
            if (s == null) {
                throw new IllegalArgumentException("no " + type + " record with marketing id '" + marketingId + "'");
            }
            long hi = Ids.hi(crmId);
            long lo = Ids.lo(crmId);
            if (s.linked) {
                if (s.hi != hi || s.lo != lo) {
                    throw new IllegalArgumentException(type + " record '" + marketingId + "' is already linked to "
                            + Ids.unpack(s.hi, s.lo) + ", not to " + crmId);
                }
            } else {
                TypeTable t = table(type);
                Slot other = t.byCrm.get(hi, lo);
                if (other != null) {
                    throw new IllegalArgumentException("CRM id " + crmId + " is already linked to " + type
                            + " record '" + marketingId(other) + "'");
                }
                s.linked = true;
                s.hi = hi;
                s.lo = lo;
                t.byCrm.put(s);
                t.sorted = null;
                setLocal(s, clock.instant());
            }
        }
    }

    @Override
    public MarketingRecord merge(ObjectType type, CrmId survivor, Collection<CrmId> losers,
                                 Map<String, FieldValue> mergedFields) {
        Objects.requireNonNull(type, "type");
        Set<CrmId> loserSet = StoreChecks.requireLosers(survivor, losers);
        Objects.requireNonNull(mergedFields, "mergedFields");
        checkFields(mergedFields);
        synchronized (lock) {
            Instant now = clock.instant();
            TypeTable t = table(type);
            Slot surv = t.byCrm.get(Ids.hi(survivor), Ids.lo(survivor));
            Map<CrmId, CrmId> repoint = new HashMap<>();
            for (CrmId l : loserSet) {
                repoint.put(l, survivor);
                Slot ls = t.byCrm.get(Ids.hi(l), Ids.lo(l));
                if (ls == null) {
                    continue;
                }
                if (surv == null) {
                    // the survivor is not here yet: the first loser found becomes it, keeping its marketing id
                    t.byCrm.remove(ls.hi, ls.lo);
                    ls.hi = Ids.hi(survivor);
                    ls.lo = Ids.lo(survivor);
                    t.byCrm.put(ls);
                    t.sorted = null;
                    surv = ls;
                } else {
                    remove(t, ls);
                }
            }
            if (surv == null) {
                surv = createLinked(type, t, survivor);
            }
            applyPatch(surv, mergedFields, now);
            repointAll(repoint, now);
            MarketingRecord out = toRecord(surv);
            return out;
        }
    }

    @Override
    public MarketingRecord relink(ObjectType fromType, CrmId fromId, ObjectType toType, CrmId toId,
                                  Map<String, FieldValue> fields) {
        Objects.requireNonNull(fromType, "fromType");
        Objects.requireNonNull(fromId, "fromId");
        Objects.requireNonNull(toType, "toType");
        Objects.requireNonNull(toId, "toId");
        checkFields(fields);
        synchronized (lock) {
            Instant now = clock.instant();
            TypeTable ft = table(fromType);
            TypeTable tt = table(toType);
            Slot from = ft.byCrm.get(Ids.hi(fromId), Ids.lo(fromId));
            Slot to = tt.byCrm.get(Ids.hi(toId), Ids.lo(toId));
            if (to != null) {
                if (from != null && from != to) {
                    remove(ft, from);
                }
            } else if (from != null) {
                ft.byCrm.remove(from.hi, from.lo);
                ft.sorted = null;
                ft.count--;
                if (from.seq > 0) {
                    ft.bySeq.remove(from.seq);
                    tt.bySeq.put(from.seq, from);
                }
                from.typeIndex = tt.index;
                from.hi = Ids.hi(toId);
                from.lo = Ids.lo(toId);
                tt.byCrm.put(from);
                tt.sorted = null;
                tt.count++;
                tt.addMid(from.mid);
                to = from;
            } else {
                to = createLinked(toType, tt, toId);
            }
            applyPatch(to, fields, now);
            if (!fromId.equals(toId)) {
                repointAll(Map.of(fromId, toId), now);
            }
            MarketingRecord out = toRecord(to);
            return out;
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private TypeTable table(ObjectType type) {
        TypeTable t = tables.get(type);
        if (t == null) {
            if (tableList.size() == Short.MAX_VALUE) {
                throw new IllegalStateException("too many object types: " + tableList.size());
            }
            t = new TypeTable(type, (short) tableList.size());
            tables.put(type, t);
            tableList.add(t);
        }
        return t;
    }

    private Slot newSlot(TypeTable t) {
        if (slotCount == Integer.MAX_VALUE - 1) {
            throw new IllegalStateException("marketing id space exhausted");
        }
        if (slotCount == slots.length) {
            slots = Arrays.copyOf(slots, slotCount + (slotCount >> 1));
        }
        Slot s = new Slot(slotCount + 1, t.index);
        slots[slotCount++] = s;
        t.addMid(s.mid);
        t.count++;
        return s;
    }

    private Slot createLinked(ObjectType type, TypeTable t, CrmId id) {
        Slot s = newSlot(t);
        s.linked = true;
        s.hi = Ids.hi(id);
        s.lo = Ids.lo(id);
        s.data = codec.encode(Map.of());
        t.byCrm.put(s);
        t.sorted = null;
        return s;
    }

    private void remove(TypeTable t, Slot s) {
        if (s.linked) {
            t.byCrm.remove(s.hi, s.lo);
            t.sorted = null;
        }
        if (s.seq > 0) {
            t.bySeq.remove(s.seq);
        }
        slots[s.mid - 1] = null;
        t.count--;
    }

    private void applyPatch(Slot s, Map<String, FieldValue> fields, Instant now) {
        Map<String, FieldValue> cur = codec.decode(s.data);
        if (FieldPatches.apply(cur, fields)) {
            s.data = codec.encode(cur);
        }
        setLocal(s, now);
    }

    private void repointAll(Map<CrmId, CrmId> repoint, Instant now) {
        boolean inDictionary = codec.dictionaryHoldsRef(repoint.keySet());
        for (int i = 0; i < slotCount; i++) {
            Slot s = slots[i];
            if (s != null) {
                byte[] d = codec.repointRefs(s.data, repoint, inDictionary);
                if (d != null) {
                    s.data = d;
                    setLocal(s, now);
                }
            }
        }
    }

    private void bumpSeq(TypeTable t, Slot s) {
        if (s.seq > 0) {
            t.bySeq.remove(s.seq);
        }
        if (lastSeq == Integer.MAX_VALUE) {
            throw new IllegalStateException("change-feed sequence exhausted");
        }
        s.seq = ++lastSeq;
        t.bySeq.put(s.seq, s);
    }

    private @Nullable Slot slot(ObjectType type, String marketingId) {
        long mid = StoreChecks.sequenceNumber(marketingId);
        if (mid < 1 || mid > slotCount) {
            return null;
        }
        Slot s = slots[(int) mid - 1];
        TypeTable t = tables.get(type);
        return s != null && t != null && s.typeIndex == t.index ? s : null;
    }


    private static void checkFields(Map<String, FieldValue> fields) {
        StoreChecks.requireStorable(fields, StoreChecks.NO_LIMIT, StoreChecks.NO_LIMIT);
    }

    private static void setCrmStamp(Slot s, Instant stamp) {
        s.hasCrmStamp = true;
        s.crmMicros = micros(stamp);
    }

    private static void setLocal(Slot s, Instant now) {
        s.localMicros = micros(now);
    }

    static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    static Instant fromMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    // ---- activity history ----------------------------------------------------------------------

    @Override
    public void append(List<PersonActivity> activities) {
        Objects.requireNonNull(activities, "activities");
        if (activities.size() > MAX_BATCH) {
            throw new IllegalArgumentException("at most " + MAX_BATCH + " activities per append, was " + activities.size());
        }
        activities.forEach(a -> Objects.requireNonNull(a, "activity"));
        synchronized (lock) {
            for (PersonActivity a : activities) {
                if (activityKeys.add(a.key())) {
                    histories.computeIfAbsent(person(a.type(), a.marketingId()), k -> new ArrayList<>())
                            .add(new Logged(++activitySeq, a));
                }
            }
        }
    }

    @Override
    public ActivityPage history(ObjectType type, String marketingId, @Nullable String cursor, int limit) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(marketingId, "marketingId");
        StoreChecks.requireLimit(limit);
        ActivityPage.Position after = cursor == null ? null : ActivityPage.Position.of(cursor);
        Instant afterAt = after == null ? null : after.at();
        long afterSeq = after == null ? 0 : after.seq();
        synchronized (lock) {
            List<Logged> all = new ArrayList<>(histories.getOrDefault(person(type, marketingId), List.of()));
            all.sort(NEWEST_FIRST);
            List<PersonActivity> page = new ArrayList<>();
            Logged last = null;
            boolean more = false;
            for (Logged l : all) {
                if (afterAt != null) {
                    int c = l.activity().at().compareTo(afterAt);
                    if (c > 0 || (c == 0 && l.seq() >= afterSeq)) {
                        continue;        // at or before the position, newest first
                    }
                }
                if (page.size() == limit) {
                    more = true;
                    break;
                }
                page.add(l.activity());
                last = l;
            }
            return new ActivityPage(page, more ? new ActivityPage.Position(last.activity().at(), last.seq()).cursor() : null);
        }
    }

    @Override
    public void moveHistory(ObjectType fromType, String fromMarketingId, ObjectType toType, String toMarketingId) {
        Objects.requireNonNull(fromType, "fromType");
        Objects.requireNonNull(fromMarketingId, "fromMarketingId");
        Objects.requireNonNull(toType, "toType");
        Objects.requireNonNull(toMarketingId, "toMarketingId");
        String from = person(fromType, fromMarketingId);
        String to = person(toType, toMarketingId);
        if (from.equals(to)) {
            return;
        }
        synchronized (lock) {
            List<Logged> moved = histories.remove(from);
            if (moved == null) {
                return;
            }
            List<Logged> target = histories.computeIfAbsent(to, k -> new ArrayList<>());
            for (Logged l : moved) {
                PersonActivity a = l.activity();
                target.add(new Logged(l.seq(), new PersonActivity(toType, toMarketingId, a.crmId(), a.kind(), a.fields(),
                        a.reason(), a.related(), a.cycleId(), a.at(), a.key())));
            }
        }
    }

    @Override
    public Map<CrmId, List<String>> referencing(ObjectType type, String field, Collection<CrmId> targets, int limit) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(targets, "targets");
        StoreChecks.requireLimit(limit);
        Set<CrmId> wanted = new HashSet<>(targets);
        Map<CrmId, List<String>> out = new HashMap<>();
        if (wanted.isEmpty()) {
            return Map.of();
        }
        synchronized (lock) {
            TypeTable t = tables.get(type);
            if (t == null) {
                return Map.of();
            }
            for (int i = 0; i < slotCount; i++) {
                Slot s = slots[i];
                if (s != null && s.typeIndex == t.index
                        && codec.decode(s.data).get(field) instanceof FieldValue.Ref ref && wanted.contains(ref.id())) {
                    List<String> ids = out.computeIfAbsent(ref.id(), k -> new ArrayList<>());
                    if (ids.size() < limit) {
                        ids.add(marketingId(s));
                    }
                }
            }
        }
        Map<CrmId, List<String>> copy = new HashMap<>();
        out.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return Map.copyOf(copy);
    }

    private static String person(ObjectType type, String marketingId) {
        return type.apiName() + "/" + marketingId;
    }

    private static String marketingId(Slot s) {
        return Integer.toString(s.mid);
    }

    private MarketingRecord toRecord(Slot s) {
        return new MarketingRecord(tableList.get(s.typeIndex).type, marketingId(s),
                s.linked ? Ids.unpack(s.hi, s.lo) : null, codec.decode(s.data), s.deleted,
                s.hasCrmStamp ? fromMicros(s.crmMicros) : null, fromMicros(s.localMicros));
    }
}
