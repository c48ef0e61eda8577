package dev.crmsync.jdbc.internal;

import dev.crmsync.jdbc.SqlDialect;
import dev.crmsync.jdbc.h2.H2ChangeTrigger;
import dev.crmsync.jdbc.h2.H2DeleteTrigger;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.StoreField;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The marketing tables of one schema: a table per object type, a typed column per field, and the
 * catalog that maps fields to columns ({@code crmsync_table}, {@code crmsync_column} in the same
 * schema, checked against {@code information_schema} when a type is loaded). Creates what is
 * missing; never drops a table or a column. DDL runs on a connection of its own and commits at
 * once (H2 commits a transaction on DDL; PostgreSQL would hold its locks until the caller's ends).
 */
public final class MarketingTables {

    /** A per-field override of the column's name and kind. @param column the name @param kind the kind, or null to keep the CRM's */
    public record Override(String column, StoreField.@Nullable Kind kind) {
        /** Checks the name. */
        public Override {
            requireIdentifier(column, "column name");
        }
    }

    private static final java.util.concurrent.atomic.AtomicLong VERSIONS = new java.util.concurrent.atomic.AtomicLong();

    private static final Pattern IDENT = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final String schema;
    private final Map<ObjectType, Map<String, Override>> overrides;
    private final Map<ObjectType, Table> tables = new ConcurrentHashMap<>();
    private volatile boolean allLoaded;

    /**
     * @param dataSource the database
     * @param dialect its dialect
     * @param schema the schema of the marketing tables (lower case)
     * @param overrides per type and field API name, column overrides
     */
    public MarketingTables(DataSource dataSource, SqlDialect dialect, String schema,
                           Map<ObjectType, Map<String, Override>> overrides) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        this.schema = requireIdentifier(schema, "schema");
        Map<ObjectType, Map<String, Override>> o = new HashMap<>();
        overrides.forEach((t, m) -> o.put(t, Map.copyOf(m)));
        this.overrides = Map.copyOf(o);
    }

    /**
     * @param name a name
     * @param what what it names, for the message
     * @return the name, if a lower-case SQL identifier of at most 63 characters
     */
    public static String requireIdentifier(String name, String what) {
        Objects.requireNonNull(name, what);
        if (!IDENT.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name + "' must be a lower-case SQL identifier"
                    + " ([a-z][a-z0-9_]*, at most 63 characters)");
        }
        return name;
    }

    /** @return the schema */
    public String schema() {
        return schema;
    }

    /** @param name an identifier (lower case) @return it quoted as the dialect folds unquoted names */
    public String q(String name) {
        if (dialect == SqlDialect.MARIADB) {
            return "`" + name + "`";
        }
        return "\"" + (dialect == SqlDialect.H2 ? name.toUpperCase(Locale.ROOT) : name) + "\"";
    }

    /** How many feed slots MariaDB's capture spreads host transactions over (see {@link #mariaTriggers}). */
    public static final int FEED_SLOTS = 64;

    /** MariaDB's table options: InnoDB, text in utf8mb4 (its default collation). */
    private String tableOptions() {
        return dialect == SqlDialect.MARIADB ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4" : "";
    }

    /** @param base a table name @param suffix a suffix @return a name of at most 64 characters, unique for the two */
    static String derived(String base, String suffix) {
        if (base.length() + suffix.length() <= 64) {
            return base + suffix;
        }
        return base.substring(0, 64 - suffix.length() - 9) + "_" + String.format(Locale.ROOT, "%08x", base.hashCode()) + suffix;
    }

    /** @param name an object in the schema @return its qualified, quoted name */
    public String qs(String name) {
        return q(schema) + "." + q(name);
    }

    /** The PostgreSQL channel the capture triggers notify, with {@code schema.table} as the payload. */
    public static final String NOTIFY_CHANNEL = "crmsync_changes";

    /** @param type a type @return its default table name */
    public static String tableName(ObjectType type) {
        return type.apiName().toLowerCase(Locale.ROOT);
    }

    // ---- setup ---------------------------------------------------------------------------------

    /** Creates the schema, its sequences and catalog if missing. @throws SQLException on failure */
    public void createSchema() throws SQLException {
        if (dialect == SqlDialect.MARIADB && schemaExists()) {
            // every object is there: no DDL at all, since on MariaDB even CREATE … IF NOT EXISTS of an
            // existing sequence waits for the metadata lock of any open transaction that used it
            return;
        }
        ddl(st -> {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + q(schema));
            st.execute("CREATE SEQUENCE IF NOT EXISTS " + qs("crmsync_marketing_id_seq"));
            String bin = dialect == SqlDialect.MARIADB ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin" : "";
            st.execute("CREATE TABLE IF NOT EXISTS " + qs("crmsync_table") + " (object_type VARCHAR(80) NOT NULL PRIMARY KEY,"
                    + " table_name VARCHAR(63) NOT NULL)" + bin);
            st.execute("CREATE TABLE IF NOT EXISTS " + qs("crmsync_column") + " (table_name VARCHAR(63) NOT NULL,"
                    + " field_name VARCHAR(255) NOT NULL, column_name VARCHAR(63) NOT NULL, kind VARCHAR(16) NOT NULL,"
                    + " length INTEGER NOT NULL, num_precision INTEGER NOT NULL, num_scale INTEGER NOT NULL,"
                    + " PRIMARY KEY (table_name, field_name))" + bin);
            // marketing campaigns' member-status sets (a Marketo program's statuses), by the host
            st.execute("CREATE TABLE IF NOT EXISTS " + qs("crmsync_program_status") + " (campaign_marketing_id BIGINT NOT NULL,"
                    + " label VARCHAR(255) NOT NULL, PRIMARY KEY (campaign_marketing_id, label))" + bin);
            // tombstones of the rows the host deleted from the tables of the bidirectional types
            // (by the delete triggers), read by the change feed beside the rows
            st.execute("CREATE TABLE IF NOT EXISTS " + qs("crmsync_host_deleted") + " (table_name VARCHAR(63) NOT NULL,"
                    + " _marketing_id BIGINT NOT NULL, _crm_id VARCHAR(18), _change_xid BIGINT NOT NULL,"
                    + " _change_seq BIGINT NOT NULL, deleted_at " + (dialect == SqlDialect.MARIADB ? "DATETIME(6)"
                    : "TIMESTAMP WITH TIME ZONE") + " NOT NULL)" + bin);
            st.execute("CREATE INDEX IF NOT EXISTS " + q("crmsync_host_deleted_feed") + " ON " + qs("crmsync_host_deleted")
                    + (dialect == SqlDialect.MARIADB ? " (table_name, _change_seq, _marketing_id)"
                    : " (table_name, _change_xid, _change_seq, _marketing_id)"));
            if (dialect == SqlDialect.MARIADB) {
                // the feed's positions (a sequence: no lock, no wait) and the slots a host transaction
                // holds while it writes (see mariaTriggers)
                st.execute("CREATE SEQUENCE IF NOT EXISTS " + qs("crmsync_change_seq"));
                st.execute("CREATE TABLE IF NOT EXISTS " + qs("crmsync_feed_slot") + " (slot INTEGER NOT NULL PRIMARY KEY,"
                        + " writes BIGINT NOT NULL)" + bin);
                StringBuilder rows = new StringBuilder();
                for (int i = 0; i < FEED_SLOTS; i++) {
                    rows.append(i == 0 ? "" : ", ").append("(").append(i).append(", 0)");
                }
                st.execute("INSERT IGNORE INTO " + qs("crmsync_feed_slot") + " (slot, writes) VALUES " + rows);
            } else if (dialect == SqlDialect.POSTGRESQL) {
                st.execute("CREATE SEQUENCE IF NOT EXISTS " + qs("crmsync_change_seq"));
                st.execute("CREATE OR REPLACE FUNCTION " + qs("crmsync_host_change") + "() RETURNS trigger AS $f$\n"
                        + "BEGIN\n"
                        + "  IF NEW._engine_write THEN\n"
                        + "    NEW._engine_write := FALSE;\n"
                        + "    RETURN NEW;\n"
                        + "  END IF;\n"
                        + "  IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN\n"
                        + "    RETURN NEW;\n"
                        + "  END IF;\n"
                        + "  NEW._change_xid := pg_current_xact_id()::text::bigint;\n"
                        + "  NEW._change_seq := nextval('" + qs("crmsync_change_seq").replace("'", "''") + "');\n"
                        + "  IF TG_OP = 'UPDATE' AND NEW._local_modstamp IS NOT DISTINCT FROM OLD._local_modstamp THEN\n"
                        + "    NEW._local_modstamp := clock_timestamp();\n"
                        + "  END IF;\n"
                        // delivered at commit, once per table and transaction (PostgreSQL folds repeats)
                        + "  PERFORM pg_notify('" + NOTIFY_CHANNEL + "', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);\n"
                        + "  RETURN NEW;\n"
                        + "END\n"
                        + "$f$ LANGUAGE plpgsql");
                // a row the engine deletes carries _change_seq = -1, set just before in the same transaction
                st.execute("CREATE OR REPLACE FUNCTION " + qs("crmsync_host_delete") + "() RETURNS trigger AS $f$\n"
                        + "BEGIN\n"
                        + "  IF OLD._change_seq = -1 THEN\n"
                        + "    RETURN OLD;\n"
                        + "  END IF;\n"
                        + "  INSERT INTO " + qs("crmsync_host_deleted") + " (table_name, _marketing_id, _crm_id, _change_xid,"
                        + " _change_seq, deleted_at) VALUES (TG_TABLE_NAME, OLD._marketing_id, OLD._crm_id,"
                        + " pg_current_xact_id()::text::bigint, nextval('" + qs("crmsync_change_seq").replace("'", "''")
                        + "'), clock_timestamp());\n"
                        + "  PERFORM pg_notify('" + NOTIFY_CHANNEL + "', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);\n"
                        + "  RETURN OLD;\n"
                        + "END\n"
                        + "$f$ LANGUAGE plpgsql");
            } else {
                st.execute("CREATE TABLE IF NOT EXISTS " + qs("crmsync_feed_counter") + " (name VARCHAR(16) NOT NULL PRIMARY KEY,"
                        + " last_seq BIGINT NOT NULL)");
                st.execute("MERGE INTO " + qs("crmsync_feed_counter") + " (name, last_seq) KEY (name) SELECT 'feed', 0"
                        + " WHERE NOT EXISTS (SELECT 1 FROM " + qs("crmsync_feed_counter") + " WHERE name = 'feed')");
            }
        });
    }

    /** @return true if the catalog, the sequences and the feed slots of the schema all exist (read from information_schema) */
    private boolean schemaExists() throws SQLException {
        try (Connection c = dataSource.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM information_schema.tables"
                     + " WHERE table_schema = ? AND table_name IN ('crmsync_marketing_id_seq', 'crmsync_table',"
                     + " 'crmsync_column', 'crmsync_change_seq', 'crmsync_feed_slot', 'crmsync_host_deleted',"
                     + " 'crmsync_program_status')")) {
            ps.setString(1, schema);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getInt(1) != 7) {
                    return false;
                }
            }
            // a first setup cut short may have left the slot table without its rows
            try (Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + qs("crmsync_feed_slot"))) {
                return rs.next() && rs.getInt(1) == FEED_SLOTS;
            }
        }
    }

    @FunctionalInterface
    private interface Ddl {
        void run(Statement st) throws SQLException;
    }

    /**
     * DDL is not safe against itself: two sessions creating the same sequence at once (two stores
     * built on one database at the same moment, as two application instances starting) make H2 fail
     * with an internal error and PostgreSQL with a unique violation in its catalog, instead of one of
     * them finding it there. So on PostgreSQL each DDL block first takes a transaction-scoped
     * advisory lock of the schema (held to its commit, across processes), and on H2 this JVM's DDL
     * of one database (by its JDBC URL) runs one block at a time. (An H2 database shared by several
     * processes through its server mode is not serialised by this; MariaDB's DDL takes metadata
     * locks of its own.)
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, Object> H2_DDL = new java.util.concurrent.ConcurrentHashMap<>();

    private void ddl(Ddl work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (dialect == SqlDialect.H2) {
                synchronized (H2_DDL.computeIfAbsent(c.getMetaData().getURL(), u -> new Object())) {
                    ddl(c, work);
                }
            } else {
                ddl(c, work);
            }
        }
    }

    private void ddl(Connection c, Ddl work) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            if (dialect == SqlDialect.POSTGRESQL) {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                    lock.setString(1, "crmsync_ddl:" + schema);
                    lock.execute();
                }
            }
            work.run(st);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    // ---- catalog -------------------------------------------------------------------------------

    /**
     * @param type a type
     * @return its table, created (without field columns) if missing
     * @throws SQLException on failure
     */
    public Table table(ObjectType type) throws SQLException {
        Table t = tables.get(type);
        if (t != null) {
            return t;
        }
        synchronized (this) {
            t = tables.get(type);
            if (t == null) {
                t = load(type);
                if (t == null) {
                    create(type);
                    t = Objects.requireNonNull(load(type), "table just created");
                }
                tables.put(type, t);
            }
            return t;
        }
    }

    /**
     * @param type a type
     * @return its table, or null if it has none yet (never created here: a read that finds no
     *     table needs none, and DDL must not run beside a caller's transaction)
     * @throws SQLException on failure
     */
    public @Nullable Table existing(ObjectType type) throws SQLException {
        Table t = tables.get(type);
        if (t != null) {
            return t;
        }
        synchronized (this) {
            t = tables.get(type);
            if (t == null) {
                t = load(type);
                if (t != null) {
                    tables.put(type, t);
                }
            }
            return t;
        }
    }

    /** @return every table in the catalog (loaded from the database once) @throws SQLException on failure */
    public List<Table> all() throws SQLException {
        if (!allLoaded) {
            synchronized (this) {
                List<ObjectType> types = new ArrayList<>();
                try (Connection c = dataSource.getConnection();
                     PreparedStatement ps = c.prepareStatement("SELECT object_type FROM " + qs("crmsync_table"));
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        types.add(ObjectType.of(rs.getString(1)));
                    }
                }
                for (ObjectType t : types) {
                    table(t);
                }
                allLoaded = true;
            }
        }
        return List.copyOf(tables.values());
    }

    private String nameFor(ObjectType type) {
        return requireIdentifier(tableName(type), "table name of " + type);
    }

    private @Nullable Table load(ObjectType type) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            String name;
            try (PreparedStatement ps = c.prepareStatement("SELECT table_name FROM " + qs("crmsync_table") + " WHERE object_type = ?")) {
                ps.setString(1, type.apiName());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    name = rs.getString(1);
                }
            }
            Set<String> present = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT column_name FROM information_schema.columns"
                    + " WHERE table_schema = ? AND table_name = ?")) {
                ps.setString(1, folded(schema));
                ps.setString(2, folded(name));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        present.add(rs.getString(1).toLowerCase(Locale.ROOT));
                    }
                }
            }
            Map<String, Column> cols = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT field_name, column_name, kind, length, num_precision, num_scale FROM "
                    + qs("crmsync_column") + " WHERE table_name = ? ORDER BY column_name")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String col = rs.getString(2);
                        if (present.contains(col)) {   // a column the host dropped or renamed is forgotten; it may come back
                            cols.put(rs.getString(1), new Column(rs.getString(1), col, StoreField.Kind.valueOf(rs.getString(3)),
                                    rs.getInt(4), rs.getInt(5), rs.getInt(6)));
                        }
                    }
                }
            }
            if (type.isBidirectional()) {
                ensureDeleteTrigger(c, name);
            }
            return new Table(type, name, qs(name), cols, VERSIONS.incrementAndGet());
        }
    }

    private String folded(String name) {
        return dialect == SqlDialect.H2 ? name.toUpperCase(Locale.ROOT) : name;
    }

    private void create(ObjectType type) throws SQLException {
        String name = nameFor(type);
        String t = qs(name);
        boolean pg = dialect == SqlDialect.POSTGRESQL;
        boolean maria = dialect == SqlDialect.MARIADB;
        String ts = maria ? "DATETIME(6)" : "TIMESTAMP WITH TIME ZONE";
        ddl(st -> {
            st.execute("CREATE TABLE IF NOT EXISTS " + t + " ("
                    + "_marketing_id BIGINT DEFAULT " + (pg ? "nextval('" + qs("crmsync_marketing_id_seq").replace("'", "''") + "')"
                    : maria ? "(NEXT VALUE FOR " + qs("crmsync_marketing_id_seq") + ")"
                    : "NEXT VALUE FOR " + qs("crmsync_marketing_id_seq")) + " NOT NULL PRIMARY KEY, "
                    + "_crm_id VARCHAR(18)" + (pg ? " COLLATE \"C\"" : maria ? " CHARACTER SET ascii COLLATE ascii_bin" : "") + " UNIQUE, "
                    + "_crm_deleted BOOLEAN DEFAULT FALSE NOT NULL, "
                    + "_crm_modstamp " + ts + ", "
                    + "_local_modstamp " + ts + " DEFAULT " + (maria ? "(UTC_TIMESTAMP(6))" : "CURRENT_TIMESTAMP") + " NOT NULL, "
                    + "_change_xid BIGINT DEFAULT 0 NOT NULL, "
                    + "_change_seq BIGINT DEFAULT 0 NOT NULL, "
                    + "_engine_write BOOLEAN DEFAULT FALSE NOT NULL, "
                    + "_other " + (pg ? "TEXT" : maria ? "MEDIUMTEXT" : "CHARACTER VARYING") + ")" + tableOptions());
            // MariaDB's feed has no transaction ids (_change_xid stays 0): it reads by (_change_seq, _marketing_id)
            st.execute("CREATE INDEX IF NOT EXISTS " + q(maria ? derived(name, "_crmsync_feed") : name + "_crmsync_feed") + " ON " + t
                    + (maria ? " (_change_seq, _marketing_id)" : " (_change_xid, _change_seq, _marketing_id)"));
            if (type.isBidirectional()) {
                if (maria) {
                    for (String sql : mariaTriggers(name, List.of())) {
                        st.execute(sql);
                    }
                } else if (pg) {
                    st.execute("DROP TRIGGER IF EXISTS crmsync_host_change ON " + t);
                    st.execute("CREATE TRIGGER crmsync_host_change BEFORE INSERT OR UPDATE ON " + t
                            + " FOR EACH ROW EXECUTE FUNCTION " + qs("crmsync_host_change") + "()");
                } else {
                    st.execute("CREATE TRIGGER IF NOT EXISTS " + qs(name + "_crmsync_host_change") + " BEFORE INSERT, UPDATE ON " + t
                            + " FOR EACH ROW CALL '" + H2ChangeTrigger.class.getName() + "'");
                }
                for (String sql : deleteTrigger(name)) {
                    st.execute(sql);
                }
            }
            st.execute(maria ? "INSERT IGNORE INTO " + qs("crmsync_table") + " (object_type, table_name) VALUES ('"
                    + type.apiName() + "', '" + name + "')"
                    : pg ? "INSERT INTO " + qs("crmsync_table") + " (object_type, table_name) VALUES ('"
                    + type.apiName() + "', '" + name + "') ON CONFLICT DO NOTHING"
                    : "MERGE INTO " + qs("crmsync_table") + " (object_type, table_name) KEY (object_type) VALUES ('"
                    + type.apiName() + "', '" + name + "')");
        });
    }

    /** @return the name of the delete trigger of a table (PostgreSQL: per table; H2 and MariaDB: per schema) */
    private String deleteTriggerName(String name) {
        return dialect == SqlDialect.POSTGRESQL ? "crmsync_host_delete"
                : dialect == SqlDialect.MARIADB ? derived(name, "_crmsync_del") : H2DeleteTrigger.PREFIX + name;
    }

    /**
     * The host-delete capture of a bidirectional type's table: an {@code AFTER DELETE} trigger that
     * leaves a tombstone in {@code crmsync_host_deleted} at a fresh feed position (MariaDB: after
     * taking the connection's feed slot, as inserts and updates do), unless the engine deleted the
     * row (it sets {@code _change_seq = -1} first).
     *
     * @param name the table's name
     * @return the statements creating the trigger
     */
    private List<String> deleteTrigger(String name) {
        String t = qs(name);
        String trigger = deleteTriggerName(name);
        return switch (dialect) {
            case POSTGRESQL -> List.of("DROP TRIGGER IF EXISTS " + trigger + " ON " + t, "CREATE TRIGGER " + trigger
                    + " AFTER DELETE ON " + t + " FOR EACH ROW EXECUTE FUNCTION " + qs("crmsync_host_delete") + "()");
            case MARIADB -> List.of("CREATE OR REPLACE TRIGGER " + qs(trigger) + " AFTER DELETE ON " + t + " FOR EACH ROW\n"
                    + "BEGIN\n"
                    + "  IF OLD._change_seq <> -1 THEN\n"
                    + "    UPDATE " + qs("crmsync_feed_slot") + " SET writes = writes + 1 WHERE slot = CONNECTION_ID() % " + FEED_SLOTS + ";\n"
                    + "    INSERT INTO " + qs("crmsync_host_deleted") + " (table_name, _marketing_id, _crm_id, _change_xid,"
                    + " _change_seq, deleted_at) VALUES ('" + name + "', OLD._marketing_id, OLD._crm_id, 0, NEXT VALUE FOR "
                    + qs("crmsync_change_seq") + ", UTC_TIMESTAMP(6));\n"
                    + "  END IF;\n"
                    + "END");
            default -> List.of("CREATE TRIGGER IF NOT EXISTS " + qs(trigger) + " AFTER DELETE ON " + t
                    + " FOR EACH ROW CALL '" + H2DeleteTrigger.class.getName() + "'");
        };
    }

    /** Installs the delete trigger of a table written before the store captured host deletes. */
    private void ensureDeleteTrigger(Connection c, String name) throws SQLException {
        String trigger = deleteTriggerName(name);
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM information_schema.triggers"
                + " WHERE trigger_schema = ? AND trigger_name = ?" + (dialect == SqlDialect.POSTGRESQL
                ? " AND event_object_table = ?" : ""))) {
            ps.setString(1, folded(schema));
            ps.setString(2, folded(trigger));
            if (dialect == SqlDialect.POSTGRESQL) {
                ps.setString(3, name);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getInt(1) > 0) {
                    return;
                }
            }
        }
        List<String> sql = deleteTrigger(name);
        ddl(st -> {
            for (String one : sql) {
                st.execute(one);
            }
        });
    }

    /**
     * MariaDB's host-change capture: a {@code BEFORE INSERT} and a {@code BEFORE UPDATE} trigger
     * (re-created when columns are added, since an update's "changed anything?" compares them
     * all). A row the engine wrote carries {@code _engine_write}: the trigger clears it and leaves
     * the feed position alone (no echo). Any other insert, or an update that changes a column,
     * first updates the host connection's feed slot ({@code crmsync_feed_slot}, row
     * {@code CONNECTION_ID() % }{@value #FEED_SLOTS}), whose row lock it then holds until it commits
     * or rolls back, and only then takes its position from the sequence {@code crmsync_change_seq}.
     * Host transactions on different slots never wait for each other; two on the same slot do (the
     * cost of this scheme). The feed reader takes a position from the same sequence and then looks
     * for locked slots ({@code SKIP LOCKED}): when none is locked, every position below its own
     * belongs to a transaction that has committed or rolled back, so it may read up to it.
     *
     * @param name the table's name
     * @param columns its field columns
     * @return the statements
     */
    private List<String> mariaTriggers(String name, java.util.Collection<Column> columns) {
        String t = qs(name);
        String take = "    UPDATE " + qs("crmsync_feed_slot") + " SET writes = writes + 1 WHERE slot = CONNECTION_ID() % " + FEED_SLOTS + ";\n"
                + "    SET NEW._change_seq = NEXT VALUE FOR " + qs("crmsync_change_seq") + ";\n";
        StringBuilder same = new StringBuilder();
        for (String c : Table.SYSTEM) {
            if (!c.equals("_change_seq") && !c.equals("_engine_write")) {
                same.append(same.length() == 0 ? "" : " AND ").append("NEW.").append(c).append(" <=> OLD.").append(c);
            }
        }
        for (Column c : columns) {
            same.append(" AND NEW.").append(q(c.column())).append(" <=> OLD.").append(q(c.column()));
        }
        String ins = "CREATE OR REPLACE TRIGGER " + qs(derived(name, "_crmsync_ins")) + " BEFORE INSERT ON " + t + " FOR EACH ROW\n"
                + "BEGIN\n"
                + "  IF NEW._engine_write THEN\n"
                + "    SET NEW._engine_write = FALSE;\n"
                + "  ELSE\n" + take
                + "  END IF;\n"
                + "END";
        String upd = "CREATE OR REPLACE TRIGGER " + qs(derived(name, "_crmsync_upd")) + " BEFORE UPDATE ON " + t + " FOR EACH ROW\n"
                + "BEGIN\n"
                + "  IF NEW._engine_write THEN\n"
                + "    SET NEW._engine_write = FALSE;\n"
                + "  ELSEIF NOT (" + same + ") THEN\n" + take
                + "    IF NEW._local_modstamp <=> OLD._local_modstamp THEN\n"
                + "      SET NEW._local_modstamp = UTC_TIMESTAMP(6);\n"
                + "    END IF;\n"
                + "  END IF;\n"
                + "END";
        return List.of(ins, upd);
    }

    /**
     * MariaDB: the row of a table holds at most 65,535 bytes of column definitions, and a
     * {@code VARCHAR(n)} of utf8mb4 counts {@code 4n + 2} of them; a text column whose
     * {@code VARCHAR} would pass this budget (the rest is left for the system columns and numbers) is
     * a {@code TEXT} or {@code MEDIUMTEXT} instead (the field's length is still enforced by the store).
     */
    private static final int MARIA_VARCHAR_BUDGET = 48_000;

    /** The bytes of row definition the table's {@code VARCHAR} columns take now (MariaDB). */
    private int mariaVarcharBytes(Connection c, Table t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(character_octet_length + 2), 0)"
                + " FROM information_schema.columns WHERE table_schema = ? AND table_name = ? AND data_type = 'varchar'")) {
            ps.setString(1, schema);
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** MariaDB: a decimal column's precision and scale within what DECIMAL takes (65, 30); unbounded: (65, 30). */
    private Column fitted(Column c) {
        if (dialect != SqlDialect.MARIADB || !c.kind().isNumber() || c.kind() == StoreField.Kind.INTEGER
                || c.kind() == StoreField.Kind.LONG || c.kind() == StoreField.Kind.DOUBLE) {
            return c;
        }
        if (c.precision() == 0) {
            return new Column(c.field(), c.column(), c.kind(), 0, 65, 30);
        }
        if (c.precision() > 65 || c.scale() > 30) {
            int scale = Math.min(c.scale(), 30);
            return new Column(c.field(), c.column(), c.kind(), 0, Math.min(c.precision(), 65), scale);
        }
        return c;
    }

    // ---- evolution -----------------------------------------------------------------------------

    /** What {@link #prepare} did: columns added, and fields whose new type was not applied. */
    public record Prepared(Table table, List<Column> added, List<String> notes) {
    }

    /**
     * Gives each field a column: adds the missing ones, widens a column whose CRM size grew, and
     * leaves a column whose CRM type changed to another kind of value as it is (documented rule).
     *
     * @param type the type
     * @param fields the synced fields
     * @return what changed
     * @throws SQLException on failure
     */
    public synchronized Prepared prepare(ObjectType type, List<StoreField> fields) throws SQLException {
        Table t = table(type);
        Map<String, Override> ov = overrides.getOrDefault(type, Map.of());
        List<Column> add = new ArrayList<>();
        List<Column[]> widen = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Set<String> usedColumns = new HashSet<>();
        t.columns().values().forEach(c -> usedColumns.add(c.column()));
        for (StoreField f : fields) {
            Override o = ov.get(f.name());
            StoreField eff = o != null && o.kind() != null ? new StoreField(f.name(), o.kind(), f.length(), f.precision(), f.scale()) : f;
            String colName = o != null ? o.column() : f.name().toLowerCase(Locale.ROOT);
            Column want = fitted(Column.of(eff, colName));
            Column have = t.column(f.name());
            if (have == null) {
                if (!IDENT.matcher(colName).matches() || !usedColumns.add(colName)) {
                    notes.add("field '" + f.name() + "' has no column name of its own; its values stay in _other");
                    continue;
                }
                add.add(want);
            } else if (!have.equals(want.withColumn(have.column()))) {
                if (have.sameValueClass(want)) {
                    Column wider = have.widen(want.withColumn(have.column()));
                    if (!wider.equals(have)) {
                        widen.add(new Column[] {have, wider});
                    }
                } else {
                    notes.add("field '" + f.name() + "' changed type in the CRM (" + have.kind() + " to " + want.kind()
                            + "); its column " + have.column() + " keeps its type and values, and values of the new type"
                            + " are rejected until the column is renamed or dropped");
                }
            }
        }
        if (add.isEmpty() && widen.isEmpty()) {
            return new Prepared(t, List.of(), notes);
        }
        boolean maria = dialect == SqlDialect.MARIADB;
        ddl(st -> {
            int varchars = maria ? mariaVarcharBytes(st.getConnection(), t) : 0;
            for (Column c : add) {
                String sqlType = c.sqlType(dialect);
                if (maria && sqlType.startsWith("VARCHAR(") && c.kind().isText()) {
                    if (varchars + 4 * c.length() + 2 > MARIA_VARCHAR_BUDGET) {
                        sqlType = c.length() <= 16_383 ? "TEXT" : "MEDIUMTEXT";
                    } else {
                        varchars += 4 * c.length() + 2;
                    }
                }
                st.execute("ALTER TABLE " + t.qualified() + " ADD COLUMN " + (dialect != SqlDialect.H2 ? "IF NOT EXISTS " : "")
                        + q(c.column()) + " " + sqlType
                        + (maria && c.kind() == StoreField.Kind.BOOLEAN ? " CHECK (" + q(c.column()) + " IN (0, 1))" : ""));
                saveColumn(st.getConnection(), t, c);
            }
            for (Column[] w : widen) {
                if (maria) {
                    String sqlType = w[1].sqlType(dialect);
                    String now = mariaDataType(st.getConnection(), t, w[1].column());
                    if (w[1].kind().isText() && sqlType.startsWith("VARCHAR(")
                            && ("text".equals(now) || "mediumtext".equals(now) || "longtext".equals(now)
                            || varchars + 4 * w[1].length() + 2 > MARIA_VARCHAR_BUDGET)) {
                        sqlType = "mediumtext".equals(now) || "longtext".equals(now) || w[1].length() > 16_383 ? "MEDIUMTEXT" : "TEXT";
                    }
                    st.execute("ALTER TABLE " + t.qualified() + " MODIFY COLUMN " + q(w[1].column()) + " " + sqlType);
                } else {
                    st.execute("ALTER TABLE " + t.qualified() + " ALTER COLUMN " + q(w[1].column())
                            + (dialect == SqlDialect.POSTGRESQL ? " TYPE " : " SET DATA TYPE ") + w[1].sqlType(dialect));
                }
                saveColumn(st.getConnection(), t, w[1]);
            }
        });
        if (maria && t.type().isBidirectional()) {
            tables.remove(type);
            Table wider = table(type);
            ddl(st -> {
                for (String sql : mariaTriggers(wider.name(), wider.columns().values())) {
                    st.execute(sql);
                }
            });
        }
        tables.remove(type);
        Table now = table(type);
        return new Prepared(now, add, notes);
    }

    private String mariaDataType(Connection c, Table t, String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT data_type FROM information_schema.columns"
                + " WHERE table_schema = ? AND table_name = ? AND column_name = ?")) {
            ps.setString(1, schema);
            ps.setString(2, t.name());
            ps.setString(3, column);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1).toLowerCase(Locale.ROOT) : "";
            }
        }
    }

    private void saveColumn(Connection c, Table t, Column col) throws SQLException {
        try (PreparedStatement del = c.prepareStatement("DELETE FROM " + qs("crmsync_column") + " WHERE table_name = ? AND field_name = ?")) {
            del.setString(1, t.name());
            del.setString(2, col.field());
            del.executeUpdate();
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + qs("crmsync_column")
                + " (table_name, field_name, column_name, kind, length, num_precision, num_scale) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ins.setString(1, t.name());
            ins.setString(2, col.field());
            ins.setString(3, col.column());
            ins.setString(4, col.kind().name());
            ins.setInt(5, col.length());
            ins.setInt(6, col.precision());
            ins.setInt(7, col.scale());
            ins.executeUpdate();
        }
    }

    /** Forgets what is cached (tests that change the schema behind the store's back). */
    public void forget() {
        tables.clear();
        allLoaded = false;
    }
}
