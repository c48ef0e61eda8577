package dev.crmsync.jdbc;

import javax.sql.DataSource;

/** {@link FieldBackfillBehaviour} on H2. */
class H2FieldBackfillTest extends FieldBackfillBehaviour {
    @Override
    protected DataSource emptyDatabase() {
        return TestDatabases.freshH2();
    }
}
