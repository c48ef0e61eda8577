package dev.crmsync.jdbc;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The SQL databases the JDBC stores speak. */
public enum SqlDialect {
    /** H2 2.x (embedded or server). Upserts use {@code MERGE}. */
    H2("h2"),
    /** PostgreSQL 12 or later. Upserts use {@code INSERT … ON CONFLICT}. */
    POSTGRESQL("postgresql"),
    /**
     * MariaDB 10.6 or later (InnoDB; sequences, {@code SKIP LOCKED}). Upserts use
     * {@code INSERT … ON DUPLICATE KEY UPDATE}; instants are {@code DATETIME(6)} in UTC. MySQL is
     * not supported (it has no sequences).
     */
    MARIADB("mariadb");

    private final String folder;

    SqlDialect(String folder) {
        this.folder = folder;
    }

    /** @return the name of this dialect's folder of migration scripts in the jar */
    public String folder() {
        return folder;
    }

    /**
     * @param productName a JDBC {@code DatabaseMetaData.getDatabaseProductName()}, or null when the driver gives none
     * @return the dialect for it
     * @throws IllegalArgumentException if the product is not supported
     */
    public static SqlDialect fromProductName(@Nullable String productName) {
        String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (p.contains("h2")) {
            return H2;
        }
        if (p.contains("postgres")) {
            return POSTGRESQL;
        }
        if (p.contains("mariadb")) {
            return MARIADB;
        }
        throw new IllegalArgumentException("unsupported database '" + productName
                + "': the JDBC stores support H2, PostgreSQL and MariaDB");
    }
}
