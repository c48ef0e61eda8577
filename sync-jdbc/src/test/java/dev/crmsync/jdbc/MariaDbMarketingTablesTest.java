package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.ChangePage;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.GuardedUpsert;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.StoreField;
import dev.crmsync.store.StoreResult;
import dev.crmsync.testkit.contract.ContractFixtures;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link JdbcMarketingTablesBehaviour} on MariaDB, plus concurrent host writers. Skipped unless
 * CRMSYNC_MARIADB_URL is set (fails in CI, which sets it and checks nothing was skipped).
 */
class MariaDbMarketingTablesTest extends JdbcMarketingTablesBehaviour {

    @RegisterExtension
    static final TestDatabases.MariaDbDatabase DB = new TestDatabases.MariaDbDatabase();

    @Override
    protected DataSource emptyDatabase() {
        return DB.empty();
    }

    /** Two host connections on different feed slots (the capture's unit of waiting; see MarketingTables). */
    private static List<Connection> twoConnectionsOnDifferentSlots(DataSource plain) throws SQLException {
        List<Connection> open = new ArrayList<>();
        Set<Long> slots = new HashSet<>();
        List<Connection> out = new ArrayList<>();
        while (out.size() < 2) {
            Connection c = plain.getConnection();
            open.add(c);
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT CONNECTION_ID() % 64")) {
                rs.next();
                if (slots.add(rs.getLong(1))) {
                    out.add(c);
                }
            }
        }
        for (Connection c : open) {
            if (!out.contains(c)) {
                c.close();
            }
        }
        return out;
    }

    @Test
    void twoHostTransactionsWritingLeadsDoNotWaitForEachOtherAndALateCommitIsNotSkipped() throws Exception {
        ObjectType type = ObjectType.LEAD;
        stores.marketingStore().prepareType(type, List.of(new StoreField("LastName", StoreField.Kind.TEXT, 80, 0, 0)));
        String t = table(type);
        stores.marketingStore().upsert(type, List.of(ContractFixtures.rec(type, ContractFixtures.lead(1), "LastName", "Ada")));
        FeedCursor start = stores.marketingStore().changesSince(type, FeedCursor.START, 100).nextCursor();
        List<Connection> two = twoConnectionsOnDifferentSlots(DB.get().unpooledDataSource());
        try (Connection early = two.get(0); Connection late = two.get(1)) {
            early.setAutoCommit(false);
            late.setAutoCommit(false);
            try (Statement st = early.createStatement()) {
                st.execute("INSERT INTO " + t + " (lastname) VALUES ('early')");    // held open: took its position first
            }
            try (Statement st = late.createStatement()) {
                // any wait for the open transaction's locks fails at once instead of blocking
                st.execute("SET SESSION innodb_lock_wait_timeout = 0");
                st.execute("INSERT INTO " + t + " (lastname) VALUES ('late')");
                // by primary key: an InnoDB UPDATE in REPEATABLE READ locks every row it scans (the open
                // transaction's new row too), with a trigger or without
                st.execute("UPDATE " + t + " SET lastname = 'late 2' WHERE _marketing_id = " + mid(st, t, "late"));
                st.execute("UPDATE " + t + " SET lastname = 'Ada (edited)' WHERE _marketing_id = " + mid(st, t, "Ada"));
            }
            late.commit();                                                          // committed while the early one is open
            ChangePage during = stores.marketingStore().changesSince(type, start, 100);
            assertEquals(List.of(), during.records(),
                    "while a host transaction is open the feed does not pass its position (documented: it holds the feed back)");
            early.commit();
            Set<String> seen = new HashSet<>();
            ChangePage after = stores.marketingStore().changesSince(type, during.nextCursor(), 100);
            for (MarketingRecord r : after.records()) {
                seen.add(r.get("LastName").asText());
            }
            assertEquals(Set.of("early", "late 2", "Ada (edited)"), seen, "the late commit is read, not skipped; so is the other");
            assertEquals(List.of(), stores.marketingStore().changesSince(type, after.nextCursor(), 100).records(),
                    "each change is read once");
        }
    }

    private static long mid(Statement st, String table, String lastName) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT _marketing_id FROM " + table + " WHERE lastname = '" + lastName + "'")) {
            assertTrue(rs.next(), lastName);
            return rs.getLong(1);
        }
    }

    @Test
    void aHostTransactionRolledBackLeavesNoChangeAndDoesNotHoldTheFeedBack() throws Exception {
        ObjectType type = ObjectType.LEAD;
        stores.marketingStore().prepareType(type, List.of(new StoreField("LastName", StoreField.Kind.TEXT, 80, 0, 0)));
        String t = table(type);
        DataSource plain = DB.get().unpooledDataSource();
        try (Connection gone = plain.getConnection(); Connection kept = plain.getConnection()) {
            gone.setAutoCommit(false);
            try (Statement st = gone.createStatement()) {
                st.execute("INSERT INTO " + t + " (lastname) VALUES ('rolled back')");
            }
            try (Statement st = kept.createStatement()) {
                st.execute("INSERT INTO " + t + " (lastname) VALUES ('kept')");
            }
            gone.rollback();
            ChangePage page = stores.marketingStore().changesSince(type, FeedCursor.START, 100);
            assertEquals(List.of("kept"), page.records().stream().map(r -> r.get("LastName").asText()).toList());
        }
    }

    @Test
    void aLongTransactionThatWritesNoMarketingTableDoesNotHoldTheFeedBack() throws Exception {
        ObjectType type = ObjectType.LEAD;
        stores.marketingStore().prepareType(type, List.of(new StoreField("LastName", StoreField.Kind.TEXT, 80, 0, 0)));
        DataSource plain = DB.get().unpooledDataSource();
        try (Connection idle = plain.getConnection(); Connection writer = plain.getConnection()) {
            idle.setAutoCommit(false);
            try (Statement st = idle.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS host_other (id INT PRIMARY KEY)");
                st.execute("INSERT INTO host_other (id) VALUES (1)");        // an open transaction writing elsewhere
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
        DataSource plain = DB.get().unpooledDataSource();
        try (Connection host = plain.getConnection(); Connection watch = plain.getConnection()) {
            host.setAutoCommit(false);
            try (PreparedStatement ps = host.prepareStatement("UPDATE " + table(type) + " SET city = 'Oslo' WHERE _crm_id = ?")) {
                ps.setString(1, id.value());
                assertEquals(1, ps.executeUpdate());                  // the host's transaction, still open
            }
            CompletableFuture<List<StoreResult>> engine = CompletableFuture.supplyAsync(() ->
                    stores.marketingStore().upsertIfUnchanged(type, List.of(new GuardedUpsert(
                            ContractFixtures.rec(type, id, "City", "Lyon"), Map.of("City", FieldValue.text("Paris"))))));
            awaitLockWait(watch, engine);                              // it waits on the host's row lock
            host.commit();
            List<StoreResult> r = engine.get(60, TimeUnit.SECONDS);
            assertEquals(new StoreResult.Changed(id, "City"), r.get(0));
            assertEquals(FieldValue.text("Oslo"), stores.marketingStore().findByCrmIds(type, List.of(id)).get(id).get("City"),
                    "the host's committed write stays");
        }
    }

    @Test
    void instantsAreKeptAsUtcWallTimeWhateverTheSessionTimeZone() throws Exception {
        ObjectType type = ObjectType.of("Kind__c");
        stores.marketingStore().prepareType(type, List.of(StoreField.of("At", StoreField.Kind.DATETIME)));
        CrmId id = CrmId.of("a00000000000001");
        java.time.Instant at = java.time.Instant.parse("2024-03-01T10:15:30.123456Z");
        stores.marketingStore().upsert(type, List.of(new dev.crmsync.model.SyncRecord(type, id, Map.of("At", FieldValue.dateTime(at)),
                at, false)));
        try (Connection c = DB.get().unpooledDataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("SET time_zone = '+05:00'");
            try (ResultSet rs = st.executeQuery("SELECT CAST(at AS CHAR), CAST(_crm_modstamp AS CHAR) FROM " + table(type))) {
                assertTrue(rs.next());
                assertEquals("2024-03-01 10:15:30.123456", rs.getString(1));
                assertEquals("2024-03-01 10:15:30.123456", rs.getString(2));
            }
        }
        assertEquals(FieldValue.dateTime(at), stores.marketingStore().findByCrmIds(type, List.of(id)).get(id).get("At"));
    }

    /**
     * Until a transaction waits on a row lock of this database's lead table (bounded: a condition, not a
     * sleep). Read from {@code SHOW ENGINE INNODB STATUS}: {@code information_schema.innodb_trx} is a cache
     * that a reader polling it more often than every 0.1 s never sees refreshed.
     */
    private static void awaitLockWait(Connection watch, CompletableFuture<?> engine) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String table = "`" + DB.get().name() + "`.`lead`";
        try (Statement st = watch.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery("SHOW ENGINE INNODB STATUS")) {
                    rs.next();
                    String status = rs.getString("Status");
                    for (String trx : status.split("---TRANSACTION")) {
                        if (trx.contains("FOR THIS LOCK TO BE GRANTED") && trx.contains(table)) {
                            return;
                        }
                    }
                }
                if (engine.isDone()) {
                    throw new AssertionError("the engine's write did not wait on the host's row lock: " + engine.get());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the engine's write never waited on the host's row lock");
                }
                Thread.onSpinWait();
            }
        }
    }
}
