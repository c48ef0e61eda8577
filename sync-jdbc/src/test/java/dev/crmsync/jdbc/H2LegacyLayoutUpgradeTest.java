package dev.crmsync.jdbc;

import javax.sql.DataSource;

/** {@link LegacyLayoutUpgradeTest} on embedded H2. */
class H2LegacyLayoutUpgradeTest extends LegacyLayoutUpgradeTest {
    @Override
    protected DataSource emptyDatabase() {
        return TestDatabases.freshH2();
    }

    @Override
    protected SqlDialect dialect() {
        return SqlDialect.H2;
    }
}
