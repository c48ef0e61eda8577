package dev.crmsync.testkit.fault;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.LocalWrites;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.testkit.OneWayMarketingStore;
import org.junit.jupiter.api.Test;

/** A decorator has exactly the capabilities of the store it wraps. */
class InstrumentedStoresTest {

    private final InstrumentedStores kit = InstrumentedStores.create();

    @Test
    void aCompleteStoreStaysBidirectionalAndTakesHostWrites() {
        MarketingStore s = kit.marketing(new InMemoryMarketingStore());
        assertInstanceOf(BidirectionalStore.class, s);
        assertInstanceOf(LocalWrites.class, s);
        assertInstanceOf(LocalWrites.class, kit.bidirectional(new InMemoryMarketingStore()));
    }

    @Test
    void aOneWayStoreStaysOneWay() {
        InMemoryMarketingStore inner = new InMemoryMarketingStore();
        InstrumentedMarketingStore s = kit.marketing(new OneWayMarketingStore(inner));
        assertFalse(s instanceof BidirectionalStore);
        assertFalse(s instanceof LocalWrites);
    }

    @Test
    void aOneWayStoreWithHostWritesKeepsThem() {
        MarketingStore oneWayWithHostWrites = new LocalOneWay(new InMemoryMarketingStore());
        InstrumentedMarketingStore s = kit.marketing(oneWayWithHostWrites);
        assertFalse(s instanceof BidirectionalStore);
        assertTrue(s instanceof LocalWrites);
        assertSame(oneWayWithHostWrites, s.inner());
    }

    @Test
    void nullStoresAreRefusedByName() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> kit.state(null));
        assertTrue(e.getMessage().contains("store"));
    }

    /** A one-way store that takes host writes (delegating to an in-memory store). */
    private static final class LocalOneWay implements MarketingStore, LocalWrites {
        private final InMemoryMarketingStore inner;

        LocalOneWay(InMemoryMarketingStore inner) {
            this.inner = inner;
        }

        @Override
        public java.util.List<dev.crmsync.store.StoreResult> upsert(dev.crmsync.model.ObjectType type,
                java.util.List<dev.crmsync.model.SyncRecord> records) {
            return inner.upsert(type, records);
        }

        @Override
        public java.util.List<dev.crmsync.store.StoreResult> markDeleted(dev.crmsync.model.ObjectType type,
                java.util.List<dev.crmsync.model.Deletion> deletions) {
            return inner.markDeleted(type, deletions);
        }

        @Override
        public java.util.Map<dev.crmsync.model.CrmId, dev.crmsync.store.MarketingRecord> findByCrmIds(
                dev.crmsync.model.ObjectType type, java.util.Collection<dev.crmsync.model.CrmId> ids) {
            return inner.findByCrmIds(type, ids);
        }

        @Override
        public java.util.List<dev.crmsync.model.CrmId> crmIds(dev.crmsync.model.ObjectType type,
                dev.crmsync.store.IdCursor after, int limit) {
            return inner.crmIds(type, after, limit);
        }

        @Override
        public dev.crmsync.store.MarketingRecord saveLocal(dev.crmsync.model.ObjectType type,
                @org.jspecify.annotations.Nullable String marketingId,
                java.util.Map<String, dev.crmsync.model.FieldValue> fields) {
            return inner.saveLocal(type, marketingId, fields);
        }
    }
}
