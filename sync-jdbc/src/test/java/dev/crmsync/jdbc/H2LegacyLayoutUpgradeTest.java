package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.ChangePage;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.RecordKey;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** {@link LegacyLayoutUpgradeTest} on embedded H2, and a row of the old layout no code can read. */
class H2LegacyLayoutUpgradeTest extends LegacyLayoutUpgradeTest {
    @Override
    protected DataSource emptyDatabase() {
        return TestDatabases.freshH2();
    }

    @Override
    protected SqlDialect dialect() {
        return SqlDialect.H2;
    }

    @Test
    void aRowWhoseFieldsAreNotTheOldJsonMovesAsWrittenAndIsReportedUnreadableNamingItsKeyAndColumn() throws Exception {
        DataSource ds = emptyDatabase();
        oldSchema(ds);
        Instant t = Instant.parse("2024-03-01T09:00:00Z");
        CrmId good = CrmId.of("00Q000000000001");
        CrmId bad = CrmId.of("00Q000000000002");
        oldRecord(ds, 1, ObjectType.LEAD, good, Map.of("LastName", FieldValue.text("Doe")), false, t, t, 1);
        oldRecord(ds, 2, ObjectType.LEAD, bad, Map.of("LastName", FieldValue.text("Poe")), false, t, t, 2);
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("UPDATE crmsync_record SET fields = '{not json' WHERE marketing_id = 2");   // a host's SQL, long ago
        }
        JdbcStores stores = TestDatabases.stores(ds).build();
        assertEquals(List.of("0"), column(ds, "SELECT COUNT(*) FROM crmsync_record"), "both moved: nothing lost");
        assertEquals(List.of("{not json"), column(ds, "SELECT _other FROM salesforce.lead WHERE _marketing_id = 2"),
                "kept as written");
        assertEquals(Map.of("LastName", FieldValue.text("Doe")),
                stores.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(good, bad)).get(good).fields());
        assertTrue(!stores.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(bad)).containsKey(bad),
                "lookups leave the unreadable row out");
        ChangePage page = stores.marketingStore().changesSince(ObjectType.LEAD, FeedCursor.START, 10);
        assertEquals(1, page.unreadable().size(), page::toString);
        assertEquals(RecordKey.crm(bad), page.unreadable().get(0).key());
        assertEquals("_other", page.unreadable().get(0).column());
    }

    @Test
    void aMoveThatFailsMidwayLeavesEachRowInOneTableAndTheNextBuildResumes() throws Exception {
        DataSource ds = emptyDatabase();
        oldSchema(ds);
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO crmsync_record (marketing_id, object_type, crm_id, fields, crm_deleted, crm_modstamp,"
                    + " local_modstamp, change_seq) SELECT X, 'Account', NULL, '{\"Name\":[\"t\",\"A' || X || '\"]}', FALSE,"
                    + " TIMESTAMP WITH TIME ZONE '2024-03-01 09:00:00+00', TIMESTAMP WITH TIME ZONE '2024-03-01 09:00:00+00', 0"
                    + " FROM SYSTEM_RANGE(1, 1200)");
        }
        java.util.concurrent.atomic.AtomicInteger deletes = new java.util.concurrent.atomic.AtomicInteger();
        DataSource failing = failingOnSecondPageDelete(ds, deletes);
        try {
            TestDatabases.stores(failing).build();
            throw new AssertionError("the move should have failed");
        } catch (dev.crmsync.model.SyncException expected) {
            // the second page's transaction rolled back
        }
        assertEquals(List.of("700"), column(ds, "SELECT COUNT(*) FROM crmsync_record"), "the first page moved, the second did not");
        assertEquals(List.of("500"), column(ds, "SELECT COUNT(*) FROM salesforce.account"));
        assertEquals(List.of("0"), column(ds, "SELECT COUNT(*) FROM salesforce.account a JOIN crmsync_record r"
                + " ON r.marketing_id = a._marketing_id"), "no row in both");
        TestDatabases.stores(ds).build();
        assertEquals(List.of("0"), column(ds, "SELECT COUNT(*) FROM crmsync_record"));
        assertEquals(List.of("1200|1|1200"), column(ds, "SELECT COUNT(*) || '|' || MIN(_marketing_id) || '|' || MAX(_marketing_id)"
                + " FROM salesforce.account"));
    }

    /** A data source whose second {@code DELETE FROM crmsync_record} statement fails. */
    private static DataSource failingOnSecondPageDelete(DataSource ds, java.util.concurrent.atomic.AtomicInteger deletes) {
        return (DataSource) java.lang.reflect.Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (p, m, a) -> {
                    Object out = m.invoke(ds, a);
                    if (!(out instanceof Connection c)) {
                        return out;
                    }
                    return java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (p2, m2, a2) -> {
                                if (m2.getName().equals("prepareStatement") && a2 != null && a2[0] instanceof String sql
                                        && sql.startsWith("DELETE FROM crmsync_record") && deletes.incrementAndGet() == 2) {
                                    throw new java.sql.SQLException("injected: the database went away");
                                }
                                try {
                                    return m2.invoke(c, a2);
                                } catch (java.lang.reflect.InvocationTargetException e) {
                                    throw e.getCause();
                                }
                            });
                });
    }
}
