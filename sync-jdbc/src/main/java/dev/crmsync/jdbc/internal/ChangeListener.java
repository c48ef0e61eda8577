package dev.crmsync.jdbc.internal;

import dev.crmsync.jdbc.SqlDialect;
import dev.crmsync.model.ObjectType;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Tells a listener when the host changed records of a two-way type. On PostgreSQL the capture
 * triggers {@code pg_notify} the channel {@link MarketingTables#NOTIFY_CHANNEL} with the table,
 * delivered at commit (once per table and transaction), and a thread of this listener holds a
 * connection of its own that {@code LISTEN}s (reconnecting after a failure); the driver is used
 * through its {@code org.postgresql.PGConnection} interface by reflection, as the store takes no
 * driver dependency. On H2 and MariaDB, whose triggers cannot notify, the thread polls the change
 * feed's high-water mark ({@code MAX(_change_seq)} of each table and of its tombstones) at the
 * given interval. The engine's own writes leave the feed as it is and so tell nothing.
 */
public final class ChangeListener implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ChangeListener.class.getName());
    /** How long one wait for PostgreSQL notifications lasts, in milliseconds (closing waits at most this). */
    private static final int PG_WAIT_MILLIS = 250;

    private final Database db;
    private final MarketingTables tables;
    private final Map<String, ObjectType> byTable = new HashMap<>();
    private final Consumer<ObjectType> onChange;
    private final Duration pollInterval;
    private final Thread thread;
    private final java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean closed;

    private ChangeListener(Database db, MarketingTables tables, List<ObjectType> types, Consumer<ObjectType> onChange,
                           Duration pollInterval) {
        this.db = db;
        this.tables = tables;
        this.onChange = onChange;
        this.pollInterval = pollInterval;
        for (ObjectType t : types) {
            byTable.put(MarketingTables.tableName(t), t);
        }
        this.thread = new Thread(this::loop, "crmsync-host-changes");
        thread.setDaemon(true);
    }

    /**
     * @param db the database
     * @param tables the marketing tables
     * @param types the two-way types the store holds
     * @param onChange called with the type whose records changed
     * @param pollInterval how often H2 and MariaDB are polled; at least 10 ms
     * @return the running listener
     */
    public static ChangeListener start(Database db, MarketingTables tables, List<ObjectType> types,
                                       Consumer<ObjectType> onChange, Duration pollInterval) {
        Objects.requireNonNull(onChange, "onChange must not be null");
        Objects.requireNonNull(pollInterval, "pollInterval must not be null");
        if (pollInterval.compareTo(Duration.ofMillis(10)) < 0) {
            throw new IllegalArgumentException("pollInterval must be at least 10 ms, was " + pollInterval);
        }
        ChangeListener l = new ChangeListener(db, tables, types, onChange, pollInterval);
        l.thread.start();
        try {
            // listening (or the feed's marks read) before start returns: a change made after it is told
            if (!l.ready.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "listening for host changes is not ready after 10 s;"
                        + " changes before it is are left to the cycle");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return l;
    }

    private void loop() {
        Map<ObjectType, Long> seen = new LinkedHashMap<>();
        boolean first = true;
        while (!closed) {
            try {
                if (db.dialect() == SqlDialect.POSTGRESQL) {
                    listenPostgres();
                } else {
                    poll(seen, first);
                    if (first) {
                        first = false;
                        ready.countDown();
                    }
                    Thread.sleep(pollInterval.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | SQLException | ReflectiveOperationException e) {
                if (closed) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "listening for host changes failed (" + e.getClass().getSimpleName()
                        + "); trying again");
                try {
                    Thread.sleep(Math.max(pollInterval.toMillis(), 1_000));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** One PostgreSQL session: LISTEN, then wait for notifications until closed or the connection fails. */
    private void listenPostgres() throws SQLException, ReflectiveOperationException {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.execute("LISTEN " + MarketingTables.NOTIFY_CHANNEL);
            }
            ready.countDown();
            Class<?> pgConnection = pgConnectionClass(c);
            Object pg = c.unwrap(pgConnection);
            Method wait = pgConnection.getMethod("getNotifications", int.class);
            String prefix = tables.schema() + ".";
            while (!closed) {
                Object got = wait.invoke(pg, PG_WAIT_MILLIS);
                int n = got == null ? 0 : Array.getLength(got);
                for (int i = 0; i < n; i++) {
                    Object notification = Array.get(got, i);
                    String table = (String) notification.getClass().getMethod("getParameter").invoke(notification);
                    if (table != null && table.startsWith(prefix)) {
                        tell(byTable.get(table.substring(prefix.length())));
                    }
                }
            }
        }
    }

    /** The driver's {@code PGConnection}, from whichever loader sees it (the data source may wrap the driver's connections). */
    private Class<?> pgConnectionClass(Connection c) throws ClassNotFoundException {
        for (ClassLoader loader : new ClassLoader[] {db.dataSource().getClass().getClassLoader(),
                c.getClass().getClassLoader(), Thread.currentThread().getContextClassLoader(),
                ChangeListener.class.getClassLoader()}) {
            if (loader == null) {
                continue;
            }
            try {
                return Class.forName("org.postgresql.PGConnection", false, loader);
            } catch (ClassNotFoundException e) {
                // the next loader
            }
        }
        throw new ClassNotFoundException("org.postgresql.PGConnection (the PostgreSQL driver) is not visible");
    }

    /** H2 and MariaDB: one look at each table's feed high-water mark. */
    private void poll(Map<ObjectType, Long> seen, boolean first) throws SQLException {
        try (Connection c = db.dataSource().getConnection()) {
            for (Map.Entry<String, ObjectType> e : byTable.entrySet()) {
                long mark = Math.max(max(c, "SELECT MAX(_change_seq) FROM " + tables.qs(e.getKey()), null),
                        max(c, "SELECT MAX(_change_seq) FROM " + tables.qs("crmsync_host_deleted") + " WHERE table_name = ?",
                                e.getKey()));
                Long before = seen.put(e.getValue(), mark);
                if (!first && (before == null || mark > before)) {
                    tell(e.getValue());
                }
            }
        }
    }

    private static long max(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (arg != null) {
                ps.setString(1, arg);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            if (arg == null) {
                return 0;               // the table is not made yet (the type was not prepared)
            }
            throw e;
        }
    }

    private void tell(ObjectType type) {
        if (type == null || closed) {
            return;
        }
        try {
            onChange.accept(type);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the host-change listener failed on " + type + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
