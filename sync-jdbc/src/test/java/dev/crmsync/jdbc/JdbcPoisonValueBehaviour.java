package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.StoreField;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncSide;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A CRM value that passes the store's checks but that the database refuses (here a host's CHECK
 * constraint) fails the store's batch without naming a record: the engine narrows the batch down,
 * rejects that record naming its key, stores the rest, and the checkpoint moves (issue 10, defect 1,
 * the way in). Run on H2 and on PostgreSQL, where a failed statement would otherwise abort the
 * cycle's transaction.
 */
abstract class JdbcPoisonValueBehaviour {

    private static final String POISON = "poison";

    /** @return a data source on an empty database (or schema) */
    protected abstract DataSource emptyDatabase();

    private final ManualClock clock = new ManualClock(Instant.parse("2024-03-01T09:00:00Z"));
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(5).build();
    private JdbcStores stores;

    @BeforeEach
    void open() throws Exception {
        DataSource ds = emptyDatabase();
        stores = TestDatabases.stores(ds).clock(clock).build();
        for (ObjectType type : List.of(ObjectType.ACCOUNT, ObjectType.LEAD)) {
            String col = type.equals(ObjectType.LEAD) ? "LastName" : "Name";
            stores.marketingStore().prepareType(type, List.of(StoreField.of(col, StoreField.Kind.TEXT)));
            String table = stores.marketingStore().tableName(type);
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                c.setAutoCommit(true);
                st.execute("ALTER TABLE " + table + " ADD CONSTRAINT " + table.replace('.', '_') + "_no_poison CHECK ("
                        + col.toLowerCase(java.util.Locale.ROOT) + " NOT LIKE '%" + POISON + "%')");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Account", "Lead"})
    void aValueTheDatabaseRefusesRejectsThatRecordNeverTheType(String typeName) {
        ObjectType type = ObjectType.of(typeName);
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String name = i == 6 ? POISON + " Inc" : "Co " + i;
            ids.add(crm.insert(type, type.equals(ObjectType.LEAD)
                    ? Map.of("LastName", FieldValue.text(name), "Company", FieldValue.text("Acme"))
                    : Map.of("Name", FieldValue.text(name))));
        }
        CrmId bad = ids.get(6);
        try (SyncEngine engine = SyncEngine.builder().crmSource(crm).marketingStore(stores.marketingStore())
                .syncStateStore(stores.syncStateStore()).clock(clock).engineId("poison").objectTypes(List.of(type))
                .storeBatchSize(4).build()) {
            clock.advance(Duration.ofSeconds(1));
            SyncReport r = engine.runCycle();
            assertInstanceOf(TypeOutcome.Synced.class, r.type(type).orElseThrow().outcome(), r::toTable);
            assertEquals(1, r.totals().failed(), r::toTable);
            assertEquals(9, stores.marketingStore().findByCrmIds(type, ids).size(), "the rest is stored");
            assertFalse(stores.marketingStore().findByCrmIds(type, List.of(bad)).containsKey(bad));
            FailedRecord f = stores.syncStateStore().failure(type, RecordKey.crm(bad), SyncSide.MARKETING).orElseThrow();
            assertEquals("STORE_REFUSED", f.code());
            assertTrue(f.message().contains(bad.value()), f::message);
            assertFalse(f.message().contains(POISON), "the reason never quotes the value");

            // the checkpoint moved: a later CRM edit of another record arrives, the refused one waits
            crm.update(type, ids.get(0), Map.of(type.equals(ObjectType.LEAD) ? "Title" : "Phone",
                    FieldValue.text("later")));
            clock.advance(Duration.ofSeconds(1));
            SyncReport next = engine.runCycle();
            assertInstanceOf(TypeOutcome.Synced.class, next.type(type).orElseThrow().outcome(), next::toTable);
        }
        assertEquals(FieldValue.text("later"), stores.marketingStore().findByCrmIds(type, List.of(ids.get(0)))
                .get(ids.get(0)).get(type.equals(ObjectType.LEAD) ? "Title" : "Phone"));
    }
}
