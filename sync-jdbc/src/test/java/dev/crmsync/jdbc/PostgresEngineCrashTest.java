package dev.crmsync.jdbc;

import javax.sql.DataSource;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link EngineCrashTest} on PostgreSQL. Skipped unless CRMSYNC_PG_URL is set. */
class PostgresEngineCrashTest extends EngineCrashTest {

    @RegisterExtension
    static final TestDatabases.PostgresSchema PG = new TestDatabases.PostgresSchema();

    @Override
    protected DataSource emptyDatabase() {
        return PG.empty();
    }
}
