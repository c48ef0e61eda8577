package dev.crmsync.jdbc.h2;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Objects;

/**
 * H2's host-change trigger on the marketing tables of the bidirectional types (installed by the
 * store; H2 loads it by name). A row the engine wrote carries {@code _engine_write = TRUE}: the
 * trigger clears the flag and leaves the row's feed position alone (no echo). Any other insert or
 * update that changes the row takes the next feed position from the schema's
 * {@code crmsync_feed_counter} row, whose lock is held until commit, so positions commit in order
 * and the feed never passes over a change that commits late (H2 serialises host writers here;
 * PostgreSQL does not, see the store). Relies on the positions of the system columns the store creates first in each table.
 */
@SuppressWarnings("exports")   // org.h2.api.Trigger: H2 is optional (requires static); only H2 itself loads this class
public final class H2ChangeTrigger implements org.h2.api.Trigger {

    private static final int LOCAL_MODSTAMP = 4;
    private static final int CHANGE_SEQ = 6;
    private static final int ENGINE_WRITE = 7;

    private String counter = "";

    /** For H2, which builds it by reflection. */
    public H2ChangeTrigger() {
    }

    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type) {
        counter = "\"" + schemaName.replace("\"", "\"\"") + "\".\"CRMSYNC_FEED_COUNTER\"";
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        if (newRow == null) {
            return;
        }
        if (Boolean.TRUE.equals(newRow[ENGINE_WRITE])) {
            newRow[ENGINE_WRITE] = Boolean.FALSE;
            return;
        }
        if (oldRow != null && Arrays.deepEquals(oldRow, newRow)) {
            return;
        }
        try (PreparedStatement up = conn.prepareStatement("UPDATE " + counter + " SET last_seq = last_seq + 1 WHERE name = 'feed'")) {
            if (up.executeUpdate() != 1) {
                throw new SQLException("the feed counter row is missing from " + counter);
            }
        }
        try (PreparedStatement q = conn.prepareStatement("SELECT last_seq, CURRENT_TIMESTAMP FROM " + counter + " WHERE name = 'feed'");
             ResultSet rs = q.executeQuery()) {
            rs.next();
            newRow[CHANGE_SEQ] = rs.getLong(1);
            if (oldRow != null && Objects.equals(oldRow[LOCAL_MODSTAMP], newRow[LOCAL_MODSTAMP])) {
                newRow[LOCAL_MODSTAMP] = rs.getObject(2, OffsetDateTime.class);
            }
        }
    }
}
