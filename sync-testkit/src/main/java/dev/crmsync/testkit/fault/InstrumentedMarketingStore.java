package dev.crmsync.testkit.fault;

import static dev.crmsync.testkit.fault.InstrumentedStores.size;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.Deletion;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.IdCursor;
import dev.crmsync.store.LocalWrites;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.StoreResult;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A {@link MarketingStore} that counts, logs and faults every call before passing it to the store it
 * wraps (see {@link InstrumentedStores}, which makes them). Its subclasses add the capabilities of
 * the wrapped store: {@link InstrumentedBidirectionalStore}, {@link InstrumentedCompleteStore}.
 */
public class InstrumentedMarketingStore extends StoreDecorator<MarketingStore> implements MarketingStore {

    InstrumentedMarketingStore(MarketingStore inner, InstrumentedStores kit) {
        super(inner, kit);
    }

    @Override
    public List<StoreResult> upsert(ObjectType type, List<SyncRecord> records) {
        return kit.call(StoreOperation.UPSERT, type, size(records),
                () -> kit.batch(records, SyncRecord::id, rest -> inner().upsert(type, rest)));
    }

    @Override
    public List<StoreResult> markDeleted(ObjectType type, List<Deletion> deletions) {
        return kit.call(StoreOperation.MARK_DELETED, type, size(deletions),
                () -> kit.batch(deletions, Deletion::crmId, rest -> inner().markDeleted(type, rest)));
    }

    @Override
    public Map<CrmId, MarketingRecord> findByCrmIds(ObjectType type, Collection<CrmId> ids) {
        return kit.call(StoreOperation.FIND_BY_CRM_IDS, type, size(ids), () -> inner().findByCrmIds(type, ids));
    }

    @Override
    public List<CrmId> crmIds(ObjectType type, IdCursor after, int limit) {
        return kit.call(StoreOperation.CRM_IDS, type, 0, () -> inner().crmIds(type, after, limit));
    }

    /** The host-write path shared by the decorators that are a {@link LocalWrites}. */
    final MarketingRecord saveLocal(LocalWrites target, ObjectType type, @Nullable String marketingId,
                                    Map<String, FieldValue> fields) {
        return kit.call(StoreOperation.SAVE_LOCAL, type, size(fields), () -> target.saveLocal(type, marketingId, fields));
    }

    /** The host-delete path shared by the decorators that are a {@link LocalWrites}. */
    final boolean deleteLocal(LocalWrites target, ObjectType type, String marketingId) {
        return kit.call(StoreOperation.DELETE_LOCAL, type, 1, () -> target.deleteLocal(type, marketingId));
    }

    /** The decorator of a one-way store that takes host writes. */
    static final class WithLocalWrites extends InstrumentedMarketingStore implements LocalWrites {
        private final LocalWrites local;

        WithLocalWrites(MarketingStore inner, InstrumentedStores kit) {
            super(inner, kit);
            this.local = (LocalWrites) inner;
        }

        @Override
        public MarketingRecord saveLocal(ObjectType type, @Nullable String marketingId, Map<String, FieldValue> fields) {
            return saveLocal(local, type, marketingId, fields);
        }

        @Override
        public boolean deleteLocal(ObjectType type, String marketingId) {
            return deleteLocal(local, type, marketingId);
        }
    }
}
