package dev.crmsync.jdbc;

import dev.crmsync.jdbc.internal.Database;
import dev.crmsync.jdbc.internal.Migrations;
import dev.crmsync.jdbc.internal.Settings;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link JdbcMarketingStore} and a {@link JdbcSyncStateStore} over one
 * {@link DataSource}, sharing its transactions: inside
 * {@code stores.syncStateStore().inTransaction(work)}, every call either store makes on that
 * thread runs on one connection and commits (or rolls back) together.
 *
 * <pre>{@code
 * JdbcStores stores = JdbcStores.builder(dataSource).build();   // creates or upgrades the schema
 * SyncEngine engine = SyncEngine.builder()
 *         .marketingStore(stores.marketingStore())
 *         .syncStateStore(stores.syncStateStore())
 *         ...
 * }</pre>
 *
 * <h2>Schema</h2>
 * {@link Builder#build()} runs the versioned migration scripts shipped in this jar (table
 * {@code crmsync_schema_version} records which ran), unless {@link Builder#migrate(boolean)} turns
 * that off for hosts that apply the scripts with their own tooling. Tables are created in the
 * connection's current schema (PostgreSQL: the first schema of {@code search_path}; set
 * {@code currentSchema} on the data source to choose another).
 *
 * <h2>Host changes made in SQL</h2>
 * A host that writes {@code crmsync_record} with its own SQL (not through
 * {@link JdbcMarketingStore#saveLocal}) must give each changed row a new change-feed position, or
 * the engine never sees the change. The jar ships a PostgreSQL trigger that does it:
 * {@code dev/crmsync/jdbc/host-change-trigger-postgresql.sql} (see {@link #HOST_TRIGGER_SCRIPT}).
 * It bumps {@code change_seq} on every insert or update of {@code fields} unless the session says
 * the write is the engine's ({@code SET LOCAL crmsync.engine_write = 'on'}, which the store does
 * when {@link Builder#hostTrigger(boolean)} is on).
 */
public final class JdbcStores {

    /** Resource path of the optional PostgreSQL trigger that records host SQL changes in the feed. */
    public static final String HOST_TRIGGER_SCRIPT = "/dev/crmsync/jdbc/host-change-trigger-postgresql.sql";

    /** Default longest text value, in characters: Salesforce's long text area maximum. */
    public static final int DEFAULT_MAX_TEXT_LENGTH = 131_072;

    /** Default longest record (its fields encoded as JSON), in characters. */
    public static final int DEFAULT_MAX_RECORD_LENGTH = 1_000_000;

    private final Database db;
    private final JdbcMarketingStore marketingStore;
    private final JdbcSyncStateStore syncStateStore;
    private final int schemaVersion;

    private JdbcStores(Database db, Settings settings, int schemaVersion) {
        this.db = db;
        this.marketingStore = new JdbcMarketingStore(db, settings);
        this.syncStateStore = new JdbcSyncStateStore(db);
        this.schemaVersion = schemaVersion;
    }

    /**
     * @param dataSource the database (the host's pool, or the driver's own data source)
     * @return a builder
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /** @return the marketing store */
    public JdbcMarketingStore marketingStore() {
        return marketingStore;
    }

    /** @return the state store; its {@code inTransaction} covers the marketing store too */
    public JdbcSyncStateStore syncStateStore() {
        return syncStateStore;
    }

    /** @return the dialect in use */
    public SqlDialect dialect() {
        return db.dialect();
    }

    /** @return the schema version found or installed at build time */
    public int schemaVersion() {
        return schemaVersion;
    }

    /** @return the newest schema version this jar's scripts create */
    public static int latestSchemaVersion() {
        return Migrations.latestVersion();
    }

    private static void installHostTrigger(DataSource dataSource) throws SQLException {
        String script;
        try (java.io.InputStream in = JdbcStores.class.getResourceAsStream(HOST_TRIGGER_SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException("missing from the jar: " + HOST_TRIGGER_SCRIPT);
            }
            script = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (Connection c = dataSource.getConnection(); java.sql.Statement st = c.createStatement()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                for (String sql : script.split("\n--\n")) {
                    if (!sql.isBlank()) {
                        st.execute(sql.strip());
                    }
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    /** Configures and builds {@link JdbcStores}. */
    public static final class Builder {
        private final DataSource dataSource;
        private @Nullable SqlDialect dialect;
        private Clock clock = Clock.systemUTC();
        private @Nullable Set<ObjectType> objectTypes;
        private int maxTextLength = DEFAULT_MAX_TEXT_LENGTH;
        private int maxRecordLength = DEFAULT_MAX_RECORD_LENGTH;
        private boolean migrate = true;
        private boolean hostTrigger;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /**
         * @param dialect the dialect; by default it is detected from the database's product name
         * @return this
         */
        public Builder dialect(SqlDialect dialect) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            return this;
        }

        /**
         * @param clock the source of records' local modification stamps (default: system UTC)
         * @return this
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Restricts the marketing store to these types; records of any other type are rejected
         * with {@code UNKNOWN_TYPE}. By default every type is held.
         *
         * @param types the types, at least one
         * @return this
         */
        public Builder objectTypes(Collection<ObjectType> types) {
            Objects.requireNonNull(types, "types");
            if (types.isEmpty()) {
                throw new IllegalArgumentException("objectTypes must name at least one type");
            }
            this.objectTypes = Set.copyOf(types);
            return this;
        }

        /**
         * @param chars the longest text value accepted (default {@value #DEFAULT_MAX_TEXT_LENGTH}); a
         *     longer one makes its record {@code Rejected} with {@code VALUE_TOO_LONG}
         * @return this
         */
        public Builder maxTextLength(int chars) {
            if (chars < 1) {
                throw new IllegalArgumentException("maxTextLength must be >= 1, was " + chars);
            }
            this.maxTextLength = chars;
            return this;
        }

        /**
         * @param chars the longest record accepted, its fields encoded (default
         *     {@value #DEFAULT_MAX_RECORD_LENGTH}); a longer one is {@code Rejected} with {@code VALUE_TOO_LONG}
         * @return this
         */
        public Builder maxRecordLength(int chars) {
            if (chars < 16) {
                throw new IllegalArgumentException("maxRecordLength must be >= 16, was " + chars);
            }
            this.maxRecordLength = chars;
            return this;
        }

        /**
         * @param migrate whether {@link #build()} creates or upgrades the schema (default true)
         * @return this
         */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /**
         * Installs (PostgreSQL only) the trigger that puts changes a host makes to
         * {@code crmsync_record} with its own SQL into the change feed, and makes the store mark
         * its engine writes so the trigger leaves them alone. Off by default.
         *
         * @param on whether to install and use the trigger
         * @return this
         */
        public Builder hostTrigger(boolean on) {
            this.hostTrigger = on;
            return this;
        }

        /**
         * Detects the dialect if needed, migrates the schema if asked, and builds the stores.
         *
         * @return the stores
         * @throws SyncException if the database cannot be reached, or its schema is missing or newer than this jar
         */
        public JdbcStores build() {
            try {
                SqlDialect d = dialect;
                if (d == null) {
                    try (Connection c = dataSource.getConnection()) {
                        d = SqlDialect.fromProductName(c.getMetaData().getDatabaseProductName());
                    }
                }
                int version;
                if (migrate) {
                    version = Migrations.migrate(dataSource, d, clock);
                } else {
                    try (Connection c = dataSource.getConnection()) {
                        version = Migrations.currentVersion(c);
                    }
                }
                if (version < Migrations.latestVersion()) {
                    throw new SyncException("the crmsync schema is at version " + version + ", this jar needs "
                            + Migrations.latestVersion() + ": run the migration scripts or build with migrate(true)");
                }
                if (version > Migrations.latestVersion()) {
                    throw new SyncException("the crmsync schema is at version " + version
                            + ", newer than this jar knows (" + Migrations.latestVersion() + "): upgrade crmsync");
                }
                if (hostTrigger) {
                    if (d != SqlDialect.POSTGRESQL) {
                        throw new IllegalArgumentException("hostTrigger(true) needs PostgreSQL; the dialect is " + d);
                    }
                    installHostTrigger(dataSource);
                }
                Settings settings = new Settings(clock, objectTypes, maxTextLength, maxRecordLength, hostTrigger);
                return new JdbcStores(new Database(dataSource, d), settings, version);
            } catch (SQLException e) {
                throw Database.failure("open the crmsync schema", e);
            }
        }
    }
}
