package dev.crmsync.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ActivityHistoryBehaviour} on PostgreSQL. Skipped unless CRMSYNC_PG_URL is set. */
class PostgresActivityHistoryTest extends ActivityHistoryBehaviour {

    @RegisterExtension
    static final TestDatabases.PostgresSchema PG = new TestDatabases.PostgresSchema();

    @Override
    protected DataSource emptyDatabase() {
        return PG.empty();
    }
}
