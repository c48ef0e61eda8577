package dev.crmsync.jdbc;

import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link LegacyLayoutUpgradeTest} on PostgreSQL, each test in a schema of its own (the old layout's
 * tables are created by the test). Skipped unless CRMSYNC_PG_URL is set.
 */
class PostgresLegacyLayoutUpgradeTest extends LegacyLayoutUpgradeTest {
    @RegisterExtension
    static final TestDatabases.PostgresSchema PG = new TestDatabases.PostgresSchema();

    private final List<TestDatabases.PgSchema> schemas = new ArrayList<>();

    @Override
    protected DataSource emptyDatabase() {
        PG.get();                                   // skips the test without PostgreSQL
        TestDatabases.PgSchema s = TestDatabases.PgSchema.create();
        schemas.add(s);
        return s.dataSource();
    }

    @AfterEach
    void dropSchemas() {
        schemas.forEach(TestDatabases.PgSchema::close);
        schemas.clear();
    }

    @Override
    protected SqlDialect dialect() {
        return SqlDialect.POSTGRESQL;
    }
}
