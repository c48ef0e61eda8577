package dev.crmsync.jdbc;

import javax.sql.DataSource;

/** {@link JdbcPoisonValueBehaviour} on embedded H2. */
class H2PoisonValueTest extends JdbcPoisonValueBehaviour {
    @Override
    protected DataSource emptyDatabase() {
        return TestDatabases.freshH2();
    }
}
