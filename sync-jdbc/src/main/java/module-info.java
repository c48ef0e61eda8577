/**
 * JDBC implementations of the store-side SPI ({@code MarketingStore}, {@code SyncStateStore}) on
 * PostgreSQL, H2 and MariaDB. The JDBC driver is the host's choice: no driver is required here.
 *
 * <p>One line per exported package; a new package is not visible to other modules until it is
 * listed here, and an {@code internal} package is never listed.
 *
 * <p>H2 ships no module descriptor; it is an automatic module named by the
 * {@code Automatic-Module-Name} in its manifest, so requiring it (statically) is stable; the
 * {@code requires-automatic} lint is suppressed on this declaration for that reason.
 */
@SuppressWarnings("requires-automatic")
module dev.crmsync.jdbc {
    requires static transitive org.jspecify;   // nullness annotations in API signatures (CLASS retention): needed to compile, not at run time
    // the stores implement sync-api interfaces and take sync-api values
    requires transitive dev.crmsync.api;
    // JdbcStores and the stores are built from a javax.sql.DataSource
    requires transitive java.sql;
    // optional: the H2 triggers (dev.crmsync.jdbc.h2) implement org.h2.api.Trigger
    requires static com.h2database;

    exports dev.crmsync.jdbc;         // JdbcStores, JdbcMarketingStore, JdbcSyncStateStore, SqlDialect
    exports dev.crmsync.jdbc.h2;      // H2's triggers, which H2 instantiates by name (not for direct use)
    // not exported: dev.crmsync.jdbc.internal (schema migrations, SQL helpers, JSON of field values)
}
