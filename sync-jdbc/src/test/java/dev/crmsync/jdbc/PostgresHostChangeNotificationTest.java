package dev.crmsync.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link HostChangeNotificationBehaviour} on PostgreSQL (LISTEN/NOTIFY). Skipped unless CRMSYNC_PG_URL is set. */
class PostgresHostChangeNotificationTest extends HostChangeNotificationBehaviour {
    @RegisterExtension
    static final TestDatabases.PostgresSchema PG = new TestDatabases.PostgresSchema();

    @Override
    protected DataSource emptyDatabase() {
        return PG.empty();
    }
}
