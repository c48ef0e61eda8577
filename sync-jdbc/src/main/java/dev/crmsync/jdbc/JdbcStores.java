package dev.crmsync.jdbc;

import dev.crmsync.jdbc.internal.Database;
import dev.crmsync.jdbc.internal.MarketingTables;
import dev.crmsync.jdbc.internal.Migrations;
import dev.crmsync.jdbc.internal.Settings;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.store.StoreField;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
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
 * that off for hosts that apply the scripts with their own tooling: Flyway applies them unchanged
 * ({@code Flyway.configure().dataSource(ds).locations("classpath:dev/crmsync/jdbc/migration/postgresql")},
 * or {@code …/h2}), and the version is then read from the tables they made. Tables are created in the
 * connection's current schema (PostgreSQL: the first schema of {@code search_path}; set
 * {@code currentSchema} on the data source to choose another; MariaDB: the connection's database).
 *
 * <h2>Upgrade from the one-table layout</h2>
 * A database written by a release before the per-object tables keeps its records in
 * {@code crmsync_record}; {@link Builder#build()} moves them into the per-object tables (marketing
 * ids, CRM ids, deleted flags, stamps and change-feed positions kept, as engine writes: nothing
 * echoes) and empties {@code crmsync_record}, a page per transaction, resuming after a crash. Their
 * values land in {@code _other} unless the table has their column already, and move into typed
 * columns when the engine's next cycle calls {@code prepareType} with the describe.
 *
 * <h2>Marketing tables</h2>
 * The marketing store keeps a table per object type, a typed column per field, in the schema
 * {@link Builder#schema(String)} ({@value #DEFAULT_SCHEMA} by default, created if missing); see
 * {@link JdbcMarketingStore}. A host may read them with plain SQL and, for the bidirectional types,
 * write them too: a trigger puts each insert or update in the change feed.
 */
public final class JdbcStores {

    /** Default schema of the marketing tables. */
    public static final String DEFAULT_SCHEMA = "salesforce";

    /** Default longest text value, in characters: Salesforce's long text area maximum. */
    public static final int DEFAULT_MAX_TEXT_LENGTH = 131_072;

    /** Default longest record (its fields encoded as JSON), in characters. */
    public static final int DEFAULT_MAX_RECORD_LENGTH = 1_000_000;

    private final Database db;
    private final JdbcMarketingStore marketingStore;
    private final JdbcSyncStateStore syncStateStore;
    private final int schemaVersion;

    private JdbcStores(Database db, Settings settings, MarketingTables tables, int schemaVersion) {
        this.db = db;
        this.marketingStore = new JdbcMarketingStore(db, settings, tables);
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

    /** Configures and builds {@link JdbcStores}. */
    public static final class Builder {
        private final DataSource dataSource;
        private @Nullable SqlDialect dialect;
        private Clock clock = Clock.systemUTC();
        private @Nullable Set<ObjectType> objectTypes;
        private int maxTextLength = DEFAULT_MAX_TEXT_LENGTH;
        private int maxRecordLength = DEFAULT_MAX_RECORD_LENGTH;
        private boolean migrate = true;
        private String schema = DEFAULT_SCHEMA;
        private final Map<ObjectType, Map<String, MarketingTables.Override>> columns = new HashMap<>();

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
         * @param schema the schema of the marketing tables (default {@value #DEFAULT_SCHEMA}; created
         *     if missing): a lower-case SQL identifier
         * @return this
         */
        public Builder schema(String schema) {
            this.schema = MarketingTables.requireIdentifier(schema, "schema");
            return this;
        }

        /**
         * Overrides the column of one field: its name and, optionally, its kind (and so its SQL
         * type). By default a field's column is named as the field in lower case and typed from the
         * CRM describe. Takes effect when the column is created; an existing column is not renamed.
         *
         * @param type the object type
         * @param field the field's API name
         * @param column the column's name, a lower-case SQL identifier
         * @param kind the kind to store it as, or null to keep the one the CRM describe gives
         * @return this
         */
        public Builder column(ObjectType type, String field, String column, StoreField.@Nullable Kind kind) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(field, "field");
            if (field.isBlank()) {
                throw new IllegalArgumentException("field must not be blank");
            }
            columns.computeIfAbsent(type, t -> new HashMap<>()).put(field, new MarketingTables.Override(column, kind));
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
                MarketingTables tables = new MarketingTables(dataSource, d, schema, columns);
                tables.createSchema();
                Settings settings = new Settings(clock, objectTypes, maxTextLength, maxRecordLength);
                JdbcStores stores = new JdbcStores(new Database(dataSource, d), settings, tables, version);
                stores.marketingStore.upgradeLegacyRecords();
                return stores;
            } catch (SQLException e) {
                throw Database.failure("open the crmsync schema", e);
            }
        }
    }
}
