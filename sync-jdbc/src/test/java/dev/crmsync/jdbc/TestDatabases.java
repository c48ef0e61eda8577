package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Databases for the tests. H2 always (a fresh in-memory database per call). PostgreSQL when the
 * environment variable {@value #PG_URL_VARIABLE} names a server, in a fresh schema per test class;
 * when it is unset the PostgreSQL tests are skipped with a message naming the variable — or fail,
 * when the system property {@value #PG_REQUIRED_PROPERTY} is {@code true} (CI sets it). MariaDB
 * likewise, with {@value #MARIADB_URL_VARIABLE} and {@value #MARIADB_REQUIRED_PROPERTY}, in a
 * database of its own per test class ({@code crmsync_t_<random>}, created and dropped by the class).
 */
public final class TestDatabases {

    /** The environment variable holding the PostgreSQL JDBC URL, e.g. {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}. */
    public static final String PG_URL_VARIABLE = "CRMSYNC_PG_URL";

    /** The system property that turns a skipped PostgreSQL test into a failure. */
    public static final String PG_REQUIRED_PROPERTY = "crmsync.pg.required";

    /** The environment variable holding the MariaDB JDBC URL, e.g. {@code jdbc:mariadb://127.0.0.1:3306/test?user=root&sslMode=disable}. */
    public static final String MARIADB_URL_VARIABLE = "CRMSYNC_MARIADB_URL";

    /** The system property that turns a skipped MariaDB test into a failure. */
    public static final String MARIADB_REQUIRED_PROPERTY = "crmsync.mariadb.required";

    private static final AtomicInteger H2_COUNTER = new AtomicInteger();

    private TestDatabases() {
    }

    /** @return a new, empty in-memory H2 database (kept until the JVM exits) */
    public static DataSource freshH2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:crmsync_" + H2_COUNTER.incrementAndGet() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
        return ds;
    }

    /**
     * A stores builder whose marketing tables live where the data source's engine tables do on
     * PostgreSQL (the test's own schema, so parallel runs never share {@code salesforce}), and in
     * the default schema on H2 (a fresh database each time).
     *
     * @param ds a data source from this class
     * @return the builder
     */
    public static JdbcStores.Builder stores(DataSource ds) {
        JdbcStores.Builder b = JdbcStores.builder(ds);
        try (Connection c = ds.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            if (product.contains("postgres") || product.contains("mariadb")) {
                try (Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(
                        product.contains("postgres") ? "SELECT current_schema()" : "SELECT DATABASE()")) {
                    rs.next();
                    b.schema(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the test database's schema", e);
        }
        return b;
    }

    /** @return true when {@value #PG_URL_VARIABLE} is set */
    public static boolean postgresConfigured() {
        String url = System.getenv(PG_URL_VARIABLE);
        return url != null && !url.isBlank();
    }

    /**
     * @return the PostgreSQL URL from the environment
     * @throws org.opentest4j.TestAbortedException (skips the test) when it is unset and not required
     */
    public static String requirePostgresUrl() {
        String url = System.getenv(PG_URL_VARIABLE);
        if (url == null || url.isBlank()) {
            String msg = "PostgreSQL tests skipped: set the environment variable " + PG_URL_VARIABLE
                    + " (e.g. jdbc:postgresql://127.0.0.1:5432/test?user=postgres) to run them";
            if (Boolean.getBoolean(PG_REQUIRED_PROPERTY)) {
                fail(msg.replace("skipped", "required (-D" + PG_REQUIRED_PROPERTY + "=true) but not configured"));
            }
            Assumptions.abort(msg);
        }
        return url;
    }

    /**
     * Gives a test class a PostgreSQL schema of its own: created before its tests, dropped after
     * them. Without {@value #PG_URL_VARIABLE} nothing is created, and each test that asks for the
     * schema is skipped with a message (or fails, when {@value #PG_REQUIRED_PROPERTY} is set).
     * Register it as {@code @RegisterExtension static final TestDatabases.PostgresSchema PG = new TestDatabases.PostgresSchema();}.
     */
    public static final class PostgresSchema implements BeforeAllCallback, AfterAllCallback {
        private PgSchema schema;

        @Override
        public void beforeAll(ExtensionContext context) {
            if (postgresConfigured()) {
                schema = PgSchema.create();
            }
        }

        @Override
        public void afterAll(ExtensionContext context) {
            if (schema != null) {
                schema.close();
                schema = null;
            }
        }

        /** @return the class's schema, as the previous test left it (skips the test without PostgreSQL) */
        public PgSchema get() {
            requirePostgresUrl();
            return schema;
        }

        /** @return the class's schema with every crmsync table emptied (skips the test without PostgreSQL) */
        public DataSource empty() {
            PgSchema s = get();
            s.truncate();
            return s.dataSource();
        }
    }

    /** A schema of its own on the PostgreSQL server, dropped by {@link #close()}. */
    public static final class PgSchema implements AutoCloseable {
        private final String url;
        private final String schema;
        private final ReusedConnectionDataSource pool;

        private PgSchema(String url, String schema) {
            this.url = url;
            this.schema = schema;
            PGSimpleDataSource ds = plain(url);
            ds.setCurrentSchema(schema);
            this.pool = new ReusedConnectionDataSource(ds);
        }

        /** @return a new schema named {@code crmsync_test_<random>} */
        public static PgSchema create() {
            String url = requirePostgresUrl();
            String schema = "crmsync_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                    .toLowerCase(Locale.ROOT);
            PgSchema s = new PgSchema(url, schema);
            s.exec(plain(url), "CREATE SCHEMA " + schema);
            return s;
        }

        /** @return a data source whose connections work in this schema (kept open and reused, as a host's pool would) */
        public DataSource dataSource() {
            return pool;
        }

        /** @return a data source opening a new connection each time, in this schema */
        public PGSimpleDataSource unpooledDataSource() {
            PGSimpleDataSource ds = plain(url);
            ds.setCurrentSchema(schema);
            return ds;
        }

        /** @return the schema's name */
        public String name() {
            return schema;
        }

        /** Empties every crmsync table of the schema (the schema and its version row stay). */
        public void truncate() {
            exec(dataSource(), "DO $$ DECLARE t record; BEGIN IF to_regclass('crmsync_record') IS NOT NULL THEN"
                    + " TRUNCATE crmsync_record, crmsync_checkpoint, crmsync_failure, crmsync_base, crmsync_conflict,"
                    + " crmsync_lease; UPDATE crmsync_change_counter SET last_seq = 0; END IF;"
                    + " IF to_regclass('crmsync_intent') IS NOT NULL THEN TRUNCATE crmsync_intent; END IF;"
                    + " IF to_regclass('crmsync_activity') IS NOT NULL THEN TRUNCATE crmsync_activity; END IF;"
                    + " IF to_regclass('crmsync_table') IS NOT NULL THEN"
                    + " FOR t IN SELECT table_name FROM crmsync_table LOOP EXECUTE 'DROP TABLE IF EXISTS ' || quote_ident(t.table_name); END LOOP;"
                    + " DELETE FROM crmsync_table; DELETE FROM crmsync_column; END IF;"
                    + " IF to_regclass('crmsync_program_status') IS NOT NULL THEN DELETE FROM crmsync_program_status; END IF; END $$");
        }

        @Override
        public void close() {
            try {
                pool.close();
            } catch (SQLException e) {
                // dropping the schema below still cleans up
            }
            exec(plain(url), "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }

        private void exec(DataSource ds, String sql) {
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException("PostgreSQL setup failed: " + sql, e);
            }
        }

        private static PGSimpleDataSource plain(String url) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(url);
            return ds;
        }
    }

    /** @return true when {@value #MARIADB_URL_VARIABLE} is set */
    public static boolean mariaDbConfigured() {
        String url = System.getenv(MARIADB_URL_VARIABLE);
        return url != null && !url.isBlank();
    }

    /**
     * @return the MariaDB URL from the environment
     * @throws org.opentest4j.TestAbortedException (skips the test) when it is unset and not required
     */
    public static String requireMariaDbUrl() {
        String url = System.getenv(MARIADB_URL_VARIABLE);
        if (url == null || url.isBlank()) {
            String msg = "MariaDB tests skipped: set the environment variable " + MARIADB_URL_VARIABLE
                    + " (e.g. jdbc:mariadb://127.0.0.1:3306/test?user=root&sslMode=disable) to run them";
            if (Boolean.getBoolean(MARIADB_REQUIRED_PROPERTY)) {
                fail(msg.replace("skipped", "required (-D" + MARIADB_REQUIRED_PROPERTY + "=true) but not configured"));
            }
            Assumptions.abort(msg);
        }
        return url;
    }

    /**
     * Gives a test class a MariaDB database of its own: created before its tests, dropped after
     * them. Without {@value #MARIADB_URL_VARIABLE} nothing is created, and each test that asks for it
     * is skipped with a message (or fails, when {@value #MARIADB_REQUIRED_PROPERTY} is set).
     */
    public static final class MariaDbDatabase implements BeforeAllCallback, AfterAllCallback {
        private MariaDb db;

        @Override
        public void beforeAll(ExtensionContext context) {
            if (mariaDbConfigured()) {
                db = MariaDb.create();
            }
        }

        @Override
        public void afterAll(ExtensionContext context) {
            if (db != null) {
                db.close();
                db = null;
            }
        }

        /** @return the class's database, as the previous test left it (skips the test without MariaDB) */
        public MariaDb get() {
            requireMariaDbUrl();
            return db;
        }

        /** @return the class's database with every table dropped (skips the test without MariaDB) */
        public DataSource empty() {
            MariaDb d = get();
            d.dropAll();
            return d.dataSource();
        }
    }

    /** A database of its own on the MariaDB server, dropped by {@link #close()}. */
    public static final class MariaDb implements AutoCloseable {
        private static final java.util.regex.Pattern URL = java.util.regex.Pattern.compile("(jdbc:mariadb://[^/?]+)(/[^?]*)?(\\?.*)?");
        private final String serverUrl;
        private final String name;
        private final ReusedConnectionDataSource pool;

        private MariaDb(String serverUrl, String name) {
            this.serverUrl = serverUrl;
            this.name = name;
            this.pool = new ReusedConnectionDataSource(unpooledDataSource());
        }

        /** @return a new database named {@code crmsync_t_<random>} */
        public static MariaDb create() {
            String url = requireMariaDbUrl();
            String name = "crmsync_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
            MariaDb d = new MariaDb(url, name);
            d.exec(plain(url), "CREATE DATABASE " + name + " CHARACTER SET utf8mb4");
            return d;
        }

        /** @return a data source whose connections work in this database (kept open and reused, as a host's pool would) */
        public DataSource dataSource() {
            return pool;
        }

        /** @return a data source opening a new connection each time, in this database */
        public DataSource unpooledDataSource() {
            java.util.regex.Matcher m = URL.matcher(serverUrl);
            if (!m.matches()) {
                throw new IllegalStateException(MARIADB_URL_VARIABLE + " must look like jdbc:mariadb://host:port/db?user=…");
            }
            return plain(m.group(1) + "/" + name + (m.group(3) == null ? "" : m.group(3)));
        }

        /** @return the database's name */
        public String name() {
            return name;
        }

        /** Drops every table and sequence of the database (its triggers go with them). */
        public void dropAll() {
            java.util.List<String> names = new java.util.ArrayList<>();
            try (Connection c = pool.getConnection(); Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")) {
                while (rs.next()) {
                    names.add("`" + rs.getString(1) + "`");
                }
            } catch (SQLException e) {
                throw new IllegalStateException("MariaDB setup failed: listing the tables of " + name, e);
            }
            if (!names.isEmpty()) {
                exec(pool, "DROP TABLE IF EXISTS " + String.join(", ", names));
            }
        }

        @Override
        public void close() {
            try {
                pool.close();
            } catch (SQLException e) {
                // dropping the database below still cleans up
            }
            exec(plain(serverUrl), "DROP DATABASE IF EXISTS " + name);
        }

        private void exec(DataSource ds, String sql) {
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException("MariaDB setup failed: " + sql, e);
            }
        }

        private static DataSource plain(String url) {
            try {
                org.mariadb.jdbc.MariaDbDataSource ds = new org.mariadb.jdbc.MariaDbDataSource();
                ds.setUrl(url);
                return ds;
            } catch (SQLException e) {
                throw new IllegalStateException("invalid " + MARIADB_URL_VARIABLE, e);
            }
        }
    }
}
