package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.StoreResult;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A host that runs Flyway applies the engine's migration scripts from this jar unchanged
 * ({@code classpath:dev/crmsync/jdbc/migration/<dialect>}, Flyway's own history table), builds the
 * stores with {@code migrate(false)}, and they work: the schema version is read from the tables
 * the scripts made.
 */
class FlywayAppliesTheScriptsTest {

    @RegisterExtension
    static final TestDatabases.PostgresSchema PG = new TestDatabases.PostgresSchema();

    @Test
    void flywayAppliesTheH2ScriptsUnchangedAndTheStoresWorkWithoutTheBuiltInRunner() throws Exception {
        check(TestDatabases.freshH2(), SqlDialect.H2);
    }

    @Test
    void flywayAppliesThePostgresqlScriptsUnchangedAndTheStoresWorkWithoutTheBuiltInRunner() throws Exception {
        check(PG.get().dataSource(), SqlDialect.POSTGRESQL);
    }

    private static void check(DataSource ds, SqlDialect dialect) throws Exception {
        MigrateResult result = Flyway.configure().dataSource(ds)
                .locations("classpath:dev/crmsync/jdbc/migration/" + dialect.folder())
                .load().migrate();
        assertTrue(result.success);
        assertEquals(JdbcStores.latestSchemaVersion(), result.migrationsExecuted, "every script, as shipped");
        assertEquals(Integer.toString(JdbcStores.latestSchemaVersion()), result.targetSchemaVersion);

        JdbcStores stores = TestDatabases.stores(ds).migrate(false).build();
        assertEquals(JdbcStores.latestSchemaVersion(), stores.schemaVersion(), "read from the tables Flyway made");
        CrmId id = CrmId.of("00Q000000000001");
        List<StoreResult> out = stores.syncStateStore().inTransaction(() -> stores.marketingStore().upsert(ObjectType.LEAD,
                List.of(new SyncRecord(ObjectType.LEAD, id, Map.of("LastName", FieldValue.text("Doe")),
                        Instant.parse("2024-03-01T09:00:00Z"), false))));
        assertTrue(out.get(0) instanceof StoreResult.Created, out::toString);
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM crmsync_lease")) {
            assertTrue(rs.next(), "the engine's tables are there");
        }
        // a second start finds nothing to do, with either tool
        assertEquals(0, Flyway.configure().dataSource(ds).locations("classpath:dev/crmsync/jdbc/migration/" + dialect.folder())
                .load().migrate().migrationsExecuted);
        assertEquals(JdbcStores.latestSchemaVersion(), TestDatabases.stores(ds).migrate(false).build().schemaVersion());
    }
}
