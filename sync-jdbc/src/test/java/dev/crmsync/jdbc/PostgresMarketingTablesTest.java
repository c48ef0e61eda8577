package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crmsync.model.ObjectType;
import dev.crmsync.store.ChangePage;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.StoreField;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link JdbcMarketingTablesBehaviour} on PostgreSQL, plus concurrent host writers. Fails in CI without CRMSYNC_PG_URL. */
class PostgresMarketingTablesTest extends JdbcMarketingTablesBehaviour {

    @RegisterExtension
    static final TestDatabases.PostgresSchema PG = new TestDatabases.PostgresSchema();

    @Override
    protected DataSource emptyDatabase() {
        return PG.empty();
    }

    @Test
    void twoHostTransactionsWritingLeadsDoNotWaitForEachOtherAndALateCommitIsNotSkipped() throws Exception {
        ObjectType type = ObjectType.LEAD;
        stores.marketingStore().prepareType(type, List.of(new StoreField("LastName", StoreField.Kind.TEXT, 80, 0, 0)));
        String t = table(type);
        DataSource plain = PG.get().unpooledDataSource();
        try (Connection early = plain.getConnection(); Connection late = plain.getConnection()) {
            early.setAutoCommit(false);
            late.setAutoCommit(false);
            try (Statement st = early.createStatement()) {
                st.execute("INSERT INTO " + t + " (lastname) VALUES ('early')");    // held open: its transaction id is older
            }
            try (Statement st = late.createStatement()) {
                // any wait for the open transaction's locks fails at once (55P03) instead of blocking
                st.execute("SET LOCAL lock_timeout = '200ms'");
                st.execute("INSERT INTO " + t + " (lastname) VALUES ('late')");
                st.execute("UPDATE " + t + " SET lastname = 'late 2' WHERE lastname = 'late'");
            }
            late.commit();
            Set<String> seen = new HashSet<>();
            ChangePage first = stores.marketingStore().changesSince(type, FeedCursor.START, 100);
            first.records().forEach(r -> seen.add(r.get("LastName").asText()));
            assertEquals(Set.of("late 2"), seen, "a committed change is read while an older transaction is still open");
            assertEquals(List.of(), stores.marketingStore().changesSince(type, first.nextCursor(), 100).records(),
                    "the open transaction's change is not visible yet");
            early.commit();
            Set<String> later = new HashSet<>();
            ChangePage next = stores.marketingStore().changesSince(type, first.nextCursor(), 100);
            for (MarketingRecord r : next.records()) {
                later.add(r.get("LastName").asText());
            }
            assertEquals(Set.of("early"), later, "the late commit is read after the position that passed it, not skipped");
        }
    }

    @Test
    void aLongTransactionElsewhereDoesNotHoldTheFeedBack() throws Exception {
        ObjectType type = ObjectType.LEAD;
        stores.marketingStore().prepareType(type, List.of(new StoreField("LastName", StoreField.Kind.TEXT, 80, 0, 0)));
        DataSource plain = PG.get().unpooledDataSource();
        try (Connection idle = plain.getConnection(); Connection writer = plain.getConnection()) {
            idle.setAutoCommit(false);
            try (Statement st = idle.createStatement()) {
                st.execute("SELECT pg_current_xact_id()");     // an open transaction with an id, writing nothing here
            }
            try (Statement st = writer.createStatement()) {
                st.execute("INSERT INTO " + table(type) + " (lastname) VALUES ('now')");
            }
            ChangePage page = stores.marketingStore().changesSince(type, FeedCursor.START, 100);
            assertEquals(List.of("now"), page.records().stream().map(r -> r.get("LastName").asText()).toList());
            idle.rollback();
        }
    }
}
