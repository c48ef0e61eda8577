package dev.crmsync.testkit.fault;

import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.LocalWrites;
import dev.crmsync.store.MarketingRecord;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The decorator of a store with every capability, {@link BidirectionalStore} and {@link LocalWrites}
 * (the in-memory and JDBC stores; see {@link InstrumentedStores}): the host's writes through it are
 * counted and faulted as {@link StoreOperation#SAVE_LOCAL}.
 */
public final class InstrumentedCompleteStore extends InstrumentedBidirectionalStore implements LocalWrites {

    private final LocalWrites local;

    InstrumentedCompleteStore(BidirectionalStore inner, InstrumentedStores kit) {
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
