package dev.crmsync.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link JdbcPoisonValueBehaviour} on PostgreSQL, in a schema of its own. Skipped unless CRMSYNC_PG_URL is set. */
class PostgresPoisonValueTest extends JdbcPoisonValueBehaviour {

    @RegisterExtension
    static final TestDatabases.PostgresSchema PG = new TestDatabases.PostgresSchema();

    @Override
    protected DataSource emptyDatabase() {
        return PG.empty();
    }
}
