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

/** {@link JdbcStoreBehaviour} on PostgreSQL, plus the host-change trigger. Skipped unless CRMSYNC_PG_URL is set. */
class PostgresBehaviourTest extends JdbcStoreBehaviour {

    @RegisterExtension
    static final TestDatabases.PostgresSchema PG = new TestDatabases.PostgresSchema();

    @Override
    protected DataSource emptyDatabase() {
        return PG.empty();
    }

    @Test
    void hostSqlChangesReachTheFeedThroughTheTriggerAndEngineWritesDoNot() throws Exception {
        JdbcStores withTrigger = JdbcStores.builder(ds).hostTrigger(true).build();
        try {
            withTrigger.marketingStore().upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Ada")));
            FeedCursor cursor = withTrigger.marketingStore().changesSince(ObjectType.LEAD, FeedCursor.START, 100).nextCursor();
            String mid = withTrigger.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(lead(1))).get(lead(1)).marketingId();
            try (Connection c = ds.getConnection()) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE crmsync_record SET fields = ? WHERE marketing_id = ?")) {
                    ps.setString(1, "{\"LastName\":[\"t\",\"Ada (edited in SQL)\"]}");
                    ps.setLong(2, Long.parseLong(mid));
                    ps.executeUpdate();
                }
                try (Statement st = c.createStatement()) {
                    st.execute("INSERT INTO crmsync_record (object_type, fields, local_modstamp)"
                            + " VALUES ('Lead', '{\"LastName\":[\"t\",\"Inserted in SQL\"]}', now())");
                }
            }
            ChangePage page = withTrigger.marketingStore().changesSince(ObjectType.LEAD, cursor, 100);
            assertEquals(2, page.records().size());
            MarketingRecord edited = page.records().get(0);
            assertEquals(mid, edited.marketingId());
            assertEquals(FieldValue.text("Ada (edited in SQL)"), edited.get("LastName"));
            assertEquals(FieldValue.text("Inserted in SQL"), page.records().get(1).get("LastName"));

            withTrigger.marketingStore().upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "Title", "CEO")));
            withTrigger.marketingStore().saveLocal(ObjectType.LEAD, mid, fields("City", "Oslo"));
            ChangePage after = withTrigger.marketingStore().changesSince(ObjectType.LEAD, page.nextCursor(), 100);
            assertEquals(List.of(mid), after.records().stream().map(MarketingRecord::marketingId).toList(),
                    "the engine's upsert did not enter the feed; saveLocal did, once");
            assertTrue(withTrigger.marketingStore().changesSince(ObjectType.LEAD, after.nextCursor(), 10).records().isEmpty());
        } finally {
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("DROP TRIGGER IF EXISTS crmsync_record_host_change ON crmsync_record");
            }
        }
    }
}
