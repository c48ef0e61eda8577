package dev.crmsync.jdbc;

import dev.crmsync.jdbc.internal.Column;
import dev.crmsync.jdbc.internal.Database;
import dev.crmsync.jdbc.internal.FieldsJson;
import dev.crmsync.jdbc.internal.MarketingTables;
import dev.crmsync.jdbc.internal.PgCopy;
import dev.crmsync.jdbc.internal.Settings;
import dev.crmsync.jdbc.internal.Table;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.Deletion;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.ActivityHistory;
import dev.crmsync.store.ActivityPage;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.ChangeNotifications;
import dev.crmsync.store.ChangePage;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.HostDeletion;
import dev.crmsync.store.GuardedUpsert;
import dev.crmsync.store.FieldPatches;
import dev.crmsync.store.IdCursor;
import dev.crmsync.store.LocalWrites;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.PersonActivity;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.StoreChecks;
import dev.crmsync.store.StoreField;
import dev.crmsync.store.StoreResult;
import dev.crmsync.store.UnreadableRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A marketing store over a SQL database (H2, PostgreSQL or MariaDB), built by {@link JdbcStores}, with
 * every capability ({@link BidirectionalStore}, {@link LocalWrites}). It passes
 * {@code MarketingStoreContract}.
 *
 * <h2>Tables</h2>
 * A table per object type in the store's schema ({@code salesforce} by default), named as the
 * type in lower case ({@code salesforce.lead}, {@code salesforce.widget__c}), with the system
 * columns {@code _marketing_id} (primary key, from the schema's sequence), {@code _crm_id}
 * (unique), {@code _crm_deleted}, {@code _crm_modstamp}, {@code _local_modstamp}, the change-feed
 * position {@code _change_xid}/{@code _change_seq}, {@code _engine_write} (always false at rest),
 * {@code _other} (JSON of the fields that have no column yet), and one typed column per field
 * that {@link #prepareType} was told about (see the README, "Marketing tables", for the mapping).
 *
 * <h2>Writes</h2>
 * A batch is checked record by record before anything is written: the rules of
 * {@link StoreChecks}, a value its column cannot keep exactly ({@code VALUE_TOO_LONG},
 * {@code VALUE_OUT_OF_RANGE}, {@code WRONG_KIND}: the message names the field and its column,
 * never the value), a record whose {@code _other} and text grow over the configured size, a type
 * the store was not configured to hold ({@code UNKNOWN_TYPE}), or a stored row the store cannot
 * read ({@code UNREADABLE_IN_STORE}) makes that record {@link StoreResult.Rejected}; the rest are
 * read (locked {@code FOR UPDATE}), patched in memory and written with batched statements in one
 * transaction — the caller's, inside {@link JdbcSyncStateStore#inTransaction}. A first copy skips
 * the read: after a batch of a type held nothing but new records, the next {@link #upsert} of the
 * type inserts its records first, each only if its CRM id is free (PostgreSQL one
 * {@code INSERT … SELECT … FROM unnest(…) ON CONFLICT (_crm_id) DO NOTHING}, MariaDB one multi-row
 * {@code INSERT IGNORE}), and takes the read-and-patch path for the ids that were taken (a host's
 * insert, a replayed page): the unique {@code _crm_id} decides, so nothing is duplicated. On
 * PostgreSQL the table is analysed as a first copy fills it (after 2,000 inserted rows, then each
 * time 4× as many), so the lookups keep probing its index.
 *
 * <h2>Change feed</h2>
 * Exact. A trigger on the tables of the bidirectional types gives every host insert or update
 * (plain SQL, or {@link #saveLocal}) a feed position; engine writes set {@code _engine_write},
 * which the trigger clears, leaving the position alone (no echo). On PostgreSQL the position is
 * the writing transaction's id ({@code pg_current_xact_id()}) and a number from a sequence, and
 * the feed reads transactions window by window, between two snapshots
 * ({@code pg_current_snapshot()}): a window holds the changes of the transactions visible in the
 * later snapshot and not in the earlier one ({@code pg_visible_in_snapshot}), so each committed
 * transaction is read in exactly one window however late it commits, no counter row is locked,
 * host transactions do not wait for each other, and a transaction left open (here or in another
 * database of the server) holds back only its own changes. On H2 the position comes from a
 * counter row locked until commit. On MariaDB, which has no transaction ids, the position comes from a
 * sequence taken after the trigger locked one of 64 feed slots, and the feed reads only below a position
 * taken when no slot was locked (see the README, "Marketing tables"). A host {@code DELETE} leaves a
 * tombstone at a feed position taken the same way ({@code crmsync_host_deleted}).
 *
 * <h2>Notifications</h2>
 * {@link #listen} tells when the host changed records of a two-way type: PostgreSQL's capture
 * triggers {@code pg_notify} at commit and a connection of the listener's {@code LISTEN}s; H2 and
 * MariaDB are polled for the feed's high-water mark.
 *
 * <h2>Activity history</h2>
 * {@link ActivityHistory}: one row per activity in {@code crmsync_activity} (schema version 4),
 * indexed by person ({@code object_type, marketing_id, happened_at, seq}) and unique by
 * {@code activity_key}. {@link #append} looks the batch's keys up and inserts the new ones with one
 * batched statement, in the caller's transaction when there is one (the engine's, with the batch's
 * records and checkpoint); {@link #moveHistory} is one {@code UPDATE}. {@link #referencing} reads a
 * reference column with one statement per batch of targets, numbered per target
 * ({@code ROW_NUMBER() OVER (PARTITION BY …)}) so no target returns more than the limit; a field
 * without a column is searched in {@code _other}. Reference columns carry no index: on a large
 * table each call scans it.
 *
 * <h2>Rows the store cannot read</h2>
 * A row a host wrote that does not map back to field values (unparseable {@code _other}, an id
 * that is not one, a non-finite double) is reported by the feed in {@link ChangePage#unreadable()}
 * with its key and column; {@link #findByCrmIds} and {@link #findByMarketingId} leave it out, and
 * a write to it is rejected with {@code UNREADABLE_IN_STORE}, so its values are never overwritten.
 */
public final class JdbcMarketingStore implements BidirectionalStore, LocalWrites, ChangeNotifications, ActivityHistory {

    /** Most keys per lookup. */
    static final int CHUNK = 500;

    /** The longest field name the schema holds (conflicts keep it in a VARCHAR(255)). */
    static final int MAX_FIELD_NAME = 255;

    /** Rejection code of a write to a stored row the store cannot read. */
    public static final String UNREADABLE_IN_STORE = "UNREADABLE_IN_STORE";

    private static final System.Logger LOG = System.getLogger(JdbcMarketingStore.class.getName());

    private static final String SYS = "_marketing_id, _crm_id, _crm_deleted, _crm_modstamp, _local_modstamp,"
            + " _change_xid, _change_seq, _other";

    private final Database db;
    private final Settings settings;
    private final MarketingTables tables;

    /** @return the database this store writes through (its state store's, when built together) */
    Database database() {
        return db;
    }

    JdbcMarketingStore(Database db, Settings settings, MarketingTables tables) {
        this.db = db;
        this.settings = settings;
        this.tables = tables;
    }

    /**
     * The feed position ({@code _change_seq}, transaction id 0) of a row the engine created and no
     * host write has touched since: below {@link Position#START}, so no read of the change feed
     * lists it (it equals the merge base the engine saved with it; a host write gives it a real
     * position, a host delete a tombstone). {@code -1} marks a row the engine is deleting; {@code 0}
     * a row of the one-table layout no host change touched (listed from the start, as before).
     */
    static final long ENGINE_CREATED = -2;

    /** A row of a marketing table. */
    private static final class Row {
        long mid;
        ObjectType type;
        @Nullable CrmId crmId;
        Map<String, FieldValue> fields = new HashMap<>();
        boolean deleted;
        @Nullable Instant crmStamp;
        Instant localStamp;
        long xid;
        /** {@link #ENGINE_CREATED} until read from a row or set by a host write's trigger. */
        long seq = ENGINE_CREATED;
        @Nullable String badColumn;
        @Nullable String badReason;

        MarketingRecord toRecord() {
            return new MarketingRecord(type, Long.toString(mid), crmId, fields, deleted, crmStamp, localStamp);
        }

        RecordKey key() {
            return crmId != null ? RecordKey.crm(crmId) : RecordKey.marketing(Long.toString(mid));
        }
    }

    private String selectList(Table t) {
        StringBuilder sb = new StringBuilder();
        for (String c : SYS.split(",")) {
            sb.append(sb.length() == 0 ? "" : ", ").append("r.").append(c.strip());
        }
        for (Column c : t.columns().values()) {
            sb.append(", r.").append(quoted(t, c));
        }
        return sb.toString();
    }

    private String quoted(Table t, Column c) {
        return tables.q(c.column());
    }

    private Row row(ResultSet rs, Table t) throws SQLException {
        Row r = new Row();
        r.mid = rs.getLong(1);
        r.type = t.type();
        String crm = rs.getString(2);
        try {
            r.crmId = crm == null ? null : CrmId.of(crm);
        } catch (IllegalArgumentException e) {
            r.badColumn = "_crm_id";
            r.badReason = "not a 15- or 18-character record id";
        }
        r.deleted = rs.getBoolean(3);
        r.crmStamp = db.getInstant(rs, 4);
        r.localStamp = db.getInstant(rs, 5);
        r.xid = rs.getLong(6);
        r.seq = rs.getLong(7);
        String other = rs.getString(8);
        if (other != null && !other.isEmpty()) {
            try {
                r.fields.putAll(FieldsJson.decode(other));
            } catch (RuntimeException e) {
                r.badColumn = "_other";
                r.badReason = "not the JSON of field values the store writes";
            }
        }
        int i = 9;
        for (Column c : t.columns().values()) {
            try {
                FieldValue v = c.read(rs, i, db.dialect());
                if (!v.isNull()) {
                    r.fields.put(c.field(), v);
                }
            } catch (Column.UnreadableException e) {
                if (r.badColumn == null) {
                    r.badColumn = c.column();
                    r.badReason = e.getMessage();
                }
            }
            i++;
        }
        return r;
    }

    // ---- schema --------------------------------------------------------------------------------

    @Override
    public void prepareType(ObjectType type, List<StoreField> fields) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(fields, "fields");
        Set<String> names = new HashSet<>();
        for (StoreField f : fields) {
            Objects.requireNonNull(f, "field");
            if (!names.add(f.name())) {
                throw new IllegalArgumentException("field '" + f.name() + "' of " + type + " is named twice");
            }
        }
        if (!settings.holds(type)) {
            return;
        }
        try {
            MarketingTables.Prepared p = tables.prepare(type, fields);
            for (String note : p.notes()) {
                LOG.log(System.Logger.Level.WARNING, type + ": " + note);
            }
            if (!p.added().isEmpty()) {
                LOG.log(System.Logger.Level.INFO, type + ": added " + p.added().size() + " columns to " + p.table().name());
                moveFromOther(p.table(), p.added());
            }
        } catch (SQLException e) {
            throw Database.failure("prepare the table of " + type, e);
        }
    }

    /**
     * Moves values kept in {@code _other} into their new columns (values the column cannot keep stay),
     * page by page (keyset on the marketing id, a transaction each: memory stays flat on a large table).
     */
    private void moveFromOther(Table t, List<Column> added) {
        long[] after = {0};
        boolean[] more = {true};
        while (more[0]) {
            db.run("move values of " + t.type() + " into new columns", c -> {
                List<Row> rows = new ArrayList<>();
                int seen = 0;
                try (PreparedStatement ps = c.prepareStatement("SELECT " + selectList(t) + " FROM " + t.sql()
                        + " r WHERE r._other IS NOT NULL AND r._marketing_id > ? ORDER BY r._marketing_id LIMIT " + CHUNK
                        + " FOR UPDATE")) {
                    ps.setLong(1, after[0]);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            seen++;
                            Row r = row(rs, t);
                            after[0] = r.mid;
                            if (r.badColumn == null && added.stream().anyMatch(a -> r.fields.containsKey(a.field()))) {
                                rows.add(r);
                            }
                        }
                    }
                }
                more[0] = seen == CHUNK;
                if (!rows.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement(updateSql(t))) {
                        for (Row r : rows) {
                            bindUpdate(ps, t, r, t.type().isBidirectional());
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                return null;
            });
        }
    }

    // ---- upgrade from the one-table layout -----------------------------------------------------

    /**
     * Moves the rows of the one-table layout ({@code crmsync_record}, every release before the
     * per-object tables) into the per-object tables, and empties it: a page of rows per
     * transaction, each row inserted and deleted from {@code crmsync_record} in the same one, so a
     * crash leaves every row in exactly one of the two and the next build resumes. A row keeps its
     * marketing id, CRM id, deleted flag, both stamps and its feed position ({@code change_seq}
     * becomes {@code _change_seq}, transaction id 0: a checkpoint's feed cursor of the old layout
     * goes on from the same place); its fields go to the columns the table has and otherwise to
     * {@code _other}, from where {@link #prepareType} moves them into the typed columns it adds.
     * Written as engine writes (no host change, no echo). The schema's id sequence and (H2) feed
     * counter are first raised past the old ones. A row whose type the store does not hold, or whose
     * marketing or CRM id the per-object table already has, stays in {@code crmsync_record}.
     *
     * @return the rows moved
     */
    int upgradeLegacyRecords() {
        List<String> types = db.run("list the types of the one-table layout", c -> {
            List<String> out = new ArrayList<>();
            if (!legacyTableExists(c)) {
                return out;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT object_type FROM crmsync_record ORDER BY object_type");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
        if (types.isEmpty()) {
            return 0;
        }
        db.run("raise the id sequence and feed counter past the one-table layout's", c -> {
            alignCounters(c);
            return null;
        });
        int moved = 0;
        int kept = 0;
        for (String name : types) {
            ObjectType type = ObjectType.of(name);
            if (!settings.holds(type)) {
                LOG.log(System.Logger.Level.WARNING, type + ": rows of the one-table layout left in crmsync_record"
                        + " (the store is not configured to hold the type)");
                continue;
            }
            Table t = table(type);
            long[] after = {0};
            int[] counts = {0, 0, 0};   // seen in the page, moved, kept
            do {
                counts[0] = 0;
                db.run("move " + type + " rows of the one-table layout into " + t.name(), c -> {
                    movePage(c, t, after, counts);
                    return null;
                });
            } while (counts[0] == CHUNK);
            moved += counts[1];
            kept += counts[2];
        }
        if (kept > 0) {
            LOG.log(System.Logger.Level.WARNING, kept + " rows of the one-table layout left in crmsync_record: their"
                    + " marketing or CRM id is taken in the per-object table");
        }
        if (moved > 0) {
            LOG.log(System.Logger.Level.INFO, "moved " + moved + " rows of crmsync_record into the per-object tables");
        }
        return moved;
    }

    private void movePage(Connection c, Table t, long[] after, int[] counts) throws SQLException {
        if (db.dialect() == SqlDialect.POSTGRESQL) {
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("LOCK TABLE crmsync_record IN SHARE ROW EXCLUSIVE MODE");   // one mover at a time
            }
        }
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT marketing_id, crm_id, fields, crm_deleted, crm_modstamp,"
                + " local_modstamp, change_seq FROM crmsync_record WHERE object_type = ? AND marketing_id > ?"
                + " ORDER BY marketing_id LIMIT " + CHUNK + " FOR UPDATE")) {
            ps.setString(1, t.type().apiName());
            ps.setLong(2, after[0]);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Row r = new Row();
                    r.mid = rs.getLong(1);
                    r.type = t.type();
                    String crm = rs.getString(2);
                    String json = rs.getString(3);
                    r.deleted = rs.getBoolean(4);
                    r.crmStamp = db.getInstant(rs, 5);
                    r.localStamp = db.getInstant(rs, 6);
                    r.seq = rs.getLong(7);
                    try {
                        r.crmId = crm == null ? null : CrmId.of(crm);
                        r.fields.putAll(FieldPatches.withoutNulls(FieldsJson.decode(json)));
                    } catch (RuntimeException e) {
                        r.badColumn = json;   // kept as written: the new layout reports the row as unreadable
                        r.badReason = crm;
                    }
                    rows.add(r);
                    after[0] = r.mid;
                }
            }
        }
        counts[0] = rows.size();
        if (rows.isEmpty()) {
            return;
        }
        Set<Long> takenIds = new HashSet<>();
        Set<String> takenCrm = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT _marketing_id, _crm_id FROM " + t.sql()
                + " WHERE _marketing_id BETWEEN ? AND ?")) {
            ps.setLong(1, rows.get(0).mid);
            ps.setLong(2, rows.get(rows.size() - 1).mid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    takenIds.add(rs.getLong(1));
                }
            }
        }
        List<CrmId> crmIds = new ArrayList<>();
        rows.forEach(r -> {
            if (r.crmId != null) {
                crmIds.add(r.crmId);
            }
        });
        for (CrmId id : selectByCrmIds(c, t, crmIds, false).keySet()) {
            takenCrm.add(id.value());
        }
        boolean flag = t.type().isBidirectional();
        List<Long> done = new ArrayList<>();
        try (PreparedStatement ins = c.prepareStatement(insertSql(t));
             PreparedStatement raw = c.prepareStatement("INSERT INTO " + t.sql() + " (_marketing_id, _crm_id, _crm_deleted,"
                     + " _crm_modstamp, _local_modstamp, _change_xid, _change_seq, _other, _engine_write)"
                     + " VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)")) {
            for (Row r : rows) {
                if (takenIds.contains(r.mid) || (r.crmId != null && takenCrm.contains(r.crmId.value()))) {
                    counts[2]++;
                    continue;
                }
                if (r.badColumn != null) {
                    raw.setLong(1, r.mid);
                    raw.setString(2, r.badReason);
                    raw.setBoolean(3, r.deleted);
                    db.setInstant(raw, 4, r.crmStamp);
                    db.setInstant(raw, 5, r.localStamp);
                    raw.setLong(6, r.seq);
                    raw.setString(7, r.badColumn);
                    raw.setBoolean(8, flag);
                    raw.addBatch();
                } else {
                    bindRow(ins, t, r, flag);
                    ins.addBatch();
                }
                done.add(r.mid);
            }
            if (!done.isEmpty()) {
                ins.executeBatch();
                raw.executeBatch();
            }
        }
        if (!done.isEmpty()) {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM crmsync_record WHERE marketing_id = ?")) {
                for (long mid : done) {
                    del.setLong(1, mid);
                    del.addBatch();
                }
                del.executeBatch();
            }
        }
        counts[1] += done.size();
    }

    /** Raises the schema's id sequence past the old one, and (H2) the feed counter past the old counter. */
    private void alignCounters(Connection c) throws SQLException {
        boolean pg = db.dialect() == SqlDialect.POSTGRESQL;
        long oldNext = single(c, pg ? "SELECT nextval('crmsync_marketing_id_seq')" : "SELECT NEXT VALUE FOR crmsync_marketing_id_seq");
        long maxMid = single(c, "SELECT COALESCE(MAX(marketing_id), 0) FROM crmsync_record");
        long floor = Math.max(oldNext, maxMid + 1);    // the next id the new sequence may hand out
        long newNext = nextMarketingIds(c, 1)[0];
        if (newNext < floor) {
            String seq = tables.qs("crmsync_marketing_id_seq");
            try (java.sql.Statement st = c.createStatement()) {
                st.execute(pg ? "SELECT setval('" + seq.replace("'", "''") + "', " + (floor - 1) + ")"
                        : "ALTER SEQUENCE " + seq + " RESTART WITH " + floor);
            }
        }
        if (!pg) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + tables.qs("crmsync_feed_counter")
                    + " SET last_seq = GREATEST(last_seq, COALESCE((SELECT MAX(last_seq) FROM crmsync_change_counter), 0),"
                    + " COALESCE((SELECT MAX(change_seq) FROM crmsync_record), 0)) WHERE name = 'feed'")) {
                ps.executeUpdate();
            }
        }
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean legacyTableExists(Connection c) throws SQLException {
        String schema = c.getSchema();
        for (String name : new String[] {"crmsync_record", "CRMSYNC_RECORD"}) {
            try (ResultSet rs = c.getMetaData().getTables(c.getCatalog(), schema, name, new String[] {"TABLE"})) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@inheritDoc}
     *
     * <p>PostgreSQL: the capture triggers notify at commit, once per table and transaction, and a
     * connection of the listener's own (taken from the store's {@code DataSource}, held while it
     * listens, renewed after a failure) waits for them: a host edit is told within milliseconds.
     * H2 and MariaDB: the feed's high-water mark of each two-way table is read every {@code
     * pollInterval} (one connection for each look).
     */
    @Override
    public AutoCloseable listen(java.util.function.Consumer<ObjectType> onChange, java.time.Duration pollInterval) {
        List<ObjectType> types = new ArrayList<>();
        for (ObjectType t : List.of(ObjectType.LEAD, ObjectType.CONTACT, ObjectType.CAMPAIGN, ObjectType.CAMPAIGN_MEMBER)) {
            if (settings.holds(t)) {
                types.add(t);
            }
        }
        return dev.crmsync.jdbc.internal.ChangeListener.start(db, tables, types, onChange, pollInterval);
    }

    private Table table(ObjectType type) {
        try {
            return tables.table(type);
        } catch (SQLException e) {
            throw Database.failure("open the table of " + type, e);
        }
    }

    // ---- engine writes -------------------------------------------------------------------------

    @Override
    public List<StoreResult> upsert(ObjectType type, List<SyncRecord> records) {
        return upsert(type, records, null);
    }

    /**
     * As {@link #upsert}, checking each record's seen values against the row as locked
     * ({@code SELECT … FOR UPDATE}, in the caller's transaction when there is one): a host write
     * that committed since the engine read the record makes it {@link StoreResult.Changed}, and
     * one still running waits for this transaction — the check and the write are atomic.
     */
    @Override
    public List<StoreResult> upsertIfUnchanged(ObjectType type, List<GuardedUpsert> writes) {
        Objects.requireNonNull(writes, "writes");
        List<SyncRecord> records = new ArrayList<>(writes.size());
        Map<CrmId, GuardedUpsert> seen = new HashMap<>();
        for (GuardedUpsert w : writes) {
            Objects.requireNonNull(w, "write");
            records.add(w.record());
            seen.put(w.record().id(), w);
        }
        return upsert(type, records, seen);
    }

    private List<StoreResult> upsert(ObjectType type, List<SyncRecord> records, @Nullable Map<CrmId, GuardedUpsert> seen) {
        StoreChecks.requireBatch(type, records);
        StoreResult[] out = new StoreResult[records.size()];
        List<Integer> todo = new ArrayList<>();
        Table t = settings.holds(type) && !records.isEmpty() ? table(type) : null;
        for (int i = 0; i < records.size(); i++) {
            SyncRecord r = records.get(i);
            StoreResult.Rejected rej = precheck(type, t, r.id(), r.fields());
            if (rej != null) {
                out[i] = rej;
            } else {
                todo.add(i);
            }
        }
        if (todo.isEmpty()) {
            return List.of(out);
        }
        Table tab = Objects.requireNonNull(t);
        Instant now = Database.micros(settings.clock().instant());
        boolean flag = type.isBidirectional();
        InsertHint hint = hints.computeIfAbsent(type, k -> new InsertHint());
        db.run("upsert " + type + " records", c -> {
            List<Integer> rest = todo;
            if (seen == null && hint.insertFirst && db.dialect() != SqlDialect.H2) {
                rest = insertNew(c, tab, records, todo, out, now, flag);
                hint.insertFirst = rest.isEmpty();
                hint.inserted(c, tab, todo.size() - rest.size());
                if (rest.isEmpty()) {
                    return null;
                }
            }
            upsertLocked(c, tab, records, rest, seen, out, now, flag, hint);
            return null;
        });
        return List.of(out);
    }

    /**
     * The normal path of a write: the batch's rows read and locked ({@code FOR UPDATE}), patched in
     * memory, new ones inserted with ids from the sequence, changed ones updated.
     */
    private void upsertLocked(Connection c, Table tab, List<SyncRecord> records, List<Integer> todo,
            @Nullable Map<CrmId, GuardedUpsert> seen, StoreResult[] out, Instant now, boolean flag, InsertHint hint)
            throws SQLException {
        ObjectType type = tab.type();
        {
            List<CrmId> ids = new ArrayList<>(todo.size());
            for (int i : todo) {
                ids.add(records.get(i).id());
            }
            Map<CrmId, Row> existing = selectByCrmIds(c, tab, ids, true);
            int newCount = 0;
            for (int i : todo) {
                if (!existing.containsKey(records.get(i).id())) {
                    newCount++;
                }
            }
            long[] newIds = newCount == 0 ? new long[0] : nextMarketingIds(c, newCount);
            int nextNew = 0;
            try (PreparedStatement ins = c.prepareStatement(insertSql(tab));
                 PreparedStatement upd = c.prepareStatement(updateSql(tab))) {
                int inserts = 0;
                int updates = 0;
                for (int i : todo) {
                    SyncRecord r = records.get(i);
                    Row cur = existing.get(r.id());
                    Instant crmStamp = Database.micros(r.modstamp());
                    if (seen != null && (cur == null || cur.badColumn == null)) {
                        String changed = cur == null ? null : changedField(seen.get(r.id()), cur.fields);
                        if (cur == null || changed != null) {
                            out[i] = new StoreResult.Changed(r.id(), changed);
                            continue;
                        }
                    }
                    if (cur == null) {
                        Row n = new Row();
                        n.mid = newIds[nextNew++];
                        n.type = type;
                        n.crmId = r.id();
                        n.fields.putAll(FieldPatches.withoutNulls(r.fields()));
                        n.deleted = r.deleted();
                        n.crmStamp = crmStamp;
                        n.localStamp = now;
                        StoreResult.Rejected big = sizeProblem(tab, r.id(), n.fields);
                        if (big != null) {
                            out[i] = big;
                            continue;
                        }
                        bindRow(ins, tab, n, flag);
                        ins.addBatch();
                        inserts++;
                        out[i] = new StoreResult.Created(r.id(), Long.toString(n.mid));
                    } else if (cur.badColumn != null) {
                        out[i] = unreadable(r.id(), type, cur);
                    } else {
                        boolean changed = FieldPatches.apply(cur.fields, r.fields());
                        boolean flagChanged = cur.deleted != r.deleted();
                        String mid = Long.toString(cur.mid);
                        if (!changed && !flagChanged) {
                            out[i] = new StoreResult.Unchanged(r.id(), mid);
                            if (crmStamp.equals(cur.crmStamp)) {
                                continue;
                            }
                            cur.crmStamp = crmStamp;
                        } else {
                            StoreResult.Rejected big = sizeProblem(tab, r.id(), cur.fields);
                            if (big != null) {
                                out[i] = big;
                                continue;
                            }
                            cur.deleted = r.deleted();
                            cur.crmStamp = crmStamp;
                            cur.localStamp = now;
                            out[i] = new StoreResult.Updated(r.id(), mid);
                        }
                        bindUpdate(upd, tab, cur, flag);
                        upd.addBatch();
                        updates++;
                    }
                }
                if (inserts > 0) {
                    ins.executeBatch();
                }
                if (updates > 0) {
                    upd.executeBatch();
                }
                if (seen == null) {
                    // a batch of nothing but new records: the next one of the type is likely new too
                    hint.insertFirst = existing.isEmpty() && todo.size() >= INSERT_FIRST_MIN;
                }
                hint.inserted(c, tab, inserts);
            }
        }
    }

    /** Fewest records of an all-new batch after which the next batch of the type is inserted first. */
    static final int INSERT_FIRST_MIN = 50;

    /** PostgreSQL: the table is analysed when this store's inserts into it pass 2,000, then 4× more each time. */
    static final long FIRST_ANALYZE = 2_000;

    /**
     * What the store has learnt of a type's writes: whether its last batch held nothing but new
     * records (a first copy: the next batch is inserted first, without a lookup), and how many rows
     * it inserted (PostgreSQL: a table filled by a first copy is analysed as it grows, so lookups
     * probe the index instead of scanning a table the planner believes empty). Only a hint: the
     * insert is conditional on the CRM id being new, whatever it says.
     */
    private final class InsertHint {
        volatile boolean insertFirst;
        private long inserted;
        private long nextAnalyze = FIRST_ANALYZE;

        void inserted(Connection c, Table t, int n) throws SQLException {
            boolean analyze;
            synchronized (this) {
                inserted += n;
                analyze = db.dialect() == SqlDialect.POSTGRESQL && inserted >= nextAnalyze;
                if (analyze) {
                    while (nextAnalyze <= inserted) {
                        nextAnalyze *= 4;
                    }
                }
            }
            if (analyze) {
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("ANALYZE " + t.sql());
                }
            }
        }
    }

    private final Map<ObjectType, InsertHint> hints = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param type a type @return whether its next engine write is inserted first (tests) */
    boolean insertsFirst(ObjectType type) {
        InsertHint h = hints.get(type);
        return h != null && h.insertFirst && db.dialect() != SqlDialect.H2;
    }

    /**
     * Inserts the records as new rows, each only if its CRM id is not taken (PostgreSQL
     * {@code INSERT … SELECT … FROM unnest(…) ON CONFLICT (_crm_id) DO NOTHING RETURNING}: one
     * statement and one round trip for the batch, ids from the column's default; MariaDB one
     * multi-row {@code INSERT IGNORE} with ids from the sequence). A record whose id was taken
     * (a host insert, or a row written since the hint was set) is left for the normal path.
     *
     * @return the indexes of the records not inserted
     */
    private List<Integer> insertNew(Connection c, Table t, List<SyncRecord> records, List<Integer> todo,
            StoreResult[] out, Instant now, boolean flag) throws SQLException {
        List<Integer> rows = new ArrayList<>(todo.size());
        List<Map<String, FieldValue>> fields = new ArrayList<>(todo.size());
        for (int i : todo) {
            SyncRecord r = records.get(i);
            Map<String, FieldValue> f = FieldPatches.withoutNulls(r.fields());
            StoreResult.Rejected big = sizeProblem(t, r.id(), f);
            if (big != null) {
                out[i] = big;
            } else {
                rows.add(i);
                fields.add(f);
            }
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<String, Long> got;
        if (db.dialect() != SqlDialect.POSTGRESQL) {
            got = insertIgnore(c, t, records, rows, fields, now, flag);
        } else {
            got = PgCopy.supported(c) ? insertCopy(c, t, records, rows, fields, now, flag) : null;
            if (got == null) {
                got = insertUnnest(c, t, records, rows, fields, now, flag);
            }
        }
        List<Integer> rest = new ArrayList<>();
        for (int i : rows) {
            CrmId id = records.get(i).id();
            Long mid = got.get(id.value());
            if (mid == null) {
                rest.add(i);
            } else {
                out[i] = new StoreResult.Created(id, Long.toString(mid));
            }
        }
        return rest;
    }

    /** Rows this store inserted with {@code COPY} (tests). */
    private final java.util.concurrent.atomic.AtomicLong copied = new java.util.concurrent.atomic.AtomicLong();

    /** @return the rows this store inserted with {@code COPY} so far (tests) */
    long copiedRows() {
        return copied.get();
    }

    /**
     * PostgreSQL through PgJDBC: the batch by {@code COPY … FROM STDIN} (text format), with
     * marketing ids taken from the sequence first, under a savepoint: should a CRM id be taken (a
     * host's insert, a row written since the hint was set), the unique {@code _crm_id} refuses the
     * whole {@code COPY}, the savepoint undoes it and null is returned (the caller inserts the
     * batch row by row conditionally instead). Every other failure propagates.
     *
     * @return marketing ids by CRM id inserted, or null if a CRM id was taken
     */
    private @Nullable Map<String, Long> insertCopy(Connection c, Table t, List<SyncRecord> records, List<Integer> rows,
            List<Map<String, FieldValue>> fields, Instant now, boolean flag) throws SQLException {
        List<Column> cols = List.copyOf(t.columns().values());
        StringBuilder names = new StringBuilder("_marketing_id, _crm_id, _crm_deleted, _crm_modstamp, _local_modstamp, _other,"
                + " _engine_write, _change_seq");
        for (Column col : cols) {
            names.append(", ").append(quoted(t, col));
        }
        int n = rows.size();
        long[] mids = nextMarketingIds(c, n);
        String stamp = now.toString();
        String engine = flag ? "t" : "f";
        StringBuilder sb = new StringBuilder(256 * n);
        for (int j = 0; j < n; j++) {
            SyncRecord r = records.get(rows.get(j));
            Map<String, FieldValue> f = fields.get(j);
            sb.append(mids[j]).append('\t');
            PgCopy.appendText(sb, r.id().value());
            sb.append(r.deleted() ? "\tt\t" : "\tf\t").append(Database.micros(r.modstamp())).append('\t')
                    .append(stamp).append('\t');
            PgCopy.appendText(sb, otherJson(t, f));
            sb.append('\t').append(engine).append('\t').append(ENGINE_CREATED);
            for (Column col : cols) {
                sb.append('\t');
                PgCopy.appendText(sb, pgText(col, columnValue(col, f.getOrDefault(col.field(), FieldValue.NULL))));
            }
            sb.append('\n');
        }
        byte[] data = sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String sql = "COPY " + t.sql() + " (" + names + ") FROM STDIN";
        boolean auto = c.getAutoCommit();
        java.sql.Savepoint sp = auto ? null : c.setSavepoint();
        try {
            long got = PgCopy.copyIn(c, sql, data);
            if (got != n) {
                throw new SQLException("COPY of " + n + " rows into " + t.name() + " copied " + got);
            }
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
            if (sp != null) {
                c.rollback(sp);
            }
            return null;
        }
        if (sp != null) {
            c.releaseSavepoint(sp);
        }
        copied.addAndGet(n);
        Map<String, Long> out = new HashMap<>(n * 2);
        for (int j = 0; j < n; j++) {
            out.put(records.get(rows.get(j)).id().value(), mids[j]);
        }
        return out;
    }

    /** PostgreSQL: the batch as one array per column, inserted in one statement; @return marketing ids by CRM id inserted */
    private Map<String, Long> insertUnnest(Connection c, Table t, List<SyncRecord> records, List<Integer> rows,
            List<Map<String, FieldValue>> fields, Instant now, boolean flag) throws SQLException {
        List<Column> cols = List.copyOf(t.columns().values());
        StringBuilder names = new StringBuilder("_crm_id, _crm_deleted, _crm_modstamp, _local_modstamp, _other, _engine_write,"
                + " _change_seq");
        StringBuilder select = new StringBuilder("u.a0, u.a1::boolean, u.a2::timestamptz, ?::timestamptz, u.a3, "
                + (flag ? "TRUE" : "FALSE") + ", " + ENGINE_CREATED);
        StringBuilder arrays = new StringBuilder("?::text[], ?::text[], ?::text[], ?::text[]");
        StringBuilder alias = new StringBuilder("a0, a1, a2, a3");
        for (int k = 0; k < cols.size(); k++) {
            Column col = cols.get(k);
            names.append(", ").append(quoted(t, col));
            String a = "u.c" + k;
            select.append(", ").append(col.kind().isText() || col.kind() == StoreField.Kind.REFERENCE
                    || col.kind() == StoreField.Kind.ID ? a : "CAST(" + a + " AS " + col.sqlType(SqlDialect.POSTGRESQL) + ")");
            arrays.append(", ?::text[]");
            alias.append(", c").append(k);
        }
        String sql = "INSERT INTO " + t.sql() + " (" + names + ") SELECT " + select + " FROM unnest(" + arrays
                + ") AS u(" + alias + ") ON CONFLICT (_crm_id) DO NOTHING RETURNING _crm_id, _marketing_id";
        int n = rows.size();
        String[][] values = new String[4 + cols.size()][n];
        for (int j = 0; j < n; j++) {
            SyncRecord r = records.get(rows.get(j));
            Map<String, FieldValue> f = fields.get(j);
            values[0][j] = r.id().value();
            values[1][j] = r.deleted() ? "true" : "false";
            values[2][j] = Database.micros(r.modstamp()).toString();
            values[3][j] = otherJson(t, f);
            for (int k = 0; k < cols.size(); k++) {
                Column col = cols.get(k);
                values[4 + k][j] = pgText(col, columnValue(col, f.getOrDefault(col.field(), FieldValue.NULL)));
            }
        }
        Map<String, Long> out = new HashMap<>(n * 2);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, java.time.OffsetDateTime.ofInstant(now, java.time.ZoneOffset.UTC));
            for (int k = 0; k < values.length; k++) {
                ps.setArray(2 + k, c.createArrayOf("text", values[k]));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    /** A column value as PostgreSQL's text input of the column's type, or null. */
    private static @Nullable String pgText(Column col, FieldValue v) {
        if (v.isNull()) {
            return null;
        } else if (v instanceof FieldValue.Text x) {
            return x.value();
        } else if (v instanceof FieldValue.Ref x) {
            return x.id().value();
        } else if (v instanceof FieldValue.Number x) {
            return col.kind() == StoreField.Kind.DOUBLE ? Double.toString(x.value().doubleValue()) : x.value().toPlainString();
        } else if (v instanceof FieldValue.Bool x) {
            return x.value() ? "true" : "false";
        } else if (v instanceof FieldValue.Date x) {
            return x.value().toString();
        } else if (v instanceof FieldValue.DateTime x) {
            return x.value().toString();
        }
        throw new IllegalStateException("unbindable value kind " + v.getClass().getSimpleName());
    }

    /**
     * MariaDB: the batch as one multi-row {@code INSERT IGNORE} (only a taken key is ignored: every
     * value was checked against its column before); @return marketing ids by CRM id inserted
     */
    private Map<String, Long> insertIgnore(Connection c, Table t, List<SyncRecord> records, List<Integer> rows,
            List<Map<String, FieldValue>> fields, Instant now, boolean flag) throws SQLException {
        int n = rows.size();
        long[] mids = nextMarketingIds(c, n);
        String one = insertSql(t);
        int values = one.indexOf(" VALUES (");
        String tuple = one.substring(values + " VALUES ".length());
        StringBuilder sql = new StringBuilder(one.length() + n * tuple.length() + 16)
                .append("INSERT IGNORE").append(one, "INSERT".length(), values).append(" VALUES ");
        for (int j = 0; j < n; j++) {
            sql.append(j == 0 ? "" : ", ").append(tuple);
        }
        int inserted;
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int width = Table.SYSTEM.size() + t.columns().size();
            for (int j = 0; j < n; j++) {
                SyncRecord r = records.get(rows.get(j));
                Row row = new Row();
                row.mid = mids[j];
                row.type = t.type();
                row.crmId = r.id();
                row.fields = fields.get(j);
                row.deleted = r.deleted();
                row.crmStamp = Database.micros(r.modstamp());
                row.localStamp = now;
                bindValues(ps, t, row, flag, j * width);
            }
            inserted = ps.executeUpdate();
        }
        Map<String, Long> out = new HashMap<>(n * 2);
        if (inserted == n) {
            for (int j = 0; j < n; j++) {
                out.put(records.get(rows.get(j)).id().value(), mids[j]);
            }
            return out;
        }
        // some ids were taken: a row is ours if it holds the marketing id this insert gave it
        Map<String, Long> ours = new HashMap<>(n * 2);
        for (int j = 0; j < n; j++) {
            ours.put(records.get(rows.get(j)).id().value(), mids[j]);
        }
        List<CrmId> ids = new ArrayList<>(n);
        rows.forEach(i -> ids.add(records.get(i).id()));
        for (Map.Entry<CrmId, Row> e : selectByCrmIds(c, t, ids, false).entrySet()) {
            Long mid = ours.get(e.getKey().value());
            if (mid != null && mid == e.getValue().mid) {
                out.put(e.getKey().value(), mid);
            }
        }
        return out;
    }

    /** The value a column is given for a field: NULL when the value lives in {@code _other} instead. */
    private static FieldValue columnValue(Column c, FieldValue v) {
        return v.isNull() || c.problem(v).isPresent() || !Column.columnHolds(v) ? FieldValue.NULL : v;
    }

    private static @Nullable String changedField(GuardedUpsert w, Map<String, FieldValue> current) {
        for (Map.Entry<String, FieldValue> e : w.seen().entrySet()) {
            if (!current.getOrDefault(e.getKey(), FieldValue.NULL).equals(e.getValue())) {
                return e.getKey();
            }
        }
        return null;
    }

    private StoreResult.Rejected unreadable(CrmId id, ObjectType type, Row cur) {
        return new StoreResult.Rejected(id, UNREADABLE_IN_STORE, "the stored " + type + " row " + cur.mid
                + " cannot be read back (column " + cur.badColumn + ": " + cur.badReason + "); fix the row with SQL", true);
    }

    private StoreResult.@Nullable Rejected precheck(ObjectType type, @Nullable Table t, CrmId id, Map<String, FieldValue> fields) {
        if (!settings.holds(type) || t == null) {
            return new StoreResult.Rejected(id, "UNKNOWN_TYPE", "object type " + type
                    + " is not one this store was configured to hold", false);
        }
        Optional<StoreChecks.Problem> p = StoreChecks.valueProblem(fields, MAX_FIELD_NAME, settings.maxTextLength());
        if (p.isEmpty()) {
            p = columnProblem(t, fields);
        }
        return p.map(x -> x.rejection(id)).orElse(null);
    }

    private static Optional<StoreChecks.Problem> columnProblem(Table t, Map<String, FieldValue> fields) {
        for (Map.Entry<String, FieldValue> e : fields.entrySet()) {
            Column c = t.column(e.getKey());
            if (c != null && !e.getValue().isNull()) {
                Optional<StoreChecks.Problem> p = c.problem(e.getValue());
                if (p.isPresent()) {
                    return p;
                }
            }
        }
        return Optional.empty();
    }

    /** The record's size: its {@code _other} JSON and the text of its columns. */
    private StoreResult.@Nullable Rejected sizeProblem(Table t, CrmId id, Map<String, FieldValue> fields) {
        int size = size(t, fields);
        return StoreChecks.encodedLengthProblem(size, settings.maxRecordLength()).map(p -> p.rejection(id)).orElse(null);
    }

    private static int size(Table t, Map<String, FieldValue> fields) {
        Map<String, FieldValue> other = new LinkedHashMap<>();
        int size = 0;
        for (Map.Entry<String, FieldValue> e : fields.entrySet()) {
            if (t.column(e.getKey()) == null) {
                other.put(e.getKey(), e.getValue());
            } else if (e.getValue() instanceof FieldValue.Text x) {
                size += x.value().length();
            } else {
                size += 20;
            }
        }
        return size + (other.isEmpty() ? 0 : FieldsJson.encode(other).length());
    }

    private static @Nullable String otherJson(Table t, Map<String, FieldValue> fields) {
        Map<String, FieldValue> other = new LinkedHashMap<>();
        for (Map.Entry<String, FieldValue> e : fields.entrySet()) {
            Column c = t.column(e.getKey());
            if (c == null || c.problem(e.getValue()).isPresent() || !Column.columnHolds(e.getValue())) {
                other.put(e.getKey(), e.getValue());
            }
        }
        return other.isEmpty() ? null : FieldsJson.encode(other);
    }

    private String insertSql(Table t) {
        StringBuilder cols = new StringBuilder("_marketing_id, _crm_id, _crm_deleted, _crm_modstamp, _local_modstamp,"
                + " _change_xid, _change_seq, _other, _engine_write");
        StringBuilder qs = new StringBuilder("?, ?, ?, ?, ?, ?, ?, ?, ?");
        for (Column c : t.columns().values()) {
            cols.append(", ").append(quoted(t, c));
            qs.append(", ?");
        }
        return "INSERT INTO " + t.sql() + " (" + cols + ") VALUES (" + qs + ")";
    }

    /** An update of every column of a row, by marketing id (same parameter order as {@link #insertSql}, id last). */
    private String updateSql(Table t) {
        StringBuilder sb = new StringBuilder("UPDATE " + t.sql() + " SET _marketing_id = ?, _crm_id = ?,"
                + " _crm_deleted = ?, _crm_modstamp = ?, _local_modstamp = ?, _change_xid = ?, _change_seq = ?, _other = ?,"
                + " _engine_write = ?");
        for (Column c : t.columns().values()) {
            sb.append(", ").append(quoted(t, c)).append(" = ?");
        }
        return sb.append(" WHERE _marketing_id = ?").toString();
    }

    /** Binds a row to {@link #insertSql}. */
    private void bindRow(PreparedStatement ps, Table t, Row r, boolean engineFlag) throws SQLException {
        bindValues(ps, t, r, engineFlag);
    }

    /** Binds a row to {@link #updateSql}. */
    private void bindUpdate(PreparedStatement ps, Table t, Row r, boolean engineFlag) throws SQLException {
        ps.setLong(bindValues(ps, t, r, engineFlag), r.mid);
    }

    private int bindValues(PreparedStatement ps, Table t, Row r, boolean engineFlag) throws SQLException {
        return bindValues(ps, t, r, engineFlag, 0);
    }

    /** Binds a row's values from parameter {@code at + 1} on; @return the next parameter */
    private int bindValues(PreparedStatement ps, Table t, Row r, boolean engineFlag, int at) throws SQLException {
        ps.setLong(at + 1, r.mid);
        ps.setString(at + 2, r.crmId == null ? null : r.crmId.value());
        ps.setBoolean(at + 3, r.deleted);
        db.setInstant(ps, at + 4, r.crmStamp);
        db.setInstant(ps, at + 5, r.localStamp);
        ps.setLong(at + 6, r.xid);
        ps.setLong(at + 7, r.seq);
        ps.setString(at + 8, otherJson(t, r.fields));
        ps.setBoolean(at + 9, engineFlag);
        int i = at + 10;
        for (Column c : t.columns().values()) {
            c.bind(ps, i++, columnValue(c, r.fields.getOrDefault(c.field(), FieldValue.NULL)), db.dialect());
        }
        return i;
    }

    private long[] nextMarketingIds(Connection c, int n) throws SQLException {
        String seq = tables.qs("crmsync_marketing_id_seq");
        if (db.dialect() == SqlDialect.MARIADB) {
            // a recursive row source (MariaDB evaluates NEXT VALUE FOR per row), at most 1000 rows a statement
            // (max_recursive_iterations' default)
            long[] out = new long[n];
            int done = 0;
            try (PreparedStatement ps = c.prepareStatement("WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                    + " WHERE i < ?) SELECT NEXT VALUE FOR " + seq + " FROM n")) {
                while (done < n) {
                    int take = Math.min(1000, n - done);
                    ps.setInt(1, take);
                    try (ResultSet rs = ps.executeQuery()) {
                        int got = 0;
                        while (rs.next()) {
                            out[done + got++] = rs.getLong(1);
                        }
                        if (got != take) {
                            throw new SQLException("asked the id sequence for " + take + " values, got " + got);
                        }
                        done += take;
                    }
                }
            }
            return out;
        }
        String sql = db.dialect() == SqlDialect.POSTGRESQL
                ? "SELECT nextval('" + seq.replace("'", "''") + "') FROM generate_series(1, ?)"
                : "SELECT NEXT VALUE FOR " + seq + " FROM SYSTEM_RANGE(1, ?)";
        long[] out = new long[n];
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, n);
            try (ResultSet rs = ps.executeQuery()) {
                int i = 0;
                while (rs.next()) {
                    out[i++] = rs.getLong(1);
                }
                if (i != n) {
                    throw new SQLException("asked the id sequence for " + n + " values, got " + i);
                }
            }
        }
        return out;
    }

    @Override
    public List<StoreResult> markDeleted(ObjectType type, List<Deletion> deletions) {
        Set<CrmId> seen = StoreChecks.requireDeletions(type, deletions);
        if (deletions.isEmpty()) {
            return List.of();
        }
        if (!settings.holds(type)) {
            List<StoreResult> none = new ArrayList<>();
            deletions.forEach(d -> none.add(new StoreResult.NotFound(d.crmId())));
            return List.copyOf(none);
        }
        Table t = table(type);
        Instant now = Database.micros(settings.clock().instant());
        return db.run("mark " + type + " records deleted", c -> {
            Map<CrmId, Row> existing = selectByCrmIds(c, t, seen, true);
            List<StoreResult> out = new ArrayList<>(deletions.size());
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.sql()
                    + " SET _crm_deleted = TRUE, _local_modstamp = ?, _engine_write = ? WHERE _marketing_id = ?")) {
                int batched = 0;
                for (Deletion d : deletions) {
                    Row r = existing.get(d.crmId());
                    if (r == null) {
                        out.add(new StoreResult.NotFound(d.crmId()));
                    } else if (r.deleted) {
                        out.add(new StoreResult.Unchanged(d.crmId(), Long.toString(r.mid)));
                    } else {
                        db.setInstant(ps, 1, now);
                        ps.setBoolean(2, type.isBidirectional());
                        ps.setLong(3, r.mid);
                        ps.addBatch();
                        batched++;
                        out.add(new StoreResult.Updated(d.crmId(), Long.toString(r.mid)));
                    }
                }
                if (batched > 0) {
                    ps.executeBatch();
                }
            }
            return List.copyOf(out);
        });
    }

    // ---- reads ---------------------------------------------------------------------------------

    @Override
    public Map<CrmId, MarketingRecord> findByCrmIds(ObjectType type, Collection<CrmId> ids) {
        StoreChecks.requireIds(type, ids);
        if (ids.isEmpty() || !settings.holds(type)) {
            return Map.of();
        }
        Table t = table(type);
        return db.run("find " + type + " records by CRM id", c -> {
            Map<CrmId, MarketingRecord> out = new HashMap<>();
            for (Map.Entry<CrmId, Row> e : selectByCrmIds(c, t, ids, false).entrySet()) {
                if (e.getValue().badColumn == null) {
                    out.put(e.getKey(), e.getValue().toRecord());
                }
            }
            return Map.copyOf(out);
        });
    }

    private Map<CrmId, Row> selectByCrmIds(Connection c, Table t, Collection<CrmId> ids, boolean lock)
            throws SQLException {
        Map<CrmId, Row> out = new LinkedHashMap<>();
        List<CrmId> all = new ArrayList<>(new LinkedHashSet<>(ids));
        String cols = selectList(t);
        for (int from = 0; from < all.size(); from += CHUNK) {
            List<CrmId> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
            String sql;
            if (db.dialect() == SqlDialect.POSTGRESQL) {
                sql = "SELECT " + cols + " FROM unnest(?::varchar[]) AS k(id) JOIN " + t.sql()
                        + " r ON r._crm_id = k.id" + (lock ? " FOR UPDATE OF r" : "");
            } else {
                sql = "SELECT " + cols + " FROM " + t.sql() + " r WHERE r._crm_id IN ("
                        + Database.placeholders(chunk.size()) + ")" + (lock ? " FOR UPDATE" : "");
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (db.dialect() == SqlDialect.POSTGRESQL) {
                    ps.setArray(1, c.createArrayOf("varchar", chunk.stream().map(CrmId::value).toArray()));
                } else {
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 1, chunk.get(i).value());
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Row r = row(rs, t);
                        if (r.crmId != null) {
                            out.put(r.crmId, r);
                        }
                    }
                }
            }
        }
        return out;
    }

    private @Nullable Row selectByMarketingId(Connection c, Table t, long mid, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + selectList(t)
                + " FROM " + t.sql() + " r WHERE r._marketing_id = ?" + (lock ? " FOR UPDATE" : ""))) {
            ps.setLong(1, mid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? row(rs, t) : null;
            }
        }
    }

    private @Nullable Row selectByCrmId(Connection c, Table t, CrmId id) throws SQLException {
        return selectByCrmIds(c, t, List.of(id), true).get(id);
    }

    @Override
    public Optional<MarketingRecord> findByMarketingId(ObjectType type, String marketingId) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(marketingId, "marketingId");
        long mid = StoreChecks.sequenceNumber(marketingId);
        if (mid < 1 || !settings.holds(type)) {
            return Optional.empty();
        }
        Table t = table(type);
        return db.run("find a " + type + " record by marketing id", c -> {
            Row r = selectByMarketingId(c, t, mid, false);
            return r == null || r.badColumn != null ? Optional.<MarketingRecord>empty() : Optional.of(r.toRecord());
        });
    }

    @Override
    public List<CrmId> crmIds(ObjectType type, IdCursor after, int limit) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(after, "after");
        StoreChecks.requireLimit(limit);
        if (!settings.holds(type)) {
            return List.of();
        }
        Table t = table(type);
        CrmId last = after.lastId();
        return db.run("list " + type + " CRM ids", c -> {
            String sql = "SELECT _crm_id FROM " + t.sql() + " WHERE _crm_id IS NOT NULL"
                    + (last != null ? " AND _crm_id > ?" : "") + " ORDER BY _crm_id LIMIT ?";
            List<CrmId> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (last != null) {
                    ps.setString(i++, last.value());
                }
                ps.setInt(i, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        try {
                            out.add(CrmId.of(rs.getString(1)));
                        } catch (IllegalArgumentException e) {
                            LOG.log(System.Logger.Level.WARNING, type + ": a row of " + t.name() + " holds a _crm_id that is not a record id; left out");
                        }
                    }
                }
            }
            return List.copyOf(out);
        });
    }

    // ---- host writes and the change feed ------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * <p>A plain SQL {@code DELETE} of the row, as a host application's own delete: the table's
     * delete trigger records it, and the change feed reports it.
     */
    @Override
    public boolean deleteLocal(ObjectType type, String marketingId) {
        StoreChecks.requireBidirectional(type);
        Objects.requireNonNull(marketingId, "marketingId");
        if (!settings.holds(type)) {
            throw new IllegalArgumentException("object type " + type + " is not one this store was configured to hold");
        }
        long mid = StoreChecks.sequenceNumber(marketingId);
        if (mid < 1) {
            return false;
        }
        Table t = table(type);
        return db.run("delete a local " + type + " record", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t.sql() + " WHERE _marketing_id = ?")) {
                ps.setLong(1, mid);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public MarketingRecord saveLocal(ObjectType type, @Nullable String marketingId, Map<String, FieldValue> fields) {
        StoreChecks.requireBidirectional(type);
        if (!settings.holds(type)) {
            throw new IllegalArgumentException("object type " + type + " is not one this store was configured to hold");
        }
        checkFields(fields);
        long mid = marketingId == null ? 0 : StoreChecks.sequenceNumber(marketingId);
        if (marketingId != null && mid < 1) {
            throw new IllegalArgumentException("no " + type + " record with marketing id '" + marketingId + "'");
        }
        Table t = table(type);
        columnProblem(t, fields).ifPresent(p -> {
            throw p.exception();
        });
        Instant now = Database.micros(settings.clock().instant());
        return db.run("save a local " + type + " change", c -> {
            Row r;
            if (marketingId == null) {
                r = new Row();
                r.mid = nextMarketingIds(c, 1)[0];
                r.type = type;
                r.fields.putAll(FieldPatches.withoutNulls(fields));
                r.localStamp = now;
                checkSize(t, r.fields);
                try (PreparedStatement ps = c.prepareStatement(insertSql(t))) {
                    bindRow(ps, t, r, false);
                    ps.executeUpdate();
                }
            } else {
                r = selectByMarketingId(c, t, mid, true);
                if (r == null) {
                    throw new IllegalArgumentException("no " + type + " record with marketing id '" + marketingId + "'");
                }
                if (r.badColumn != null) {
                    throw new IllegalArgumentException("the stored " + type + " row " + mid + " cannot be read back (column "
                            + r.badColumn + ": " + r.badReason + "); fix the row with SQL");
                }
                if (!FieldPatches.apply(r.fields, fields)) {
                    return r.toRecord();
                }
                checkSize(t, r.fields);
                r.localStamp = now;
                try (PreparedStatement ps = c.prepareStatement(updateSql(t))) {
                    bindUpdate(ps, t, r, false);
                    ps.executeUpdate();
                }
            }
            Row again = selectByMarketingId(c, t, r.mid, false);
            return Objects.requireNonNull(again, "the row just written").toRecord();
        });
    }

    private void checkSize(Table t, Map<String, FieldValue> fields) {
        StoreChecks.encodedLengthProblem(size(t, fields), settings.maxRecordLength()).ifPresent(p -> {
            throw p.exception();
        });
    }

    /** A feed position: the writing transaction (PostgreSQL; 0 on H2), the change number, the marketing id. */
    private record Position(long xid, long seq, long mid) {
        static final Position START = new Position(0, 0, 0);

        static Position of(FeedCursor cursor) {
            Objects.requireNonNull(cursor, "cursor");
            if (cursor.isStart()) {
                return START;
            }
            String[] p = cursor.value().split("\\.", -1);
            try {
                if (p.length == 2 || p.length == 3) {
                    // two numbers: a position of the one-table layout (change_seq, marketing_id), before any transaction id
                    Position pos = p.length == 2 ? new Position(0, Long.parseLong(p[0]), Long.parseLong(p[1]))
                            : new Position(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]));
                    if (pos.xid >= 0 && pos.seq >= 0 && pos.mid >= 0) {
                        return pos;
                    }
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("invalid change-feed cursor '" + cursor.value()
                    + "': expected FeedCursor.START or a cursor this store returned");
        }

        FeedCursor cursor() {
            return equals(START) ? FeedCursor.START : FeedCursor.of(xid + "." + seq + "." + mid);
        }
    }

    /**
     * A PostgreSQL feed position: the window of transactions between two snapshots (those visible
     * in {@code cur} and not in {@code prev}: each committed transaction falls in exactly one
     * window, however late it commits, and a transaction still running holds back nobody but
     * itself), and the last row read inside the window. {@code prev} null: the first window, which
     * also holds the rows no host change ever touched ({@code _change_xid = 0}). {@code cur} null:
     * the window is not opened yet. Spelled {@code s|prev|cur|xid.seq.mid}.
     */
    private record PgPosition(@Nullable String prev, @Nullable String cur, Position pos) {
        private static final java.util.regex.Pattern SNAPSHOT = java.util.regex.Pattern.compile("\\d{1,20}:\\d{1,20}:(\\d{1,20}(,\\d{1,20})*)?");

        static PgPosition of(FeedCursor cursor) {
            Objects.requireNonNull(cursor, "cursor");
            if (cursor.isStart()) {
                return new PgPosition(null, null, Position.START);
            }
            String v = cursor.value();
            if (!v.startsWith("s|")) {
                // a position of the one-table layout, or of this layout before any window: rows no host touched
                Position p = Position.of(cursor);
                return p.xid() == 0 ? new PgPosition(null, null, p) : new PgPosition("1:1:", null, Position.START);
            }
            String[] parts = v.split("\\|", -1);
            if (parts.length == 4 && (parts[1].isEmpty() || SNAPSHOT.matcher(parts[1]).matches())
                    && (parts[2].isEmpty() || SNAPSHOT.matcher(parts[2]).matches())) {
                Position p = parts[3].isEmpty() ? Position.START : Position.of(FeedCursor.of(parts[3]));
                return new PgPosition(parts[1].isEmpty() ? null : parts[1], parts[2].isEmpty() ? null : parts[2], p);
            }
            throw new IllegalArgumentException("invalid change-feed cursor '" + v
                    + "': expected FeedCursor.START or a cursor this store returned");
        }

        FeedCursor cursor() {
            if (prev == null && cur == null && pos.equals(Position.START)) {
                return FeedCursor.START;
            }
            return FeedCursor.of("s|" + (prev == null ? "" : prev) + "|" + (cur == null ? "" : cur) + "|"
                    + (pos.equals(Position.START) ? "" : pos.cursor().value()));
        }

        /** @return the smallest transaction id the window can hold */
        long lowest() {
            return prev == null ? 0 : Long.parseLong(prev.substring(0, prev.indexOf(':')));
        }
    }

    @Override
    public ChangePage changesSince(ObjectType type, FeedCursor cursor, int limit) {
        StoreChecks.requireBidirectional(type);
        StoreChecks.requireLimit(limit);
        if (db.dialect() == SqlDialect.POSTGRESQL) {
            return pgChangesSince(type, PgPosition.of(cursor), cursor, limit);
        }
        if (db.dialect() == SqlDialect.MARIADB) {
            return mariaChangesSince(type, MariaPosition.of(cursor), cursor, limit);
        }
        Position pos = Position.of(cursor);
        if (!settings.holds(type)) {
            return new ChangePage(List.of(), cursor, false);
        }
        Table t = table(type);
        return db.run("read the " + type + " change feed", c -> {
            FeedBinder bind = (ps, i) -> {
                ps.setLong(i++, pos.xid);
                ps.setLong(i++, pos.seq);
                ps.setLong(i++, pos.mid);
                return i;
            };
            List<Object> entries = feedEntries(c, t, "(r._change_xid, r._change_seq, r._marketing_id) > (?, ?, ?)", bind,
                    limit + 1);
            boolean more = entries.size() > limit;
            List<Object> page = more ? entries.subList(0, limit) : entries;
            FeedCursor next = page.isEmpty() ? cursor : positionOf(page.get(page.size() - 1)).cursor();
            return page(page, next, more);
        });
    }

    /** Binds a feed query's position parameters from {@code i} on. @return the next index */
    @FunctionalInterface
    private interface FeedBinder {
        int bind(PreparedStatement ps, int i) throws SQLException;
    }

    /** A row the host deleted, as its tombstone in {@code crmsync_host_deleted} holds it. */
    private record Tombstone(Position pos, @Nullable String crmId) {
        HostDeletion deletion() {
            return new HostDeletion(Long.toString(pos.mid()), crmId == null ? null : CrmId.of(crmId));
        }
    }

    /**
     * The feed's entries after a position: the table's changed rows and its tombstones, each read
     * with the same position predicate, merged in feed order ({@code _change_xid, _change_seq,
     * _marketing_id}), at most {@code max}.
     */
    private List<Object> feedEntries(Connection c, Table t, String where, FeedBinder bind, int max) throws SQLException {
        // MariaDB's feed has no transaction ids (always 0): its order, and its indexes, leave them out
        String order = db.dialect() == SqlDialect.MARIADB ? " ORDER BY r._change_seq, r._marketing_id LIMIT ?"
                : " ORDER BY r._change_xid, r._change_seq, r._marketing_id LIMIT ?";
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + selectList(t) + " FROM " + t.sql() + " r WHERE " + where
                + order)) {
            ps.setInt(bind.bind(ps, 1), max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(row(rs, t));
                }
            }
        }
        List<Tombstone> gone = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT r._change_xid, r._change_seq, r._marketing_id, r._crm_id FROM "
                + tables.qs("crmsync_host_deleted") + " r WHERE r.table_name = ? AND " + where + order)) {
            ps.setString(1, t.name());
            ps.setInt(bind.bind(ps, 2), max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    gone.add(new Tombstone(new Position(rs.getLong(1), rs.getLong(2), rs.getLong(3)), rs.getString(4)));
                }
            }
        }
        if (gone.isEmpty()) {
            return new ArrayList<>(rows);
        }
        List<Object> out = new ArrayList<>(Math.min(max, rows.size() + gone.size()));
        int a = 0;
        int b = 0;
        while (out.size() < max && (a < rows.size() || b < gone.size())) {
            if (b == gone.size() || (a < rows.size() && POSITION_ORDER.compare(position(rows.get(a)), gone.get(b).pos()) < 0)) {
                out.add(rows.get(a++));
            } else {
                out.add(gone.get(b++));
            }
        }
        return out;
    }

    private static final java.util.Comparator<Position> POSITION_ORDER = java.util.Comparator.comparingLong(Position::xid)
            .thenComparingLong(Position::seq).thenComparingLong(Position::mid);

    private static Position positionOf(Object entry) {
        return entry instanceof Tombstone tb ? tb.pos() : position((Row) entry);
    }

    private static Position position(Row r) {
        return new Position(r.xid, r.seq, r.mid);
    }

    private static ChangePage page(List<?> page, FeedCursor next, boolean more) {
        List<MarketingRecord> good = new ArrayList<>();
        List<UnreadableRecord> bad = new ArrayList<>();
        List<HostDeletion> deletions = new ArrayList<>();
        for (Object e : page) {
            if (e instanceof Tombstone tb) {
                deletions.add(tb.deletion());
                continue;
            }
            Row r = (Row) e;
            if (r.badColumn == null) {
                good.add(r.toRecord());
            } else {
                bad.add(new UnreadableRecord(r.key(), r.badColumn, Objects.requireNonNull(r.badReason)));
            }
        }
        return new ChangePage(good, next, more, bad, deletions);
    }

    private ChangePage pgChangesSince(ObjectType type, PgPosition at, FeedCursor cursor, int limit) {
        if (!settings.holds(type)) {
            return new ChangePage(List.of(), cursor, false);
        }
        Table t = table(type);
        return db.run("read the " + type + " change feed", c -> {
            String cur = at.cur();
            if (cur == null) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_current_snapshot()::text");
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    cur = rs.getString(1);
                }
            }
            String window = "(r._change_xid > 0 AND r._change_xid >= ? AND pg_visible_in_snapshot(r._change_xid::text::xid8, ?::pg_snapshot)"
                    + (at.prev() == null ? "" : " AND NOT pg_visible_in_snapshot(r._change_xid::text::xid8, ?::pg_snapshot)") + ")";
            String where = at.prev() == null ? "(r._change_xid = 0 OR " + window + ")" : window;
            String snapshot = cur;
            FeedBinder bind = (ps, i) -> {
                ps.setLong(i++, at.lowest());
                ps.setString(i++, snapshot);
                if (at.prev() != null) {
                    ps.setString(i++, at.prev());
                }
                ps.setLong(i++, at.pos().xid());
                ps.setLong(i++, at.pos().seq());
                ps.setLong(i++, at.pos().mid());
                return i;
            };
            List<Object> entries = feedEntries(c, t, where + " AND (r._change_xid, r._change_seq, r._marketing_id) > (?, ?, ?)",
                    bind, limit + 1);
            boolean more = entries.size() > limit;
            List<Object> page = more ? entries.subList(0, limit) : entries;
            FeedCursor next;
            if (more) {
                next = new PgPosition(at.prev(), cur, positionOf(page.get(page.size() - 1))).cursor();
            } else if (page.isEmpty() && at.pos().equals(Position.START) && at.cur() == null) {
                next = cursor;        // nothing changed: the same position (the next window simply starts wider)
            } else {
                next = new PgPosition(cur, null, Position.START).cursor();   // the window is read: the next one starts here
            }
            return page(page, next, more);
        });
    }

    /**
     * A MariaDB feed position: {@code bound}, a position below which every host change belongs to
     * a transaction that has ended (0: none established yet), and the last row read. Spelled
     * {@code m|bound|seq.mid}.
     */
    private record MariaPosition(long bound, Position pos) {
        static MariaPosition of(FeedCursor cursor) {
            Objects.requireNonNull(cursor, "cursor");
            if (cursor.isStart()) {
                return new MariaPosition(0, Position.START);
            }
            String v = cursor.value();
            if (!v.startsWith("m|")) {
                // a position of the one-table layout (change_seq, marketing_id) or without a bound
                return new MariaPosition(0, Position.of(cursor));
            }
            String[] parts = v.split("\\|", -1);
            try {
                if (parts.length == 3) {
                    long bound = Long.parseLong(parts[1]);
                    Position p = parts[2].isEmpty() ? Position.START : Position.of(FeedCursor.of(parts[2]));
                    if (bound >= 0 && p.xid() == 0) {
                        return new MariaPosition(bound, p);
                    }
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("invalid change-feed cursor '" + v
                    + "': expected FeedCursor.START or a cursor this store returned");
        }

        FeedCursor cursor() {
            return FeedCursor.of("m|" + bound + "|" + (pos.equals(Position.START) ? "" : pos.cursor().value()));
        }
    }

    /**
     * MariaDB's feed (see {@code MarketingTables#mariaTriggers} for the writers' side), on a
     * connection of its own in {@code READ COMMITTED}: take a position {@code x} from the change
     * sequence, then look for feed slots locked by host transactions. None: every host change
     * numbered below {@code x} has committed (and is visible to the next statement) or rolled
     * back, so the bound moves to {@code x}. Some: the bound stays (an open host transaction holds
     * back the feed of this schema until it ends — the price of having no transaction ids; host
     * transactions themselves do not wait). Then the rows between the last read and the bound.
     */
    private ChangePage mariaChangesSince(ObjectType type, MariaPosition at, FeedCursor cursor, int limit) {
        if (!settings.holds(type)) {
            return new ChangePage(List.of(), cursor, false);
        }
        Table t = table(type);
        return db.runReadCommitted("read the " + type + " change feed", c -> {
            long x;
            try (PreparedStatement ps = c.prepareStatement("SELECT NEXT VALUE FOR " + tables.qs("crmsync_change_seq"));
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                x = rs.getLong(1);
            }
            int free = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT slot FROM " + tables.qs("crmsync_feed_slot")
                    + " LOCK IN SHARE MODE SKIP LOCKED");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    free++;
                }
            }
            c.commit();       // the slots' share locks go at once; the read below sees what committed before
            long bound = free >= MarketingTables.FEED_SLOTS ? x : at.bound();
            FeedBinder bind = (ps, i) -> {
                ps.setLong(i++, at.pos().seq());
                ps.setLong(i++, at.pos().seq());
                ps.setLong(i++, at.pos().mid());
                ps.setLong(i++, bound);
                return i;
            };
            List<Object> entries = feedEntries(c, t, "(r._change_seq > ? OR (r._change_seq = ? AND r._marketing_id > ?))"
                    + " AND r._change_seq < ?", bind, limit + 1);
            boolean more = entries.size() > limit;
            List<Object> page = more ? entries.subList(0, limit) : entries;
            if (page.isEmpty()) {
                // nothing changed: the same cursor (its older bound is only ever the more cautious one)
                return page(page, cursor, false);
            }
            Position last = positionOf(page.get(page.size() - 1));
            return page(page, new MariaPosition(bound, new Position(0, last.seq(), last.mid())).cursor(), more);
        });
    }

    // ---- marketing campaigns' member statuses --------------------------------------------------

    /** The longest status label kept (Salesforce's {@code CampaignMemberStatus.Label} is 765 bytes, 255 characters). */
    private static final int STATUS_LABEL_LENGTH = 255;

    /**
     * The status set of a marketing campaign (a Marketo program's statuses), as the host gave it with
     * {@link #memberStatuses(String, Set)} or wrote into {@code crmsync_program_status}
     * ({@code campaign_marketing_id}, {@code label}) by SQL; empty when it has none, so the engine
     * links such a campaign unchecked.
     */
    @Override
    public Optional<Set<String>> memberStatuses(String campaignMarketingId) {
        Objects.requireNonNull(campaignMarketingId, "campaignMarketingId");
        long mid = StoreChecks.sequenceNumber(campaignMarketingId);
        if (mid < 1) {
            return Optional.empty();            // an id this store never issues has no statuses
        }
        Set<String> labels = db.run("read a marketing campaign's member statuses", c -> {
            Set<String> out = new java.util.HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT label FROM " + tables.qs("crmsync_program_status")
                    + " WHERE campaign_marketing_id = ?")) {
                ps.setLong(1, mid);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
        return labels.isEmpty() ? Optional.empty() : Optional.of(Set.copyOf(labels));
    }

    /**
     * Gives a marketing campaign a status set (a Marketo program's statuses), replacing the one it
     * had; an empty set removes it. The engine refuses to link the campaign to a CRM campaign whose
     * member statuses differ ({@code SyncEngine.linkCampaign} in sync-core). The
     * campaign need not be synced yet; the set is kept by its marketing id.
     *
     * @param campaignMarketingId the store's id of a Campaign record
     * @param labels the status labels: not blank, at most 255 characters, no unpaired surrogate
     * @throws IllegalArgumentException if the id is not one this store issues or a label is not valid
     */
    public void memberStatuses(String campaignMarketingId, Set<String> labels) {
        Objects.requireNonNull(campaignMarketingId, "campaignMarketingId");
        Objects.requireNonNull(labels, "labels");
        long mid = StoreChecks.sequenceNumber(campaignMarketingId);
        if (mid < 1) {
            throw new IllegalArgumentException("not a marketing id this store issues: '" + campaignMarketingId + "'");
        }
        List<String> sorted = new ArrayList<>(labels.size());
        for (String label : labels) {
            Objects.requireNonNull(label, "a status label");
            if (label.isBlank() || label.length() > STATUS_LABEL_LENGTH || StoreChecks.unpairedSurrogate(label) >= 0) {
                throw new IllegalArgumentException("a member status label must be 1 to " + STATUS_LABEL_LENGTH
                        + " characters of valid text, not blank");
            }
            sorted.add(label);
        }
        java.util.Collections.sort(sorted);
        db.run("save a marketing campaign's member statuses", c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM " + tables.qs("crmsync_program_status")
                    + " WHERE campaign_marketing_id = ?")) {
                del.setLong(1, mid);
                del.executeUpdate();
            }
            if (!sorted.isEmpty()) {
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + tables.qs("crmsync_program_status")
                        + " (campaign_marketing_id, label) VALUES (?, ?)")) {
                    for (String label : sorted) {
                        ins.setLong(1, mid);
                        ins.setString(2, label);
                        ins.addBatch();
                    }
                    ins.executeBatch();
                }
            }
            return null;
        });
    }

    // ---- identity changes ----------------------------------------------------------------------

    @Override
    public void link(ObjectType type, String marketingId, CrmId crmId) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(marketingId, "marketingId");
        Objects.requireNonNull(crmId, "crmId");
        long mid = StoreChecks.sequenceNumber(marketingId);
        if (!settings.holds(type)) {
            throw new IllegalArgumentException("no " + type + " record with marketing id '" + marketingId + "'");
        }
        Table t = table(type);
        Instant now = Database.micros(settings.clock().instant());
        db.run("link a " + type + " record", c -> {
            Row r = mid < 1 ? null : selectByMarketingId(c, t, mid, true);
            if (r == null) {
                throw new IllegalArgumentException("no " + type + " record with marketing id '" + marketingId + "'");
            }
            if (r.crmId != null) {
                if (!r.crmId.equals(crmId)) {
                    throw new IllegalArgumentException(type + " record '" + marketingId + "' is already linked to "
                            + r.crmId + ", not to " + crmId);
                }
                return null;
            }
            Row other = selectByCrmId(c, t, crmId);
            if (other != null) {
                throw new IllegalArgumentException("CRM id " + crmId + " is already linked to " + type
                        + " record '" + other.mid + "'");
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.sql()
                    + " SET _crm_id = ?, _local_modstamp = ?, _engine_write = ? WHERE _marketing_id = ?")) {
                ps.setString(1, crmId.value());
                db.setInstant(ps, 2, now);
                ps.setBoolean(3, type.isBidirectional());
                ps.setLong(4, mid);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public MarketingRecord merge(ObjectType type, CrmId survivor, Collection<CrmId> losers,
                                 Map<String, FieldValue> mergedFields) {
        Objects.requireNonNull(type, "type");
        Set<CrmId> loserSet = StoreChecks.requireLosers(survivor, losers);
        Objects.requireNonNull(mergedFields, "mergedFields");
        checkFields(mergedFields);
        requireHeld(type);
        Table t = table(type);
        columnProblem(t, mergedFields).ifPresent(p -> {
            throw p.exception();
        });
        Instant now = Database.micros(settings.clock().instant());
        return db.run("merge " + type + " records", c -> {
            Row surv = selectByCrmId(c, t, survivor);
            Map<CrmId, CrmId> repoint = new LinkedHashMap<>();
            for (CrmId l : loserSet) {
                repoint.put(l, survivor);
                Row lr = selectByCrmId(c, t, l);
                if (lr == null) {
                    continue;
                }
                if (surv == null) {
                    lr.crmId = survivor;
                    surv = lr;
                } else {
                    delete(c, t, lr.mid);
                }
            }
            if (surv == null) {
                surv = new Row();
                surv.mid = nextMarketingIds(c, 1)[0];
                surv.type = type;
                surv.crmId = survivor;
                surv.localStamp = now;
                FieldPatches.apply(surv.fields, mergedFields);
                write(c, t, surv, true);
            } else {
                requireReadable(surv);
                FieldPatches.apply(surv.fields, mergedFields);
                surv.localStamp = now;
                write(c, t, surv, false);
            }
            repointReferences(c, repoint, now);
            return reread(c, t, surv);
        });
    }

    @Override
    public MarketingRecord relink(ObjectType fromType, CrmId fromId, ObjectType toType, CrmId toId,
                                  Map<String, FieldValue> fields) {
        Objects.requireNonNull(fromType, "fromType");
        Objects.requireNonNull(fromId, "fromId");
        Objects.requireNonNull(toType, "toType");
        Objects.requireNonNull(toId, "toId");
        Objects.requireNonNull(fields, "fields");
        checkFields(fields);
        requireHeld(toType);
        Table from = settings.holds(fromType) ? table(fromType) : null;
        Table to = table(toType);
        columnProblem(to, fields).ifPresent(p -> {
            throw p.exception();
        });
        Instant now = Database.micros(settings.clock().instant());
        return db.run("relink a " + fromType + " record to " + toType, c -> {
            Row old = from == null ? null : selectByCrmId(c, from, fromId);
            Row target = selectByCrmId(c, to, toId);
            if (target != null) {
                if (old != null && !(old.mid == target.mid && fromType.equals(toType))) {
                    delete(c, from, old.mid);
                }
                requireReadable(target);
                FieldPatches.apply(target.fields, fields);
                target.localStamp = now;
                write(c, to, target, false);
            } else if (old != null) {
                requireReadable(old);
                old.crmId = toId;
                old.type = toType;
                FieldPatches.apply(old.fields, fields);
                old.localStamp = now;
                if (fromType.equals(toType)) {
                    write(c, to, old, false);
                } else {
                    delete(c, from, old.mid);
                    write(c, to, old, true);     // keeps its marketing id and feed position
                }
                target = old;
            } else {
                target = new Row();
                target.mid = nextMarketingIds(c, 1)[0];
                target.type = toType;
                target.crmId = toId;
                target.localStamp = now;
                FieldPatches.apply(target.fields, fields);
                write(c, to, target, true);
            }
            if (!fromId.equals(toId)) {
                repointReferences(c, Map.of(fromId, toId), now);
            }
            return reread(c, to, target);
        });
    }

    private static void requireReadable(Row r) {
        if (r.badColumn != null) {
            throw new IllegalArgumentException("the stored " + r.type + " row " + r.mid + " cannot be read back (column "
                    + r.badColumn + ": " + r.badReason + "); fix the row with SQL");
        }
    }

    private void requireHeld(ObjectType type) {
        if (!settings.holds(type)) {
            throw new IllegalArgumentException("object type " + type + " is not one this store was configured to hold");
        }
    }

    /** An engine write of a whole row (no feed position change). */
    private void write(Connection c, Table t, Row r, boolean insert) throws SQLException {
        checkSize(t, r.fields);
        try (PreparedStatement ps = c.prepareStatement(insert ? insertSql(t) : updateSql(t))) {
            if (insert) {
                bindRow(ps, t, r, t.type().isBidirectional());
            } else {
                bindUpdate(ps, t, r, t.type().isBidirectional());
            }
            ps.executeUpdate();
        }
    }

    private MarketingRecord reread(Connection c, Table t, Row r) throws SQLException {
        Row again = selectByMarketingId(c, t, r.mid, false);
        if (again == null) {
            throw new SQLException("record " + r.mid + " vanished inside its own transaction");
        }
        return again.toRecord();
    }

    /** The engine's own delete of a row (a merge's loser, a relinked record's old row): never a host deletion. */
    private static void delete(Connection c, Table t, long mid) throws SQLException {
        if (t.type().isBidirectional()) {
            // the delete trigger leaves no tombstone for a row marked so (the update is an engine write: no echo)
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.sql()
                    + " SET _engine_write = TRUE, _change_seq = -1 WHERE _marketing_id = ?")) {
                ps.setLong(1, mid);
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t.sql() + " WHERE _marketing_id = ?")) {
            ps.setLong(1, mid);
            ps.executeUpdate();
        }
    }

    /** Rewrites every reference to an old id, in any record of any table: by column, then in {@code _other}. */
    private void repointReferences(Connection c, Map<CrmId, CrmId> repoint, Instant now) throws SQLException {
        List<Table> all;
        try {
            all = tables.all();
        } catch (SQLException e) {
            throw e;
        }
        for (Table t : all) {
            boolean flag = t.type().isBidirectional();
            for (Map.Entry<CrmId, CrmId> e : repoint.entrySet()) {
                for (Column col : t.columns().values()) {
                    if (col.kind() == StoreField.Kind.REFERENCE || col.kind() == StoreField.Kind.ID) {
                        try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.sql() + " SET " + quoted(t, col)
                                + " = ?, _local_modstamp = ?, _engine_write = ? WHERE " + quoted(t, col) + " = ?")) {
                            ps.setString(1, e.getValue().value());
                            db.setInstant(ps, 2, now);
                            ps.setBoolean(3, flag);
                            ps.setString(4, e.getKey().value());
                            ps.executeUpdate();
                        }
                    }
                }
                List<Row> changed = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT " + selectList(t) + " FROM " + t.sql()
                        + " r WHERE r._other LIKE ? ORDER BY r._marketing_id FOR UPDATE")) {
                    ps.setString(1, "%" + FieldsJson.refToken(e.getKey()) + "%");
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Row r = row(rs, t);
                            if (r.badColumn != null) {
                                continue;
                            }
                            boolean hit = false;
                            for (Map.Entry<String, FieldValue> fe : r.fields.entrySet()) {
                                if (fe.getValue() instanceof FieldValue.Ref ref && ref.id().equals(e.getKey())) {
                                    fe.setValue(FieldValue.ref(e.getValue()));
                                    hit = true;
                                }
                            }
                            if (hit) {
                                r.localStamp = now;
                                changed.add(r);
                            }
                        }
                    }
                }
                if (!changed.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement(updateSql(t))) {
                        for (Row r : changed) {
                            bindUpdate(ps, t, r, flag);
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
            }
        }
    }

    // ---- activity history ----------------------------------------------------------------------

    private static final String ACTIVITY_COLS = "seq, activity_key, object_type, marketing_id, crm_id, kind, fields,"
            + " reason, related_id, cycle_id, happened_at";

    @Override
    public void append(List<PersonActivity> activities) {
        Objects.requireNonNull(activities, "activities");
        if (activities.size() > MAX_BATCH) {
            throw new IllegalArgumentException("at most " + MAX_BATCH + " activities per append, was " + activities.size());
        }
        Map<String, PersonActivity> byKey = new LinkedHashMap<>();
        for (PersonActivity a : activities) {
            Objects.requireNonNull(a, "activity");
            byKey.putIfAbsent(a.key(), a);
        }
        if (byKey.isEmpty()) {
            return;
        }
        db.run("append activities", c -> {
            List<String> keys = new ArrayList<>(byKey.keySet());
            for (int from = 0; from < keys.size(); from += CHUNK) {
                List<String> chunk = keys.subList(from, Math.min(keys.size(), from + CHUNK));
                try (PreparedStatement ps = c.prepareStatement("SELECT activity_key FROM crmsync_activity"
                        + " WHERE activity_key IN (" + Database.placeholders(chunk.size()) + ")")) {
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            byKey.remove(rs.getString(1));
                        }
                    }
                }
            }
            if (byKey.isEmpty()) {
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO crmsync_activity (activity_key, object_type,"
                    + " marketing_id, crm_id, kind, fields, reason, related_id, cycle_id, happened_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (PersonActivity a : byKey.values()) {
                    ps.setString(1, a.key());
                    ps.setString(2, a.type().apiName());
                    ps.setString(3, a.marketingId());
                    ps.setString(4, a.crmId() == null ? null : a.crmId().value());
                    ps.setString(5, a.kind().name());
                    ps.setString(6, String.join(",", a.fields()));
                    ps.setString(7, a.reason());
                    ps.setString(8, a.related() == null ? null : a.related().value());
                    ps.setString(9, a.cycleId());
                    db.setInstant(ps, 10, Database.micros(a.at()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public ActivityPage history(ObjectType type, String marketingId, @Nullable String cursor, int limit) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(marketingId, "marketingId");
        StoreChecks.requireLimit(limit);
        ActivityPage.Position after = cursor == null ? null : ActivityPage.Position.of(cursor);
        Instant afterAt = after == null ? null : after.at();
        long afterSeq = after == null ? 0 : after.seq();
        Instant at = afterAt;
        long seq = afterSeq;
        return db.run("read an activity history", c -> {
            String sql = "SELECT " + ACTIVITY_COLS + " FROM crmsync_activity WHERE object_type = ? AND marketing_id = ?"
                    + (at == null ? "" : " AND (happened_at < ? OR (happened_at = ? AND seq < ?))")
                    + " ORDER BY happened_at DESC, seq DESC LIMIT ?";
            List<PersonActivity> page = new ArrayList<>();
            String next = null;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, type.apiName());
                ps.setString(i++, marketingId);
                if (at != null) {
                    db.setInstant(ps, i++, at);
                    db.setInstant(ps, i++, at);
                    ps.setLong(i++, seq);
                }
                ps.setInt(i, limit + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    long lastSeq = 0;
                    while (rs.next()) {
                        if (page.size() == limit) {
                            PersonActivity last = page.get(page.size() - 1);
                            next = new ActivityPage.Position(last.at(), lastSeq).cursor();
                            break;
                        }
                        lastSeq = rs.getLong(1);
                        page.add(activity(rs));
                    }
                }
            }
            return new ActivityPage(page, next);
        });
    }

    private PersonActivity activity(ResultSet rs) throws SQLException {
        String fields = rs.getString(7);
        String crm = rs.getString(5);
        String related = rs.getString(9);
        return new PersonActivity(ObjectType.of(rs.getString(3)), rs.getString(4), crm == null ? null : CrmId.of(crm),
                PersonActivity.Kind.valueOf(rs.getString(6)), fields == null || fields.isEmpty() ? List.of()
                : List.of(fields.split(",")), rs.getString(8), related == null ? null : CrmId.of(related),
                rs.getString(10), db.getInstant(rs, 11), rs.getString(2));
    }

    @Override
    public void moveHistory(ObjectType fromType, String fromMarketingId, ObjectType toType, String toMarketingId) {
        Objects.requireNonNull(fromType, "fromType");
        Objects.requireNonNull(fromMarketingId, "fromMarketingId");
        Objects.requireNonNull(toType, "toType");
        Objects.requireNonNull(toMarketingId, "toMarketingId");
        if (fromType.equals(toType) && fromMarketingId.equals(toMarketingId)) {
            return;
        }
        db.run("move an activity history", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE crmsync_activity SET object_type = ?, marketing_id = ?"
                    + " WHERE object_type = ? AND marketing_id = ?")) {
                ps.setString(1, toType.apiName());
                ps.setString(2, toMarketingId);
                ps.setString(3, fromType.apiName());
                ps.setString(4, fromMarketingId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Map<CrmId, List<String>> referencing(ObjectType type, String field, Collection<CrmId> targets, int limit) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(targets, "targets");
        StoreChecks.requireLimit(limit);
        targets.forEach(id -> Objects.requireNonNull(id, "target"));
        if (targets.isEmpty() || !settings.holds(type)) {
            return Map.of();
        }
        Table t;
        try {
            t = tables.existing(type);
        } catch (SQLException e) {
            throw Database.failure("open the table of " + type, e);
        }
        if (t == null) {
            return Map.of();                 // no table yet: no record references anything
        }
        Column col = t.column(field);
        List<CrmId> all = new ArrayList<>(new LinkedHashSet<>(targets));
        return db.run("find " + type + " records referencing others", c -> {
            Map<CrmId, List<String>> out = new HashMap<>();
            if (col != null && col.kind() != StoreField.Kind.REFERENCE && col.kind() != StoreField.Kind.ID) {
                return Map.of();             // a column of another kind holds no references
            }
            for (int from = 0; from < all.size(); from += CHUNK) {
                List<CrmId> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
                if (col != null) {
                    String q = quoted(t, col);
                    try (PreparedStatement ps = c.prepareStatement("SELECT x.ref, x.mid FROM (SELECT r." + q
                            + " AS ref, r._marketing_id AS mid, ROW_NUMBER() OVER (PARTITION BY r." + q
                            + " ORDER BY r._marketing_id) AS n FROM " + t.sql() + " r WHERE r." + q + " IN ("
                            + Database.placeholders(chunk.size()) + ")) x WHERE x.n <= ?")) {
                        int i = 1;
                        for (CrmId id : chunk) {
                            ps.setString(i++, id.value());
                        }
                        ps.setInt(i, limit);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                out.computeIfAbsent(CrmId.of(rs.getString(1)), k -> new ArrayList<>())
                                        .add(Long.toString(rs.getLong(2)));
                            }
                        }
                    }
                    continue;
                }
                for (CrmId id : chunk) {         // no column: the field, if any record has it, is in _other
                    try (PreparedStatement ps = c.prepareStatement("SELECT " + selectList(t) + " FROM " + t.sql()
                            + " r WHERE r._other LIKE ? ORDER BY r._marketing_id")) {
                        ps.setString(1, "%" + FieldsJson.refToken(id) + "%");
                        try (ResultSet rs = ps.executeQuery()) {
                            List<String> ids = new ArrayList<>();
                            while (rs.next() && ids.size() < limit) {
                                Row r = row(rs, t);
                                if (r.badColumn == null && r.fields.get(field) instanceof FieldValue.Ref ref
                                        && ref.id().equals(id)) {
                                    ids.add(Long.toString(r.mid));
                                }
                            }
                            if (!ids.isEmpty()) {
                                out.put(id, ids);
                            }
                        }
                    }
                }
            }
            Map<CrmId, List<String>> copy = new HashMap<>();
            out.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            return Map.copyOf(copy);
        });
    }

    // ---- helpers -------------------------------------------------------------------------------

    private void checkFields(Map<String, FieldValue> fields) {
        StoreChecks.requireStorable(fields, MAX_FIELD_NAME, settings.maxTextLength());
    }

    /** @return the schema of the marketing tables */
    public String schema() {
        return tables.schema();
    }

    /**
     * @param type an object type
     * @return the schema-qualified name of its table, as plain SQL spells it ({@code salesforce.lead})
     */
    public String tableName(ObjectType type) {
        Objects.requireNonNull(type, "type");
        return tables.schema() + "." + MarketingTables.tableName(type);
    }

}
