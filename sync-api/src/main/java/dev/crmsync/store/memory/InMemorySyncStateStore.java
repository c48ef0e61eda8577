package dev.crmsync.store.memory;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.Lease;
import dev.crmsync.store.LeaseAttempt;
import dev.crmsync.store.ParkedConflict;
import dev.crmsync.store.PendingWrites;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncBase;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.StoreChecks;
import dev.crmsync.store.SyncStateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A complete, thread-safe {@link SyncStateStore} held in memory, for tests and for hosts that
 * accept a full copy after every restart. It passes {@code SyncStateStoreContract}.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li><b>Bases</b> are kept compactly (values encoded in one byte array per base, CRM ids
 *       packed into longs), so a million bases fit in a small heap.</li>
 *   <li><b>Transactions.</b> {@link #inTransaction} runs the work without atomicity (the SPI's
 *       default).</li>
 *   <li><b>Leases</b> live in this object: exclusive among the engine instances that share it
 *       (another instance of the same owner is refused like another owner). Their time is the
 *       clock the store was built with ({@link #InMemorySyncStateStore(Clock)}; the system clock
 *       by default). A renewal by the holder of an unexpired lease keeps its fencing token; every
 *       other grant (a new holder, or after expiry or release) takes the next token of that name.
 *       A lease expires at {@link Lease#expiresAt()} (at that instant it is no longer held).</li>
 *   <li><b>Intents</b> are kept as the objects saved (they are immutable values).</li>
 *   <li><b>Orders.</b> {@link #retryQueue}: oldest last failure first, then by key;
 *       {@link #intents}: oldest first, then by key;
 *       {@link #parkedFailures}: by type (sync order), key and side; {@link #parkedConflicts}:
 *       by parking time, then type, CRM id and field.</li>
 * </ul>
 *
 * <p>The store neither counts its calls nor injects faults: a test wraps it for that
 * ({@code dev.crmsync.testkit.fault.InstrumentedStores} in the {@code sync-testkit} artifact).
 */
public final class InMemorySyncStateStore implements SyncStateStore {

    private static final PairIndex.Key<BaseSlot> BY_CRM = new PairIndex.Key<>() {
        @Override
        public long hi(BaseSlot s) {
            return s.hi;
        }

        @Override
        public long lo(BaseSlot s) {
            return s.lo;
        }
    };

    private static final PairIndex.Key<BaseSlot> BY_MID = new PairIndex.Key<>() {
        @Override
        public long hi(BaseSlot s) {
            return s.midNum;
        }

        @Override
        public long lo(BaseSlot s) {
            return 0;
        }
    };

    private final Object lock = new Object();
    private final Clock clock;
    private final FieldCodec codec = new FieldCodec();
    private final Map<ObjectType, Checkpoint> checkpoints = new HashMap<>();
    private final Map<FailureKey, FailedRecord> failures = new HashMap<>();
    private final Map<ObjectType, BaseTable> bases = new HashMap<>();
    private final Map<IntentKey, EngineIntent> intents = new HashMap<>();
    private final Map<ConflictKey, ParkedConflict> conflicts = new HashMap<>();
    private final Map<String, LeaseState> leases = new HashMap<>();

    private record FailureKey(ObjectType type, RecordKey key, SyncSide target) {
    }

    private record IntentKey(ObjectType type, RecordKey key, EngineIntent.Kind kind) {
    }

    private record ConflictKey(ObjectType type, CrmId crmId, String field) {
    }

    private static final class LeaseState {
        String owner;
        String instance;
        long token;
        Instant acquiredAt;
        Instant expiresAt;

        Lease lease(String name) {
            return new Lease(name, owner, instance, token, acquiredAt, expiresAt);
        }

        boolean isCurrent(Lease l, Instant now) {
            return owner != null && l.owner().equals(owner) && l.instance().equals(instance) && l.fencingToken() == token
                    && now.isBefore(expiresAt);
        }
    }

    private static final class BaseSlot {
        long hi;
        long lo;
        long midNum;
        String midStr;
        boolean midUnknown;
        byte[] data;
        byte[] pendingCrm;
        byte[] pendingStore;
        long crmSec;
        int crmNanos;
        long syncSec;
        int syncNanos;

        String marketingId() {
            if (midUnknown) {
                return null;
            }
            return midStr != null ? midStr : Long.toString(midNum);
        }
    }

    private static final class BaseTable {
        final PairIndex<BaseSlot> byCrm = new PairIndex<>(BY_CRM);
        final PairIndex<BaseSlot> byMidNum = new PairIndex<>(BY_MID);
        final Map<String, BaseSlot> byMidStr = new HashMap<>();
    }

    /** Creates an empty store whose leases run on the system clock (UTC). */
    public InMemorySyncStateStore() {
        this(Clock.systemUTC());
    }

    /**
     * Creates an empty store whose leases run on the given clock: it judges their expiry (a test
     * passes a manual clock and lets a lease lapse without waiting).
     *
     * @param clock the store's clock
     */
    public InMemorySyncStateStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    // ---- size ----------------------------------------------------------------------------------

    /** @param type an object type @return how many bases are held for it */
    public int baseCount(ObjectType type) {
        Objects.requireNonNull(type, "type");
        synchronized (lock) {
            BaseTable t = bases.get(type);
            return t == null ? 0 : t.byCrm.size();
        }
    }

    // ---- checkpoints ---------------------------------------------------------------------------

    @Override
    public Optional<Checkpoint> checkpoint(ObjectType type) {
        Objects.requireNonNull(type, "type");
        synchronized (lock) {
            Optional<Checkpoint> out = Optional.ofNullable(checkpoints.get(type));
            return out;
        }
    }

    @Override
    public void saveCheckpoint(Checkpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        synchronized (lock) {
            checkpoints.put(checkpoint.type(), checkpoint);
        }
    }

    @Override
    public void deleteCheckpoint(ObjectType type) {
        Objects.requireNonNull(type, "type");
        synchronized (lock) {
            checkpoints.remove(type);
        }
    }

    // ---- failures ------------------------------------------------------------------------------

    @Override
    public void saveFailure(FailedRecord failure) {
        Objects.requireNonNull(failure, "failure");
        synchronized (lock) {
            failures.put(new FailureKey(failure.type(), failure.key(), failure.target()), failure);
        }
    }

    @Override
    public Optional<FailedRecord> failure(ObjectType type, RecordKey key, SyncSide target) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(target, "target");
        synchronized (lock) {
            Optional<FailedRecord> out = Optional.ofNullable(failures.get(new FailureKey(type, key, target)));
            return out;
        }
    }

    @Override
    public List<FailedRecord> retryQueue(ObjectType type, SyncSide target, int limit) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(target, "target");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        synchronized (lock) {
            List<FailedRecord> due = new ArrayList<>();
            for (FailedRecord f : failures.values()) {
                if (!f.parked() && f.type().equals(type) && f.target() == target) {
                    due.add(f);
                }
            }
            due.sort(Comparator.comparing(FailedRecord::lastFailedAt).thenComparing(FailedRecord::key));
            List<FailedRecord> out = List.copyOf(due.subList(0, Math.min(limit, due.size())));
            return out;
        }
    }

    @Override
    public List<FailedRecord> parkedFailures() {
        synchronized (lock) {
            List<FailedRecord> out = new ArrayList<>();
            for (FailedRecord f : failures.values()) {
                if (f.parked()) {
                    out.add(f);
                }
            }
            out.sort(Comparator.comparing(FailedRecord::type).thenComparing(FailedRecord::key)
                    .thenComparing(FailedRecord::target));
            return List.copyOf(out);
        }
    }

    @Override
    public void deleteFailure(ObjectType type, RecordKey key, SyncSide target) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(target, "target");
        synchronized (lock) {
            failures.remove(new FailureKey(type, key, target));
        }
    }

    // ---- intents -------------------------------------------------------------------------------

    @Override
    public void saveIntent(EngineIntent intent) {
        Objects.requireNonNull(intent, "intent");
        synchronized (lock) {
            intents.put(new IntentKey(intent.type(), intent.key(), intent.kind()), intent);
        }
    }

    @Override
    public Optional<EngineIntent> intent(ObjectType type, RecordKey key, EngineIntent.Kind kind) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        synchronized (lock) {
            Optional<EngineIntent> out = Optional.ofNullable(intents.get(new IntentKey(type, key, kind)));
            return out;
        }
    }

    @Override
    public List<EngineIntent> intents(ObjectType type, EngineIntent.Kind kind, int limit) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(kind, "kind");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        synchronized (lock) {
            List<EngineIntent> out = new ArrayList<>();
            for (EngineIntent i : intents.values()) {
                if (i.type().equals(type) && i.kind() == kind) {
                    out.add(i);
                }
            }
            out.sort(Comparator.comparing(EngineIntent::recordedAt).thenComparing(EngineIntent::key));
            List<EngineIntent> result = List.copyOf(out.subList(0, Math.min(limit, out.size())));
            return result;
        }
    }

    @Override
    public void deleteIntent(ObjectType type, RecordKey key, EngineIntent.Kind kind) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        synchronized (lock) {
            intents.remove(new IntentKey(type, key, kind));
        }
    }

    // ---- bases ---------------------------------------------------------------------------------

    @Override
    public Map<CrmId, SyncBase> bases(ObjectType type, Collection<CrmId> crmIds) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(crmIds, "crmIds");
        for (CrmId id : crmIds) {
            Objects.requireNonNull(id, "crmId");
        }
        synchronized (lock) {
            Map<CrmId, SyncBase> out = new HashMap<>();
            BaseTable t = bases.get(type);
            if (t != null) {
                for (CrmId id : crmIds) {
                    BaseSlot s = t.byCrm.get(Ids.hi(id), Ids.lo(id));
                    if (s != null) {
                        out.put(id, toBase(type, s));
                    }
                }
            }
            return Map.copyOf(out);
        }
    }

    @Override
    public Optional<SyncBase> baseByMarketingId(ObjectType type, String marketingId) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(marketingId, "marketingId");
        synchronized (lock) {
            BaseTable t = bases.get(type);
            BaseSlot s = null;
            if (t != null) {
                long num = Ids.parseMarketingId(marketingId);
                s = num > 0 ? t.byMidNum.get(num, 0) : t.byMidStr.get(marketingId);
            }
            Optional<SyncBase> out = s == null ? Optional.empty() : Optional.of(toBase(type, s));
            return out;
        }
    }

    @Override
    public void saveBases(Collection<SyncBase> toSave) {
        Objects.requireNonNull(toSave, "bases");
        for (SyncBase b : toSave) {
            Objects.requireNonNull(b, "base");
        }
        synchronized (lock) {
            for (SyncBase b : toSave) {
                BaseTable t = bases.computeIfAbsent(b.type(), k -> new BaseTable());
                BaseSlot s = new BaseSlot();
                s.hi = Ids.hi(b.crmId());
                s.lo = Ids.lo(b.crmId());
                long num = b.marketingId() == null ? 0 : Ids.parseMarketingId(b.marketingId());
                if (b.marketingId() == null) {
                    s.midUnknown = true;
                } else if (num > 0) {
                    s.midNum = num;
                } else {
                    s.midStr = b.marketingId();
                }
                s.data = codec.encode(b.fields());
                if (!b.pending().isEmpty()) {
                    s.pendingCrm = codec.encode(b.pending().toCrm());
                    s.pendingStore = codec.encode(b.pending().toStore());
                }
                s.crmSec = b.crmModstamp().getEpochSecond();
                s.crmNanos = b.crmModstamp().getNano();
                s.syncSec = b.syncedAt().getEpochSecond();
                s.syncNanos = b.syncedAt().getNano();
                BaseSlot old = t.byCrm.put(s);
                if (old != null) {
                    unindexMarketingId(t, old);
                }
                if (s.midUnknown) {
                    continue;   // linked to no marketing record yet: not indexed by marketing id
                }
                if (s.midStr == null) {
                    t.byMidNum.put(s);
                } else {
                    t.byMidStr.put(s.midStr, s);
                }
            }
        }
    }

    @Override
    public void deleteBase(ObjectType type, CrmId crmId) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(crmId, "crmId");
        synchronized (lock) {
            BaseTable t = bases.get(type);
            if (t != null) {
                BaseSlot old = t.byCrm.remove(Ids.hi(crmId), Ids.lo(crmId));
                if (old != null) {
                    unindexMarketingId(t, old);
                }
            }
        }
    }

    private static void unindexMarketingId(BaseTable t, BaseSlot old) {
        if (old.midUnknown) {
            return;
        }
        if (old.midStr == null) {
            if (t.byMidNum.get(old.midNum, 0) == old) {
                t.byMidNum.remove(old.midNum, 0);
            }
        } else {
            t.byMidStr.remove(old.midStr, old);
        }
    }

    private SyncBase toBase(ObjectType type, BaseSlot s) {
        PendingWrites pending = s.pendingCrm == null ? PendingWrites.NONE
                : new PendingWrites(codec.decode(s.pendingCrm), codec.decode(s.pendingStore));
        return new SyncBase(type, Ids.unpack(s.hi, s.lo), s.marketingId(), codec.decode(s.data), pending,
                Instant.ofEpochSecond(s.crmSec, s.crmNanos), Instant.ofEpochSecond(s.syncSec, s.syncNanos));
    }

    // ---- conflicts -----------------------------------------------------------------------------

    @Override
    public void parkConflict(ParkedConflict conflict) {
        Objects.requireNonNull(conflict, "conflict");
        synchronized (lock) {
            conflicts.put(new ConflictKey(conflict.type(), conflict.crmId(), conflict.field()), conflict);
        }
    }

    @Override
    public List<ParkedConflict> parkedConflicts() {
        synchronized (lock) {
            List<ParkedConflict> out = new ArrayList<>(conflicts.values());
            out.sort(Comparator.comparing(ParkedConflict::parkedAt).thenComparing(ParkedConflict::type)
                    .thenComparing(ParkedConflict::crmId).thenComparing(ParkedConflict::field));
            return List.copyOf(out);
        }
    }

    @Override
    public void deleteConflict(ObjectType type, CrmId crmId, String field) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(crmId, "crmId");
        Objects.requireNonNull(field, "field");
        synchronized (lock) {
            conflicts.remove(new ConflictKey(type, crmId, field));
        }
    }

    // ---- transactions and leases ---------------------------------------------------------------

    /** Runs the work with no atomicity (see the class documentation). */
    @Override
    public <T> T inTransaction(Supplier<T> work) {
        Objects.requireNonNull(work, "work");
        return work.get();
    }

    @Override
    public LeaseAttempt tryAcquireLease(String name, String owner, String instance, Duration ttl) {
        StoreChecks.leaseArguments(name, owner, instance, ttl);
        synchronized (lock) {
            Instant now = clock.instant();
            LeaseState st = leases.computeIfAbsent(name, k -> new LeaseState());
            boolean live = st.owner != null && now.isBefore(st.expiresAt);
            if (live && !(st.owner.equals(owner) && st.instance.equals(instance))) {
                return new LeaseAttempt.Refused(st.lease(name));
            }
            if (!live) {
                st.token++;
                st.owner = owner;
                st.instance = instance;
                st.acquiredAt = now;
            }
            st.expiresAt = now.plus(ttl);
            return new LeaseAttempt.Granted(st.lease(name));
        }
    }

    @Override
    public Optional<Lease> renewLease(Lease lease, Duration ttl) {
        Objects.requireNonNull(lease, "lease");
        StoreChecks.leaseArguments(lease.name(), lease.owner(), lease.instance(), ttl);
        synchronized (lock) {
            Instant now = clock.instant();
            LeaseState st = leases.get(lease.name());
            if (st == null || !st.isCurrent(lease, now)) {
                return Optional.empty();
            }
            st.expiresAt = now.plus(ttl);
            return Optional.of(st.lease(lease.name()));
        }
    }

    @Override
    public void releaseLease(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        synchronized (lock) {
            LeaseState st = leases.get(lease.name());
            if (st != null && lease.owner().equals(st.owner) && lease.instance().equals(st.instance)
                    && lease.fencingToken() == st.token) {
                st.owner = null;
                st.instance = null;
            }
        }
    }

    @Override
    public boolean holdsLease(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        synchronized (lock) {
            LeaseState st = leases.get(lease.name());
            return st != null && st.isCurrent(lease, clock.instant());
        }
    }
}
