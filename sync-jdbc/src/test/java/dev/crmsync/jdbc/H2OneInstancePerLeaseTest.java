package dev.crmsync.jdbc;

import javax.sql.DataSource;

/** {@link OneInstancePerLeaseTest} on embedded H2. */
class H2OneInstancePerLeaseTest extends OneInstancePerLeaseTest {
    @Override
    protected DataSource emptyDatabase() {
        return TestDatabases.freshH2();
    }
}
