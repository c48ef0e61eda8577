package dev.crmsync.testkit.fault;

import static dev.crmsync.testkit.fault.InstrumentedStores.size;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.Lease;
import dev.crmsync.store.LeaseAttempt;
import dev.crmsync.store.ParkedConflict;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncBase;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.SyncStateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The decorator of a {@link SyncStateStore} (see {@link InstrumentedStores}): counts, logs and
 * faults every call, then passes it on — {@link #inTransaction} and the leases too, so that the
 * wrapped store's own transactions and leases stay in force (a fault due after an
 * {@code inTransaction} comes once the transaction committed).
 */
public final class InstrumentedSyncStateStore extends StoreDecorator<SyncStateStore> implements SyncStateStore {

    private final SyncStateStore inner;

    InstrumentedSyncStateStore(SyncStateStore inner, InstrumentedStores kit) {
        super(inner, kit);
        this.inner = inner;
    }

    @Override
    public Optional<Checkpoint> checkpoint(ObjectType type) {
        return kit.call(StoreOperation.CHECKPOINT, type, 1, () -> inner.checkpoint(type));
    }

    @Override
    public void saveCheckpoint(Checkpoint checkpoint) {
        kit.run(StoreOperation.SAVE_CHECKPOINT, checkpoint == null ? null : checkpoint.type(), 1,
                () -> inner.saveCheckpoint(checkpoint));
    }

    @Override
    public void deleteCheckpoint(ObjectType type) {
        kit.run(StoreOperation.DELETE_CHECKPOINT, type, 1, () -> inner.deleteCheckpoint(type));
    }

    @Override
    public void saveFailure(FailedRecord failure) {
        kit.run(StoreOperation.SAVE_FAILURE, failure == null ? null : failure.type(), 1,
                () -> inner.saveFailure(failure));
    }

    @Override
    public Optional<FailedRecord> failure(ObjectType type, RecordKey key, SyncSide target) {
        return kit.call(StoreOperation.FAILURE, type, 1, () -> inner.failure(type, key, target));
    }

    @Override
    public List<FailedRecord> retryQueue(ObjectType type, SyncSide target, int limit) {
        return kit.call(StoreOperation.RETRY_QUEUE, type, 0, () -> inner.retryQueue(type, target, limit));
    }

    @Override
    public List<FailedRecord> parkedFailures() {
        return kit.call(StoreOperation.PARKED_FAILURES, null, 0, inner::parkedFailures);
    }

    @Override
    public void deleteFailure(ObjectType type, RecordKey key, SyncSide target) {
        kit.run(StoreOperation.DELETE_FAILURE, type, 1, () -> inner.deleteFailure(type, key, target));
    }

    @Override
    public void saveIntent(EngineIntent intent) {
        kit.run(StoreOperation.SAVE_INTENT, intent == null ? null : intent.type(), 1, () -> inner.saveIntent(intent));
    }

    @Override
    public Optional<EngineIntent> intent(ObjectType type, RecordKey key, EngineIntent.Kind kind) {
        return kit.call(StoreOperation.INTENT, type, 1, () -> inner.intent(type, key, kind));
    }

    @Override
    public List<EngineIntent> intents(ObjectType type, EngineIntent.Kind kind, int limit) {
        return kit.call(StoreOperation.INTENTS, type, 0, () -> inner.intents(type, kind, limit));
    }

    @Override
    public void deleteIntent(ObjectType type, RecordKey key, EngineIntent.Kind kind) {
        kit.run(StoreOperation.DELETE_INTENT, type, 1, () -> inner.deleteIntent(type, key, kind));
    }

    @Override
    public Map<CrmId, SyncBase> bases(ObjectType type, Collection<CrmId> crmIds) {
        return kit.call(StoreOperation.BASES, type, size(crmIds), () -> inner.bases(type, crmIds));
    }

    @Override
    public Optional<SyncBase> baseByMarketingId(ObjectType type, String marketingId) {
        return kit.call(StoreOperation.BASE_BY_MARKETING_ID, type, 1, () -> inner.baseByMarketingId(type, marketingId));
    }

    @Override
    public void saveBases(Collection<SyncBase> bases) {
        kit.run(StoreOperation.SAVE_BASES, firstType(bases), size(bases), () -> inner.saveBases(bases));
    }

    @Override
    public void deleteBase(ObjectType type, CrmId crmId) {
        kit.run(StoreOperation.DELETE_BASE, type, 1, () -> inner.deleteBase(type, crmId));
    }

    @Override
    public void parkConflict(ParkedConflict conflict) {
        kit.run(StoreOperation.PARK_CONFLICT, conflict == null ? null : conflict.type(), 1,
                () -> inner.parkConflict(conflict));
    }

    @Override
    public List<ParkedConflict> parkedConflicts() {
        return kit.call(StoreOperation.PARKED_CONFLICTS, null, 0, inner::parkedConflicts);
    }

    @Override
    public void deleteConflict(ObjectType type, CrmId crmId, String field) {
        kit.run(StoreOperation.DELETE_CONFLICT, type, 1, () -> inner.deleteConflict(type, crmId, field));
    }

    @Override
    public <T> T inTransaction(Supplier<T> work) {
        return kit.call(StoreOperation.IN_TRANSACTION, null, 0, () -> inner.inTransaction(work));
    }

    @Override
    public LeaseAttempt tryAcquireLease(String name, String owner, String instance, Duration ttl) {
        return kit.call(StoreOperation.TRY_ACQUIRE_LEASE, null, 1, () -> inner.tryAcquireLease(name, owner, instance, ttl));
    }

    @Override
    public Optional<Lease> renewLease(Lease lease, Duration ttl) {
        return kit.call(StoreOperation.RENEW_LEASE, null, 1, () -> inner.renewLease(lease, ttl));
    }

    @Override
    public void releaseLease(Lease lease) {
        kit.run(StoreOperation.RELEASE_LEASE, null, 1, () -> inner.releaseLease(lease));
    }

    @Override
    public boolean holdsLease(Lease lease) {
        return kit.call(StoreOperation.HOLDS_LEASE, null, 1, () -> inner.holdsLease(lease));
    }

    private static @Nullable ObjectType firstType(@Nullable Collection<SyncBase> bases) {
        if (bases == null || bases.isEmpty()) {
            return null;
        }
        SyncBase first = bases.iterator().next();
        return first == null ? null : first.type();
    }
}
