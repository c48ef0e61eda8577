package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.GuardedUpsert;
import dev.crmsync.store.StoreResult;
import dev.crmsync.testkit.contract.ContractFixtures;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

    @Test
    void aGuardedEngineWriteWaitsForAnOpenHostTransactionOnItsRowAndKeepsWhatTheHostCommitted() throws Exception {
        ObjectType type = ObjectType.LEAD;
        stores.marketingStore().prepareType(type, List.of(new StoreField("LastName", StoreField.Kind.TEXT, 80, 0, 0),
                new StoreField("City", StoreField.Kind.TEXT, 40, 0, 0)));
        CrmId id = ContractFixtures.lead(1);
        stores.marketingStore().upsert(type, List.of(ContractFixtures.rec(type, id, "LastName", "Ada", "City", "Paris")));
        DataSource plain = PG.get().unpooledDataSource();
        try (Connection host = plain.getConnection(); Connection watch = plain.getConnection()) {
            host.setAutoCommit(false);
            try (PreparedStatement ps = host.prepareStatement("UPDATE " + table(type) + " SET city = 'Oslo' WHERE _crm_id = ?")) {
                ps.setString(1, id.value());
                assertEquals(1, ps.executeUpdate());                  // the host's transaction, still open
            }
            // the engine merged from what it read before (City = Paris) and writes Lyon over it
            CompletableFuture<List<StoreResult>> engine = CompletableFuture.supplyAsync(() ->
                    stores.marketingStore().upsertIfUnchanged(type, List.of(new GuardedUpsert(
                            ContractFixtures.rec(type, id, "City", "Lyon"), Map.of("City", FieldValue.text("Paris"))))));
            awaitLockWait(watch);                                      // it waits on the host's row lock
            host.commit();
            List<StoreResult> r = engine.get(60, TimeUnit.SECONDS);
            assertEquals(new StoreResult.Changed(id, "City"), r.get(0));
            assertEquals(FieldValue.text("Oslo"), stores.marketingStore().findByCrmIds(type, List.of(id)).get(id).get("City"),
                    "the host's committed write stays");
        }
    }

    /** Until another backend of this database waits on a lock (bounded: a condition, not a sleep). */
    private static void awaitLockWait(Connection watch) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (PreparedStatement ps = watch.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname ="
                + " current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND query LIKE '%FOR UPDATE%'")) {
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the engine's write never waited on the host's row lock");
                }
                Thread.onSpinWait();
            }
        }
    }
}
