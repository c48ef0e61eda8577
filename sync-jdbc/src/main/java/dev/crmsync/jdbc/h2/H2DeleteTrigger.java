package dev.crmsync.jdbc.h2;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * H2's host-delete trigger on the marketing tables of the bidirectional types (installed by the
 * store; H2 loads it by name): a row the host deleted leaves a tombstone in the schema's
 * {@code crmsync_host_deleted} at the next feed position (taken from {@code crmsync_feed_counter}
 * as {@link H2ChangeTrigger} does), so that the change feed reports the deletion. A row the engine
 * deletes carries {@code _change_seq = -1} (set just before, in the same transaction) and leaves
 * none. Relies on the positions of the system columns the store creates first in each table.
 */
@SuppressWarnings("exports")   // org.h2.api.Trigger: H2 is optional (requires static); only H2 itself loads this class
public final class H2DeleteTrigger implements org.h2.api.Trigger {

    /** The start of the trigger's name; the table's name follows. */
    public static final String PREFIX = "crmsync_host_delete__";
    private static final int MARKETING_ID = 0;
    private static final int CRM_ID = 1;
    private static final int CHANGE_SEQ = 6;

    private String counter = "";
    private String tombstones = "";
    private String table = "";

    /** For H2, which builds it by reflection. */
    public H2DeleteTrigger() {
    }

    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type) {
        String s = "\"" + schemaName.replace("\"", "\"\"") + "\".";
        counter = s + "\"CRMSYNC_FEED_COUNTER\"";
        tombstones = s + "\"CRMSYNC_HOST_DELETED\"";
        // the table's own name, from the trigger's: while an ALTER TABLE rebuilds the table, H2
        // passes a temporary copy's name as the table's and prefixes the trigger's with it
        String lower = triggerName.toLowerCase(java.util.Locale.ROOT);
        int at = lower.lastIndexOf(PREFIX);
        table = at >= 0 ? lower.substring(at + PREFIX.length()) : tableName.toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        if (oldRow == null || newRow != null) {
            return;
        }
        if (oldRow[CHANGE_SEQ] instanceof Number n && n.longValue() == -1) {
            return;     // deleted by the engine
        }
        try (PreparedStatement up = conn.prepareStatement("UPDATE " + counter + " SET last_seq = last_seq + 1 WHERE name = 'feed'")) {
            if (up.executeUpdate() != 1) {
                throw new SQLException("the feed counter row is missing from " + counter);
            }
        }
        long seq;
        try (PreparedStatement q = conn.prepareStatement("SELECT last_seq FROM " + counter + " WHERE name = 'feed'");
             ResultSet rs = q.executeQuery()) {
            rs.next();
            seq = rs.getLong(1);
        }
        try (PreparedStatement ins = conn.prepareStatement("INSERT INTO " + tombstones + " (table_name, _marketing_id, _crm_id,"
                + " _change_xid, _change_seq, deleted_at) VALUES (?, ?, ?, 0, ?, CURRENT_TIMESTAMP)")) {
            ins.setString(1, table);
            ins.setLong(2, ((Number) oldRow[MARKETING_ID]).longValue());
            ins.setString(3, (String) oldRow[CRM_ID]);
            ins.setLong(4, seq);
            ins.executeUpdate();
        }
    }
}
