package dev.crmsync.jdbc;

import javax.sql.DataSource;

/** {@link EngineCrashTest} on embedded H2. */
class H2EngineCrashTest extends EngineCrashTest {
    @Override
    protected DataSource emptyDatabase() {
        return TestDatabases.freshH2();
    }
}
