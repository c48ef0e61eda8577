package dev.crmsync.jdbc;

import javax.sql.DataSource;

/** {@link JdbcStoreBehaviour} on embedded H2. */
class H2BehaviourTest extends JdbcStoreBehaviour {
    @Override
    protected DataSource emptyDatabase() {
        return TestDatabases.freshH2();
    }
}
