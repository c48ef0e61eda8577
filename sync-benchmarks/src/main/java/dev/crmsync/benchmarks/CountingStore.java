package dev.crmsync.benchmarks;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.Deletion;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.IdCursor;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.StoreResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A marketing store that keeps nothing and counts what it was given: every record is "created",
 * none is ever found. What a copy costs in the engine's and the adapter's own memory, with the store
 * out of the picture (in production it is a database, not the engine's heap).
 */
final class CountingStore implements MarketingStore {

    final AtomicLong upserted = new AtomicLong();
    final AtomicLong upsertCalls = new AtomicLong();
    final AtomicLong deleted = new AtomicLong();

    @Override
    public List<StoreResult> upsert(ObjectType type, List<SyncRecord> records) {
        upsertCalls.incrementAndGet();
        List<StoreResult> out = new ArrayList<>(records.size());
        for (SyncRecord r : records) {
            out.add(new StoreResult.Created(r.id(), r.id().value()));
        }
        upserted.addAndGet(records.size());
        return out;
    }

    @Override
    public List<StoreResult> markDeleted(ObjectType type, List<Deletion> deletions) {
        List<StoreResult> out = new ArrayList<>(deletions.size());
        for (Deletion d : deletions) {
            out.add(new StoreResult.Unchanged(d.crmId(), d.crmId().value()));
        }
        deleted.addAndGet(deletions.size());
        return out;
    }

    @Override
    public Map<CrmId, MarketingRecord> findByCrmIds(ObjectType type, Collection<CrmId> ids) {
        return Map.of();
    }

    @Override
    public List<CrmId> crmIds(ObjectType type, IdCursor after, int limit) {
        return List.of();
    }
}
