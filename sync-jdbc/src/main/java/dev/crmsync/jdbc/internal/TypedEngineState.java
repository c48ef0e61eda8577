package dev.crmsync.jdbc.internal;

import dev.crmsync.jdbc.SqlDialect;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.ValueFingerprint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The row conversion of schema version 2, run once by {@link Migrations} after
 * {@code V2__typed_engine_state.sql}: what version 1 kept as strings becomes typed.
 * <ul>
 *   <li>Failure keys {@code marketing:<id>} become (key kind {@code MARKETING}, {@code <id>}).</li>
 *   <li>The engine's bookkeeping rows of {@code crmsync_failure} become intents in
 *       {@code crmsync_intent}: code {@code FOLLOW_UP} a {@link EngineIntent.FollowUp} (its message
 *       the reason), code {@code PUSH_UNCONFIRMED} an {@link EngineIntent.UnconfirmedCreate} sent at
 *       its last failure time, with the fingerprints version 1 wrote at the end of the message
 *       ({@code … [sent Field#hex,Field#hex]}). This is the only place that reads that message.</li>
 *   <li>{@code crmsync.pending.crm.<field>} and {@code crmsync.pending.store.<field>} entries of a
 *       base's fields move to its {@code pending_crm} / {@code pending_store} columns; a marketing
 *       id {@code ''} (not known yet) becomes {@code NULL}.</li>
 * </ul>
 */
final class TypedEngineState {

    private static final String V1_MARKETING_PREFIX = "marketing:";
    private static final String V1_PENDING = "crmsync.pending.";
    private static final String V1_PENDING_CRM = V1_PENDING + "crm.";
    private static final String V1_PENDING_STORE = V1_PENDING + "store.";
    private static final String V1_SENT = " [sent ";

    private TypedEngineState() {
    }

    static void convert(Connection c, SqlDialect dialect) throws SQLException {
        failures(c, dialect);
        bases(c);
    }

    private record FailureRow(String type, String key, String target, String code, String message, Instant last) {
    }

    private static void failures(Connection c, SqlDialect dialect) throws SQLException {
        List<FailureRow> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT object_type, record_key, target, code, message,"
                + " last_failed_at FROM crmsync_failure");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(new FailureRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), Database.getInstant(dialect, rs, 6)));
            }
        }
        for (FailureRow r : rows) {
            RecordKey key = key(r);
            boolean followUp = r.code().equals("FOLLOW_UP");
            if (followUp || r.code().equals("PUSH_UNCONFIRMED")) {
                ObjectType type = ObjectType.of(r.type());
                EngineIntent intent;
                if (followUp) {
                    intent = new EngineIntent.FollowUp(type, key, r.message(), r.last());
                } else if (key instanceof RecordKey.Marketing mk) {
                    intent = new EngineIntent.UnconfirmedCreate(type, mk, r.last(), sent(r.message()));
                } else {
                    throw new SQLException("crmsync_failure holds an unconfirmed create of a " + r.type()
                            + " record that has a CRM id; version 1 never wrote one, so it is not converted");
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO crmsync_intent (object_type, key_kind,"
                        + " record_key, kind, recorded_at, payload) VALUES (?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, r.type());
                    ps.setString(2, JdbcKeys.kind(key));
                    ps.setString(3, JdbcKeys.value(key));
                    ps.setString(4, intent.kind().name());
                    Database.setInstant(dialect, ps, 5, intent.recordedAt());
                    ps.setString(6, intent.payload());
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM crmsync_failure WHERE object_type = ?"
                        + " AND key_kind = 'CRM' AND record_key = ? AND target = ?")) {
                    ps.setString(1, r.type());
                    ps.setString(2, r.key());
                    ps.setString(3, r.target());
                    ps.executeUpdate();
                }
            } else if (key instanceof RecordKey.Marketing) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE crmsync_failure SET key_kind = ?, record_key = ?"
                        + " WHERE object_type = ? AND key_kind = 'CRM' AND record_key = ? AND target = ?")) {
                    ps.setString(1, JdbcKeys.kind(key));
                    ps.setString(2, JdbcKeys.value(key));
                    ps.setString(3, r.type());
                    ps.setString(4, r.key());
                    ps.setString(5, r.target());
                    ps.executeUpdate();
                }
            }
        }
    }

    private static RecordKey key(FailureRow r) throws SQLException {
        try {
            return r.key().startsWith(V1_MARKETING_PREFIX)
                    ? RecordKey.marketing(r.key().substring(V1_MARKETING_PREFIX.length()))
                    : RecordKey.crm(CrmId.of(r.key()));
        } catch (IllegalArgumentException e) {
            throw new SQLException("crmsync_failure holds a " + r.type() + " record key that is neither a CRM id nor"
                    + " a marketing key; version 1 never wrote one, so it is not converted", e);
        }
    }

    /** The fingerprints version 1 appended to an unconfirmed create's message; none if it has no such list. */
    static Map<String, ValueFingerprint> sent(String message) {
        Map<String, ValueFingerprint> out = new TreeMap<>();
        int at = message.lastIndexOf(V1_SENT);
        if (at < 0 || !message.endsWith("]")) {
            return out;
        }
        String body = message.substring(at + V1_SENT.length(), message.length() - 1);
        if (body.isEmpty()) {
            return out;
        }
        for (String part : body.split(",")) {
            int hash = part.lastIndexOf('#');
            if (hash > 0) {
                out.put(part.substring(0, hash), new ValueFingerprint(part.substring(hash + 1)));
            }
        }
        return out;
    }

    private static void bases(Connection c) throws SQLException {
        Map<String[], String[]> changes = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT object_type, crm_id, marketing_id, fields FROM crmsync_base"
                + " WHERE marketing_id = '' OR fields LIKE ?")) {
            ps.setString(1, "%" + V1_PENDING + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, FieldValue> fields = new LinkedHashMap<>();
                    Map<String, FieldValue> toCrm = new LinkedHashMap<>();
                    Map<String, FieldValue> toStore = new LinkedHashMap<>();
                    FieldsJson.decode(rs.getString(4)).forEach((k, v) -> {
                        if (k.startsWith(V1_PENDING_CRM)) {
                            toCrm.put(k.substring(V1_PENDING_CRM.length()), v);
                        } else if (k.startsWith(V1_PENDING_STORE)) {
                            toStore.put(k.substring(V1_PENDING_STORE.length()), v);
                        } else if (!k.startsWith(V1_PENDING)) {
                            fields.put(k, v);      // an unknown bookkeeping entry: version 1 dropped it on settling
                        }
                    });
                    boolean none = toCrm.isEmpty() && toStore.isEmpty();
                    String mid = rs.getString(3);
                    changes.put(new String[] {rs.getString(1), rs.getString(2)}, new String[] {
                        mid.isEmpty() ? null : mid, FieldsJson.encode(fields),
                        none ? null : FieldsJson.encode(toCrm), none ? null : FieldsJson.encode(toStore)});
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE crmsync_base SET marketing_id = ?, fields = ?,"
                + " pending_crm = ?, pending_store = ? WHERE object_type = ? AND crm_id = ?")) {
            for (Map.Entry<String[], String[]> e : changes.entrySet()) {
                for (int i = 0; i < 4; i++) {
                    ps.setString(i + 1, e.getValue()[i]);
                }
                ps.setString(5, e.getKey()[0]);
                ps.setString(6, e.getKey()[1]);
                ps.addBatch();
            }
            if (!changes.isEmpty()) {
                ps.executeBatch();
            }
        }
    }
}
