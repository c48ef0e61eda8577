package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.crmsync.core.Conflict;
import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.core.Resolution;
import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.SyncListener;
import dev.crmsync.core.report.CycleOutcome;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.jdbc.JdbcStores;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SafeText;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.ParkedConflict;
import dev.crmsync.store.SyncStateStore;
import dev.crmsync.testkit.ManualClock;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * No field value reaches a log line, a report, a failure, a listener event or an exception
 * message, and none of them exceeds {@link SafeText#MAX_LENGTH}: a corpus of distinctive values is
 * synced through the suite's fault runs — the JDBC store on H2 and on PostgreSQL refusing values
 * (a CHECK constraint: a value the database refuses, in a batch) and rows (a unique violation),
 * CRM rejections from {@code InMemoryCrm} and from the fake Salesforce server over HTTP whose
 * messages echo the values (validation rule, duplicate rule, a whole-request 400 quoting the
 * value), and conflicts parked for manual resolution — and everything those runs said is searched.
 */
class NoCustomerDataInErrorsTest {

    private static final String EMAIL = "canary-7f3a@example.test";
    private static final String NAME = "Zyxwvut Qwerty";
    private static final String COMPANY = "Qwertco Vexillum 9137";
    private static final String TITLE_CRM = "Oberzwerg Plinth";
    private static final String TITLE_MKT = "Fnordicus Quill";
    private static final List<String> CORPUS = List.of(EMAIL, NAME, COMPANY, TITLE_CRM, TITLE_MKT,
            "canary-7f3a", "Zyxwvut", "Qwertco", "Oberzwerg", "Fnordicus");

    /** Everything the runs said. */
    private final List<String> said = new ArrayList<>();
    /** Composite values' {@code toString()} (a whole report): searched for values, not held to the bound. */
    private final List<String> composite = new ArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void clear() {
        LogCapture.clear();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void inMemoryCrmAndH2() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2024-06-03T09:00:00Z"));
        dev.crmsync.testkit.InMemoryCrm crm = dev.crmsync.testkit.InMemoryCrm.builder().clock(clock).seed(3).build();
        faultRun(crm, crm, clock, h2());
    }

    @Test
    void fakeSalesforceOverHttpAndH2() throws Exception {
        FakeOrg org = new FakeOrg();
        open.add(org);
        SalesforceCrmSource sf = org.open(org.source());
        faultRun(sf, org.crm, org.clock, h2());
        org.server.faults().failNext("/composite/sobjects", 1, 400, "JSON_PARSER_ERROR",
                "Cannot deserialize value '" + EMAIL + "' of " + NAME, null);
        // a whole-request 400 whose body quotes the values: the write batch's error
        runEngine(sf, org.clock, h2Stores, e -> e.edit(ObjectType.LEAD, "Title", "t-" + EMAIL));
        check();
    }

    @Test
    void inMemoryCrmAndPostgres() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2024-06-03T09:00:00Z"));
        dev.crmsync.testkit.InMemoryCrm crm = dev.crmsync.testkit.InMemoryCrm.builder().clock(clock).seed(5).build();
        faultRun(crm, crm, clock, postgres());
    }

    // ---------------------------------------------------------------------------------------------

    private JdbcStores h2Stores;

    private DataSource h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:nocd-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return ds;
    }

    private DataSource postgres() throws SQLException {
        String url = System.getenv("CRMSYNC_PG_URL");
        Assumptions.assumeTrue(url != null && !url.isBlank(), "CRMSYNC_PG_URL not set: PostgreSQL run skipped");
        String schema = "nocd_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        PGSimpleDataSource admin = new PGSimpleDataSource();
        admin.setURL(url);
        sql(admin, "CREATE SCHEMA " + schema);
        open.add(() -> sql(admin, "DROP SCHEMA " + schema + " CASCADE"));
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema + "&reWriteBatchedInserts=true");
        return ds;
    }

    private static void sql(DataSource ds, String statement) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    /** The host's side of a run: edits marketing records. */
    private final class Host {
        final MarketingStore store;
        final List<CrmId> leads;

        Host(MarketingStore store, List<CrmId> leads) {
            this.store = store;
            this.leads = leads;
        }

        void edit(ObjectType type, String field, String value) {
            edit(0, field, value);
        }

        void edit(int lead, String field, String value) {
            String mid = store.findByCrmIds(ObjectType.LEAD, List.of(leads.get(lead))).get(leads.get(lead)).marketingId();
            ((dev.crmsync.store.LocalWrites) store).saveLocal(ObjectType.LEAD, mid, Map.of(field, FieldValue.text(value)));
        }
    }

    private List<CrmId> leadIds = List.of();

    private void faultRun(CrmSource source, dev.crmsync.testkit.InMemoryCrm crm, ManualClock clock, DataSource ds)
            throws Exception {
        String dataSchema;
        try (java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT CURRENT_SCHEMA")) {
            rs.next();
            // PostgreSQL: the marketing tables in the test's own schema; H2: a fresh database, the default schema
            dataSchema = c.getMetaData().getDatabaseProductName().contains("PostgreSQL") ? rs.getString(1) : "salesforce";
        }
        JdbcStores stores = JdbcStores.builder(ds).schema(dataSchema).clock(clock).build();
        String leads = stores.marketingStore().tableName(ObjectType.LEAD);
        h2Stores = stores;
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("L" + i),
                    "Company", FieldValue.text("C" + i), "Title", FieldValue.text("T" + i))));
        }
        leadIds = ids;
        // validation and duplicate rules whose messages echo the values, as Salesforce's can
        crm.addValidationRule(ObjectType.LEAD, "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                "Email " + EMAIL + " of " + NAME + " is not allowed", v -> v.containsKey("Email"));
        crm.addValidationRule(ObjectType.LEAD, "DUPLICATES_DETECTED",
                "Use one of these records? " + NAME + " <" + EMAIL + "> already exists",
                v -> FieldValue.text(NAME).equals(v.get("LastName")));
        runEngine(source, clock, stores, h -> { });
        // CRM rejections, and a conflict parked for manual resolution
        runEngine(source, clock, stores, h -> {
            h.edit(0, "Email", EMAIL);
            h.edit(1, "LastName", NAME);
            crm.update(ObjectType.LEAD, ids.get(2), Map.of("Title", FieldValue.text(TITLE_CRM)));
            h.edit(2, "Title", TITLE_MKT);
        });
        // the store refuses a value (a CHECK constraint), in a batch of two
        sql(ds, "ALTER TABLE " + leads + " ADD CONSTRAINT nocd_no_corpus CHECK (company NOT LIKE '%Qwertco%')");
        runEngine(source, clock, stores, h -> {
            crm.update(ObjectType.LEAD, ids.get(3), Map.of("Company", FieldValue.text(COMPANY)));
            crm.update(ObjectType.LEAD, ids.get(4), Map.of("Company", FieldValue.text(COMPANY + " 2")));
        });
        sql(ds, "ALTER TABLE " + leads + " DROP CONSTRAINT nocd_no_corpus");
        // a unique violation: two records that come to hold the same fields
        sql(ds, "CREATE UNIQUE INDEX " + (stores.dialect() == dev.crmsync.jdbc.SqlDialect.H2 ? dataSchema + "." : "")
                + "nocd_unique_fields ON " + leads + " (lastname, company, title, email)");
        runEngine(source, clock, stores, h -> {
            for (int i = 3; i <= 4; i++) {
                crm.update(ObjectType.LEAD, ids.get(i), Map.of("LastName", FieldValue.text(NAME),
                        "Company", FieldValue.text(COMPANY), "Title", FieldValue.text(TITLE_CRM),
                        "Email", FieldValue.text(EMAIL)));
            }
        });
        // the store's exceptions themselves, thrown to a caller
        try {
            // every field the first record holds (over HTTP these include the org's audit fields), so both rows match
            Map<String, FieldValue> same = new java.util.HashMap<>(stores.marketingStore()
                    .findByCrmIds(ObjectType.LEAD, List.of(ids.get(0))).get(ids.get(0)).fields());
            same.putAll(Map.of("LastName", FieldValue.text(NAME), "Company", FieldValue.text(COMPANY),
                    "Title", FieldValue.text(TITLE_CRM), "Email", FieldValue.text(EMAIL)));
            stores.marketingStore().upsert(ObjectType.LEAD, List.of(
                    new SyncRecord(ObjectType.LEAD, ids.get(0), same, clock.instant(), false),
                    new SyncRecord(ObjectType.LEAD, ids.get(1), same, clock.instant(), false)));
            fail("the unique index refuses the copy");
        } catch (RuntimeException e) {
            chain(e);
        }
        check();
    }

    private void runEngine(CrmSource source, ManualClock clock, JdbcStores stores, java.util.function.Consumer<Host> before) {
        SyncStateStore state = stores.syncStateStore();
        SyncListener listener = new SyncListener() {
            @Override
            public void onRecordRejected(FailedRecord failure) {
                said.add(failure.message());
                said.add(failure.toString());
            }

            @Override
            public void onConflict(Conflict conflict, Resolution resolution) {
                said.add(conflict.toString());
                said.add(resolution.toString());
            }

            @Override
            public void onTypeDone(TypeReport report) {
                composite.add(report.toString());
            }
        };
        ConflictPolicy policy = ConflictPolicy.builder().field(ObjectType.LEAD, "Title", ConflictPolicy.manual()).build();
        try (SyncEngine engine = SyncEngine.builder().crmSource(source).marketingStore(stores.marketingStore())
                .syncStateStore(state).clock(clock).engineId("nocd").objectTypes(ObjectType.LEAD)
                .conflictPolicy(policy).listener(listener).maxAttempts(2).build()) {
            before.accept(new Host(stores.marketingStore(), leadIds));
            clock.advance(Duration.ofMinutes(1));
            SyncReport r = engine.runCycle();
            report(r);
            for (FailedRecord f : state.parkedFailures()) {
                said.add(f.message());
                said.add(f.toString());
            }
            for (ParkedConflict c : engine.parkedConflicts()) {
                said.add(c.reason());
                said.add(c.toString());
            }
        }
    }

    private void report(SyncReport r) {
        said.add(r.toTable());
        composite.add(r.toString());
        if (r.outcome() instanceof CycleOutcome.Partial p) {
            said.addAll(p.reasons());
        }
        said.add(r.outcome().toString());
        for (TypeReport t : r.types()) {
            said.add(t.outcome().reason());
            said.addAll(t.notes());
        }
    }

    private void chain(Throwable e) {
        for (Throwable x = e; x != null; x = x.getCause()) {
            said.add(String.valueOf(x.getMessage()));
            said.add(x.toString());
            for (Throwable s : x.getSuppressed()) {
                chain(s);
            }
        }
    }

    private void check() {
        List<String> all = new ArrayList<>(said);
        all.addAll(LogCapture.lines());
        for (String s : composite) {
            for (String v : CORPUS) {
                if (s.contains(v)) {
                    fail("a corpus value reached a report's toString(): " + mask(s));
                }
            }
        }
        assertFalse(LogCapture.lines().isEmpty(), "the runs logged");
        assertTrue(all.stream().anyMatch(s -> s.contains("SQLState")) , "a store failure was reported");
        for (String s : all) {
            for (String v : CORPUS) {
                if (s.contains(v)) {
                    fail("a corpus value reached what the runs said: " + mask(s));
                }
            }
            if (!said.contains(s) && !s.matches("^[A-Z]+ dev\\.crmsync\\.[\\s\\S]*")) {
                continue;   // a library's own log line (HttpClient's DEBUG): searched for values, its length is not crmsync's
            }
            // a log line's message (its first line; a stack trace follows), each line of a table, each text
            for (String line : s.split("\n")) {
                if (line.startsWith("\tat ") || line.startsWith("\t... ")) {
                    continue;
                }
                assertTrue(line.length() <= SafeText.MAX_LENGTH + 80, () -> "longer than the bound: "
                        + mask(line).substring(0, 200) + "… (" + line.length() + " characters)");
            }
        }
    }

    private static String mask(String s) {
        String out = s;
        for (String v : CORPUS) {
            out = out.replace(v, "<" + "#".repeat(v.length()) + ">");
        }
        return out.length() > 2000 ? out.substring(0, 2000) + "…" : out;
    }
}
