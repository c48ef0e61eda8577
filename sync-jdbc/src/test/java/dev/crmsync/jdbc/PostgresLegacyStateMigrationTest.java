package dev.crmsync.jdbc;

import javax.sql.DataSource;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link LegacyStateMigrationTest} on PostgreSQL, in a schema of its own. Skipped unless CRMSYNC_PG_URL is set. */
class PostgresLegacyStateMigrationTest extends LegacyStateMigrationTest {
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
