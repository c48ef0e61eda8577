package dev.crmsync.jdbc;

import javax.sql.DataSource;

/** {@link LegacyStateMigrationTest} on embedded H2. */
class H2LegacyStateMigrationTest extends LegacyStateMigrationTest {
    @Override
    protected DataSource emptyDatabase() {
        return TestDatabases.freshH2();
    }

    @Override
    protected SqlDialect dialect() {
        return SqlDialect.H2;
    }
}
