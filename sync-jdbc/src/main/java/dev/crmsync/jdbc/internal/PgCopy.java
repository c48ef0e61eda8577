package dev.crmsync.jdbc.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL's {@code COPY … FROM STDIN} through PgJDBC's {@code org.postgresql.copy.CopyManager},
 * reached by reflection (the driver stays the host's choice: this module does not require it), and
 * the text format's escaping. A connection of another driver (or one whose pool hides PgJDBC's
 * interface) is reported as not supporting it, and the caller keeps its statement path.
 */
public final class PgCopy {

    private static final String PG_CONNECTION = "org.postgresql.PGConnection";
    private static final String COPY_MANAGER = "org.postgresql.copy.CopyManager";

    /** The driver's classes and methods, as found on the first connection that had them. */
    private record Api(Class<?> connection, Method copyApi, Method copyIn) {
    }

    private static volatile @Nullable Api api;

    private PgCopy() {
    }

    /**
     * @param c a connection
     * @return the driver's copy API for it, or null if it is not a PgJDBC connection
     */
    private static @Nullable Api api(Connection c) {
        Api a = api;
        if (a != null) {
            return a;
        }
        ClassLoader[] loaders = {c.getClass().getClassLoader(), Thread.currentThread().getContextClassLoader(),
            PgCopy.class.getClassLoader()};
        for (ClassLoader l : loaders) {
            try {
                Class<?> conn = Class.forName(PG_CONNECTION, false, l);
                Class<?> manager = Class.forName(COPY_MANAGER, false, conn.getClassLoader());
                a = new Api(conn, conn.getMethod("getCopyAPI"), manager.getMethod("copyIn", String.class, InputStream.class));
                api = a;
                return a;
            } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
                // not in that loader: try the next
            }
        }
        return null;
    }

    /**
     * @param c a connection
     * @return true if {@link #copyIn} can be used on it (a PgJDBC connection, possibly wrapped)
     */
    public static boolean supported(Connection c) {
        Objects.requireNonNull(c, "c");
        Api a = api(c);
        try {
            return a != null && c.isWrapperFor(a.connection());
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Runs {@code COPY … FROM STDIN} with the given data.
     *
     * @param c a connection for which {@link #supported} is true
     * @param sql the {@code COPY} statement
     * @param data the rows, in the statement's format, UTF-8
     * @return the rows the server copied
     * @throws SQLException as the driver reports it (a unique violation has SQL state {@code 23505})
     */
    public static long copyIn(Connection c, String sql, byte[] data) throws SQLException {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(data, "data");
        Api a = api(Objects.requireNonNull(c, "c"));
        if (a == null) {
            throw new SQLException("not a PgJDBC connection: COPY is not available");
        }
        try {
            Object manager = a.copyApi().invoke(c.unwrap(a.connection()));
            return (Long) a.copyIn().invoke(manager, sql, new ByteArrayInputStream(data));
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof SQLException s) {
                throw s;
            }
            if (t instanceof IOException io) {
                throw new SQLException("COPY failed: " + io.getClass().getSimpleName(), "08006", io);
            }
            if (t instanceof RuntimeException r) {
                throw r;
            }
            throw new SQLException("COPY failed", t);
        } catch (IllegalAccessException e) {
            throw new SQLException("COPY is not accessible in this driver", e);
        }
    }

    /**
     * Appends a value in {@code COPY}'s text format: {@code \N} for null; backslash, tab, newline
     * and carriage return escaped (the format's delimiters and its escape character), every other
     * character as it is (the caller writes the text as UTF-8). A NUL character cannot be sent (no
     * PostgreSQL text holds one); callers reject such values before.
     *
     * @param sb where to append
     * @param v the value as the column type's text input, or null
     * @throws IllegalArgumentException if {@code v} holds a NUL character
     */
    public static void appendText(StringBuilder sb, @Nullable String v) {
        if (v == null) {
            sb.append("\\N");
            return;
        }
        for (int k = 0; k < v.length(); k++) {
            char ch = v.charAt(k);
            switch (ch) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\u0000' -> throw new IllegalArgumentException("a NUL character cannot be copied (column value at "
                        + k + ")");
                default -> sb.append(ch);
            }
        }
    }
}
