package dev.crmsync.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link LegacyLayoutUpgradeTest} on PostgreSQL, in a schema of its own. Skipped unless CRMSYNC_PG_URL is set. */
class PostgresLegacyLayoutUpgradeTest extends LegacyLayoutUpgradeTest {
    @RegisterExtension
    static final TestDatabases.PostgresSchema PG = new TestDatabases.PostgresSchema();

    @Override
    protected DataSource emptyDatabase() {
        return PG.get().dataSource();
    }

    @Override
    protected SqlDialect dialect() {
        return SqlDialect.POSTGRESQL;
    }
}
