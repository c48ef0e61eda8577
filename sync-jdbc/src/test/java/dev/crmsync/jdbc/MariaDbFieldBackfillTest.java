package dev.crmsync.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link FieldBackfillBehaviour} on MariaDB. Skipped unless CRMSYNC_MARIADB_URL is set (CI sets it and fails on a skip). */
class MariaDbFieldBackfillTest extends FieldBackfillBehaviour {
    @RegisterExtension
    static final TestDatabases.MariaDbDatabase DB = new TestDatabases.MariaDbDatabase();

    @Override
    protected DataSource emptyDatabase() {
        return DB.empty();
    }
}
