package dev.crmsync.jdbc;

import javax.sql.DataSource;

/** {@link JdbcMarketingTablesBehaviour} on H2. */
class H2MarketingTablesTest extends JdbcMarketingTablesBehaviour {
    @Override
    protected DataSource emptyDatabase() {
        return TestDatabases.freshH2();
    }
}
