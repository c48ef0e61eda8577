package dev.crmsync.jdbc;

import javax.sql.DataSource;

/** {@link HostChangeNotificationBehaviour} on H2 (the feed polled). */
class H2HostChangeNotificationTest extends HostChangeNotificationBehaviour {
    @Override
    protected DataSource emptyDatabase() {
        return TestDatabases.freshH2();
    }
}
