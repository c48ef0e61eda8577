package dev.crmsync.jdbc;

import dev.crmsync.jdbc.internal.Database;
import dev.crmsync.jdbc.internal.FieldsJson;
import dev.crmsync.jdbc.internal.Settings;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.model.Deletion;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.ChangePage;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.FieldPatches;
import dev.crmsync.store.IdCursor;
import dev.crmsync.store.LocalWrites;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.StoreChecks;
import dev.crmsync.store.StoreResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A marketing store over a SQL database (H2 or PostgreSQL), built by {@link JdbcStores}, with
 * every capability ({@link BidirectionalStore}, {@link LocalWrites}). It passes
 * {@code MarketingStoreContract}.
 *
 * <h2>Tables</h2>
 * One row per record in {@code crmsync_record}: the marketing id (a {@code BIGINT} from the
 * sequence {@code crmsync_marketing_id_seq}, shown as its decimal), the object type, the CRM id
 * (null for a marketing-only record; unique per type), the typed fields as JSON text, the
 * deleted flag, both modification stamps (kept to the microsecond), and {@code change_seq}, the
 * record's position in the change feed.
 *
 * <h2>Writes</h2>
 * A batch is checked record by record before anything is written: a blank or over-long field
 * name, a text longer than the configured limit or holding an unpaired UTF-16 surrogate (no UTF-8
 * form), an encoded record over the configured size (the rules of {@link StoreChecks}, with a field
 * name of at most {@value #MAX_FIELD_NAME} characters), or a type the store was not configured to
 * hold makes that record {@link StoreResult.Rejected} with a code ({@code INVALID_FIELD_NAME},
 * {@code VALUE_TOO_LONG}, {@code INVALID_TEXT}, {@code UNKNOWN_TYPE}) and a message naming the
 * field; the rest are read (locked {@code FOR UPDATE}), patched in memory and written with one
 * batched upsert ({@code INSERT … ON CONFLICT} on PostgreSQL, {@code MERGE … KEY} on H2) in one
 * transaction — the caller's, inside {@link JdbcSyncStateStore#inTransaction}. Nothing reads a
 * whole table into memory: lookups go by key in chunks of {@value #CHUNK}.
 *
 * <h2>Change feed</h2>
 * Exact. Only host writes ({@link #saveLocal}, or the optional trigger, see {@link JdbcStores})
 * give a record a new {@code change_seq}, taken from the one-row counter
 * {@code crmsync_change_counter}; taking it locks that row until commit, so positions commit in
 * order and a reader never passes over a change that commits late. Engine writes leave
 * {@code change_seq} alone (no echo, and a pending host change is never hidden). Records the
 * engine created sit at {@code change_seq = 0}. The feed is ordered by
 * {@code (change_seq, marketing_id)}; a cursor is that pair ({@link StoreChecks.FeedPosition}).
 *
 * <h2>Merge and relink</h2>
 * References are repointed by searching the JSON text of every record for the old id's
 * reference token (a scan of the table, done in the same transaction): fine for the rare merges
 * and conversions, never done by ordinary writes.
 */
public final class JdbcMarketingStore implements BidirectionalStore, LocalWrites {

    /** Most keys per {@code IN (…)} lookup. */
    static final int CHUNK = 500;

    /** The longest field name the schema holds (conflicts keep it in a VARCHAR(255)). */
    static final int MAX_FIELD_NAME = 255;

    private static final String COLS =
            "marketing_id, object_type, crm_id, fields, crm_deleted, crm_modstamp, local_modstamp, change_seq";

    private final Database db;
    private final Settings settings;

    JdbcMarketingStore(Database db, Settings settings) {
        this.db = db;
        this.settings = settings;
    }

    /** A row read from {@code crmsync_record}. */
    private static final class Row {
        long mid;
        ObjectType type;
        @Nullable CrmId crmId;
        Map<String, FieldValue> fields;
        boolean deleted;
        @Nullable Instant crmStamp;
        Instant localStamp;
        long seq;

        MarketingRecord toRecord() {
            return new MarketingRecord(type, Long.toString(mid), crmId, fields, deleted, crmStamp, localStamp);
        }
    }

    private static Row row(ResultSet rs) throws SQLException {
        Row r = new Row();
        r.mid = rs.getLong(1);
        r.type = ObjectType.of(rs.getString(2));
        String crm = rs.getString(3);
        r.crmId = crm == null ? null : CrmId.of(crm);
        r.fields = FieldsJson.decode(rs.getString(4));
        r.deleted = rs.getBoolean(5);
        r.crmStamp = Database.getInstant(rs, 6);
        r.localStamp = Database.getInstant(rs, 7);
        r.seq = rs.getLong(8);
        return r;
    }

    // ---- engine writes -------------------------------------------------------------------------

    @Override
    public List<StoreResult> upsert(ObjectType type, List<SyncRecord> records) {
        StoreChecks.requireBatch(type, records);
        StoreResult[] out = new StoreResult[records.size()];
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            SyncRecord r = records.get(i);
            StoreResult.Rejected rej = precheck(type, r.id(), r.fields());
            if (rej != null) {
                out[i] = rej;
            } else {
                todo.add(i);
            }
        }
        if (todo.isEmpty()) {
            return List.of(out);
        }
        Instant now = Database.micros(settings.clock().instant());
        db.run("upsert " + type + " records", c -> {
            markEngineWrite(c);
            List<CrmId> ids = new ArrayList<>(todo.size());
            for (int i : todo) {
                ids.add(records.get(i).id());
            }
            Map<CrmId, Row> existing = selectByCrmIds(c, type, ids, true);
            int newCount = 0;
            for (int i : todo) {
                if (!existing.containsKey(records.get(i).id())) {
                    newCount++;
                }
            }
            long[] newIds = newCount == 0 ? new long[0] : nextMarketingIds(c, newCount);
            int nextNew = 0;
            try (PreparedStatement ps = c.prepareStatement(upsertSql())) {
                int batched = 0;
                for (int i : todo) {
                    SyncRecord r = records.get(i);
                    Row cur = existing.get(r.id());
                    Instant crmStamp = Database.micros(r.modstamp());
                    if (cur == null) {
                        String json = FieldsJson.encode(FieldPatches.withoutNulls(r.fields()));
                        if (json.length() > settings.maxRecordLength()) {
                            out[i] = tooBig(r.id(), json.length());
                            continue;
                        }
                        long mid = newIds[nextNew++];
                        bindUpsert(ps, mid, type, r.id(), json, r.deleted(), crmStamp, now, 0);
                        out[i] = new StoreResult.Created(r.id(), Long.toString(mid));
                    } else {
                        boolean changed = FieldPatches.apply(cur.fields, r.fields());
                        boolean flagChanged = cur.deleted != r.deleted();
                        String mid = Long.toString(cur.mid);
                        if (!changed && !flagChanged) {
                            out[i] = new StoreResult.Unchanged(r.id(), mid);
                            if (crmStamp.equals(cur.crmStamp)) {
                                continue;
                            }
                            bindUpsert(ps, cur.mid, type, r.id(), FieldsJson.encode(cur.fields), cur.deleted,
                                    crmStamp, cur.localStamp, cur.seq);
                        } else {
                            String json = FieldsJson.encode(cur.fields);
                            if (json.length() > settings.maxRecordLength()) {
                                out[i] = tooBig(r.id(), json.length());
                                continue;
                            }
                            bindUpsert(ps, cur.mid, type, r.id(), json, r.deleted(), crmStamp, now, cur.seq);
                            out[i] = new StoreResult.Updated(r.id(), mid);
                        }
                    }
                    ps.addBatch();
                    batched++;
                }
                if (batched > 0) {
                    ps.executeBatch();
                }
            }
            return null;
        });
        return List.of(out);
    }

    private StoreResult.@Nullable Rejected precheck(ObjectType type, CrmId id, Map<String, FieldValue> fields) {
        if (!settings.holds(type)) {
            return new StoreResult.Rejected(id, "UNKNOWN_TYPE", "object type " + type
                    + " is not one this store was configured to hold", false);
        }
        return StoreChecks.valueProblem(fields, MAX_FIELD_NAME, settings.maxTextLength())
                .map(p -> p.rejection(id)).orElse(null);
    }

    private StoreResult.Rejected tooBig(CrmId id, int length) {
        return StoreChecks.encodedLengthProblem(length, settings.maxRecordLength()).orElseThrow().rejection(id);
    }

    private String upsertSql() {
        if (db.dialect() == SqlDialect.POSTGRESQL) {
            return "INSERT INTO crmsync_record (marketing_id, object_type, crm_id, fields, crm_deleted, crm_modstamp,"
                    + " local_modstamp, change_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (object_type, crm_id) DO UPDATE SET fields = EXCLUDED.fields,"
                    + " crm_deleted = EXCLUDED.crm_deleted, crm_modstamp = EXCLUDED.crm_modstamp,"
                    + " local_modstamp = EXCLUDED.local_modstamp";
        }
        // H2: the rows were read under lock, so each one's marketing id (new ones: just allocated) is
        // known and the merge can go by primary key; change_seq is written back as it was read.
        return "MERGE INTO crmsync_record (marketing_id, object_type, crm_id, fields, crm_deleted, crm_modstamp,"
                + " local_modstamp, change_seq) KEY (marketing_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    }

    private static void bindUpsert(PreparedStatement ps, long mid, ObjectType type, CrmId id, String json,
                                   boolean deleted, Instant crmStamp, Instant local, long seq) throws SQLException {
        ps.setLong(1, mid);
        ps.setString(2, type.apiName());
        ps.setString(3, id.value());
        ps.setString(4, json);
        ps.setBoolean(5, deleted);
        Database.setInstant(ps, 6, crmStamp);
        Database.setInstant(ps, 7, local);
        ps.setLong(8, seq);
    }

    private long[] nextMarketingIds(Connection c, int n) throws SQLException {
        String sql = db.dialect() == SqlDialect.POSTGRESQL
                ? "SELECT nextval('crmsync_marketing_id_seq') FROM generate_series(1, ?)"
                : "SELECT NEXT VALUE FOR crmsync_marketing_id_seq FROM SYSTEM_RANGE(1, ?)";
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
        Instant now = Database.micros(settings.clock().instant());
        return db.run("mark " + type + " records deleted", c -> {
            markEngineWrite(c);
            Map<CrmId, Row> existing = selectByCrmIds(c, type, seen, true);
            List<StoreResult> out = new ArrayList<>(deletions.size());
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE crmsync_record SET crm_deleted = TRUE, local_modstamp = ? WHERE marketing_id = ?")) {
                int batched = 0;
                for (Deletion d : deletions) {
                    Row r = existing.get(d.crmId());
                    if (r == null) {
                        out.add(new StoreResult.NotFound(d.crmId()));
                    } else if (r.deleted) {
                        out.add(new StoreResult.Unchanged(d.crmId(), Long.toString(r.mid)));
                    } else {
                        Database.setInstant(ps, 1, now);
                        ps.setLong(2, r.mid);
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
        if (ids.isEmpty()) {
            return Map.of();
        }
        return db.run("find " + type + " records by CRM id", c -> {
            Map<CrmId, MarketingRecord> out = new HashMap<>();
            for (Map.Entry<CrmId, Row> e : selectByCrmIds(c, type, ids, false).entrySet()) {
                out.put(e.getKey(), e.getValue().toRecord());
            }
            return Map.copyOf(out);
        });
    }

    private Map<CrmId, Row> selectByCrmIds(Connection c, ObjectType type, Collection<CrmId> ids, boolean lock)
            throws SQLException {
        Map<CrmId, Row> out = new LinkedHashMap<>();
        List<CrmId> all = new ArrayList<>(new LinkedHashSet<>(ids));
        for (int from = 0; from < all.size(); from += CHUNK) {
            List<CrmId> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
            String sql = db.selectByKeys(COLS, "crmsync_record", chunk.size(), lock);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                db.bindKeys(c, ps, type.apiName(), chunk.stream().map(CrmId::value).toList());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Row r = row(rs);
                        out.put(r.crmId, r);
                    }
                }
            }
        }
        return out;
    }

    private static @Nullable Row selectByMarketingId(Connection c, ObjectType type, long mid, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLS
                + " FROM crmsync_record WHERE marketing_id = ? AND object_type = ?" + (lock ? " FOR UPDATE" : ""))) {
            ps.setLong(1, mid);
            ps.setString(2, type.apiName());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? row(rs) : null;
            }
        }
    }

    private @Nullable Row selectByCrmId(Connection c, ObjectType type, CrmId id) throws SQLException {
        return selectByCrmIds(c, type, List.of(id), true).get(id);
    }

    @Override
    public Optional<MarketingRecord> findByMarketingId(ObjectType type, String marketingId) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(marketingId, "marketingId");
        long mid = StoreChecks.sequenceNumber(marketingId);
        if (mid < 1) {
            return Optional.empty();
        }
        return db.run("find a " + type + " record by marketing id", c -> {
            Row r = selectByMarketingId(c, type, mid, false);
            return r == null ? Optional.<MarketingRecord>empty() : Optional.of(r.toRecord());
        });
    }

    @Override
    public List<CrmId> crmIds(ObjectType type, IdCursor after, int limit) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(after, "after");
        StoreChecks.requireLimit(limit);
        CrmId last = after.lastId();
        return db.run("list " + type + " CRM ids", c -> {
            String sql = "SELECT crm_id FROM crmsync_record WHERE object_type = ? AND crm_id IS NOT NULL"
                    + (last != null ? " AND crm_id > ?" : "") + " ORDER BY crm_id LIMIT ?";
            List<CrmId> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, type.apiName());
                if (last != null) {
                    ps.setString(i++, last.value());
                }
                ps.setInt(i, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(CrmId.of(rs.getString(1)));
                    }
                }
            }
            return List.copyOf(out);
        });
    }

    // ---- host writes and the change feed ------------------------------------------------------

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
        Instant now = Database.micros(settings.clock().instant());
        return db.run("save a local " + type + " change", c -> {
            Row r;
            if (marketingId == null) {
                r = new Row();
                r.mid = nextMarketingIds(c, 1)[0];
                r.type = type;
                r.fields = new HashMap<>(FieldPatches.withoutNulls(fields));
                r.localStamp = now;
                String json = encodeChecked(r.fields);
                r.seq = nextChangeSeq(c);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO crmsync_record (" + COLS
                        + ") VALUES (?, ?, NULL, ?, FALSE, NULL, ?, ?)")) {
                    ps.setLong(1, r.mid);
                    ps.setString(2, type.apiName());
                    ps.setString(3, json);
                    Database.setInstant(ps, 4, now);
                    ps.setLong(5, r.seq);
                    ps.executeUpdate();
                }
            } else {
                r = selectByMarketingId(c, type, mid, true);
                if (r == null) {
                    throw new IllegalArgumentException("no " + type + " record with marketing id '" + marketingId + "'");
                }
                if (FieldPatches.apply(r.fields, fields)) {
                    String json = encodeChecked(r.fields);
                    r.seq = nextChangeSeq(c);
                    r.localStamp = now;
                    try (PreparedStatement ps = c.prepareStatement(
                            "UPDATE crmsync_record SET fields = ?, local_modstamp = ?, change_seq = ? WHERE marketing_id = ?")) {
                        ps.setString(1, json);
                        Database.setInstant(ps, 2, now);
                        ps.setLong(3, r.seq);
                        ps.setLong(4, r.mid);
                        ps.executeUpdate();
                    }
                }
            }
            return r.toRecord();
        });
    }

    private String encodeChecked(Map<String, FieldValue> fields) {
        String json = FieldsJson.encode(fields);
        Optional<StoreChecks.Problem> p = StoreChecks.encodedLengthProblem(json.length(), settings.maxRecordLength());
        if (p.isPresent()) {
            throw p.get().exception();
        }
        return json;
    }

    /** Takes the next change-feed position; the counter row stays locked until the transaction ends. */
    static long nextChangeSeq(Connection c) throws SQLException {
        try (PreparedStatement up = c.prepareStatement(
                "UPDATE crmsync_change_counter SET last_seq = last_seq + 1 WHERE name = 'feed'")) {
            if (up.executeUpdate() != 1) {
                throw new SQLException("the change counter row is missing from crmsync_change_counter");
            }
        }
        try (PreparedStatement q = c.prepareStatement("SELECT last_seq FROM crmsync_change_counter WHERE name = 'feed'");
             ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public ChangePage changesSince(ObjectType type, FeedCursor cursor, int limit) {
        StoreChecks.requireBidirectional(type);
        StoreChecks.requireLimit(limit);
        StoreChecks.FeedPosition pos = StoreChecks.FeedPosition.of(cursor);
        return db.run("read the " + type + " change feed", c -> {
            List<Row> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLS + " FROM crmsync_record"
                    + " WHERE object_type = ? AND (change_seq, marketing_id) > (?, ?)"
                    + " ORDER BY object_type, change_seq, marketing_id LIMIT ?")) {
                ps.setString(1, type.apiName());
                ps.setLong(2, pos.seq());
                ps.setLong(3, pos.id());
                ps.setInt(4, limit + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(row(rs));
                    }
                }
            }
            return ChangePage.of(rows, limit, cursor, r -> new StoreChecks.FeedPosition(r.seq, r.mid).cursor(),
                    Row::toRecord);
        });
    }

    // ---- identity changes ----------------------------------------------------------------------

    @Override
    public void link(ObjectType type, String marketingId, CrmId crmId) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(marketingId, "marketingId");
        Objects.requireNonNull(crmId, "crmId");
        long mid = StoreChecks.sequenceNumber(marketingId);
        Instant now = Database.micros(settings.clock().instant());
        db.run("link a " + type + " record", c -> {
            markEngineWrite(c);
            Row r = mid < 1 ? null : selectByMarketingId(c, type, mid, true);
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
            Row other = selectByCrmId(c, type, crmId);
            if (other != null) {
                throw new IllegalArgumentException("CRM id " + crmId + " is already linked to " + type
                        + " record '" + other.mid + "'");
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE crmsync_record SET crm_id = ?, local_modstamp = ? WHERE marketing_id = ?")) {
                ps.setString(1, crmId.value());
                Database.setInstant(ps, 2, now);
                ps.setLong(3, mid);
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
        Instant now = Database.micros(settings.clock().instant());
        return db.run("merge " + type + " records", c -> {
            markEngineWrite(c);
            Row surv = selectByCrmId(c, type, survivor);
            Map<CrmId, CrmId> repoint = new LinkedHashMap<>();
            for (CrmId l : loserSet) {
                repoint.put(l, survivor);
                Row lr = selectByCrmId(c, type, l);
                if (lr == null) {
                    continue;
                }
                if (surv == null) {
                    setCrmId(c, lr.mid, survivor);
                    lr.crmId = survivor;
                    surv = lr;
                } else {
                    delete(c, lr.mid);
                }
            }
            if (surv == null) {
                surv = insertLinked(c, type, survivor, now);
            }
            applyPatch(c, surv, mergedFields, now);
            repointReferences(c, repoint, now);
            return reread(c, surv);
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
        if (!settings.holds(toType)) {
            throw new IllegalArgumentException("object type " + toType + " is not one this store was configured to hold");
        }
        Instant now = Database.micros(settings.clock().instant());
        return db.run("relink a " + fromType + " record to " + toType, c -> {
            markEngineWrite(c);
            Row from = selectByCrmId(c, fromType, fromId);
            Row to = selectByCrmId(c, toType, toId);
            if (to != null) {
                if (from != null && from.mid != to.mid) {
                    delete(c, from.mid);
                }
            } else if (from != null) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE crmsync_record SET object_type = ?, crm_id = ? WHERE marketing_id = ?")) {
                    ps.setString(1, toType.apiName());
                    ps.setString(2, toId.value());
                    ps.setLong(3, from.mid);
                    ps.executeUpdate();
                }
                from.type = toType;
                from.crmId = toId;
                to = from;
            } else {
                to = insertLinked(c, toType, toId, now);
            }
            applyPatch(c, to, fields, now);
            if (!fromId.equals(toId)) {
                repointReferences(c, Map.of(fromId, toId), now);
            }
            return reread(c, to);
        });
    }

    private MarketingRecord reread(Connection c, Row r) throws SQLException {
        Row again = selectByMarketingId(c, r.type, r.mid, false);
        if (again == null) {
            throw new SQLException("record " + r.mid + " vanished inside its own transaction");
        }
        return again.toRecord();
    }

    private Row insertLinked(Connection c, ObjectType type, CrmId id, Instant now) throws SQLException {
        Row r = new Row();
        r.mid = nextMarketingIds(c, 1)[0];
        r.type = type;
        r.crmId = id;
        r.fields = new HashMap<>();
        r.localStamp = now;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO crmsync_record (" + COLS
                + ") VALUES (?, ?, ?, '{}', FALSE, NULL, ?, 0)")) {
            ps.setLong(1, r.mid);
            ps.setString(2, type.apiName());
            ps.setString(3, id.value());
            Database.setInstant(ps, 4, now);
            ps.executeUpdate();
        }
        return r;
    }

    private void applyPatch(Connection c, Row r, Map<String, FieldValue> fields, Instant now) throws SQLException {
        FieldPatches.apply(r.fields, fields);
        String json = encodeChecked(r.fields);
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE crmsync_record SET fields = ?, local_modstamp = ? WHERE marketing_id = ?")) {
            ps.setString(1, json);
            Database.setInstant(ps, 2, now);
            ps.setLong(3, r.mid);
            ps.executeUpdate();
        }
    }

    private static void setCrmId(Connection c, long mid, CrmId id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE crmsync_record SET crm_id = ? WHERE marketing_id = ?")) {
            ps.setString(1, id.value());
            ps.setLong(2, mid);
            ps.executeUpdate();
        }
    }

    private static void delete(Connection c, long mid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM crmsync_record WHERE marketing_id = ?")) {
            ps.setLong(1, mid);
            ps.executeUpdate();
        }
    }

    /** Rewrites every reference to an old id, in any record of any type. */
    private void repointReferences(Connection c, Map<CrmId, CrmId> repoint, Instant now) throws SQLException {
        for (Map.Entry<CrmId, CrmId> e : repoint.entrySet()) {
            Map<Long, String> changed = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT marketing_id, fields FROM crmsync_record WHERE fields LIKE ? ORDER BY marketing_id FOR UPDATE")) {
                ps.setString(1, "%" + FieldsJson.refToken(e.getKey()) + "%");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, FieldValue> f = FieldsJson.decode(rs.getString(2));
                        boolean hit = false;
                        for (Map.Entry<String, FieldValue> fe : f.entrySet()) {
                            if (fe.getValue() instanceof FieldValue.Ref r && r.id().equals(e.getKey())) {
                                fe.setValue(FieldValue.ref(e.getValue()));
                                hit = true;
                            }
                        }
                        if (hit) {
                            changed.put(rs.getLong(1), FieldsJson.encode(f));
                        }
                    }
                }
            }
            if (!changed.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE crmsync_record SET fields = ?, local_modstamp = ? WHERE marketing_id = ?")) {
                    for (Map.Entry<Long, String> ch : changed.entrySet()) {
                        ps.setString(1, ch.getValue());
                        Database.setInstant(ps, 2, now);
                        ps.setLong(3, ch.getKey());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** With the host-change trigger installed, tells it that this transaction's writes are the engine's. */
    private void markEngineWrite(Connection c) throws SQLException {
        if (settings.hostTrigger()) {
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("SET LOCAL crmsync.engine_write = 'on'");
            }
        }
    }

    private void checkFields(Map<String, FieldValue> fields) {
        StoreChecks.requireStorable(fields, MAX_FIELD_NAME, settings.maxTextLength());
    }
}
