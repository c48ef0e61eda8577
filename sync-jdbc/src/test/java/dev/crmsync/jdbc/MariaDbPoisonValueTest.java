package dev.crmsync.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link JdbcPoisonValueBehaviour} on MariaDB, in a database of its own. Skipped unless CRMSYNC_MARIADB_URL is set. */
class MariaDbPoisonValueTest extends JdbcPoisonValueBehaviour {

    @RegisterExtension
    static final TestDatabases.MariaDbDatabase DB = new TestDatabases.MariaDbDatabase();

    @Override
    protected DataSource emptyDatabase() {
        return DB.empty();
    }
}
