package dev.crmsync.testkit.fault;

import static dev.crmsync.testkit.fault.InstrumentedStores.size;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.ChangePage;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.GuardedUpsert;
import dev.crmsync.store.StoreResult;
import dev.crmsync.store.MarketingRecord;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The decorator of a {@link BidirectionalStore} (see {@link InstrumentedStores}): counts, logs and
 * faults every call, the change feed and the identity changes included.
 */
public class InstrumentedBidirectionalStore extends InstrumentedMarketingStore implements BidirectionalStore {

    private final BidirectionalStore bidi;

    InstrumentedBidirectionalStore(BidirectionalStore inner, InstrumentedStores kit) {
        super(inner, kit);
        this.bidi = inner;
    }

    @Override
    public BidirectionalStore inner() {
        return bidi;
    }

    @Override
    public Optional<MarketingRecord> findByMarketingId(ObjectType type, String marketingId) {
        return kit.call(StoreOperation.FIND_BY_MARKETING_ID, type, 1, () -> bidi.findByMarketingId(type, marketingId));
    }

    @Override
    public ChangePage changesSince(ObjectType type, FeedCursor cursor, int limit) {
        return kit.call(StoreOperation.CHANGES_SINCE, type, 0, () -> bidi.changesSince(type, cursor, limit));
    }

    /** Counted, logged and faulted as {@link StoreOperation#UPSERT}: it is the engine's upsert of a merge. */
    @Override
    public List<StoreResult> upsertIfUnchanged(ObjectType type, List<GuardedUpsert> writes) {
        return kit.call(StoreOperation.UPSERT, type, size(writes),
                () -> kit.batch(writes, w -> w.record().id(), rest -> bidi.upsertIfUnchanged(type, rest)));
    }

    @Override
    public void link(ObjectType type, String marketingId, CrmId crmId) {
        kit.run(StoreOperation.LINK, type, 1, () -> bidi.link(type, marketingId, crmId));
    }

    /** Not instrumented (a read the engine makes only when asked to link a campaign): passed through. */
    @Override
    public java.util.Optional<java.util.Set<String>> memberStatuses(String campaignMarketingId) {
        return bidi.memberStatuses(campaignMarketingId);
    }

    @Override
    public MarketingRecord merge(ObjectType type, CrmId survivor, Collection<CrmId> losers,
                                 Map<String, FieldValue> mergedFields) {
        return kit.call(StoreOperation.MERGE, type, size(losers), () -> bidi.merge(type, survivor, losers, mergedFields));
    }

    @Override
    public MarketingRecord relink(ObjectType fromType, CrmId fromId, ObjectType toType, CrmId toId,
                                  Map<String, FieldValue> fields) {
        return kit.call(StoreOperation.RELINK, toType, 1, () -> bidi.relink(fromType, fromId, toType, toId, fields));
    }
}
