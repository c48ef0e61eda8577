package dev.crmsync.jdbc;

import dev.crmsync.jdbc.internal.Database;
import dev.crmsync.jdbc.internal.FieldsJson;
import dev.crmsync.jdbc.internal.JdbcKeys;
import dev.crmsync.jdbc.internal.PgCopy;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.crm.Cursor;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.Lease;
import dev.crmsync.store.LeaseAttempt;
import dev.crmsync.store.ParkedConflict;
import dev.crmsync.store.PendingWrites;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncBase;
import dev.crmsync.store.StoreChecks;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.SyncStateStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A {@link SyncStateStore} over a SQL database (H2, PostgreSQL or MariaDB), built by {@link JdbcStores}.
 * It passes {@code SyncStateStoreContract}, atomic transactions and exclusive leases included.
 *
 * <h2>Tables</h2>
 * {@code crmsync_checkpoint} (one row per type), {@code crmsync_failure} (retry queue and parked
 * failures), {@code crmsync_intent} (the engine's intents, kept generically: kind, type, key,
 * time and payload text), {@code crmsync_base} (merge bases, fields and pending writes as JSON
 * text, indexed by CRM id and by marketing id; a marketing id not known yet is {@code NULL}),
 * {@code crmsync_conflict} (parked conflicts, values as JSON text) and {@code crmsync_lease}.
 * A record key takes two columns: {@code key_kind} ({@code CRM} or {@code MARKETING}) and
 * {@code record_key}. Instants are kept to the microsecond.
 *
 * <h2>Transactions</h2>
 * {@link #inTransaction} binds one connection to the calling thread until the work returns; every
 * call to this store and to the {@link JdbcMarketingStore} of the same {@link JdbcStores} made
 * meanwhile on that thread runs on it, so a page of data and its checkpoint commit together or
 * not at all. Nested calls join the outer transaction. Outside a transaction each call commits on
 * its own.
 *
 * <h2>Leases</h2>
 * A row per lease name holds the holder — owner (the engine id) and instance token, both null when
 * free — since when, the expiry and the fencing token. Every lease call locks the row
 * ({@code SELECT … FOR UPDATE}), so two instances asking at once are served one after the other:
 * the first gets the lease, the second is refused and told who holds it. Time is the
 * <b>database's</b>: the call reads {@code CURRENT_TIMESTAMP} with the row (on PostgreSQL the
 * start of the call's transaction; on MariaDB {@code UTC_TIMESTAMP(6)}, the statement's time) and judges expiry and computes the new expiry from it, so
 * engines on hosts whose clocks disagree still exclude each other. A renewal by the holding
 * instance keeps the token; every other grant increments it; a lapsed lease is never renewed.
 * {@link #holdsLease} locks the row too: asked inside a transaction (the engine asks just before
 * it saves a checkpoint), no other instance can be granted the lease until that transaction ends,
 * so a page of data and its checkpoint commit only under a lease still held.
 */
public final class JdbcSyncStateStore implements SyncStateStore {

    private final Database db;
    private volatile Duration clockOffset = Duration.ZERO;

    JdbcSyncStateStore(Database db) {
        this.db = db;
    }

    private boolean pg() {
        return db.dialect() == SqlDialect.POSTGRESQL;
    }

    private boolean maria() {
        return db.dialect() == SqlDialect.MARIADB;
    }

    /**
     * MariaDB's upsert: {@code INSERT … ON DUPLICATE KEY UPDATE} of every column not in the key
     * (the tables have no other unique key, so a duplicate is always the key's).
     */
    private static String mariaUpsert(String table, String columns, String key) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (String k : key.split(",")) {
            keys.add(k.strip());
        }
        StringBuilder set = new StringBuilder();
        int n = 0;
        for (String col : columns.split(",")) {
            String c = col.strip();
            n++;
            if (!keys.contains(c)) {
                set.append(set.length() == 0 ? "" : ", ").append(c).append(" = VALUES(").append(c).append(')');
            }
        }
        return "INSERT INTO " + table + " (" + columns + ") VALUES (" + Database.placeholders(n) + ") ON DUPLICATE KEY UPDATE " + set;
    }

    // ---- checkpoints ---------------------------------------------------------------------------

    @Override
    public Optional<Checkpoint> checkpoint(ObjectType type) {
        Objects.requireNonNull(type, "type");
        return db.run("read the " + type + " checkpoint", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT crm_modstamp, crm_last_id, initial_copy_done,"
                    + " records_done, deletions_checked_until, marketing_cursor, updated_at"
                    + " FROM crmsync_checkpoint WHERE object_type = ?")) {
                ps.setString(1, type.apiName());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Checkpoint>empty();
                    }
                    String last = rs.getString(2);
                    Cursor cursor = new Cursor(db.getInstant(rs, 1), last == null ? null : CrmId.of(last));
                    return Optional.of(new Checkpoint(type, cursor, rs.getBoolean(3), rs.getLong(4),
                            db.getInstant(rs, 5), FeedCursor.of(rs.getString(6)), db.getInstant(rs, 7)));
                }
            }
        });
    }

    @Override
    public void saveCheckpoint(Checkpoint cp) {
        Objects.requireNonNull(cp, "checkpoint");
        String sql = maria() ? mariaUpsert("crmsync_checkpoint", "object_type, crm_modstamp, crm_last_id, initial_copy_done,"
                + " records_done, deletions_checked_until, marketing_cursor, updated_at", "object_type") : pg()
                ? "INSERT INTO crmsync_checkpoint (object_type, crm_modstamp, crm_last_id, initial_copy_done, records_done,"
                        + " deletions_checked_until, marketing_cursor, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (object_type) DO UPDATE SET crm_modstamp = EXCLUDED.crm_modstamp,"
                        + " crm_last_id = EXCLUDED.crm_last_id, initial_copy_done = EXCLUDED.initial_copy_done,"
                        + " records_done = EXCLUDED.records_done, deletions_checked_until = EXCLUDED.deletions_checked_until,"
                        + " marketing_cursor = EXCLUDED.marketing_cursor, updated_at = EXCLUDED.updated_at"
                : "MERGE INTO crmsync_checkpoint (object_type, crm_modstamp, crm_last_id, initial_copy_done, records_done,"
                        + " deletions_checked_until, marketing_cursor, updated_at) KEY (object_type)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
        db.run("save the " + cp.type() + " checkpoint", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, cp.type().apiName());
                db.setInstant(ps, 2, cp.crmCursor().modstamp());
                ps.setString(3, cp.crmCursor().lastId() == null ? null : cp.crmCursor().lastId().value());
                ps.setBoolean(4, cp.initialCopyDone());
                ps.setLong(5, cp.recordsDone());
                db.setInstant(ps, 6, cp.deletionsCheckedUntil());
                ps.setString(7, cp.marketingCursor().value());
                db.setInstant(ps, 8, cp.updatedAt());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void deleteCheckpoint(ObjectType type) {
        Objects.requireNonNull(type, "type");
        update("delete the " + type + " checkpoint", "DELETE FROM crmsync_checkpoint WHERE object_type = ?", type.apiName());
    }

    // ---- failures ------------------------------------------------------------------------------

    private static final String FAILURE_COLS = "object_type, key_kind, record_key, target, code, message, retriable,"
            + " attempts, first_failed_at, last_failed_at, parked";

    @Override
    public void saveFailure(FailedRecord f) {
        Objects.requireNonNull(f, "failure");
        String sql = maria() ? mariaUpsert("crmsync_failure", FAILURE_COLS, "object_type, key_kind, record_key, target") : pg()
                ? "INSERT INTO crmsync_failure (" + FAILURE_COLS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (object_type, key_kind, record_key, target) DO UPDATE SET code = EXCLUDED.code,"
                        + " message = EXCLUDED.message, retriable = EXCLUDED.retriable, attempts = EXCLUDED.attempts,"
                        + " first_failed_at = EXCLUDED.first_failed_at, last_failed_at = EXCLUDED.last_failed_at,"
                        + " parked = EXCLUDED.parked"
                : "MERGE INTO crmsync_failure (" + FAILURE_COLS + ") KEY (object_type, key_kind, record_key, target)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        db.run("save a " + f.type() + " failure", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, f.type().apiName());
                ps.setString(2, JdbcKeys.kind(f.key()));
                ps.setString(3, JdbcKeys.value(f.key()));
                ps.setString(4, f.target().name());
                ps.setString(5, f.code());
                ps.setString(6, f.message());
                ps.setBoolean(7, f.retriable());
                ps.setInt(8, f.attempts());
                db.setInstant(ps, 9, f.firstFailedAt());
                db.setInstant(ps, 10, f.lastFailedAt());
                ps.setBoolean(11, f.parked());
                ps.executeUpdate();
            }
            return null;
        });
    }

    private FailedRecord failure(ResultSet rs) throws SQLException {
        return new FailedRecord(ObjectType.of(rs.getString(1)), JdbcKeys.of(rs.getString(2), rs.getString(3)),
                SyncSide.valueOf(rs.getString(4)), rs.getString(5), rs.getString(6), rs.getBoolean(7), rs.getInt(8),
                db.getInstant(rs, 9), db.getInstant(rs, 10), rs.getBoolean(11));
    }

    @Override
    public Optional<FailedRecord> failure(ObjectType type, RecordKey key, SyncSide target) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(target, "target");
        List<FailedRecord> found = failures("read a " + type + " failure", "SELECT " + FAILURE_COLS
                + " FROM crmsync_failure WHERE object_type = ? AND key_kind = ? AND record_key = ? AND target = ?",
                type.apiName(), JdbcKeys.kind(key), JdbcKeys.value(key), target.name());
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    @Override
    public List<FailedRecord> retryQueue(ObjectType type, SyncSide target, int limit) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(target, "target");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        return failures("read the " + type + " retry queue", "SELECT " + FAILURE_COLS
                + " FROM crmsync_failure WHERE object_type = ? AND target = ? AND parked = FALSE"
                + " ORDER BY last_failed_at, key_kind, record_key LIMIT " + limit, type.apiName(), target.name());
    }

    @Override
    public List<FailedRecord> parkedFailures() {
        return failures("list parked failures", "SELECT " + FAILURE_COLS
                + " FROM crmsync_failure WHERE parked = TRUE ORDER BY object_type, key_kind, record_key, target");
    }

    private List<FailedRecord> failures(String what, String sql, String... args) {
        return db.run(what, c -> {
            List<FailedRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setString(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(failure(rs));
                    }
                }
            }
            return List.copyOf(out);
        });
    }

    @Override
    public void deleteFailure(ObjectType type, RecordKey key, SyncSide target) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(target, "target");
        update("delete a " + type + " failure",
                "DELETE FROM crmsync_failure WHERE object_type = ? AND key_kind = ? AND record_key = ? AND target = ?",
                type.apiName(), JdbcKeys.kind(key), JdbcKeys.value(key), target.name());
    }

    // ---- intents -------------------------------------------------------------------------------

    private static final String INTENT_COLS = "object_type, key_kind, record_key, kind, recorded_at, payload";

    @Override
    public void saveIntent(EngineIntent intent) {
        Objects.requireNonNull(intent, "intent");
        String sql = maria() ? mariaUpsert("crmsync_intent", INTENT_COLS, "object_type, key_kind, record_key, kind") : pg()
                ? "INSERT INTO crmsync_intent (" + INTENT_COLS + ") VALUES (?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (object_type, key_kind, record_key, kind) DO UPDATE SET"
                        + " recorded_at = EXCLUDED.recorded_at, payload = EXCLUDED.payload"
                : "MERGE INTO crmsync_intent (" + INTENT_COLS + ") KEY (object_type, key_kind, record_key, kind)"
                        + " VALUES (?, ?, ?, ?, ?, ?)";
        String payload = intent.payload();
        db.run("save a " + intent.type() + " intent", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, intent.type().apiName());
                ps.setString(2, JdbcKeys.kind(intent.key()));
                ps.setString(3, JdbcKeys.value(intent.key()));
                ps.setString(4, intent.kind().name());
                db.setInstant(ps, 5, intent.recordedAt());
                ps.setString(6, payload);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<EngineIntent> intent(ObjectType type, RecordKey key, EngineIntent.Kind kind) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        List<EngineIntent> found = intents("read a " + type + " intent", "SELECT " + INTENT_COLS
                + " FROM crmsync_intent WHERE object_type = ? AND key_kind = ? AND record_key = ? AND kind = ?",
                type.apiName(), JdbcKeys.kind(key), JdbcKeys.value(key), kind.name());
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    @Override
    public List<EngineIntent> intents(ObjectType type, EngineIntent.Kind kind, int limit) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(kind, "kind");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        return intents("list " + type + " intents", "SELECT " + INTENT_COLS
                + " FROM crmsync_intent WHERE object_type = ? AND kind = ?"
                + " ORDER BY recorded_at, key_kind, record_key LIMIT " + limit, type.apiName(), kind.name());
    }

    private List<EngineIntent> intents(String what, String sql, String... args) {
        return db.run(what, c -> {
            List<EngineIntent> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setString(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(EngineIntent.restore(EngineIntent.Kind.valueOf(rs.getString(4)),
                                ObjectType.of(rs.getString(1)), JdbcKeys.of(rs.getString(2), rs.getString(3)),
                                db.getInstant(rs, 5), rs.getString(6)));
                    }
                }
            }
            return List.copyOf(out);
        });
    }

    @Override
    public void deleteIntent(ObjectType type, RecordKey key, EngineIntent.Kind kind) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        update("delete a " + type + " intent",
                "DELETE FROM crmsync_intent WHERE object_type = ? AND key_kind = ? AND record_key = ? AND kind = ?",
                type.apiName(), JdbcKeys.kind(key), JdbcKeys.value(key), kind.name());
    }

    // ---- bases ---------------------------------------------------------------------------------

    private static final String BASE_COLS = "object_type, crm_id, marketing_id, fields, crm_modstamp, synced_at,"
            + " pending_crm, pending_store";

    private SyncBase base(ResultSet rs) throws SQLException {
        String crm = rs.getString(7);
        String store = rs.getString(8);
        PendingWrites pending = crm == null && store == null ? PendingWrites.NONE
                : new PendingWrites(crm == null ? Map.of() : FieldsJson.decode(crm),
                        store == null ? Map.of() : FieldsJson.decode(store));
        return new SyncBase(ObjectType.of(rs.getString(1)), CrmId.of(rs.getString(2)), rs.getString(3),
                FieldsJson.decode(rs.getString(4)), pending, db.getInstant(rs, 5), db.getInstant(rs, 6));
    }

    @Override
    public Map<CrmId, SyncBase> bases(ObjectType type, Collection<CrmId> crmIds) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(crmIds, "crmIds");
        for (CrmId id : crmIds) {
            Objects.requireNonNull(id, "crmId");
        }
        if (crmIds.isEmpty()) {
            return Map.of();
        }
        return db.run("read " + type + " bases", c -> {
            Map<CrmId, SyncBase> out = new HashMap<>();
            List<CrmId> all = new ArrayList<>(new LinkedHashSet<>(crmIds));
            for (int from = 0; from < all.size(); from += JdbcMarketingStore.CHUNK) {
                List<CrmId> chunk = all.subList(from, Math.min(all.size(), from + JdbcMarketingStore.CHUNK));
                try (PreparedStatement ps = c.prepareStatement(
                        db.selectByKeys(BASE_COLS, "crmsync_base", chunk.size(), false))) {
                    db.bindKeys(c, ps, type.apiName(), chunk.stream().map(CrmId::value).toList());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            SyncBase b = base(rs);
                            out.put(b.crmId(), b);
                        }
                    }
                }
            }
            return Map.copyOf(out);
        });
    }

    @Override
    public Optional<SyncBase> baseByMarketingId(ObjectType type, String marketingId) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(marketingId, "marketingId");
        return db.run("read a " + type + " base by marketing id", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + BASE_COLS
                    + " FROM crmsync_base WHERE object_type = ? AND marketing_id = ? ORDER BY synced_at DESC, crm_id LIMIT 1")) {
                ps.setString(1, type.apiName());
                ps.setString(2, marketingId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(base(rs)) : Optional.<SyncBase>empty();
                }
            }
        });
    }

    @Override
    public void saveBases(Collection<SyncBase> bases) {
        Objects.requireNonNull(bases, "bases");
        for (SyncBase b : bases) {
            Objects.requireNonNull(b, "base");
            if (b.marketingId() != null && b.marketingId().length() > 255) {
                throw new IllegalArgumentException("marketing id of base " + b.crmId() + " is longer than 255 characters");
            }
        }
        if (bases.isEmpty()) {
            return;
        }
        String sql = maria() ? mariaUpsert("crmsync_base", BASE_COLS, "object_type, crm_id") : pg()
                ? "INSERT INTO crmsync_base (" + BASE_COLS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (object_type, crm_id) DO UPDATE SET marketing_id = EXCLUDED.marketing_id,"
                        + " fields = EXCLUDED.fields, crm_modstamp = EXCLUDED.crm_modstamp, synced_at = EXCLUDED.synced_at,"
                        + " pending_crm = EXCLUDED.pending_crm, pending_store = EXCLUDED.pending_store"
                : "MERGE INTO crmsync_base (" + BASE_COLS + ") KEY (object_type, crm_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
        if (pg() || maria()) {
            saveBasesInOneStatement(bases);
            return;
        }
        db.run("save bases", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (SyncBase b : bases) {
                    ps.setString(1, b.type().apiName());
                    ps.setString(2, b.crmId().value());
                    ps.setString(3, b.marketingId());
                    ps.setString(4, FieldsJson.encode(b.fields()));
                    db.setInstant(ps, 5, b.crmModstamp());
                    db.setInstant(ps, 6, b.syncedAt());
                    boolean none = b.pending().isEmpty();
                    ps.setString(7, none ? null : FieldsJson.encode(b.pending().toCrm()));
                    ps.setString(8, none ? null : FieldsJson.encode(b.pending().toStore()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /**
     * PostgreSQL and MariaDB: the bases in one statement (a round trip, one plan): PostgreSQL
     * {@code INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE}, MariaDB one multi-row
     * {@code INSERT … ON DUPLICATE KEY UPDATE}. A base given twice is saved once, the later one
     * (as the batch of single upserts it replaces would leave it).
     */
    private void saveBasesInOneStatement(Collection<SyncBase> bases) {
        Map<String, SyncBase> last = new java.util.LinkedHashMap<>();
        for (SyncBase b : bases) {
            last.remove(b.type().apiName() + "/" + b.crmId().value());
            last.put(b.type().apiName() + "/" + b.crmId().value(), b);
        }
        List<SyncBase> all = new ArrayList<>(last.values());
        db.run("save bases", c -> {
            for (int from = 0; from < all.size(); from += BASE_CHUNK) {
                List<SyncBase> chunk = all.subList(from, Math.min(all.size(), from + BASE_CHUNK));
                if (pg()) {
                    boolean copied = basesNew && chunk.size() >= COPY_MIN && PgCopy.supported(c) && saveBasesCopy(c, chunk);
                    if (!copied) {
                        basesNew = saveBasesUnnest(c, chunk) == chunk.size() && chunk.size() >= COPY_MIN;
                    }
                } else {
                    saveBasesMultiRow(c, chunk);
                }
            }
            if (pg() && analyzeBasesDue(all.size())) {
                // a first copy fills the table in one cycle, long before autovacuum looks at it: with
                // statistics the key lookups of the next batches probe the index instead of scanning
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("ANALYZE crmsync_base");
                }
            }
            return null;
        });
    }

    private long basesSaved;
    private long nextBasesAnalyze = JdbcMarketingStore.FIRST_ANALYZE;

    /** @return true when this store's saved bases pass the next threshold (2,000, then 4× more each time) */
    private synchronized boolean analyzeBasesDue(int saved) {
        basesSaved += saved;
        if (basesSaved < nextBasesAnalyze) {
            return false;
        }
        while (nextBasesAnalyze <= basesSaved) {
            nextBasesAnalyze *= 4;
        }
        return true;
    }

    /** Most bases per statement. */
    private static final int BASE_CHUNK = 1_000;

    /** Fewest bases of a chunk for {@code COPY}, and of an all-new chunk after which the next is copied. */
    private static final int COPY_MIN = 50;

    /**
     * PostgreSQL: true after a chunk of bases that were all new (a first copy): the next chunk is
     * sent by {@code COPY}, which a base already saved refuses (then the upsert runs). Only a hint.
     */
    private volatile boolean basesNew;

    /** Bases this store inserted with {@code COPY} (tests). */
    private final java.util.concurrent.atomic.AtomicLong basesCopied = new java.util.concurrent.atomic.AtomicLong();

    /** @return the bases this store inserted with {@code COPY} so far (tests) */
    long copiedBases() {
        return basesCopied.get();
    }

    /**
     * PostgreSQL through PgJDBC: new bases by {@code COPY crmsync_base … FROM STDIN} under a
     * savepoint; if one of them is already saved (the unique key refuses the whole {@code COPY}),
     * the savepoint undoes it and false is returned, the hint dropped.
     *
     * @return true if every base was inserted
     */
    private boolean saveBasesCopy(Connection c, List<SyncBase> bases) throws SQLException {
        StringBuilder sb = new StringBuilder(1024 * bases.size());
        for (SyncBase b : bases) {
            PgCopy.appendText(sb, b.type().apiName());
            sb.append('\t');
            PgCopy.appendText(sb, b.crmId().value());
            sb.append('\t');
            PgCopy.appendText(sb, b.marketingId());
            sb.append('\t');
            PgCopy.appendText(sb, FieldsJson.encode(b.fields()));
            sb.append('\t');
            PgCopy.appendText(sb, b.crmModstamp() == null ? null : Database.micros(b.crmModstamp()).toString());
            sb.append('\t');
            PgCopy.appendText(sb, b.syncedAt() == null ? null : Database.micros(b.syncedAt()).toString());
            boolean none = b.pending().isEmpty();
            sb.append('\t');
            PgCopy.appendText(sb, none ? null : FieldsJson.encode(b.pending().toCrm()));
            sb.append('\t');
            PgCopy.appendText(sb, none ? null : FieldsJson.encode(b.pending().toStore()));
            sb.append('\n');
        }
        byte[] data = sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.sql.Savepoint sp = c.getAutoCommit() ? null : c.setSavepoint();
        try {
            long got = PgCopy.copyIn(c, "COPY crmsync_base (" + BASE_COLS + ") FROM STDIN", data);
            if (got != bases.size()) {
                throw new SQLException("COPY of " + bases.size() + " bases copied " + got);
            }
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
            if (sp != null) {
                c.rollback(sp);
            }
            basesNew = false;
            return false;
        }
        if (sp != null) {
            c.releaseSavepoint(sp);
        }
        basesCopied.addAndGet(bases.size());
        return true;
    }

    /** @return how many of the bases were inserted (not already saved) */
    private int saveBasesUnnest(Connection c, List<SyncBase> bases) throws SQLException {
        int n = bases.size();
        String[][] v = new String[8][n];
        for (int j = 0; j < n; j++) {
            SyncBase b = bases.get(j);
            v[0][j] = b.type().apiName();
            v[1][j] = b.crmId().value();
            v[2][j] = b.marketingId();
            v[3][j] = FieldsJson.encode(b.fields());
            v[4][j] = b.crmModstamp() == null ? null : Database.micros(b.crmModstamp()).toString();
            v[5][j] = b.syncedAt() == null ? null : Database.micros(b.syncedAt()).toString();
            boolean none = b.pending().isEmpty();
            v[6][j] = none ? null : FieldsJson.encode(b.pending().toCrm());
            v[7][j] = none ? null : FieldsJson.encode(b.pending().toStore());
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO crmsync_base (" + BASE_COLS + ")"
                + " SELECT u.a, u.b, u.c, u.d, u.e::timestamptz, u.f::timestamptz, u.g, u.h FROM unnest(?::text[],"
                + " ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS u(a, b, c, d, e, f, g, h)"
                + " ON CONFLICT (object_type, crm_id) DO UPDATE SET marketing_id = EXCLUDED.marketing_id,"
                + " fields = EXCLUDED.fields, crm_modstamp = EXCLUDED.crm_modstamp, synced_at = EXCLUDED.synced_at,"
                + " pending_crm = EXCLUDED.pending_crm, pending_store = EXCLUDED.pending_store RETURNING (xmax = 0)")) {
            for (int k = 0; k < 8; k++) {
                ps.setArray(k + 1, c.createArrayOf("text", v[k]));
            }
            int inserted = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted += rs.getBoolean(1) ? 1 : 0;
                }
            }
            return inserted;
        }
    }

    private void saveBasesMultiRow(Connection c, List<SyncBase> bases) throws SQLException {
        String one = mariaUpsert("crmsync_base", BASE_COLS, "object_type, crm_id");
        int at = one.indexOf(" VALUES (");
        int end = one.indexOf(" ON DUPLICATE KEY UPDATE ");
        String tuple = one.substring(at + " VALUES ".length(), end);
        StringBuilder sql = new StringBuilder(one.substring(0, at)).append(" VALUES ");
        for (int j = 0; j < bases.size(); j++) {
            sql.append(j == 0 ? "" : ", ").append(tuple);
        }
        sql.append(one.substring(end));
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 0;
            for (SyncBase b : bases) {
                ps.setString(i + 1, b.type().apiName());
                ps.setString(i + 2, b.crmId().value());
                ps.setString(i + 3, b.marketingId());
                ps.setString(i + 4, FieldsJson.encode(b.fields()));
                db.setInstant(ps, i + 5, b.crmModstamp());
                db.setInstant(ps, i + 6, b.syncedAt());
                boolean none = b.pending().isEmpty();
                ps.setString(i + 7, none ? null : FieldsJson.encode(b.pending().toCrm()));
                ps.setString(i + 8, none ? null : FieldsJson.encode(b.pending().toStore()));
                i += 8;
            }
            ps.executeUpdate();
        }
    }

    @Override
    public void deleteBase(ObjectType type, CrmId crmId) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(crmId, "crmId");
        update("delete a " + type + " base", "DELETE FROM crmsync_base WHERE object_type = ? AND crm_id = ?",
                type.apiName(), crmId.value());
    }

    // ---- conflicts -----------------------------------------------------------------------------

    private static final String CONFLICT_COLS = "object_type, crm_id, field, marketing_id, base_value, crm_value,"
            + " marketing_value, reason, parked_at";

    @Override
    public void parkConflict(ParkedConflict p) {
        Objects.requireNonNull(p, "conflict");
        if (p.field().length() > 255 || p.marketingId().length() > 255) {
            throw new IllegalArgumentException("conflict field name and marketing id must be at most 255 characters");
        }
        String sql = maria() ? mariaUpsert("crmsync_conflict", CONFLICT_COLS, "object_type, crm_id, field") : pg()
                ? "INSERT INTO crmsync_conflict (" + CONFLICT_COLS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (object_type, crm_id, field) DO UPDATE SET marketing_id = EXCLUDED.marketing_id,"
                        + " base_value = EXCLUDED.base_value, crm_value = EXCLUDED.crm_value,"
                        + " marketing_value = EXCLUDED.marketing_value, reason = EXCLUDED.reason, parked_at = EXCLUDED.parked_at"
                : "MERGE INTO crmsync_conflict (" + CONFLICT_COLS + ") KEY (object_type, crm_id, field)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
        db.run("park a " + p.type() + " conflict", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, p.type().apiName());
                ps.setString(2, p.crmId().value());
                ps.setString(3, p.field());
                ps.setString(4, p.marketingId());
                ps.setString(5, FieldsJson.encodeValue(p.base()));
                ps.setString(6, FieldsJson.encodeValue(p.crmValue()));
                ps.setString(7, FieldsJson.encodeValue(p.marketingValue()));
                ps.setString(8, p.reason());
                db.setInstant(ps, 9, p.parkedAt());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<ParkedConflict> parkedConflicts() {
        return db.run("list parked conflicts", c -> {
            List<ParkedConflict> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + CONFLICT_COLS
                    + " FROM crmsync_conflict ORDER BY parked_at, object_type, crm_id, field");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ParkedConflict(ObjectType.of(rs.getString(1)), CrmId.of(rs.getString(2)),
                            rs.getString(4), rs.getString(3), FieldsJson.decodeValue(rs.getString(5)),
                            FieldsJson.decodeValue(rs.getString(6)), FieldsJson.decodeValue(rs.getString(7)),
                            rs.getString(8), db.getInstant(rs, 9)));
                }
            }
            return List.copyOf(out);
        });
    }

    @Override
    public void deleteConflict(ObjectType type, CrmId crmId, String field) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(crmId, "crmId");
        Objects.requireNonNull(field, "field");
        update("delete a " + type + " conflict",
                "DELETE FROM crmsync_conflict WHERE object_type = ? AND crm_id = ? AND field = ?",
                type.apiName(), crmId.value(), field);
    }

    // ---- transactions and leases ---------------------------------------------------------------

    @Override
    public <T> T inTransaction(Supplier<T> work) {
        return db.inTransaction(work);
    }

    /**
     * True for the {@link JdbcMarketingStore} built with this store (by the same {@link JdbcStores}):
     * both write over the same connection of a transaction.
     */
    @Override
    public boolean commitsWith(dev.crmsync.store.MarketingStore store) {
        Objects.requireNonNull(store, "store");
        return store instanceof JdbcMarketingStore m && m.database() == db;
    }

    /** The current row of a lease name, locked, with the database's time. */
    private record LeaseRow(String owner, String instance, long token, Instant acquiredAt, Instant expiresAt,
                            Instant now) {
        boolean live() {
            return owner != null && expiresAt != null && now.isBefore(expiresAt);
        }

        boolean heldBy(Lease l) {
            return live() && l.owner().equals(owner) && l.instance().equals(instance) && l.fencingToken() == token;
        }

        Lease lease(String name) {
            return new Lease(name, owner, instance == null ? "?" : instance, token,
                    acquiredAt == null ? now : acquiredAt, expiresAt);
        }
    }

    /**
     * Locks the lease row ({@code SELECT … FOR UPDATE}) and reads it with the database's
     * {@code CURRENT_TIMESTAMP} (plus the test offset, zero in production).
     */
    private LeaseRow lockLease(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT owner, instance, fencing_token, acquired_at, expires_at, "
                + (maria() ? "UTC_TIMESTAMP(6)" : "CURRENT_TIMESTAMP") + " FROM crmsync_lease WHERE name = ? FOR UPDATE")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Instant now = Database.micros(db.getInstant(rs, 6).plus(clockOffset));
                return new LeaseRow(rs.getString(1), rs.getString(2), rs.getLong(3), db.getInstant(rs, 4),
                        db.getInstant(rs, 5), now);
            }
        }
    }

    private void writeLease(Connection c, Lease l) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE crmsync_lease SET owner = ?, instance = ?,"
                + " fencing_token = ?, acquired_at = ?, expires_at = ? WHERE name = ?")) {
            ps.setString(1, l.owner());
            ps.setString(2, l.instance());
            ps.setLong(3, l.fencingToken());
            db.setInstant(ps, 4, l.acquiredAt());
            db.setInstant(ps, 5, l.expiresAt());
            ps.setString(6, l.name());
            ps.executeUpdate();
        }
    }

    @Override
    public LeaseAttempt tryAcquireLease(String name, String owner, String instance, Duration ttl) {
        StoreChecks.leaseArguments(name, owner, instance, ttl);
        return db.run("acquire lease " + name, c -> {
            ensureLeaseRow(c, name);
            LeaseRow row = lockLease(c, name);
            if (row.live() && !(owner.equals(row.owner()) && instance.equals(row.instance()))) {
                return new LeaseAttempt.Refused(row.lease(name));
            }
            Lease granted = row.live()
                    ? new Lease(name, owner, instance, row.token(), row.lease(name).acquiredAt(), row.now().plus(ttl))
                    : new Lease(name, owner, instance, row.token() + 1, row.now(), row.now().plus(ttl));
            writeLease(c, granted);
            return (LeaseAttempt) new LeaseAttempt.Granted(granted);
        });
    }

    @Override
    public Optional<Lease> renewLease(Lease lease, Duration ttl) {
        Objects.requireNonNull(lease, "lease");
        StoreChecks.leaseArguments(lease.name(), lease.owner(), lease.instance(), ttl);
        return db.run("renew lease " + lease.name(), c -> {
            LeaseRow row = lockLease(c, lease.name());
            if (row == null || !row.heldBy(lease)) {
                return Optional.<Lease>empty();
            }
            Lease renewed = new Lease(lease.name(), lease.owner(), lease.instance(), row.token(),
                    row.lease(lease.name()).acquiredAt(), row.now().plus(ttl));
            writeLease(c, renewed);
            return Optional.of(renewed);
        });
    }

    private void ensureLeaseRow(Connection c, String name) throws SQLException {
        String sql = maria()
                ? "INSERT INTO crmsync_lease (name, owner, fencing_token, expires_at) VALUES (?, NULL, 0, NULL)"
                        + " ON DUPLICATE KEY UPDATE name = name"
                : pg()
                ? "INSERT INTO crmsync_lease (name, owner, fencing_token, expires_at) VALUES (?, NULL, 0, NULL)"
                        + " ON CONFLICT (name) DO NOTHING"
                : "MERGE INTO crmsync_lease l USING (VALUES (CAST(? AS VARCHAR(255)))) AS s(n) ON l.name = s.n"
                        + " WHEN NOT MATCHED THEN INSERT (name, owner, fencing_token, expires_at) VALUES (s.n, NULL, 0, NULL)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            ps.executeUpdate();
        } catch (SQLException e) {
            // H2: another transaction inserted the row first; the statement failed alone, go on
            if (db.dialect() != SqlDialect.H2 || !"23505".equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    @Override
    public void releaseLease(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        db.run("release lease " + lease.name(), c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE crmsync_lease SET owner = NULL, instance = NULL"
                    + " WHERE name = ? AND owner = ? AND instance = ? AND fencing_token = ?")) {
                ps.setString(1, lease.name());
                ps.setString(2, lease.owner());
                ps.setString(3, lease.instance());
                ps.setLong(4, lease.fencingToken());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean holdsLease(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        return db.run("check lease " + lease.name(), c -> {
            LeaseRow row = lockLease(c, lease.name());
            return row != null && row.heldBy(lease);
        });
    }

    /**
     * Test hook: moves this store's view of the database clock forward, so that a test sees a
     * lease lapse without waiting (the offset is added to {@code CURRENT_TIMESTAMP} in every lease
     * call of this object; zero unless a test shifts it). Not API: package-private.
     *
     * @param by how far, positive
     */
    void shiftClockForTest(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("by must not be negative, was " + by);
        }
        clockOffset = clockOffset.plus(by);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private void update(String what, String sql, String... args) {
        db.run(what, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setString(i + 1, args[i]);
                }
                return ps.executeUpdate();
            }
        });
    }
}
