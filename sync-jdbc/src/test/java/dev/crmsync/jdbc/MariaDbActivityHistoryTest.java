package dev.crmsync.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ActivityHistoryBehaviour} on MariaDB. Skipped unless CRMSYNC_MARIADB_URL is set. */
class MariaDbActivityHistoryTest extends ActivityHistoryBehaviour {

    @RegisterExtension
    static final TestDatabases.MariaDbDatabase DB = new TestDatabases.MariaDbDatabase();

    @Override
    protected DataSource emptyDatabase() {
        return DB.empty();
    }
}
