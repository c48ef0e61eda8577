package dev.crmsync.jdbc;

import javax.sql.DataSource;

/** {@link ActivityHistoryBehaviour} on embedded H2. */
class H2ActivityHistoryTest extends ActivityHistoryBehaviour {
    @Override
    protected DataSource emptyDatabase() {
        return TestDatabases.freshH2();
    }
}
