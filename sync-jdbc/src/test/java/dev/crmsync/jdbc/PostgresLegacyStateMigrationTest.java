package dev.crmsync.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link LegacyStateMigrationTest} on PostgreSQL, in a schema of its own. Skipped unless CRMSYNC_PG_URL is set. */
class PostgresLegacyStateMigrationTest extends LegacyStateMigrationTest {
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
        return schema.dataSource();
    }

    @Override
    protected SqlDialect dialect() {
        return SqlDialect.POSTGRESQL;
    }
}
