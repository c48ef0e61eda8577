package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.IdCursor;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.PersonActivity;
import dev.crmsync.store.PersonActivity.Kind;
import dev.crmsync.store.SyncStateStore;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.testkit.fault.InstrumentedStores;
import dev.crmsync.testkit.fault.InstrumentedSyncStateStore;
import dev.crmsync.testkit.fault.StoreOperation;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The engine's activity history over the JDBC stores: a page's activities commit in the transaction
 * of its records and checkpoint (a cycle that dies before its checkpoint leaves none; the rerun
 * writes each once), and an Account change reaches its contacts through the typed
 * {@code AccountId} column. Run per dialect by its subclasses.
 */
abstract class ActivityHistoryBehaviour {

    private static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");

    /** @return a data source on an empty database (or schema) */
    protected abstract DataSource emptyDatabase();

    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(5).build();

    private SyncEngine engine(MarketingStore store, SyncStateStore state, ObjectType... types) {
        return SyncEngine.builder().crmSource(crm).marketingStore(store).syncStateStore(state).clock(clock)
                .engineId("jdbc-activities").objectTypes(types).pageSize(2).storeBatchSize(2).build();
    }

    private static long rows(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM crmsync_activity")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<Kind> kinds(JdbcStores stores, ObjectType type, CrmId id) {
        String mid = stores.marketingStore().findByCrmIds(type, List.of(id)).get(id).marketingId();
        return stores.marketingStore().history(type, mid, null, 100).activities().stream().map(PersonActivity::kind)
                .toList();
    }

    @Test
    void aPagesActivitiesCommitWithItsRecordsSoACrashedCycleRunAgainWritesEachOnce() throws SQLException {
        DataSource ds = emptyDatabase();
        JdbcStores stores = TestDatabases.stores(ds).clock(clock).build();
        List<CrmId> leads = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            leads.add(crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("L" + i), "Company",
                    FieldValue.text("Acme"))));
        }
        clock.advance(Duration.ofSeconds(1));
        InstrumentedSyncStateStore dying = InstrumentedStores.create().state(stores.syncStateStore());
        dying.faults().failNext(StoreOperation.SAVE_CHECKPOINT, 1, Fault.crash());
        try (SyncEngine e = engine(stores.marketingStore(), dying, ObjectType.LEAD)) {
            assertFalse(e.runCycle().isComplete(), "the crash at the first checkpoint fails the type");
        }
        assertEquals(1, dying.faults().injectedCount());
        int held = stores.marketingStore().crmIds(ObjectType.LEAD, IdCursor.START, 100).size();
        assertTrue(held < leads.size(), "the crash rolled a page back (" + held + " leads held)");
        assertEquals(held, rows(ds), "an activity for each lead committed, none for those rolled back");
        clock.advance(Duration.ofSeconds(1));
        try (SyncEngine e = engine(stores.marketingStore(), stores.syncStateStore(), ObjectType.LEAD)) {
            assertTrue(e.runCycle().isComplete());
            clock.advance(Duration.ofSeconds(1));
            assertTrue(e.runCycle().isComplete());
        }
        for (CrmId l : leads) {
            assertEquals(List.of(Kind.CREATED_FROM_CRM), kinds(stores, ObjectType.LEAD, l));
        }
        assertEquals(leads.size(), rows(ds));
        clock.advance(Duration.ofMinutes(1));
        crm.update(ObjectType.LEAD, leads.get(0), Map.of("Title", FieldValue.text("CEO")));
        try (SyncEngine e = engine(stores.marketingStore(), stores.syncStateStore(), ObjectType.LEAD)) {
            assertTrue(e.runCycle().isComplete());
            String mid = stores.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(leads.get(0))).get(leads.get(0))
                    .marketingId();
            PersonActivity top = e.history(ObjectType.LEAD, mid, null, 10).activities().get(0);
            assertEquals(Kind.UPDATED_FROM_CRM, top.kind());
            assertEquals(List.of("Title"), top.fields());
        }
    }

    @Test
    void anAccountChangeReachesItsContactsThroughTheirAccountIdColumn() {
        JdbcStores stores = TestDatabases.stores(emptyDatabase()).clock(clock).build();
        CrmId account = crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Acme")));
        CrmId other = crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Other")));
        List<CrmId> contacts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            contacts.add(crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("C" + i), "AccountId",
                    FieldValue.ref(i < 2 ? account : other))));
        }
        clock.advance(Duration.ofSeconds(1));
        try (SyncEngine e = engine(stores.marketingStore(), stores.syncStateStore(), ObjectType.ACCOUNT,
                ObjectType.CONTACT)) {
            assertTrue(e.runCycle().isComplete());
            clock.advance(Duration.ofMinutes(1));
            crm.update(ObjectType.ACCOUNT, account, Map.of("Industry", FieldValue.text("Banking")));
            assertTrue(e.runCycle().isComplete());
        }
        assertEquals(List.of(Kind.ACCOUNT_CHANGED, Kind.CREATED_FROM_CRM), kinds(stores, ObjectType.CONTACT, contacts.get(0)));
        assertEquals(List.of(Kind.ACCOUNT_CHANGED, Kind.CREATED_FROM_CRM), kinds(stores, ObjectType.CONTACT, contacts.get(1)));
        assertEquals(List.of(Kind.CREATED_FROM_CRM), kinds(stores, ObjectType.CONTACT, contacts.get(2)));
    }
}
