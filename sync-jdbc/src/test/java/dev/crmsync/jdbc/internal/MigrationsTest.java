package dev.crmsync.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.jdbc.JdbcStores;
import dev.crmsync.jdbc.SqlDialect;
import dev.crmsync.jdbc.TestDatabases;
import dev.crmsync.model.SyncException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class MigrationsTest {

    @Test
    void migratingTwiceAppliesEachScriptOnce() throws Exception {
        DataSource ds = TestDatabases.freshH2();
        assertEquals(Migrations.latestVersion(), Migrations.migrate(ds, SqlDialect.H2, Clock.systemUTC()));
        assertEquals(Migrations.latestVersion(), Migrations.migrate(ds, SqlDialect.H2, Clock.systemUTC()));
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT description FROM crmsync_schema_version ORDER BY version")) {
            java.util.List<String> applied = new java.util.ArrayList<>();
            while (rs.next()) {
                applied.add(rs.getString(1));
            }
            assertEquals(java.util.List.of("schema", "typed engine state", "lease instances", "activity history"), applied,
                    "each script once, in order");
        }
    }

    @Test
    void version3KeepsALeaseAVersion2EngineHeldAsHeldByAnInstanceNoLaterEngineHas() throws Exception {
        DataSource ds = TestDatabases.freshH2();
        assertEquals(2, Migrations.migrate(ds, SqlDialect.H2, Clock.systemUTC(), 2));
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO crmsync_lease (name, owner, fencing_token, expires_at) VALUES"
                    + " ('crmsync:Lead', 'old-engine', 7, TIMESTAMP WITH TIME ZONE '2999-01-01 00:00:00+00'),"
                    + " ('crmsync:Contact', NULL, 3, NULL)");
        }
        assertEquals(3, Migrations.migrate(ds, SqlDialect.H2, Clock.systemUTC(), 3));
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name, owner, instance, fencing_token, acquired_at IS NOT NULL"
                     + " FROM crmsync_lease ORDER BY name")) {
            assertTrue(rs.next());
            assertEquals("crmsync:Contact", rs.getString(1));
            assertEquals(null, rs.getString(3), "a free lease stays free");
            assertTrue(rs.next());
            assertEquals("old-engine", rs.getString(2));
            assertEquals("before-v3", rs.getString(3));
            assertEquals(7, rs.getLong(4), "the fencing token is kept");
            assertTrue(rs.getBoolean(5));
        }
    }

    @Test
    void buildWithoutMigrationOnAnEmptyDatabaseNamesTheMissingVersion() {
        SyncException e = assertThrows(SyncException.class,
                () -> TestDatabases.stores(TestDatabases.freshH2()).migrate(false).build());
        assertTrue(e.getMessage().contains("crmsync_schema_version") || e.getMessage().contains("version"), e.getMessage());
    }

    @Test
    void aSchemaNewerThanTheJarIsRefused() throws Exception {
        DataSource ds = TestDatabases.freshH2();
        TestDatabases.stores(ds).build();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO crmsync_schema_version VALUES (999, 'future', CURRENT_TIMESTAMP)");
        }
        SyncException e = assertThrows(SyncException.class, () -> TestDatabases.stores(ds).build());
        assertTrue(e.getMessage().contains("999"), e.getMessage());
    }

    @Test
    void dialectIsDetectedFromTheDatabase() {
        assertEquals(SqlDialect.H2, TestDatabases.stores(TestDatabases.freshH2()).build().dialect());
        assertThrows(IllegalArgumentException.class, () -> SqlDialect.fromProductName("Oracle"));
    }

    @Test
    void scriptsSplitIntoStatementsAtLineEndSemicolons() {
        List<String> st = Migrations.statements("-- c\nCREATE TABLE a (x INT);\n\nINSERT INTO a VALUES (1);\n-- end\n");
        assertEquals(List.of("CREATE TABLE a (x INT)", "INSERT INTO a VALUES (1)"), st);
    }

    @Test
    void everyDialectShipsEveryScript() {
        for (SqlDialect d : SqlDialect.values()) {
            for (String s : Migrations.SCRIPTS) {
                assertTrue(!Migrations.statements(Migrations.read(d, s)).isEmpty(), d + " " + s);
            }
            assertTrue(Migrations.read(d, "V1__schema.sql").contains("CREATE TABLE crmsync_record"), d + " V1");
            assertTrue(Migrations.read(d, "V2__typed_engine_state.sql").contains("CREATE TABLE crmsync_intent"), d + " V2");
        }
    }
}
