package dev.crmsync.store;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The engine's memory between cycles: per object type a {@link Checkpoint}; per bidirectional
 * record its {@link SyncBase} (merge base and CRM ↔ marketing link, with the values in flight); the
 * queue of {@link FailedRecord}s to retry or parked; the {@link EngineIntent}s the engine must
 * finish in a later cycle; and {@link ParkedConflict}s awaiting a person.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Threads.</b> One engine calls it from one thread at a time, except that its lease
 *       heartbeat calls {@link #renewLease} from another thread meanwhile; the host may read and
 *       re-drive concurrently. Implementations must be thread-safe.</li>
 *   <li><b>Time.</b> No call takes the caller's time for a lease: the store judges lease expiry
 *       by its own clock (see {@link #tryAcquireLease}).</li>
 *   <li><b>Durability.</b> When a save method returns, the value survives a crash (for an
 *       in-memory store: survives for the life of the object).</li>
 *   <li><b>Idempotence.</b> Every save is an upsert by its key; deletes of absent keys do nothing.</li>
 *   <li><b>Exactness.</b> What is saved is read back equal ({@code equals}) to what was saved:
 *       every field value of a base and of its {@link PendingWrites} (a {@code null} marketing id
 *       stays {@code null}), every failure, intent and conflict. Instants may be truncated to the
 *       microsecond.</li>
 *   <li><b>Atomicity.</b> {@link #inTransaction} runs work so that every write made inside it to
 *       this store — and to a {@link MarketingStore} over the same database — commits together or
 *       not at all. The default runs the work with no such guarantee (the engine is correct
 *       either way: it re-reads an overlap and its writes are idempotent).</li>
 * </ul>
 */
public interface SyncStateStore {

    // ---- checkpoints --------------------------------------------------------------------------

    /** @param type an object type @return its checkpoint, if it was ever saved */
    Optional<Checkpoint> checkpoint(ObjectType type);

    /** @param checkpoint the checkpoint to save, replacing the type's previous one */
    void saveCheckpoint(Checkpoint checkpoint);

    /** @param type an object type whose checkpoint to forget: its next cycle starts a full copy */
    void deleteCheckpoint(ObjectType type);

    // ---- failures: retry queue and parked records ---------------------------------------------

    /**
     * @param failure a failure to save, replacing any with the same (type, key, target); it leaves
     *     the intents of that record as they are (they are kept apart)
     */
    void saveFailure(FailedRecord failure);

    /**
     * @param type an object type
     * @param key the record key
     * @param target the side
     * @return the failure kept under that key, if any
     */
    Optional<FailedRecord> failure(ObjectType type, RecordKey key, SyncSide target);

    /**
     * @param type an object type
     * @param target the side
     * @param limit the most to return
     * @return failures due for retry (not parked), oldest last failure first
     */
    List<FailedRecord> retryQueue(ObjectType type, SyncSide target, int limit);

    /** @return every parked failure, of every type (never an intent) */
    List<FailedRecord> parkedFailures();

    /** @param type an object type @param key the record key @param target the side: forgets that failure */
    void deleteFailure(ObjectType type, RecordKey key, SyncSide target);

    // ---- engine intents -----------------------------------------------------------------------

    /**
     * Saves an intent, replacing any with the same (type, key, kind). Intents live apart from
     * failures: saving one never changes a failure of the same record, and they are never counted,
     * parked or listed as failures. A store may keep every kind generically (see
     * {@link EngineIntent}: kind, type, key, {@link EngineIntent#recordedAt()} and
     * {@link EngineIntent#payload()}), so that kinds added later need no change to it.
     *
     * @param intent the intent
     */
    void saveIntent(EngineIntent intent);

    /**
     * @param type an object type
     * @param key the record key
     * @param kind the kind
     * @return the intent kept under (type, key, kind), if any
     */
    Optional<EngineIntent> intent(ObjectType type, RecordKey key, EngineIntent.Kind kind);

    /**
     * @param type an object type
     * @param kind the kind
     * @param limit the most to return, at least 1
     * @return the type's intents of that kind, oldest {@link EngineIntent#recordedAt()} first, then by key
     * @throws IllegalArgumentException if the limit is below 1
     */
    List<EngineIntent> intents(ObjectType type, EngineIntent.Kind kind, int limit);

    /**
     * @param type an object type @param key the record key @param kind the kind: forgets that
     *     intent (nothing happens if there is none)
     */
    void deleteIntent(ObjectType type, RecordKey key, EngineIntent.Kind kind);

    // ---- merge bases --------------------------------------------------------------------------

    /**
     * @param type an object type
     * @param crmIds CRM ids
     * @return the bases held for those ids (absent ids are left out)
     */
    Map<CrmId, SyncBase> bases(ObjectType type, Collection<CrmId> crmIds);

    /**
     * @param type an object type
     * @param marketingId a marketing id
     * @return the base linked to that marketing record, if any (a base whose marketing id is not
     *     known yet is linked to none)
     */
    Optional<SyncBase> baseByMarketingId(ObjectType type, String marketingId);

    /** @param bases bases to save, each replacing the base (and its pending writes) of its (type, CRM id) */
    void saveBases(Collection<SyncBase> bases);

    /** @param type an object type @param crmId a CRM id: forgets its base */
    void deleteBase(ObjectType type, CrmId crmId);

    // ---- parked conflicts ---------------------------------------------------------------------

    /** @param conflict a conflict to park, replacing any for the same (type, CRM id, field) */
    void parkConflict(ParkedConflict conflict);

    /** @return every parked conflict */
    List<ParkedConflict> parkedConflicts();

    /** @param type an object type @param crmId the record @param field the field: forgets that conflict */
    void deleteConflict(ObjectType type, CrmId crmId, String field);

    // ---- transactions and leases --------------------------------------------------------------

    /**
     * Runs work atomically where the store can (see the class contract). If the work throws, the
     * exception propagates unchanged and, in an atomic store, nothing the work wrote is kept. A
     * call inside the work joins the transaction already running on this thread.
     *
     * @param work the work
     * @param <T> its result
     * @return the work's result
     */
    default <T> T inTransaction(Supplier<T> work) {
        return work.get();
    }

    /**
     * Whether {@link #inTransaction} makes every write of {@code store} made inside it commit
     * together with this store's writes, or not at all (the class contract's atomicity, for that
     * store). The engine then writes what must survive a crash between the two stores once, at the
     * end of the transaction, instead of first on its own (a created record's merge base, say).
     * The default answers {@code false}, which is always safe.
     *
     * @param store a marketing store
     * @return true only if this store's transactions cover that store's writes
     * @throws NullPointerException if {@code store} is null
     */
    default boolean commitsWith(MarketingStore store) {
        Objects.requireNonNull(store, "store");
        return false;
    }

    /**
     * Takes the lease {@code name} for one running instance ({@code owner}, the engine id, plus
     * {@code instance}, a token unique to one engine object), unless another holder has an
     * unexpired one. "Another holder" is any other owner <em>or another instance of the same
     * owner</em>: two processes started with the same engine id never hold a lease together.
     *
     * <p><b>Time is the store's.</b> The SPI takes no {@code now}: the store judges expiry by its
     * own clock — a database store by the database's clock ({@code CURRENT_TIMESTAMP}), so that
     * engines on machines whose clocks disagree still exclude each other; the in-memory store by
     * the {@link java.time.Clock} it was built with. A lease is unexpired while the store's time
     * is before {@link Lease#expiresAt()}; a grant or renewal sets it to the store's time plus
     * {@code ttl}.
     *
     * <p>Asked again by the holder (same owner and instance) while unexpired, the lease is renewed:
     * same fencing token and {@link Lease#acquiredAt()}. Every other grant (a new holder, or after
     * expiry or release) takes a token greater than every token granted before under that name.
     * Requests for one name are served one after the other (two asking at once: one is granted,
     * the other refused). The default, for a store used by a single process, always grants it
     * (token 1, times from the system clock).
     *
     * @param name what the lease covers, 1 to 255 characters
     * @param owner the engine id, 1 to 255 characters
     * @param instance the asking instance's token, 1 to 255 characters
     * @param ttl how long the lease lasts unless renewed, positive
     * @return the grant, or the current holder's lease if another holds it
     * @throws IllegalArgumentException if a name, owner or instance is blank or too long, or the
     *     ttl is not positive
     */
    default LeaseAttempt tryAcquireLease(String name, String owner, String instance, Duration ttl) {
        StoreChecks.leaseArguments(name, owner, instance, ttl);
        Instant now = Instant.now();
        return new LeaseAttempt.Granted(new Lease(name, owner, instance, 1, now, now.plus(ttl)));
    }

    /**
     * Extends a lease the caller holds to the store's time plus {@code ttl}, keeping its fencing
     * token, if it is still the current grant (same owner, instance and token) and unexpired by
     * the store's clock. A lease that lapsed is never revived by a renewal, even if nobody took it
     * meanwhile: the holder must stop, and may ask anew. The engine renews while it works (a
     * heartbeat every third of the ttl, also while a CRM call blocks). The default, for a store
     * used by a single process, always extends it.
     *
     * @param lease a lease this store granted
     * @param ttl the new time-to-live from now, positive
     * @return the extended lease, or empty if it is no longer held
     * @throws IllegalArgumentException if the ttl is not positive
     */
    default Optional<Lease> renewLease(Lease lease, Duration ttl) {
        Objects.requireNonNull(lease, "lease");
        StoreChecks.leaseArguments(lease.name(), lease.owner(), lease.instance(), ttl);
        return Optional.of(new Lease(lease.name(), lease.owner(), lease.instance(), lease.fencingToken(),
                lease.acquiredAt(), Instant.now().plus(ttl)));
    }

    /**
     * Gives a lease back early, so another holder may take it at once. Does nothing unless the
     * lease is still the current grant (same owner, instance and token): a former holder, or
     * another instance of the same owner, cannot free it. The default does nothing.
     *
     * @param lease a lease this store granted
     */
    default void releaseLease(Lease lease) {
    }

    /**
     * Tells whether a lease is still the current grant of its name: same owner, instance and
     * fencing token, not expired by the store's clock (see {@link #tryAcquireLease}). The engine
     * asks before it commits a checkpoint, inside the commit's transaction, so that an engine that
     * lost its lease (it paused past the expiry and another took over) stops instead of
     * overwriting newer progress. The default, for a store used by a single process, checks only
     * the expiry against the system clock.
     *
     * @param lease a lease this store granted
     * @return true if the lease is still held
     */
    default boolean holdsLease(Lease lease) {
        return Instant.now().isBefore(lease.expiresAt());
    }
}
