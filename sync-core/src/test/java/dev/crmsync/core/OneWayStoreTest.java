package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.fault.StoreOperation;
import dev.crmsync.testkit.OneWayMarketingStore;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A store with no optional capability (only {@code MarketingStore}): the engine syncs one-way
 * types with it, and refuses at {@code build()} a configuration that would need the change feed.
 */
class OneWayStoreTest {

    private final EngineHarness h = new EngineHarness();
    private final OneWayMarketingStore oneWay = new OneWayMarketingStore(h.store);

    private SyncEngine.Builder builder() {
        return h.builder().marketingStore(oneWay);
    }

    @Test
    void buildRefusesTheDefaultTypesWhichIncludeBidirectionalOnes() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder().build());
        assertTrue(e.getMessage().contains(OneWayMarketingStore.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains("not a BidirectionalStore"), e.getMessage());
        assertTrue(e.getMessage().contains("objectTypes(...)"), e.getMessage());
    }

    @Test
    void buildRefusesABidirectionalTypeNamingIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> builder().objectTypes(ObjectType.ACCOUNT, ObjectType.CONTACT).build());
        assertTrue(e.getMessage().contains("[Contact]"), e.getMessage());
        assertTrue(e.getMessage().contains("not a BidirectionalStore"), e.getMessage());
    }

    @Test
    void oneWayTypesSyncThroughTheRequiredMethodsAlone() {
        List<CrmId> ids = h.insertAccounts(6, "A");
        try (SyncEngine engine = builder().objectTypes(ObjectType.USER, ObjectType.ACCOUNT).build()) {
            SyncReport first = engine.runCycle();
            assertTrue(first.isComplete(), first::toTable);
            assertEquals(6, first.totals().created(), first::toTable);

            h.clock.advance(Duration.ofMinutes(1));
            h.crm.update(ObjectType.ACCOUNT, ids.get(0), Map.of("Name", FieldValue.text("Renamed")));
            h.crm.delete(ObjectType.ACCOUNT, ids.get(1));
            h.clock.advance(Duration.ofMinutes(1));
            SyncReport second = engine.runCycle();
            assertEquals(1, second.totals().updated(), second::toTable);
            assertEquals(1, second.totals().deleted(), second::toTable);

            // offline past the recycle bin: the id sets are reconciled through crmIds
            h.crm.delete(ObjectType.ACCOUNT, ids.get(2));
            h.clock.advance(Duration.ofDays(16));
            h.crm.purgeRecycleBin();
            SyncReport third = engine.runCycle();
            TypeReport accounts = third.type(ObjectType.ACCOUNT).orElseThrow();
            assertEquals(1, accounts.counts().deleted(), third::toTable);
            assertTrue(accounts.notes().stream().anyMatch(n -> n.contains("reconciled")), accounts.notes()::toString);
        }
        h.assertStoreMirrorsCrm(ObjectType.ACCOUNT);
        Set<StoreOperation> oneWayOps = EnumSet.of(StoreOperation.UPSERT, StoreOperation.MARK_DELETED,
                StoreOperation.FIND_BY_CRM_IDS, StoreOperation.CRM_IDS);
        assertTrue(oneWayOps.containsAll(h.store.log().counts().keySet()), () -> h.store.log().counts().toString());
        assertTrue(h.store.log().count(StoreOperation.CRM_IDS) >= 1, () -> h.store.log().counts().toString());
    }

    @Test
    void pushNowNeedsABidirectionalStore() {
        try (SyncEngine engine = builder().objectTypes(ObjectType.ACCOUNT).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> engine.pushNow("1"));
            assertTrue(e.getMessage().contains("BidirectionalStore"), e.getMessage());
        }
    }
}
