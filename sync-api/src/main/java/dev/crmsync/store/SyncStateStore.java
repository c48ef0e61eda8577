package dev.crmsync.store;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
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
 *   <li><b>Threads.</b> One engine calls it from one thread at a time; the host may read and
 *       re-drive concurrently. Implementations must be thread-safe.</li>
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
     * Takes or renews the lease {@code name} for {@code owner}, unless another owner holds an
     * unexpired one. A lease is unexpired while {@code now} is before {@link Lease#expiresAt()}.
     * Renewing an unexpired lease keeps its fencing token; every other grant (to a new owner, or
     * after expiry or release) takes a token greater than every token granted before under that
     * name. The default, for a store used by a single process, always grants it (token 1).
     *
     * @param name what the lease covers
     * @param owner who asks
     * @param now the time
     * @param ttl how long the lease lasts
     * @return the lease, or empty if another owner holds it
     * @throws IllegalArgumentException if the name or owner is blank or the ttl is not positive
     */
    default Optional<Lease> tryAcquireLease(String name, String owner, Instant now, Duration ttl) {
        return Optional.of(new Lease(name, owner, 1, now.plus(ttl)));
    }

    /**
     * Gives a lease back early, so another owner may take it at once. Does nothing unless the
     * lease is still the current grant (same owner and token). The default does nothing.
     *
     * @param lease a lease this store granted
     */
    default void releaseLease(Lease lease) {
    }

    /**
     * Tells whether a lease is still the current grant of its name: same owner and fencing token,
     * not expired at {@code now}. The engine asks before it commits a checkpoint, so that an
     * engine that lost its lease (it paused past the expiry and another owner took over) stops
     * instead of overwriting newer progress. The default, for a store used by a single process,
     * checks only the expiry.
     *
     * @param lease a lease this store granted
     * @param now the time
     * @return true if the lease is still held
     */
    default boolean holdsLease(Lease lease, Instant now) {
        return now.isBefore(lease.expiresAt());
    }
}
