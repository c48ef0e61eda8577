package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.jdbc.internal.FieldsJson;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A database written by the release before the per-object tables — every record in
 * {@code crmsync_record}, fields as {@code [tag, value]} JSON, one feed counter — is upgraded by
 * {@link JdbcStores.Builder#build()}: its rows move into the per-object tables with their marketing
 * ids, CRM ids, deleted flags, stamps and feed positions, {@code crmsync_record} is emptied, the
 * values reach typed columns at the engine's next {@code prepareType}, and the next cycles send the
 * CRM exactly the one host change and the one local record still pending, then nothing.
 *
 * <p>The database is built with that release's schema scripts (copied from git history into
 * {@code legacy-layout/}) and rows as its {@code JdbcMarketingStore} wrote them: fields
 * {@code FieldsJson.encode} of the non-null values (numbers in their {@code BigDecimal} spelling,
 * e.g. {@code 1E+3}), {@code change_seq} 0 for engine-created rows and a counter value for host
 * changes, checkpoints whose feed cursor is {@code change_seq.marketing_id}.
 */
abstract class LegacyLayoutUpgradeTest {

    private static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");
    private static final List<String> LEAD_FIELDS = List.of("LastName", "Company", "Title", "Email", "AnnualRevenue");
    private static final List<String> ACCOUNT_FIELDS = List.of("Name", "AnnualRevenue");

    /** @return a data source on an empty database (or schema) */
    protected abstract DataSource emptyDatabase();

    /** @return its dialect */
    protected abstract SqlDialect dialect();

    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(11).build();
    private final AtomicLong crmCreates = new AtomicLong();
    private final List<String> crmUpdates = new ArrayList<>();
    private final AtomicLong storeWrites = new AtomicLong();

    @Test
    void aDatabaseOfTheOneTableLayoutMovesIntoThePerObjectTablesAndTheNextCyclesSendOnlyWhatWasPending() throws Exception {
        DataSource ds = emptyDatabase();
        // the CRM as the last cycle of the old release left it
        CrmId doe = crm.insertLate(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"), "Company", FieldValue.text("Acme"),
                "Email", FieldValue.text("doe@example.com"), "AnnualRevenue", FieldValue.number(new BigDecimal("1000")),
                "Title", FieldValue.text("t0")), T0);
        CrmId poe = crm.insertLate(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Poe"), "Company", FieldValue.text("Acme"),
                "Title", FieldValue.text("old")), T0);
        CrmId gone = crm.insertLate(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Gone"), "Company", FieldValue.text("Acme")), T0);
        CrmId acme = crm.insertLate(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Acme"),
                "AnnualRevenue", FieldValue.number(new BigDecimal("2500000.50"))), T0);
        clock.set(T0.plusSeconds(60));
        crm.delete(ObjectType.LEAD, gone);
        Instant checked = T0.plusSeconds(120);

        // the old release's schema and rows
        oldSchema(ds);
        Instant local = T0.plusSeconds(300);
        oldRecord(ds, 1, ObjectType.LEAD, doe, crmFields(ObjectType.LEAD, doe), false, T0, T0.plusSeconds(30), 1);
        Map<String, FieldValue> poeStore = new LinkedHashMap<>(crmFields(ObjectType.LEAD, poe));
        poeStore.put("Title", FieldValue.text("host edit"));          // a host change after the last cycle: position 2
        oldRecord(ds, 2, ObjectType.LEAD, poe, poeStore, false, T0, local, 2);
        oldRecord(ds, 3, ObjectType.LEAD, gone, crmFields(ObjectType.LEAD, gone), true, T0, checked, 0);
        oldRecord(ds, 4, ObjectType.LEAD, null, Map.of("LastName", FieldValue.text("Zed"), "Company", FieldValue.text("Zco")),
                false, null, local, 3);                                 // saveLocal of a new lead, not pushed yet
        oldRecord(ds, 5, ObjectType.ACCOUNT, acme, crmFields(ObjectType.ACCOUNT, acme), false, T0, T0.plusSeconds(30), 0);
        for (CrmId id : List.of(doe, poe, gone)) {
            oldBase(ds, ObjectType.LEAD, id, id.equals(doe) ? 1 : id.equals(poe) ? 2 : 3, crmFields(ObjectType.LEAD, id), checked);
        }
        String lastLead = List.of(doe, poe, gone).stream().map(CrmId::value).sorted().reduce((a, b) -> b).orElseThrow();
        oldCheckpoint(ds, ObjectType.LEAD, T0, lastLead, checked, "1.1");
        oldCheckpoint(ds, ObjectType.ACCOUNT, T0, acme.value(), checked, "");
        exec(ds, "UPDATE crmsync_change_counter SET last_seq = 3 WHERE name = 'feed'");
        for (int i = 0; i < 5; i++) {
            exec(ds, dialect() == SqlDialect.POSTGRESQL ? "SELECT nextval('crmsync_marketing_id_seq')"
                    : "SELECT NEXT VALUE FOR crmsync_marketing_id_seq");
        }

        clock.set(T0.plusSeconds(600));
        JdbcStores stores = TestDatabases.stores(ds).clock(clock).build();
        assertEquals(JdbcStores.latestSchemaVersion(), stores.schemaVersion());
        assertEquals(List.of("0"), column(ds, "SELECT COUNT(*) FROM crmsync_record"), "crmsync_record is emptied");
        JdbcMarketingStore store = stores.marketingStore();
        String lead = store.tableName(ObjectType.LEAD);
        assertEquals(List.of("1|" + doe + "|false", "2|" + poe + "|false", "3|" + gone + "|true", "4|null|false"),
                rows(ds, "SELECT _marketing_id, _crm_id, _crm_deleted FROM " + lead + " ORDER BY _marketing_id"),
                "marketing ids, CRM ids and deleted flags kept");
        MarketingRecord moved = store.findByCrmIds(ObjectType.LEAD, List.of(doe)).get(doe);
        assertEquals(Long.toString(1), moved.marketingId());
        assertEquals(crmFields(ObjectType.LEAD, doe), moved.fields(), "every value kept, exactly");
        assertEquals(T0.plusSeconds(30), moved.localModstamp());
        assertEquals(T0, moved.crmModstamp());

        // the next cycle: the pending host change reaches the CRM, once; the local lead stays marketing-only
        clock.advance(Duration.ofSeconds(10));
        SyncReport one = cycle(stores);
        assertTrue(one.isComplete(), one::toString);
        assertEquals(0, crmCreates.get(), one::toTable);
        assertEquals(List.of(poe.value()), crmUpdates, "the host change is sent once, nothing else");
        assertEquals(1, one.totals().skipped(), "the marketing-only lead waits for a push, as before the upgrade");
        assertEquals(FieldValue.text("host edit"), crm.get(ObjectType.LEAD, poe).orElseThrow().get("Title"));
        try (SyncEngine e = engine(stores)) {
            assertEquals(1, e.pushNow("4").size());
        }
        assertEquals(1, crmCreates.get(), "the local lead is created once when pushed");
        SyncRecord zed = crm.records(ObjectType.LEAD).stream().filter(r -> r.get("LastName").equals(FieldValue.text("Zed")))
                .findFirst().orElseThrow();
        assertEquals(zed.id(), store.findByMarketingId(ObjectType.LEAD, "4").orElseThrow().crmId(), "linked, same marketing id");

        // typed columns, read with plain SQL
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT email, annualrevenue, title FROM " + lead + " WHERE _marketing_id = 1")) {
            assertTrue(rs.next());
            assertEquals("doe@example.com", rs.getString(1));
            assertEquals(0, new BigDecimal("1000").compareTo(rs.getBigDecimal(2)), "a plain decimal, not 1E+3");
            assertEquals("t0", rs.getString(3));
        }
        assertEquals(List.of("0"), column(ds, "SELECT COUNT(*) FROM " + lead + " WHERE _other IS NOT NULL"),
                "the values left _other for their columns");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name, annualrevenue, _other FROM " + store.tableName(ObjectType.ACCOUNT))) {
            assertTrue(rs.next());
            assertEquals("Acme", rs.getString(1));
            assertEquals(null, rs.getBigDecimal(2), "numeric(18, 0) cannot keep 2500000.50 exactly");
            assertTrue(rs.getString(3).contains("AnnualRevenue"), "so the value stays in _other");
            assertFalse(rs.next());
        }
        assertEquals(FieldValue.number(new BigDecimal("2500000.50")),
                store.findByCrmIds(ObjectType.ACCOUNT, List.of(acme)).get(acme).get("AnnualRevenue"), "nothing lost");

        // a new host record gets an id past the old sequence; a host change a position past the old counter
        MarketingRecord fresh = store.saveLocal(ObjectType.LEAD, null, Map.of("LastName", FieldValue.text("New"),
                "Company", FieldValue.text("Nco")));
        assertTrue(Long.parseLong(fresh.marketingId()) > 5, fresh.marketingId());
        store.saveLocal(ObjectType.LEAD, "1", Map.of("Title", FieldValue.text("t1")));
        clock.advance(Duration.ofSeconds(10));
        assertTrue(cycle(stores).isComplete());
        assertEquals(List.of(poe.value(), doe.value()), crmUpdates, "the host change after the upgrade is read, once");
        assertEquals(FieldValue.text("t1"), crm.get(ObjectType.LEAD, doe).orElseThrow().get("Title"));
        try (SyncEngine e = engine(stores)) {
            e.pushNow(fresh.marketingId());
        }
        assertEquals(2, crmCreates.get(), "the new host record is created once");

        // then quiet: nothing written either way
        long sw = storeWrites.get();
        clock.advance(Duration.ofSeconds(10));
        SyncReport quiet = cycle(stores);
        assertTrue(quiet.isComplete());
        assertEquals(2, crmCreates.get());
        assertEquals(List.of(poe.value(), doe.value()), crmUpdates, "no echo");
        assertEquals(0, quiet.totals().created() + quiet.totals().updated(), quiet::toString);
        assertEquals(sw, storeWrites.get(), "no store writes in a quiet cycle");
        assertInstanceOf(MarketingRecord.class, store.findByCrmIds(ObjectType.LEAD, List.of(gone)).get(gone));
        assertTrue(store.findByCrmIds(ObjectType.LEAD, List.of(gone)).get(gone).crmDeleted());
    }

    private Map<String, FieldValue> crmFields(ObjectType type, CrmId id) {
        SyncRecord r = crm.records(type).stream().filter(x -> x.id().equals(id)).findFirst()
                .or(() -> crm.get(type, id)).orElseThrow();
        Map<String, FieldValue> out = new LinkedHashMap<>();
        for (String f : type.equals(ObjectType.LEAD) ? LEAD_FIELDS : ACCOUNT_FIELDS) {
            FieldValue v = r.get(f);
            if (v != null && !v.isNull()) {
                out.put(f, v);
            }
        }
        return out;
    }

    private SyncReport cycle(JdbcStores stores) {
        try (SyncEngine e = engine(stores)) {
            return e.runCycle();
        }
    }

    private SyncEngine engine(JdbcStores stores) {
        CrmSource counted = (CrmSource) Proxy.newProxyInstance(CrmSource.class.getClassLoader(), new Class<?>[] {CrmSource.class},
                (p, m, a) -> {
                    if (m.getName().equals("write")) {
                        for (Object w : (List<?>) a[1]) {
                            if (w instanceof CrmWrite.Create) {
                                crmCreates.incrementAndGet();
                            } else if (w instanceof CrmWrite.Update u) {
                                crmUpdates.add(u.id().value());
                            }
                        }
                    }
                    return invoke(m, crm, a);
                });
        BidirectionalStore store = (BidirectionalStore) Proxy.newProxyInstance(BidirectionalStore.class.getClassLoader(),
                new Class<?>[] {BidirectionalStore.class}, (p, m, a) -> {
                    String n = m.getName();
                    if (n.startsWith("upsert") || n.equals("markDeleted") || n.equals("link") || n.equals("merge")
                            || n.equals("relink")) {
                        storeWrites.incrementAndGet();
                    }
                    return invoke(m, stores.marketingStore(), a);
                });
        return SyncEngine.builder().crmSource(counted).marketingStore(store)
                .syncStateStore(stores.syncStateStore()).clock(clock).engineId("upgrade")
                .objectTypes(ObjectType.ACCOUNT, ObjectType.LEAD)
                .fields(ObjectType.LEAD, LEAD_FIELDS).fields(ObjectType.ACCOUNT, ACCOUNT_FIELDS).build();
    }

    private static Object invoke(java.lang.reflect.Method m, Object target, Object[] a) throws Throwable {
        try {
            return m.invoke(target, a);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Two application instances started on the same old database at once (a rolling deployment):
     * both builds finish, and every row of {@code crmsync_record} ends in the per-object table
     * exactly once, with its marketing id — none lost, none copied twice.
     */
    @Test
    void twoInstancesUpgradingTheSameDatabaseAtOnceMoveEveryRowExactlyOnce() throws Exception {
        DataSource ds = emptyDatabase();
        oldSchema(ds);
        int n = 2_500;      // five of the mover's pages
        boolean pg = dialect() == SqlDialect.POSTGRESQL;
        exec(ds, "INSERT INTO crmsync_record (marketing_id, object_type, crm_id, fields, crm_deleted, crm_modstamp,"
                + " local_modstamp, change_seq) SELECT " + (pg ? "g.x" : "X") + ", 'Account', NULL,"
                + " '{\"Name\":[\"t\",\"A' || " + (pg ? "g.x" : "X") + " || '\"]}', FALSE,"
                + " TIMESTAMP WITH TIME ZONE '2024-03-01 09:00:00+00', TIMESTAMP WITH TIME ZONE '2024-03-01 09:00:00+00', 0"
                + " FROM " + (pg ? "generate_series(1, " + n + ") AS g(x)" : "SYSTEM_RANGE(1, " + n + ")"));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<JdbcStores>> builds = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                builds.add(pool.submit(() -> {
                    go.await();
                    return TestDatabases.stores(ds).build();
                }));
            }
            go.countDown();
            for (java.util.concurrent.Future<JdbcStores> b : builds) {
                b.get(120, java.util.concurrent.TimeUnit.SECONDS);      // both instances start
            }
        } finally {
            pool.shutdownNow();
        }
        String account = pg ? "account" : "salesforce.account";
        assertEquals(List.of("0"), column(ds, "SELECT COUNT(*) FROM crmsync_record"), "nothing left behind");
        assertEquals(List.of(n + "|" + n + "|1|" + n), column(ds, "SELECT COUNT(*) || '|' || COUNT(DISTINCT _marketing_id)"
                + " || '|' || MIN(_marketing_id) || '|' || MAX(_marketing_id) FROM " + account), "each row once, ids kept");
    }

    // ---- the old release, as it wrote the database ---------------------------------------------

    void oldSchema(DataSource ds) throws SQLException, IOException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE crmsync_schema_version (version INTEGER NOT NULL PRIMARY KEY,"
                    + " description VARCHAR(200) NOT NULL, installed_at TIMESTAMP WITH TIME ZONE NOT NULL)");
            int v = 0;
            for (String script : List.of("V1__schema.sql", "V2__typed_engine_state.sql", "V3__lease_instances.sql")) {
                StringBuilder cur = new StringBuilder();
                for (String line : resource(dialect().folder() + "/" + script).split("\n")) {
                    String t = line.strip();
                    if (t.isEmpty() || t.startsWith("--")) {
                        continue;
                    }
                    cur.append(line).append('\n');
                    if (t.endsWith(";")) {
                        String sql = cur.toString().strip();
                        st.execute(sql.substring(0, sql.length() - 1));
                        cur.setLength(0);
                    }
                }
                v++;
                st.execute("INSERT INTO crmsync_schema_version VALUES (" + v + ", '" + script + "', CURRENT_TIMESTAMP)");
            }
        }
    }

    static void oldRecord(DataSource ds, long mid, ObjectType type, CrmId crmId, Map<String, FieldValue> fields,
                                  boolean deleted, Instant crmStamp, Instant localStamp, long changeSeq) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO crmsync_record"
                + " (marketing_id, object_type, crm_id, fields, crm_deleted, crm_modstamp, local_modstamp, change_seq)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, mid);
            ps.setString(2, type.apiName());
            ps.setString(3, crmId == null ? null : crmId.value());
            ps.setString(4, FieldsJson.encode(fields));
            ps.setBoolean(5, deleted);
            ps.setObject(6, crmStamp == null ? null : OffsetDateTime.ofInstant(crmStamp, ZoneOffset.UTC));
            ps.setObject(7, OffsetDateTime.ofInstant(localStamp, ZoneOffset.UTC));
            ps.setLong(8, changeSeq);
            ps.executeUpdate();
        }
    }

    private static void oldBase(DataSource ds, ObjectType type, CrmId id, long mid, Map<String, FieldValue> fields,
                                Instant syncedAt) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO crmsync_base"
                + " (object_type, crm_id, marketing_id, fields, crm_modstamp, synced_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, type.apiName());
            ps.setString(2, id.value());
            ps.setString(3, Long.toString(mid));
            ps.setString(4, FieldsJson.encode(fields));
            ps.setObject(5, OffsetDateTime.ofInstant(T0, ZoneOffset.UTC));
            ps.setObject(6, OffsetDateTime.ofInstant(syncedAt, ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }

    private static void oldCheckpoint(DataSource ds, ObjectType type, Instant stamp, String lastId, Instant checked,
                                      String feed) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO crmsync_checkpoint"
                + " (object_type, crm_modstamp, crm_last_id, initial_copy_done, records_done, deletions_checked_until,"
                + " marketing_cursor, updated_at) VALUES (?, ?, ?, TRUE, 0, ?, ?, ?)")) {
            ps.setString(1, type.apiName());
            ps.setObject(2, OffsetDateTime.ofInstant(stamp, ZoneOffset.UTC));
            ps.setString(3, lastId);
            ps.setObject(4, OffsetDateTime.ofInstant(checked, ZoneOffset.UTC));
            ps.setString(5, feed);
            ps.setObject(6, OffsetDateTime.ofInstant(checked, ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = LegacyLayoutUpgradeTest.class.getResourceAsStream("legacy-layout/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource legacy-layout/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void exec(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static List<String> rows(DataSource ds, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i == 1 ? "" : "|").append(rs.getObject(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    static List<String> column(DataSource ds, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
