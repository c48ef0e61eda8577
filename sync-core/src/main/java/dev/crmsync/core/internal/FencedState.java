package dev.crmsync.core.internal;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.RetriableSyncException;
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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The state store as a type's run (or a push) writes to it, fenced by the type's lease: every
 * transaction, and every write made outside one (as a transaction of its own), first asks the
 * store whether this instance still holds the lease ({@link SyncStateStore#holdsLease}, which the
 * JDBC store answers with the lease row locked until the transaction ends, so no other instance
 * can be granted it meanwhile). An instance that lost its lease — frozen past the ttl while another
 * instance took over and synced — thus never puts what it merged before over the newer instance's
 * bases, failures, conflicts, intents or checkpoint: the write is refused with a retriable
 * exception and the hold is marked lost, which stops the type. Before a transaction the lease is
 * renewed if its renewal is due. Reads and the lease calls pass through unchanged.
 *
 * <p>One instance serves one type's run on one thread (not thread-safe).
 */
final class FencedState implements SyncStateStore {
    private final SyncStateStore state;
    private final LeaseKeeper.Hold hold;
    private final ObjectType type;
    private int depth;

    FencedState(SyncStateStore state, LeaseKeeper.Hold hold, ObjectType type) {
        this.state = Objects.requireNonNull(state, "state");
        this.hold = Objects.requireNonNull(hold, "hold");
        this.type = Objects.requireNonNull(type, "type");
    }

    /** @return the settings with their state store fenced by {@code hold} */
    static EngineSettings fence(EngineSettings settings, LeaseKeeper.Hold hold, ObjectType type) {
        return settings.withState(new FencedState(settings.state(), hold, type));
    }

    private void fenced(Runnable write) {
        if (depth > 0) {
            write.run();
        } else {
            inTransaction(() -> {
                write.run();
                return null;
            });
        }
    }

    @Override
    public <T> T inTransaction(Supplier<T> work) {
        Objects.requireNonNull(work, "work");
        if (depth > 0) {
            return work.get();
        }
        hold.check(type);
        hold.renewIfDue();          // outside the transaction: a renewal is never rolled back with it
        hold.check(type);
        return state.inTransaction(() -> {
            if (!state.holdsLease(hold.lease())) {
                hold.markLost();
                Lease l = hold.lease();
                throw new RetriableSyncException("lease '" + l.name() + "' (fencing token " + l.fencingToken()
                        + ") is no longer held by this instance: it lapsed or another instance took it over;"
                        + " nothing was written", type, null, null);
            }
            depth++;
            try {
                return work.get();
            } finally {
                depth--;
            }
        });
    }

    @Override
    public boolean commitsWith(dev.crmsync.store.MarketingStore store) {
        return state.commitsWith(store);
    }

    /**
     * After the lease was lost: records what the CRM took from this instance's write (a fact, made
     * under the lease) in the bases that still are the in-flight bases this instance saved before
     * it — a base another instance has written since knows better and is left alone. Unfenced, in
     * one transaction of the state store.
     *
     * @param took the bases of what the CRM took
     * @param inFlight the in-flight bases saved before the write, by CRM id
     */
    void recordWhereUnchanged(List<SyncBase> took, Map<CrmId, SyncBase> inFlight) {
        state.inTransaction(() -> {
            Map<CrmId, SyncBase> now = state.bases(type, took.stream().map(SyncBase::crmId).toList());
            List<SyncBase> still = took.stream().filter(b -> same(now.get(b.crmId()), inFlight.get(b.crmId())))
                    .toList();
            if (!still.isEmpty()) {
                state.saveBases(still);
            }
            return null;
        });
    }

    private static boolean same(SyncBase stored, SyncBase saved) {
        return stored != null && saved != null && stored.fields().equals(saved.fields())
                && stored.pending().equals(saved.pending()) && Objects.equals(stored.marketingId(), saved.marketingId())
                && stored.syncedAt().toEpochMilli() == saved.syncedAt().toEpochMilli();
    }

    @Override
    public Optional<Checkpoint> checkpoint(ObjectType type) {
        return state.checkpoint(type);
    }

    @Override
    public void saveCheckpoint(Checkpoint checkpoint) {
        fenced(() -> state.saveCheckpoint(checkpoint));
    }

    @Override
    public void deleteCheckpoint(ObjectType type) {
        fenced(() -> state.deleteCheckpoint(type));
    }

    @Override
    public void saveFailure(FailedRecord failure) {
        fenced(() -> state.saveFailure(failure));
    }

    @Override
    public Optional<FailedRecord> failure(ObjectType type, RecordKey key, SyncSide target) {
        return state.failure(type, key, target);
    }

    @Override
    public List<FailedRecord> retryQueue(ObjectType type, SyncSide target, int limit) {
        return state.retryQueue(type, target, limit);
    }

    @Override
    public List<FailedRecord> parkedFailures() {
        return state.parkedFailures();
    }

    @Override
    public void deleteFailure(ObjectType type, RecordKey key, SyncSide target) {
        fenced(() -> state.deleteFailure(type, key, target));
    }

    @Override
    public void saveIntent(EngineIntent intent) {
        fenced(() -> state.saveIntent(intent));
    }

    @Override
    public Optional<EngineIntent> intent(ObjectType type, RecordKey key, EngineIntent.Kind kind) {
        return state.intent(type, key, kind);
    }

    @Override
    public List<EngineIntent> intents(ObjectType type, EngineIntent.Kind kind, int limit) {
        return state.intents(type, kind, limit);
    }

    @Override
    public void deleteIntent(ObjectType type, RecordKey key, EngineIntent.Kind kind) {
        fenced(() -> state.deleteIntent(type, key, kind));
    }

    @Override
    public Map<CrmId, SyncBase> bases(ObjectType type, Collection<CrmId> crmIds) {
        return state.bases(type, crmIds);
    }

    @Override
    public Optional<SyncBase> baseByMarketingId(ObjectType type, String marketingId) {
        return state.baseByMarketingId(type, marketingId);
    }

    @Override
    public void saveBases(Collection<SyncBase> bases) {
        fenced(() -> state.saveBases(bases));
    }

    @Override
    public void deleteBase(ObjectType type, CrmId crmId) {
        fenced(() -> state.deleteBase(type, crmId));
    }

    @Override
    public void parkConflict(ParkedConflict conflict) {
        fenced(() -> state.parkConflict(conflict));
    }

    @Override
    public List<ParkedConflict> parkedConflicts() {
        return state.parkedConflicts();
    }

    @Override
    public void deleteConflict(ObjectType type, CrmId crmId, String field) {
        fenced(() -> state.deleteConflict(type, crmId, field));
    }

    @Override
    public LeaseAttempt tryAcquireLease(String name, String owner, String instance, Duration ttl) {
        return state.tryAcquireLease(name, owner, instance, ttl);
    }

    @Override
    public Optional<Lease> renewLease(Lease lease, Duration ttl) {
        return state.renewLease(lease, ttl);
    }

    @Override
    public void releaseLease(Lease lease) {
        state.releaseLease(lease);
    }

    @Override
    public boolean holdsLease(Lease lease) {
        return state.holdsLease(lease);
    }
}
