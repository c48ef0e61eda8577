package dev.crmsync.testkit;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.Deletion;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.IdCursor;
import dev.crmsync.store.LocalWrites;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.StoreResult;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A view of a marketing store with none of its optional capabilities: only the
 * {@link MarketingStore} methods, so neither a {@link BidirectionalStore} nor a
 * {@link LocalWrites}. For tests of what an engine or a contract kit does with a store for
 * one-way types alone (a reporting mirror of the CRM, say). Every call goes to the wrapped store;
 * thread-safe when it is.
 */
public final class OneWayMarketingStore implements MarketingStore {

    private final MarketingStore delegate;

    /**
     * @param delegate the store whose one-way methods this view shows
     */
    public OneWayMarketingStore(MarketingStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public List<StoreResult> upsert(ObjectType type, List<SyncRecord> records) {
        return delegate.upsert(type, records);
    }

    @Override
    public List<StoreResult> markDeleted(ObjectType type, List<Deletion> deletions) {
        return delegate.markDeleted(type, deletions);
    }

    @Override
    public Map<CrmId, MarketingRecord> findByCrmIds(ObjectType type, Collection<CrmId> ids) {
        return delegate.findByCrmIds(type, ids);
    }

    @Override
    public List<CrmId> crmIds(ObjectType type, IdCursor after, int limit) {
        return delegate.crmIds(type, after, limit);
    }
}
