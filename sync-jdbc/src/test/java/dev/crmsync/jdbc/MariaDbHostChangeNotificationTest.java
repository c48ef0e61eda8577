package dev.crmsync.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link HostChangeNotificationBehaviour} on MariaDB (the feed polled). Skipped unless CRMSYNC_MARIADB_URL is set. */
class MariaDbHostChangeNotificationTest extends HostChangeNotificationBehaviour {
    @RegisterExtension
    static final TestDatabases.MariaDbDatabase DB = new TestDatabases.MariaDbDatabase();

    @Override
    protected DataSource emptyDatabase() {
        return DB.empty();
    }
}
