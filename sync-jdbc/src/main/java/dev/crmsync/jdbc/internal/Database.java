package dev.crmsync.jdbc.internal;

import dev.crmsync.jdbc.SqlDialect;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.model.SafeText;
import dev.crmsync.model.SyncException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Connections and transactions of the JDBC stores. A transaction opened by
 * {@link #inTransaction} binds its connection to the calling thread; every store call made on
 * that thread until it ends uses the same connection, so data and checkpoint commit together.
 * A call outside a transaction runs in a transaction of its own.
 */
public final class Database {

    /**
     * Work on a connection.
     *
     * @param <T> the result
     */
    @FunctionalInterface
    public interface SqlWork<T> {
        /**
         * Runs the work.
         *
         * @param c the connection, in a transaction
         * @return the result
         * @throws SQLException on failure
         */
        T run(Connection c) throws SQLException;
    }

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final ThreadLocal<Connection> bound = new ThreadLocal<>();

    /** @param dataSource the host's data source @param dialect its dialect */
    public Database(DataSource dataSource, SqlDialect dialect) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
    }

    /** @return the dialect */
    public DataSource dataSource() {
        return dataSource;
    }

    /** @return the database's dialect */
    public SqlDialect dialect() {
        return dialect;
    }

    /** @return true while this thread is inside {@link #inTransaction} */
    public boolean inTransactionNow() {
        return bound.get() != null;
    }

    /**
     * Runs SQL work: on this thread's transaction if there is one, otherwise in a new transaction
     * committed before returning.
     *
     * @param what the operation, for error messages
     * @param work the work
     * @param <T> its result
     * @return the result
     */
    public <T> T run(String what, SqlWork<T> work) {
        Connection c = bound.get();
        if (c != null) {
            // under a savepoint: a call that fails leaves nothing behind and, on PostgreSQL, does not
            // abort the transaction, so the engine can send the call's records again one part at a time
            java.sql.Savepoint sp;
            try {
                sp = c.setSavepoint();
            } catch (SQLException e) {
                throw failure(what, e);
            }
            try {
                T out = work.run(c);
                c.releaseSavepoint(sp);
                return out;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback(sp);
                } catch (SQLException again) {
                    e.addSuppressed(again);
                }
                if (e instanceof SQLException sql) {
                    throw failure(what, sql);
                }
                throw (RuntimeException) e;
            }
        }
        try (Connection conn = dataSource.getConnection()) {
            boolean auto = conn.getAutoCommit();
            conn.setAutoCommit(false);
            try {
                begin(conn);
                T out = work.run(conn);
                conn.commit();
                return out;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(conn, e);
                throw e;
            } finally {
                restore(conn, auto);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /**
     * Runs SQL work on a connection of its own (never this thread's transaction), in a
     * {@code READ COMMITTED} transaction committed before returning: each statement sees what
     * is committed when it starts (the MariaDB change feed needs that, whatever the caller's
     * transaction saw before).
     *
     * @param what the operation, for error messages
     * @param work the work
     * @param <T> its result
     * @return the result
     */
    public <T> T runReadCommitted(String what, SqlWork<T> work) {
        try (Connection conn = dataSource.getConnection()) {
            boolean auto = conn.getAutoCommit();
            int isolation = conn.getTransactionIsolation();
            conn.setAutoCommit(false);
            conn.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            try {
                T out = work.run(conn);
                conn.commit();
                return out;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(conn, e);
                throw e;
            } finally {
                try {
                    conn.setTransactionIsolation(isolation);
                } catch (SQLException ignored) {
                    // a pool resets or discards the connection
                }
                restore(conn, auto);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /**
     * Runs work in one transaction bound to this thread, or joins the one already bound.
     *
     * @param work the work
     * @param <T> its result
     * @return the result
     */
    public <T> T inTransaction(Supplier<T> work) {
        Objects.requireNonNull(work, "work");
        if (bound.get() != null) {
            return work.get();
        }
        try (Connection conn = dataSource.getConnection()) {
            boolean auto = conn.getAutoCommit();
            conn.setAutoCommit(false);
            bound.set(conn);
            try {
                begin(conn);
                T out = work.get();
                conn.commit();
                return out;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(conn, e);
                throw e;
            } finally {
                bound.remove();
                restore(conn, auto);
            }
        } catch (SQLException e) {
            throw failure("transaction", e);
        }
    }

    /**
     * PostgreSQL: plan every statement of the transaction for its actual parameters and the
     * table's current size. A generic plan cached while a table was nearly empty (the start of a
     * first copy) would otherwise keep scanning it whole as it grows to millions of rows.
     */
    private void begin(Connection conn) throws SQLException {
        if (dialect == SqlDialect.MARIADB) {
            return;
        }
        if (dialect == SqlDialect.POSTGRESQL) {
            try (java.sql.Statement st = conn.createStatement()) {
                st.execute("SET LOCAL plan_cache_mode = force_custom_plan");
            }
        }
    }

    private static void rollbackQuietly(Connection conn, Throwable cause) {
        try {
            conn.rollback();
        } catch (SQLException r) {
            cause.addSuppressed(r);
        }
    }

    private static void restore(Connection conn, boolean auto) {
        try {
            conn.setAutoCommit(auto);
        } catch (SQLException ignored) {
            // the connection is being closed anyway; a pool will reset or discard it
        }
    }

    /**
     * The crmsync exception for a driver's failure. Its message names the operation, the SQLState
     * (with its condition name where known) and the driver's exception class, never the driver's
     * message: PostgreSQL's quote the values ({@code Detail: Key (email)=(…)}, a batch entry's
     * SQL with its parameters), H2's the statement with its literals. The driver's exception is
     * kept as the cause only as a {@link SafeText#scrubbed} copy (classes and stack traces).
     *
     * @param what the operation
     * @param e the driver's exception
     * @return the crmsync exception: retriable for connection, lock, serialization and resource failures
     */
    public static SyncException failure(String what, SQLException e) {
        String state = sqlState(e);
        if (e.getErrorCode() == 1205 && !state.startsWith("40")) {
            state = "HYT00";      // MariaDB: lock wait timeout (SQLState HY000): retriable, as H2's
        }
        String msg = SafeText.bounded("JDBC store failed to " + what + " (SQLState " + (state.isEmpty() ? "?" : state)
                + condition(state) + ", " + e.getClass().getSimpleName() + ")");
        Throwable cause = SafeText.scrubbed(e);
        return isRetriable(state) ? new RetriableSyncException(msg, cause) : new SyncException(msg, cause);
    }

    /** The SQLState of the failure: its own, else the first of its chained ones (a batch's entry). */
    private static String sqlState(SQLException e) {
        int n = 0;
        for (SQLException x = e; x != null && n < 8; x = x.getNextException(), n++) {
            if (x.getSQLState() != null && !x.getSQLState().isBlank()) {
                return x.getSQLState();
            }
        }
        return "";
    }

    private static String condition(String state) {
        return switch (state) {
            case "23505" -> ": unique violation";
            case "23502" -> ": not-null violation";
            case "23503" -> ": foreign-key violation";
            case "23514" -> ": check violation";
            case "22001" -> ": value too long";
            case "22003" -> ": numeric value out of range";
            case "22007", "22008" -> ": invalid date-time";
            case "22P02", "22018" -> ": invalid text representation";
            case "22P05" -> ": untranslatable character";
            case "22021" -> ": character not in repertoire";
            case "40001" -> ": serialization failure";
            case "40P01" -> ": deadlock";
            case "55P03" -> ": lock not available";
            case "57014" -> ": statement cancelled";
            default -> state.startsWith("08") ? ": connection failure" : "";
        };
    }

    static boolean isRetriable(String state) {
        return state.startsWith("08") // connection exception
                || state.startsWith("40") // transaction rollback: serialization failure, deadlock
                || state.startsWith("53") // insufficient resources
                || state.equals("57P01") || state.equals("57P02") || state.equals("57P03") // shutdown
                || state.equals("55P03") // lock not available
                || state.equals("HYT00") || state.equals("HYT01"); // H2 lock / statement timeout
    }

    // ---- binding helpers -------------------------------------------------------------------------

    /** @param t an instant or null @return it cut to the microsecond (what both databases keep) */
    public static Instant micros(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MICROS);
    }

    /** Binds an instant (or SQL NULL) to a timestamp parameter of this database's dialect. */
    public void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
        setInstant(dialect, ps, i, t);
    }

    /** Reads a timestamp column of this database's dialect. */
    public Instant getInstant(ResultSet rs, int i) throws SQLException {
        return getInstant(dialect, rs, i);
    }

    /**
     * Binds an instant (or SQL NULL): to a {@code TIMESTAMP WITH TIME ZONE} parameter, or on
     * MariaDB to a {@code DATETIME(6)} one as the UTC wall time (MariaDB has no zoned type; the
     * driver would otherwise convert through a time zone of its choice).
     *
     * @param d the dialect
     * @param ps the statement
     * @param i the parameter
     * @param t the instant, or null
     * @throws SQLException on failure
     */
    public static void setInstant(SqlDialect d, PreparedStatement ps, int i, Instant t) throws SQLException {
        if (d == SqlDialect.MARIADB) {
            if (t == null) {
                ps.setNull(i, java.sql.Types.TIMESTAMP);
            } else {
                ps.setObject(i, LocalDateTime.ofInstant(micros(t), ZoneOffset.UTC));
            }
        } else if (t == null) {
            ps.setObject(i, null, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(i, OffsetDateTime.ofInstant(micros(t), ZoneOffset.UTC));
        }
    }

    /**
     * Reads a timestamp column written by {@link #setInstant(SqlDialect, PreparedStatement, int, Instant)}.
     *
     * @param d the dialect
     * @param rs the row
     * @param i the column
     * @return the instant, or null
     * @throws SQLException on failure
     */
    public static Instant getInstant(SqlDialect d, ResultSet rs, int i) throws SQLException {
        if (d == SqlDialect.MARIADB) {
            LocalDateTime t = rs.getObject(i, LocalDateTime.class);
            return t == null ? null : t.toInstant(ZoneOffset.UTC);
        }
        OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /**
     * A query for the rows of {@code table} whose {@code (object_type, crm_id)} is one of
     * {@code n} keys of one type, bound by {@link #bindKeys}. Each dialect gets the shape its
     * planner turns into one unique-index probe per key whatever the table's statistics say:
     * PostgreSQL a join with {@code unnest} of an array (a plain {@code IN} list on a table not yet
     * analysed — the start of a first copy — is planned as a scan of every row of the type); H2
     * a row-value {@code IN} (with a plain {@code IN} it uses only the index's first column);
     * MariaDB the type and a plain {@code IN} list of ids (its optimizer scans the table for a
     * row-value {@code IN}: 300 ms per 500 keys at 10,000 rows, against 1–2 ms as a range on the key).
     *
     * @param columns the columns to select, comma-separated
     * @param table the table, with columns {@code object_type} and {@code crm_id}
     * @param n how many keys
     * @param lock whether to lock the rows ({@code FOR UPDATE})
     * @return the SQL
     */
    public String selectByKeys(String columns, String table, int n, boolean lock) {
        StringBuilder cols = new StringBuilder();
        for (String c : columns.split(",")) {
            cols.append(cols.length() == 0 ? "" : ", ").append("r.").append(c.strip());
        }
        if (dialect == SqlDialect.POSTGRESQL) {
            return "SELECT " + cols + " FROM unnest(?::varchar[]) AS k(id) JOIN " + table
                    + " r ON r.object_type = ? AND r.crm_id = k.id" + (lock ? " FOR UPDATE OF r" : "");
        }
        if (dialect == SqlDialect.MARIADB) {
            return "SELECT " + cols + " FROM " + table + " r WHERE r.object_type = ? AND r.crm_id IN ("
                    + placeholders(n) + ")" + (lock ? " FOR UPDATE" : "");
        }
        StringBuilder sb = new StringBuilder("SELECT ").append(cols).append(" FROM ").append(table)
                .append(" r WHERE (r.object_type, r.crm_id) IN (");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "(?, ?)" : ", (?, ?)");
        }
        return sb.append(')').append(lock ? " FOR UPDATE" : "").toString();
    }

    /**
     * Binds the parameters of {@link #selectByKeys}.
     *
     * @param c the connection (PostgreSQL: it makes the array)
     * @param ps the statement
     * @param type the object type's API name
     * @param ids the CRM id values
     * @throws SQLException on failure
     */
    public void bindKeys(Connection c, PreparedStatement ps, String type, java.util.List<String> ids)
            throws SQLException {
        if (dialect == SqlDialect.POSTGRESQL) {
            ps.setArray(1, c.createArrayOf("varchar", ids.toArray()));
            ps.setString(2, type);
            return;
        }
        int i = 1;
        if (dialect == SqlDialect.MARIADB) {
            ps.setString(i++, type);
            for (String id : ids) {
                ps.setString(i++, id);
            }
            return;
        }
        for (String id : ids) {
            ps.setString(i++, type);
            ps.setString(i++, id);
        }
    }

    /** @param n how many placeholders @return {@code ?,?,…} */
    public static String placeholders(int n) {
        StringBuilder sb = new StringBuilder(n * 2);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "?" : ",?");
        }
        return sb.toString();
    }

}
