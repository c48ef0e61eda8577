package dev.crmsync.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.Cursor;
import dev.crmsync.jdbc.JdbcStores;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The connectors with the real things on one embedded Connect cluster shared by the class: Salesforce's REST API
 * (the fake server over an in-memory org, reached by {@code SalesforceCrmSource} over loopback HTTP) as the source,
 * the JDBC store (H2, and PostgreSQL when {@value RealOrgs#PG_URL_VARIABLE} names a server) as the sink.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SalesforceJdbcClusterTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(60);

    private EmbeddedConnectCluster connect;
    private final List<FakeSalesforceServer> servers = new ArrayList<>();

    @BeforeAll
    void startCluster() {
        RealOrgs.resetPostgresSchema(true);
        connect = Clusters.start("crmsync-real", 1, Map.of());
    }

    @AfterAll
    void stopCluster() {
        if (connect != null) {
            connect.stop();
        }
        servers.forEach(FakeSalesforceServer::close);
        RealOrgs.resetPostgresSchema(false);
    }

    private FakeSalesforceServer server(InMemoryCrm crm, ManualClock clock) {
        FakeSalesforceServer server = FakeSalesforceServer.builder().crm(crm).clock(clock).build().start();
        servers.add(server);
        return server;
    }

    private static Map<String, String> source(String connector, int pageSize) {
        Map<String, String> p = new HashMap<>();
        p.put("connector.class", CrmChangesSourceConnector.class.getName());
        p.put("tasks.max", "1");
        p.put(CrmChangesSourceConnector.CRM_SOURCE_FACTORY, RealOrgs.CrmFactory.class.getName());
        p.put(CrmChangesSourceConnector.OBJECT_TYPES, "Account,Opportunity");
        p.put(CrmChangesSourceConnector.TOPIC_PREFIX, connector);
        p.put(CrmChangesSourceConnector.PAGE_SIZE, String.valueOf(pageSize));
        p.put(CrmChangesSourceConnector.POLL_INTERVAL_MS, "200");
        p.put(CrmChangesSourceConnector.LOOKBACK_MS, "0");
        p.put("exactly.once.support", "required");
        p.put("transaction.boundary", "connector");
        p.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        p.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        p.put("value.converter.schemas.enable", "true");
        return p;
    }

    private static Map<String, String> sink(String prefix) {
        Map<String, String> p = new HashMap<>();
        p.put("connector.class", StoreSinkConnector.class.getName());
        p.put("tasks.max", "1");
        p.put("topics.regex", prefix + "\\..*\\.(Account|Opportunity)");
        p.put(StoreSinkConnector.MARKETING_STORE_FACTORY, RealOrgs.StoreFactory.class.getName());
        p.put(StoreSinkConnector.TOPIC_PREFIX, prefix);
        p.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        p.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        p.put("consumer.override.isolation.level", "read_committed");
        return p;
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!test(done)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    /** A table is created with the type's first write: until then a look-up fails. */
    private static boolean test(BooleanSupplier done) {
        try {
            return done.getAsBoolean();
        } catch (dev.crmsync.model.SyncException e) {
            return false;
        }
    }

    private static MarketingStore store(String org) {
        JdbcStores stores = RealOrgs.STORES.get(org);
        return stores == null ? null : stores.marketingStore();
    }

    private static MarketingRecord held(String org, ObjectType type, CrmId id) {
        MarketingStore store = store(org);
        return store == null ? null : store.findByCrmIds(type, List.of(id)).get(id);
    }

    /** The SQL type of a typed column, and the value it holds for a record. */
    private static Map.Entry<String, Object> column(String org, ObjectType type, String column, CrmId id)
            throws SQLException {
        JdbcStores stores = RealOrgs.STORES.get(org);
        String schema = stores.marketingStore().schema();
        String table = stores.marketingStore().tableName(type);
        DataSource ds = RealOrgs.DATA_SOURCES.get(org);
        try (Connection c = ds.getConnection()) {
            String sqlType;
            try (PreparedStatement st = c.prepareStatement("SELECT data_type FROM information_schema.columns"
                    + " WHERE lower(table_schema) = ? AND lower(table_name) = ? AND lower(column_name) = ?")) {
                st.setString(1, schema.toLowerCase(Locale.ROOT));
                st.setString(2, type.apiName().toLowerCase(Locale.ROOT));
                st.setString(3, column);
                try (ResultSet rs = st.executeQuery()) {
                    sqlType = rs.next() ? rs.getString(1).toLowerCase(Locale.ROOT) : null;
                }
            }
            try (PreparedStatement st = c.prepareStatement("SELECT " + column + " FROM " + table
                    + " WHERE _crm_id = ?")) {
                st.setString(1, id.value());
                try (ResultSet rs = st.executeQuery()) {
                    assertTrue(rs.next(), type + " " + id + " is in " + table);
                    return new java.util.AbstractMap.SimpleEntry<>(sqlType, rs.getObject(1));
                }
            }
        }
    }

    @Test
    void accountsAndOpportunitiesGoFromSalesforceIntoTypedTablesAndAnEditAndADeletionFollow() throws Exception {
        List<String> orgs = new ArrayList<>(List.of("sfH2"));
        if (RealOrgs.postgresUrl() != null) {
            orgs.add("sfPg");
        }
        Map<String, String> source = source("real", 5);
        Map<String, String> sink = sink("real");
        Map<String, InMemoryCrm> crms = new HashMap<>();
        Map<String, ManualClock> clocks = new HashMap<>();
        Map<String, List<CrmId>> accounts = new HashMap<>();
        Map<String, List<CrmId>> opportunities = new HashMap<>();
        for (String org : orgs) {
            ManualClock clock = new ManualClock(T0);
            InMemoryCrm crm = InMemoryCrm.builder().clock(clock).build();
            List<CrmId> a = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                clock.advance(Duration.ofSeconds(1));
                a.add(crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Account " + i),
                        "AnnualRevenue", FieldValue.number(String.valueOf(1_000_000 + i)))));
            }
            List<CrmId> o = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                clock.advance(Duration.ofSeconds(1));
                o.add(crm.insert(ObjectType.OPPORTUNITY, Map.of("Name", FieldValue.text("Deal " + i),
                        "StageName", FieldValue.text("Prospecting"), "Amount", FieldValue.number("1250.50"),
                        "CloseDate", FieldValue.date(LocalDate.of(2027, 1, 31)), "AccountId", FieldValue.ref(a.get(i)))));
            }
            FakeSalesforceServer server = server(crm, clock);
            source.put("org." + org + ".instance.url", server.baseUri().toString());
            source.put("org." + org + ".access.token", FakeSalesforceServer.DEFAULT_ACCESS_TOKEN);
            sink.put("org." + org + ".database", org.equals("sfPg") ? "postgresql" : "h2");
            for (String type : List.of("Account", "Opportunity")) {
                connect.kafka().createTopic("real." + org + "." + type, 1);
            }
            crms.put(org, crm);
            clocks.put(org, clock);
            accounts.put(org, a);
            opportunities.put(org, o);
        }
        source.put(CrmChangesSourceConnector.ORGS, String.join(",", orgs));
        connect.configureConnector("real-sink", sink);
        connect.configureConnector("real-source", source);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("real-source", 1, "source not running");
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("real-sink", 1, "sink not running");

        for (String org : orgs) {
            List<CrmId> a = accounts.get(org);
            List<CrmId> o = opportunities.get(org);
            await(org + "'s copy reached the store", () -> store(org) != null
                    && store(org).findByCrmIds(ObjectType.ACCOUNT, a).size() == a.size()
                    && store(org).findByCrmIds(ObjectType.OPPORTUNITY, o).size() == o.size());
            MarketingRecord deal = held(org, ObjectType.OPPORTUNITY, o.get(1));
            assertEquals(FieldValue.number("1250.5"), deal.get("Amount"), org);
            assertEquals(FieldValue.ref(a.get(1)), deal.get("AccountId"), org);
            assertEquals(FieldValue.text("Account 7"), held(org, ObjectType.ACCOUNT, a.get(7)).get("Name"), org);

            // typed columns, from the describe the source read the types with (prepareType before the first write)
            Map.Entry<String, Object> revenue = column(org, ObjectType.ACCOUNT, "annualrevenue", a.get(7));
            assertTrue(revenue.getKey().contains("numeric") || revenue.getKey().contains("decimal"),
                    org + ": AnnualRevenue is a decimal column, was " + revenue.getKey());
            assertEquals(0, new BigDecimal("1000007").compareTo((BigDecimal) revenue.getValue()), org);
            Map.Entry<String, Object> close = column(org, ObjectType.OPPORTUNITY, "closedate", o.get(1));
            assertEquals("date", close.getKey(), org + ": CloseDate is a date column");
            Map.Entry<String, Object> amount = column(org, ObjectType.OPPORTUNITY, "amount", o.get(1));
            assertEquals(0, new BigDecimal("1250.50").compareTo((BigDecimal) amount.getValue()), org);
        }

        for (String org : orgs) {
            ManualClock clock = clocks.get(org);
            clock.advance(Duration.ofSeconds(1));
            crms.get(org).update(ObjectType.ACCOUNT, accounts.get(org).get(3), Map.of("Name", FieldValue.text("Renamed"),
                    "AnnualRevenue", FieldValue.number("42")));
            clock.advance(Duration.ofSeconds(1));
            crms.get(org).delete(ObjectType.OPPORTUNITY, opportunities.get(org).get(2));
        }
        for (String org : orgs) {
            CrmId edited = accounts.get(org).get(3);
            CrmId deleted = opportunities.get(org).get(2);
            await(org + "'s edit and deletion reached the store", () -> {
                MarketingRecord e = held(org, ObjectType.ACCOUNT, edited);
                MarketingRecord d = held(org, ObjectType.OPPORTUNITY, deleted);
                return e != null && FieldValue.text("Renamed").equals(e.get("Name")) && d != null && d.crmDeleted();
            });
            assertEquals(0, new BigDecimal("42").compareTo((BigDecimal) column(org, ObjectType.ACCOUNT, "annualrevenue",
                    edited).getValue()), org + ": the edit is in the typed column");
            MarketingRecord d = held(org, ObjectType.OPPORTUNITY, deleted);
            assertEquals(FieldValue.text("Deal 2"), d.get("Name"), org + ": a deletion keeps the values");
            assertEquals(false, held(org, ObjectType.OPPORTUNITY, opportunities.get(org).get(1)).crmDeleted(), org);
        }
        connect.deleteConnector("real-source");
        connect.deleteConnector("real-sink");
    }

    /** Reads a topic from the start with read_committed until {@code expected} records came, then {@code settle}. */
    private List<ConsumerRecord<String, String>> readCommitted(String topic, int expected, Duration settle) {
        return Clusters.readCommitted(connect, topic, expected, WAIT, settle);
    }

    private static Set<String> keys(List<ConsumerRecord<String, String>> records) {
        Set<String> keys = new HashSet<>();
        records.forEach(r -> keys.add(r.key()));
        return keys;
    }

    @Test
    void anOrgOverItsDailyApiBudgetRestsWhileTheOtherOrgOfItsTaskReadsOn() throws Exception {
        Map<String, String> source = source("budget", 5);
        source.put(CrmChangesSourceConnector.OBJECT_TYPES, "Account");
        Map<String, FakeSalesforceServer> byOrg = new HashMap<>();
        for (String org : List.of("bgTight", "bgFree")) {
            ManualClock clock = new ManualClock(T0);
            InMemoryCrm crm = InMemoryCrm.builder().clock(clock).build();
            for (int i = 0; i < 40; i++) {
                clock.advance(Duration.ofSeconds(1));
                crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Account " + i)));
            }
            FakeSalesforceServer server = server(crm, clock);
            byOrg.put(org, server);
            source.put("org." + org + ".instance.url", server.baseUri().toString());
            source.put("org." + org + ".access.token", FakeSalesforceServer.DEFAULT_ACCESS_TOKEN);
            connect.kafka().createTopic("budget." + org + ".Account", 1);
        }
        source.put(CrmChangesSourceConnector.ORGS, "bgTight,bgFree");
        source.put("org.bgTight." + CrmChangesSourceConnector.DAILY_API_CALLS, "3");
        connect.configureConnector("budget-source", source);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("budget-source", 1, "source not running");

        List<ConsumerRecord<String, String>> free = readCommitted("budget.bgFree.Account", 40, Duration.ZERO);
        assertEquals(40, keys(free).size(), "the org without a budget reads its whole copy");
        // bgTight: a describe and a query (5 records), then a second query (5 more): 3 calls, its budget; then it
        // rests until the next UTC midnight, checked before each page
        List<ConsumerRecord<String, String>> tight = readCommitted("budget.bgTight.Account", 10, Duration.ofSeconds(2));
        assertEquals(10, tight.size(), "two pages, then the org rests");
        assertEquals(3, byOrg.get("bgTight").apiCallsUsed(), "the calls Salesforce counted for the org");
        assertEquals(1, byOrg.get("bgTight").requestCount("GET", "/sobjects/Account/describe$"));
        assertEquals(2, byOrg.get("bgTight").requestCount("GET", "/queryAll$"));
        connect.deleteConnector("budget-source");
    }

    @Test
    void aHalfDoneCopyMovesFromAnEmbeddedDeploymentIntoConnectAndBackAndTheRestArrivesOnce() throws Exception {
        ManualClock clock = new ManualClock(T0);
        InMemoryCrm crm = InMemoryCrm.builder().clock(clock).build();
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            clock.advance(Duration.ofSeconds(1));
            ids.add(crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Account " + i))));
        }
        FakeSalesforceServer server = server(crm, clock);
        // the embedded deployment: its JDBC state store holds the checkpoint of a copy 25 records in
        Map.Entry<DataSource, String> db = RealOrgs.dataSource("h2");
        JdbcStores embedded = JdbcStores.builder(db.getKey()).schema(db.getValue()).objectTypes(RealOrgs.TYPES).build();
        Instant stamp25 = crm.get(ObjectType.ACCOUNT, ids.get(24)).orElseThrow().modstamp();
        embedded.syncStateStore().saveCheckpoint(Checkpoint.initial(ObjectType.ACCOUNT, T0)
                .withCrmCursor(Cursor.after(stamp25, ids.get(24)), 25, T0));

        Map<String, String> source = source("move", 10);
        source.put(CrmChangesSourceConnector.OBJECT_TYPES, "Account");
        source.put(CrmChangesSourceConnector.ORGS, "mvOrg");
        source.put("org.mvOrg.instance.url", server.baseUri().toString());
        source.put("org.mvOrg.access.token", FakeSalesforceServer.DEFAULT_ACCESS_TOKEN);
        connect.kafka().createTopic("move.mvOrg.Account", 1);
        connect.configureConnector(new CreateConnectorRequest("move-source", source,
                CreateConnectorRequest.InitialState.STOPPED));
        connect.assertions().assertConnectorIsStopped("move-source", "source not created stopped");

        // in: PATCH /connectors/move-source/offsets with the helper's body, then resume
        String body = OffsetMigration.toConnectOffsets(embedded.syncStateStore(), "mvOrg", List.of(ObjectType.ACCOUNT));
        try (Response patched = connect.requestPatch(connect.endpointForResource("connectors/move-source/offsets"),
                body)) {
            assertEquals(200, patched.getStatus(), "offsets altered: " + patched.getEntity());
        }
        connect.resumeConnector("move-source");
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("move-source", 1, "source not resumed");
        List<ConsumerRecord<String, String>> got = readCommitted("move.mvOrg.Account", 35, Duration.ofSeconds(1));
        assertEquals(35, got.size(), "the rest of the copy, once");
        Set<String> rest = new HashSet<>();
        ids.subList(25, 60).forEach(id -> rest.add(id.value()));
        assertEquals(rest, keys(got), "the 35 records after the checkpoint, none before it");

        // and out: stop, GET /connectors/move-source/offsets, into the embedded deployment's store
        connect.stopConnector("move-source");
        connect.assertions().assertConnectorIsStopped("move-source", "source not stopped");
        Instant stamp60 = crm.get(ObjectType.ACCOUNT, ids.get(59)).orElseThrow().modstamp();
        Checkpoint expected = new Checkpoint(ObjectType.ACCOUNT, Cursor.after(stamp60, ids.get(59)), false, 60, null,
                FeedCursor.START, T0.plusSeconds(3_600));
        List<Checkpoint> moved = List.of();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!moved.equals(List.of(expected)) && System.nanoTime() < deadline) {
            try (Response offsets = connect.requestGet(connect.endpointForResource("connectors/move-source/offsets"))) {
                assertEquals(200, offsets.getStatus());
                moved = OffsetMigration.fromConnectOffsets(String.valueOf(offsets.getEntity()), "mvOrg",
                        embedded.syncStateStore(), T0.plusSeconds(3_600));
            }
            if (!moved.equals(List.of(expected))) {
                Thread.sleep(200);   // the worker's view of the offsets topic may trail the stop by a moment
            }
        }
        assertEquals(List.of(expected), moved, "the cursor after the last record; 25 + 35 copied, the copy's end is"
                + " stored with the next record only");
        assertEquals(expected, embedded.syncStateStore().checkpoint(ObjectType.ACCOUNT).orElseThrow());
        connect.deleteConnector("move-source");
    }
}
