package dev.crmsync.jdbc.internal;

import dev.crmsync.jdbc.SqlDialect;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The built-in schema migration runner. Versioned scripts ship in the jar under
 * {@code dev/crmsync/jdbc/migration/<dialect>/V<n>__<description>.sql}; the table
 * {@code crmsync_schema_version} records which ran. A version may add a Java step that converts
 * rows the SQL cannot (see {@link #STEPS}); it runs after the script, in the same transaction. Each
 * script runs in one transaction with its version row (atomic on PostgreSQL, whose DDL is transactional; H2 and
 * MariaDB commit DDL as it goes). On PostgreSQL the version table is locked while migrating, on
 * MariaDB a named lock ({@code GET_LOCK}) is held, so two hosts starting at once apply each script once.
 *
 * <p>Why not Flyway: one dependency less for every host ({@code sync-jdbc} needs {@code sync-api}
 * only, and Flyway brings its own JSON and TOML stack), and a handful of scripts per dialect need
 * sixty lines, not a framework. The scripts are written so that Flyway applies them unchanged
 * ({@code V<n>__<description>.sql}, plain SQL, no placeholders; {@code FlywayAppliesTheScriptsTest}
 * proves it): a host on Flyway (or Liquibase, or by hand) applies them with its own tooling and builds
 * the stores with {@code migrate(false)}; {@link #currentVersion} then reads the version from the
 * tables the scripts made. A Java step ({@link #STEPS}) converts rows of a database of an older
 * version and so only matters to an upgrade; such a database is upgraded by this runner once.
 */
public final class Migrations {

    /** The scripts, oldest first. Add new ones at the end; never edit a released one. */
    static final List<String> SCRIPTS = List.of("V1__schema.sql", "V2__typed_engine_state.sql",
            "V3__lease_instances.sql", "V4__activity_history.sql");

    /** Converts rows after a version's script, on its connection and in its transaction. */
    @FunctionalInterface
    interface Step {
        void run(Connection c, SqlDialect dialect) throws SQLException;
    }

    /** The Java steps, by script: version 2 parses what version 1 wrote as strings into typed columns. */
    static final Map<String, Step> STEPS = Map.of("V2__typed_engine_state.sql", TypedEngineState::convert);

    private Migrations() {
    }

    /** @return the newest schema version this jar knows */
    public static int latestVersion() {
        return version(SCRIPTS.get(SCRIPTS.size() - 1));
    }

    /**
     * Brings the schema up to {@link #latestVersion()}.
     *
     * @param dataSource the database
     * @param dialect its dialect
     * @param clock for the installation time
     * @return the schema version afterwards
     * @throws SQLException if a script fails (its transaction is rolled back where the database can)
     */
    public static int migrate(DataSource dataSource, SqlDialect dialect, Clock clock) throws SQLException {
        return migrate(dataSource, dialect, clock, latestVersion());
    }

    /**
     * Brings the schema up to a given version (tests of a migration start from an older one).
     *
     * @param dataSource the database
     * @param dialect its dialect
     * @param clock for the installation time
     * @param target the version to stop at, 1 to {@link #latestVersion()}
     * @return the schema version afterwards
     * @throws SQLException if a script fails (its transaction is rolled back where the database can)
     */
    public static int migrate(DataSource dataSource, SqlDialect dialect, Clock clock, int target) throws SQLException {
        if (target < 1 || target > latestVersion()) {
            throw new IllegalArgumentException("target must be 1 to " + latestVersion() + ", was " + target);
        }
        if (dialect == SqlDialect.H2) {
            // H2 has no lock that covers a script (its DDL commits apart): two stores built at once in this
            // JVM (two instances starting) migrate one after the other, the second finding the work done
            String url;
            try (Connection c = dataSource.getConnection()) {
                url = c.getMetaData().getURL();
            }
            synchronized (H2_MIGRATIONS.computeIfAbsent(url, u -> new Object())) {
                return migrateNow(dataSource, dialect, clock, target);
            }
        }
        return migrateNow(dataSource, dialect, clock, target);
    }

    /** One H2 migration at a time per database (by JDBC URL) in this JVM. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Object> H2_MIGRATIONS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static int migrateNow(DataSource dataSource, SqlDialect dialect, Clock clock, int target) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    if (dialect == SqlDialect.POSTGRESQL) {
                        // two hosts starting at once: PostgreSQL's CREATE … IF NOT EXISTS is not safe against a
                        // concurrent one (a unique violation in its catalog), so one at a time, until commit
                        st.execute("SELECT pg_advisory_xact_lock(hashtext('crmsync_migrate:' || current_schema()))");
                    }
                    st.execute("CREATE TABLE IF NOT EXISTS crmsync_schema_version ("
                            + "version INTEGER NOT NULL PRIMARY KEY, "
                            + "description VARCHAR(200) NOT NULL, "
                            + "installed_at " + (dialect == SqlDialect.MARIADB ? "DATETIME(6)" : "TIMESTAMP WITH TIME ZONE")
                            + " NOT NULL)" + (dialect == SqlDialect.MARIADB ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin" : ""));
                }
                c.commit();
                if (dialect == SqlDialect.MARIADB) {
                    // DDL commits at once on MariaDB, so a table lock cannot cover a script: a named lock
                    // (the connection's, released below) makes two hosts starting at once apply each script once
                    try (Statement st = c.createStatement();
                         ResultSet rs = st.executeQuery("SELECT GET_LOCK(CONCAT('crmsync_migrate.', DATABASE()), 60)")) {
                        if (!rs.next() || rs.getInt(1) != 1) {
                            throw new SQLException("another host held the crmsync migration lock for 60 s", "55P03");
                        }
                    }
                }
                int current = 0;
                for (String script : SCRIPTS) {
                    int v = version(script);
                    if (v > target) {
                        break;
                    }
                    if (dialect == SqlDialect.POSTGRESQL) {
                        try (Statement st = c.createStatement()) {
                            st.execute("LOCK TABLE crmsync_schema_version IN EXCLUSIVE MODE");
                        }
                    }
                    current = currentVersion(c);
                    if (v <= current) {
                        c.commit();
                        continue;
                    }
                    try (Statement st = c.createStatement()) {
                        for (String sql : statements(read(dialect, script))) {
                            st.execute(sql);
                        }
                    }
                    Step step = STEPS.get(script);
                    if (step != null) {
                        step.run(c, dialect);
                    }
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO crmsync_schema_version (version, description, installed_at) VALUES (?, ?, ?)")) {
                        ps.setInt(1, v);
                        ps.setString(2, description(script));
                        Database.setInstant(dialect, ps, 3, clock.instant());
                        ps.executeUpdate();
                    }
                    c.commit();
                    current = v;
                }
                return Math.max(current, currentVersion(c));
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                throw e;
            } finally {
                if (dialect == SqlDialect.MARIADB) {
                    try (Statement st = c.createStatement()) {
                        st.execute("DO RELEASE_LOCK(CONCAT('crmsync_migrate.', DATABASE()))");
                    }
                }
                c.setAutoCommit(auto);
            }
        }
    }

    /**
     * The schema version: the newest recorded in {@code crmsync_schema_version} by this runner, or,
     * when it recorded none (the scripts were applied by Flyway or by hand, whose history is their
     * own), the newest version whose tables and columns are all there ({@link #MARKERS}).
     *
     * @param c a connection in the engine tables' schema
     * @return the version, 0 when there are no crmsync tables
     * @throws SQLException on failure
     */
    public static int currentVersion(Connection c) throws SQLException {
        int recorded = 0;
        if (tableExists(c, "crmsync_schema_version")) {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM crmsync_schema_version")) {
                rs.next();
                recorded = rs.getInt(1);
            }
        }
        return recorded > 0 ? recorded : versionFromTables(c);
    }

    /**
     * What each version's script leaves behind that no earlier one does: a table, or a table and a
     * column ({@code table.column}). Add a marker with each new script.
     */
    static final List<String> MARKERS = List.of("crmsync_checkpoint", "crmsync_intent", "crmsync_lease.instance",
            "crmsync_activity");

    private static int versionFromTables(Connection c) throws SQLException {
        int v = 0;
        for (String marker : MARKERS) {
            int dot = marker.indexOf('.');
            boolean there = dot < 0 ? tableExists(c, marker) : columnExists(c, marker.substring(0, dot), marker.substring(dot + 1));
            if (!there) {
                break;
            }
            v++;
        }
        return v;
    }

    private static boolean tableExists(Connection c, String table) throws SQLException {
        String schema = c.getSchema();
        for (String name : new String[] {table, table.toUpperCase(java.util.Locale.ROOT)}) {
            try (ResultSet rs = c.getMetaData().getTables(c.getCatalog(), schema, name, new String[] {"TABLE"})) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean columnExists(Connection c, String table, String column) throws SQLException {
        String schema = c.getSchema();
        for (boolean upper : new boolean[] {false, true}) {
            String t = upper ? table.toUpperCase(java.util.Locale.ROOT) : table;
            String col = upper ? column.toUpperCase(java.util.Locale.ROOT) : column;
            try (ResultSet rs = c.getMetaData().getColumns(c.getCatalog(), schema, t, col)) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    static int version(String script) {
        return Integer.parseInt(script.substring(1, script.indexOf("__")));
    }

    static String description(String script) {
        return script.substring(script.indexOf("__") + 2, script.length() - 4).replace('_', ' ');
    }

    static String read(SqlDialect dialect, String script) {
        String path = "/dev/crmsync/jdbc/migration/" + dialect.folder() + "/" + script;
        try (InputStream in = Migrations.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("migration script missing from the jar: " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migration script " + path, e);
        }
    }

    /** Splits a script into statements: {@code --} comment lines dropped, a {@code ;} ends a statement at a line's end. */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : script.split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("--")) {
                continue;
            }
            cur.append(line).append('\n');
            if (t.endsWith(";")) {
                String sql = cur.toString().strip();
                out.add(sql.substring(0, sql.length() - 1));
                cur.setLength(0);
            }
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString().strip());
        }
        return out;
    }
}
