package dev.crmsync.jdbc;

import static dev.crmsync.testkit.contract.ContractFixtures.fields;
import static dev.crmsync.testkit.contract.ContractFixtures.lead;
import static dev.crmsync.testkit.contract.ContractFixtures.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.store.FeedCursor;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.ChangePage;
import dev.crmsync.store.MarketingRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link JdbcStoreBehaviour} on MariaDB. Skipped unless CRMSYNC_MARIADB_URL is set. */
class MariaDbBehaviourTest extends JdbcStoreBehaviour {

    @RegisterExtension
    static final TestDatabases.MariaDbDatabase DB = new TestDatabases.MariaDbDatabase();

    @Override
    protected DataSource emptyDatabase() {
        return DB.empty();
    }

}
