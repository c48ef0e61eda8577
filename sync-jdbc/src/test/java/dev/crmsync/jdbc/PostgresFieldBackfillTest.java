package dev.crmsync.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link FieldBackfillBehaviour} on PostgreSQL, in a schema of its own. Skipped unless CRMSYNC_PG_URL is set. */
class PostgresFieldBackfillTest extends FieldBackfillBehaviour {
    @RegisterExtension
    static final TestDatabases.PostgresSchema PG = new TestDatabases.PostgresSchema();

    @Override
    protected DataSource emptyDatabase() {
        return PG.empty();
    }
}
