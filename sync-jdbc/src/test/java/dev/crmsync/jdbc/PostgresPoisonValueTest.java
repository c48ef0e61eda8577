package dev.crmsync.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link JdbcPoisonValueBehaviour} on PostgreSQL. Skipped unless CRMSYNC_PG_URL is set. */
class PostgresPoisonValueTest extends JdbcPoisonValueBehaviour {

    static TestDatabases.PgSchema schema;

    @BeforeAll
    static void createSchema() {
        if (TestDatabases.postgresConfigured()) {
            schema = TestDatabases.PgSchema.create();
        }
    }

    @AfterAll
    static void dropSchema() {
        if (schema != null) {
            schema.close();
        }
    }

    @Override
    protected DataSource emptyDatabase() {
        TestDatabases.requirePostgresUrl();
        schema.truncate();
        return schema.dataSource();
    }
}
