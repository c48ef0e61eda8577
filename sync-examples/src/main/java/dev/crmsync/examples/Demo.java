package dev.crmsync.examples;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.SyncListener;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.salesforce.SalesforceCredentials;
import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.jdbc.JdbcStores;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The demo behind the README's first command. It fills an in-memory CRM with a few thousand
 * users, accounts, contacts, leads, opportunities (with contact roles) and activities, runs a first
 * cycle (the full copy) with a live progress line into a marketing database (the JDBC store: an
 * embedded H2 file by default, PostgreSQL when given a URL), changes a few hundred records and
 * deletes some, runs a second cycle, and prints both reports — the second shows that only the
 * changed records moved — and then a plain SQL query against the lead table and its result.
 *
 * <p>Run: {@code mvn -q -pl sync-examples -am test-compile exec:java}; add
 * {@code -Dexec.args="--jdbc-url=jdbc:postgresql://127.0.0.1:5432/test?user=postgres"} to write into
 * PostgreSQL (schema {@value #PG_SCHEMA}, dropped and made again at each run), or
 * {@code --h2-file=path} to choose the H2 file (default {@value #DEFAULT_H2_FILE}, emptied at each run).
 */
public final class Demo {

    /** The H2 database file the demo writes by default (relative to the working directory). */
    static final String DEFAULT_H2_FILE = "target/crmsync-demo/demo";
    /** The PostgreSQL schema the demo writes (engine tables and marketing tables). */
    static final String PG_SCHEMA = "crmsync_demo";

    /** The JDBC store logs through java.util.logging (System.Logger): its INFO lines would break the progress lines. */
    private static final java.util.logging.Logger JDBC_LOG = java.util.logging.Logger.getLogger("dev.crmsync.jdbc");

    private static final int USERS = 50;
    private static final int LEADS = 500;
    private static final int ACCOUNTS = 1_000;
    private static final int CONTACTS = 1_500;
    private static final int OPPORTUNITIES = 1_200;
    private static final int TASKS = 2_000;
    private static final int EVENTS = 500;
    private static final String[] INDUSTRIES = {"Energy", "Banking", "Retail", "Media", "Healthcare", "Education"};
    private static final String[] STAGES = {"Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won"};

    private final DemoClock clock;
    private final Random random = new Random(7);
    private final PrintStream out;
    private final List<CrmId> users = new ArrayList<>();
    private final List<CrmId> accounts = new ArrayList<>();
    private final List<CrmId> contacts = new ArrayList<>();
    private final List<CrmId> opportunities = new ArrayList<>();
    private final List<CrmId> roles = new ArrayList<>();
    private final List<CrmId> tasks = new ArrayList<>();
    private final List<CrmId> leads = new ArrayList<>();
    private final boolean overHttp;
    private final Database database;
    private InMemoryCrm crm;

    /**
     * The marketing database: where the demo writes, how it says so, and the schema of its tables.
     *
     * @param dataSource the database
     * @param description what to print about it
     * @param marketingSchema the schema of the marketing tables
     */
    record Database(DataSource dataSource, String description, String marketingSchema) {

        /**
         * @param file the H2 database file, without its {@code .mv.db} suffix; emptied first
         * @return an embedded H2 database in that file
         */
        static Database h2File(Path file) {
            String url = "jdbc:h2:file:" + file.toAbsolutePath().normalize() + ";DB_CLOSE_DELAY=-1";
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL(url);
            exec(ds, "DROP ALL OBJECTS");
            return new Database(ds, "an embedded H2 file, " + url, JdbcStores.DEFAULT_SCHEMA);
        }

        /**
         * @param url a PostgreSQL JDBC URL
         * @return that database, in the schema {@value #PG_SCHEMA} (dropped and made again)
         */
        static Database postgres(String url) {
            PGSimpleDataSource plain = new PGSimpleDataSource();
            plain.setURL(url);
            exec(plain, "DROP SCHEMA IF EXISTS " + PG_SCHEMA + " CASCADE");
            exec(plain, "CREATE SCHEMA " + PG_SCHEMA);
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(url);
            ds.setCurrentSchema(PG_SCHEMA);
            ds.setReWriteBatchedInserts(true);
            return new Database(ds, "PostgreSQL, schema " + PG_SCHEMA + " of " + plain.getDatabaseName()
                    + " on " + String.join(",", plain.getServerNames()), PG_SCHEMA);
        }

        private static void exec(DataSource ds, String sql) {
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException("the demo database cannot be prepared: " + e.getMessage(), e);
            }
        }
    }

    /**
     * @param base the clock the demo's time is shifted from (the system clock when run as a program)
     * @param out where the demo prints
     * @param overHttp true to read the CRM through {@link SalesforceCrmSource} over HTTP from a local
     *     {@link FakeSalesforceServer} (the default); false to read the {@link InMemoryCrm} directly
     * @param database the marketing database to write
     */
    Demo(Clock base, PrintStream out, boolean overHttp, Database database) {
        this.clock = new DemoClock(base);
        this.out = out;
        this.overHttp = overHttp;
        this.database = database;
    }

    /**
     * Runs the demo.
     *
     * @param args {@code --in-memory} to sync from the in-memory CRM directly instead of over HTTP
     *     from the local fake Salesforce server; {@code --jdbc-url=<PostgreSQL JDBC URL>} to write into
     *     PostgreSQL; {@code --h2-file=<path>} to choose the H2 file
     */
    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");   // keep the progress line clean
        }
        if (System.getProperty(FakeSalesforceServer.NODELAY_PROPERTY) == null) {
            System.setProperty(FakeSalesforceServer.NODELAY_PROPERTY, "true");      // no 40 ms delayed ACK per response
        }
        JDBC_LOG.setLevel(java.util.logging.Level.WARNING);
        boolean inMemory = false;
        String url = null;
        String file = DEFAULT_H2_FILE;
        for (String a : args) {
            if (a.equals("--in-memory")) {
                inMemory = true;
            } else if (a.startsWith("--jdbc-url=")) {
                url = a.substring("--jdbc-url=".length());
            } else if (a.startsWith("--h2-file=")) {
                file = a.substring("--h2-file=".length());
            } else {
                System.err.println("unknown argument '" + a + "': use --in-memory, --jdbc-url=<url>, --h2-file=<path>");
                System.exit(2);
            }
        }
        Database db;
        if (url == null) {
            db = Database.h2File(Path.of(file));
        } else if (url.startsWith("jdbc:postgresql:")) {
            db = Database.postgres(url);
        } else {
            System.err.println("--jdbc-url: the demo writes PostgreSQL (jdbc:postgresql:...), or an H2 file by default");
            System.exit(2);
            return;
        }
        SyncReport second = new Demo(Clock.systemUTC(), System.out, !inMemory, db).run();
        if (second.totals().moved() == 0) {
            System.exit(1);
        }
    }

    /**
     * Runs both cycles.
     *
     * @return the second cycle's report
     */
    SyncReport run() {
        clock.shift(Duration.ofDays(-3));              // the CRM's history happened over the past days
        crm = InMemoryCrm.builder().clock(clock).seed(42).build();
        fillCrm();
        clock.shift(Duration.ofDays(3));
        if (!overHttp) {
            out.println("crmsync demo: syncing from the in-memory CRM directly.");
            return syncTwice(crm);
        }
        try (FakeSalesforceServer salesforce = FakeSalesforceServer.builder().crm(crm).clock(clock).build().start();
             SalesforceCrmSource source = SalesforceCrmSource.builder()
                     .credentials(SalesforceCredentials.accessToken(FakeSalesforceServer.DEFAULT_ACCESS_TOKEN,
                             salesforce.baseUri()))
                     .allowHttpForLoopback(true)          // the fake speaks plain http, on 127.0.0.1 only
                     .clock(clock)
                     .build()) {
            out.printf(Locale.ROOT, "crmsync demo: a fake Salesforce server listens on %s;"
                    + " SalesforceCrmSource reads it over HTTP (REST API v%s).%n", salesforce.baseUri(), salesforce.apiVersion());
            return syncTwice(source);
        }
    }

    private SyncReport syncTwice(CrmSource source) {
        JdbcStores stores = JdbcStores.builder(database.dataSource()).schema(database.marketingSchema()).clock(clock).build();
        out.printf(Locale.ROOT, "The marketing database: %s.%n", database.description());

        try (SyncEngine engine = SyncEngine.builder()
                .crmSource(source)
                .marketingStore(stores.marketingStore())
                .syncStateStore(stores.syncStateStore())
                .clock(clock)
                .engineId("demo")
                .listener(new ProgressLine(out, events))
                .build()) {
            out.printf(Locale.ROOT, "crmsync demo: the CRM holds %,d records. First cycle: the full copy.%n%n", total());
            SyncReport first = engine.runCycle();
            out.println();
            out.println(first.toTable());

            clock.shift(Duration.ofHours(1));
            int changed = changeSome();
            int deleted = deleteSome();
            out.printf(Locale.ROOT, "An hour later, %d records were changed and %d deleted in the CRM. Second cycle:%n%n",
                    changed, deleted);
            SyncReport second = engine.runCycle();
            out.println();
            out.println(second.toTable());
            out.printf(Locale.ROOT, "The second cycle moved %d records (%d updated, %d flagged deleted) of %,d,"
                            + " in %d CRM calls: only what changed.%n", second.totals().moved(), second.totals().updated(),
                    second.totals().deleted(), total(), second.crmCallsTotal());
            printQuery("SELECT lastname, company, email, annualrevenue, title FROM "
                    + stores.marketingStore().tableName(ObjectType.LEAD)
                    + " WHERE title = 'Head of Purchasing' ORDER BY annualrevenue DESC, lastname LIMIT 5");
            twoWay(engine, stores);
            return second;
        }
    }

    /** What the third cycle did, as the engine's listener heard it (conversions, merges, conflicts). */
    private final List<String> events = new ArrayList<>();

    /** The outcome of the demo's third act, for the test. */
    record TwoWay(SyncReport report, CrmId editedBothWays, CrmId conflicted, CrmId pushed, CrmId converted,
                  CrmId survivor, CrmId campaign, CrmId member) {
    }

    private TwoWay twoWay;

    /** @return the third act's outcome, after {@link #run()} */
    TwoWay twoWay() {
        return twoWay;
    }

    /**
     * The third act: the two-way sync of Leads and Campaigns. Both sides change — the CRM through
     * its API, the host with plain SQL against the marketing tables (captured by the store's
     * triggers) — and one cycle brings them together: a Lead edited on each side, a conflict that
     * Marketo's rule decides (for Leads the marketing value wins), a new person the host pushes, a
     * lead converted and two merged in the CRM, a campaign with members and a member status the
     * host changes. The report and the listener show each; then both sides are read back.
     */
    private void twoWay(SyncEngine engine, JdbcStores stores) {
        String leadTable = stores.marketingStore().tableName(ObjectType.LEAD);
        String memberTable = stores.marketingStore().tableName(ObjectType.CAMPAIGN_MEMBER);
        CrmId both = leads.get(1);
        CrmId conflicted = leads.get(2);
        CrmId converted = leads.get(3);
        CrmId survivor = leads.get(4);
        CrmId loser = leads.get(5);
        out.printf(Locale.ROOT, "%nThe two-way sync (Leads, Campaigns and their members). An hour later, both sides"
                + " change: the CRM through its API, the marketing database with plain SQL.%n");
        clock.shift(Duration.ofHours(1));
        // a campaign with three members, in the CRM
        CrmId campaign = crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("Spring Webinar"),
                "IsActive", FieldValue.bool(true)));
        List<CrmId> members = new ArrayList<>();
        for (int i = 10; i < 13; i++) {
            members.add(crm.insert(ObjectType.CAMPAIGN_MEMBER, Map.of("CampaignId", FieldValue.ref(campaign),
                    "LeadId", FieldValue.ref(leads.get(i)), "Status", FieldValue.text("Sent"))));
        }
        tick();
        SyncReport copied = engine.runCycle();
        out.printf(Locale.ROOT, "  the CRM made campaign 'Spring Webinar' with 3 members; a cycle copied them (%d"
                + " campaign, %d members)%n", copied.type(ObjectType.CAMPAIGN).map(t -> t.counts().created()).orElse(0L),
                copied.type(ObjectType.CAMPAIGN_MEMBER).map(t -> t.counts().created()).orElse(0L));
        clock.shift(Duration.ofMinutes(5));

        crm.update(ObjectType.LEAD, both, Map.of("Title", FieldValue.text("VP Marketing")));
        sql("UPDATE " + leadTable + " SET phone = '+1 555 0100' WHERE _crm_id = '" + both.value() + "'");
        out.printf(Locale.ROOT, "  Lead %s: the CRM set Title = 'VP Marketing', the host set Phone = '+1 555 0100'%n", both);
        crm.update(ObjectType.LEAD, conflicted, Map.of("Title", FieldValue.text("Title from the CRM")));
        sql("UPDATE " + leadTable + " SET title = 'Title from marketing' WHERE _crm_id = '" + conflicted.value() + "'");
        out.printf(Locale.ROOT, "  Lead %s: both sides set Title: a conflict%n", conflicted);
        sql("INSERT INTO " + leadTable + " (firstname, lastname, company, email) VALUES ('Nora', 'Newcomer',"
                + " 'Fresh Start Ltd', 'nora@example.com')");
        String noraId = sqlValue("SELECT _marketing_id FROM " + leadTable + " WHERE email = 'nora@example.com'");
        out.printf(Locale.ROOT, "  the host inserted a new person (marketing id %s) with SQL%n", noraId);
        crm.convertLead(converted, null);             // as a sales rep converts a lead in Salesforce
        out.printf(Locale.ROOT, "  Lead %s was converted in the CRM (a new Contact and Account)%n", converted);
        crm.merge(ObjectType.LEAD, survivor, List.of(loser));
        out.printf(Locale.ROOT, "  Lead %s was merged into Lead %s in the CRM%n", loser, survivor);
        sql("UPDATE " + memberTable + " SET status = 'Responded' WHERE _crm_id = '" + members.get(0).value() + "'");
        out.printf(Locale.ROOT, "  the host set campaign member %s's status to 'Responded' with SQL%n", members.get(0));
        tick();

        List<dev.crmsync.core.report.PushResult> pushed = engine.pushNow(ObjectType.LEAD, List.of(noraId));
        CrmId nora = pushed.get(0) instanceof dev.crmsync.core.report.PushResult.Created c ? c.crmId() : null;
        out.printf(Locale.ROOT, "%nPushed the new person to the CRM now (Marketo's 'Sync Person to SFDC'): %s%n",
                pushed.get(0));
        events.clear();
        SyncReport third = engine.runCycle();
        out.println();
        out.println(third.toTable());
        events.forEach(e -> out.println("  " + e));
        out.printf(Locale.ROOT, "%nBoth sides afterwards:%n");
        out.printf(Locale.ROOT, "  Lead %s in the CRM: Title '%s', Phone '%s' (each side's edit reached the other)%n",
                both, text(crm, ObjectType.LEAD, both, "Title"), text(crm, ObjectType.LEAD, both, "Phone"));
        out.printf(Locale.ROOT, "  Lead %s: CRM Title '%s', marketing title '%s' (Marketo's rule for Leads: the"
                        + " marketing value wins)%n", conflicted, text(crm, ObjectType.LEAD, conflicted, "Title"),
                sqlValue("SELECT title FROM " + leadTable + " WHERE _crm_id = '" + conflicted.value() + "'"));
        out.printf(Locale.ROOT, "  Nora Newcomer is Lead %s in the CRM%n", nora);
        out.printf(Locale.ROOT, "  campaign member %s in the CRM: Status '%s'%n", members.get(0),
                text(crm, ObjectType.CAMPAIGN_MEMBER, members.get(0), "Status"));
        twoWay = new TwoWay(third, both, conflicted, nora, converted, survivor, campaign, members.get(0));
    }

    private static String text(InMemoryCrm crm, ObjectType type, CrmId id, String field) {
        FieldValue v = crm.get(type, id).orElseThrow().get(field);
        return v instanceof FieldValue.Text t ? t.value() : String.valueOf(v);
    }

    private void sql(String statement) {
        try (Connection c = database.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate(statement);
        } catch (SQLException e) {
            throw new IllegalStateException("the demo's SQL failed: " + e.getMessage(), e);
        }
    }

    private String sqlValue(String query) {
        try (Connection c = database.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(query)) {
            if (!rs.next()) {
                throw new IllegalStateException("the demo's query found nothing: " + query);
            }
            return String.valueOf(rs.getObject(1));
        } catch (SQLException e) {
            throw new IllegalStateException("the demo's query failed: " + e.getMessage(), e);
        }
    }

    /** Runs a query against the marketing database and prints it and its rows, as a SQL console would. */
    private void printQuery(String sql) {
        out.printf(Locale.ROOT, "%nThe leads are a table with a typed column per field; plain SQL reads them"
                + " (the 50 leads changed in the CRM, richest first):%n%n  %s;%n%n", sql);
        try (Connection c = database.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            int n = md.getColumnCount();
            List<String[]> rows = new ArrayList<>();
            String[] head = new String[n];
            for (int i = 0; i < n; i++) {
                head[i] = md.getColumnLabel(i + 1).toLowerCase(Locale.ROOT);
            }
            rows.add(head);
            while (rs.next()) {
                String[] row = new String[n];
                for (int i = 0; i < n; i++) {
                    Object v = rs.getObject(i + 1);
                    row[i] = v instanceof BigDecimal d ? d.toPlainString() : String.valueOf(v);
                }
                rows.add(row);
            }
            int[] width = new int[n];
            for (String[] r : rows) {
                for (int i = 0; i < n; i++) {
                    width[i] = Math.max(width[i], r[i].length());
                }
            }
            for (int k = 0; k < rows.size(); k++) {
                StringBuilder line = new StringBuilder("  ");
                for (int i = 0; i < n; i++) {
                    line.append(String.format(Locale.ROOT, "%-" + width[i] + "s", rows.get(k)[i])).append(i + 1 < n ? " | " : "");
                }
                out.println(line.toString().stripTrailing());
                if (k == 0) {
                    StringBuilder rule = new StringBuilder("  ");
                    for (int i = 0; i < n; i++) {
                        rule.append("-".repeat(width[i])).append(i + 1 < n ? "-+-" : "");
                    }
                    out.println(rule);
                }
            }
            out.printf(Locale.ROOT, "  (%d rows)%n", rows.size() - 1);
        } catch (SQLException e) {
            throw new IllegalStateException("the demo's query failed: " + e.getMessage(), e);
        }
    }

    private long total() {
        return ObjectType.STANDARD.stream().mapToLong(crm::count).sum();
    }

    private void tick() {
        clock.shift(Duration.ofSeconds(30));
    }

    private <T> T any(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private void fillCrm() {
        for (int i = 0; i < USERS; i++) {
            users.add(crm.insert(ObjectType.USER, Map.of("Username", FieldValue.text("rep" + i + "@example.com"),
                    "FirstName", FieldValue.text("Rep"), "LastName", FieldValue.text("Number " + i),
                    "Email", FieldValue.text("rep" + i + "@example.com"), "Title", FieldValue.text("Account Executive"),
                    "IsActive", FieldValue.bool(true))));
            tick();
        }
        for (int i = 0; i < ACCOUNTS; i++) {
            accounts.add(crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Company " + i),
                    "Industry", FieldValue.text(INDUSTRIES[i % INDUSTRIES.length]),
                    "NumberOfEmployees", FieldValue.number(10 + random.nextInt(5_000)),
                    "OwnerId", FieldValue.ref(any(users)))));
            tick();
        }
        for (int i = 0; i < CONTACTS; i++) {
            contacts.add(crm.insert(ObjectType.CONTACT, Map.of("FirstName", FieldValue.text("Pat"),
                    "LastName", FieldValue.text("Person " + i), "Email", FieldValue.text("p" + i + "@example.org"),
                    "AccountId", FieldValue.ref(any(accounts)), "OwnerId", FieldValue.ref(any(users)))));
            tick();
        }
        for (int i = 0; i < LEADS; i++) {
            leads.add(crm.insert(ObjectType.LEAD, Map.of("FirstName", FieldValue.text("Sam"),
                    "LastName", FieldValue.text("Prospect " + i), "Company", FieldValue.text("Prospect Co " + i),
                    "Email", FieldValue.text("lead" + i + "@example.net"), "Title", FieldValue.text("Buyer"),
                    "AnnualRevenue", FieldValue.number(100_000L * (1 + random.nextInt(500))),
                    "OwnerId", FieldValue.ref(any(users)))));
            tick();
        }
        for (int i = 0; i < OPPORTUNITIES; i++) {
            CrmId opp = crm.insert(ObjectType.OPPORTUNITY, Map.of("Name", FieldValue.text("Deal " + i),
                    "AccountId", FieldValue.ref(any(accounts)), "StageName", FieldValue.text(STAGES[i % 4]),
                    "Amount", FieldValue.number(1_000L * (1 + random.nextInt(500))),
                    "CloseDate", FieldValue.date(LocalDate.of(2025, 1 + i % 12, 1 + i % 28)),
                    "OwnerId", FieldValue.ref(any(users))));
            opportunities.add(opp);
            roles.add(crm.insert(ObjectType.OPPORTUNITY_CONTACT_ROLE, Map.of("OpportunityId", FieldValue.ref(opp),
                    "ContactId", FieldValue.ref(any(contacts)), "Role", FieldValue.text("Decision Maker"),
                    "IsPrimary", FieldValue.bool(true))));
            tick();
        }
        for (int i = 0; i < TASKS; i++) {
            tasks.add(crm.insert(ObjectType.TASK, Map.of("Subject", FieldValue.text("Follow-up call " + i),
                    "WhoId", FieldValue.ref(any(contacts)), "WhatId", FieldValue.ref(any(opportunities)),
                    "Status", FieldValue.text("Not Started"), "OwnerId", FieldValue.ref(any(users)))));
            tick();
        }
        for (int i = 0; i < EVENTS; i++) {
            crm.insert(ObjectType.EVENT, Map.of("Subject", FieldValue.text("Meeting " + i),
                    "WhoId", FieldValue.ref(any(contacts)), "DurationInMinutes", FieldValue.number(30),
                    "OwnerId", FieldValue.ref(any(users))));
            tick();
        }
    }

    /** Changes 350 distinct records: 100 accounts, 50 leads, 150 opportunities, 50 tasks. */
    private int changeSome() {
        for (int i = 0; i < 100; i++) {
            crm.update(ObjectType.ACCOUNT, accounts.get(i * 7), Map.of("Industry", FieldValue.text("Energy Storage")));
        }
        for (int i = 0; i < 50; i++) {
            crm.update(ObjectType.LEAD, leads.get(i * 9), Map.of("Title", FieldValue.text("Head of Purchasing")));
        }
        for (int i = 0; i < 150; i++) {
            crm.update(ObjectType.OPPORTUNITY, opportunities.get(i * 5), Map.of("StageName", FieldValue.text("Closed Won"),
                    "Amount", FieldValue.number(99_000)));
        }
        for (int i = 0; i < 50; i++) {
            crm.update(ObjectType.TASK, tasks.get(i * 11), Map.of("Status", FieldValue.text("Completed")));
        }
        clock.shift(Duration.ofSeconds(1));
        return 350;
    }

    /** Deletes 40 records that {@link #changeSome()} left alone: 30 tasks and 10 contact roles. */
    private int deleteSome() {
        for (int i = 0; i < 30; i++) {
            crm.delete(ObjectType.TASK, tasks.get(1_000 + i * 13));
        }
        for (int i = 0; i < 10; i++) {
            crm.delete(ObjectType.OPPORTUNITY_CONTACT_ROLE, roles.get(3 + i * 17));
        }
        clock.shift(Duration.ofSeconds(1));
        return 40;
    }

    /**
     * Prints one progress line per object type: redrawn in place ({@code \r}) on a terminal, and only
     * once the type is done when the output goes to a file or a pipe (no {@code \r} line in a log).
     */
    private static final class ProgressLine implements SyncListener {
        private final PrintStream out;
        private final boolean live;
        private final List<String> events;

        ProgressLine(PrintStream out, List<String> events) {
            this.out = out;
            this.live = out == System.out && System.console() != null;
            this.events = events;
        }

        @Override
        public void onLeadConverted(dev.crmsync.core.report.LeadConversion c) {
            events.add("converted: Lead " + c.leadId() + " became Contact " + c.contactId() + "; marketing person "
                    + c.marketingId() + " is now a Contact");
        }

        @Override
        public void onRecordsMerged(dev.crmsync.core.report.RecordsMerged m) {
            events.add("merged: " + m.type().apiName() + " " + m.loserIds() + " into " + m.survivorId()
                    + "; marketing person " + m.survivorMarketingId() + " survives");
        }

        @Override
        public void onConflict(dev.crmsync.core.Conflict conflict, dev.crmsync.core.Resolution resolution) {
            events.add("conflict: " + conflict.type().apiName() + " " + conflict.crmId() + " field "
                    + conflict.field() + " changed on both sides; "
                    + (resolution instanceof dev.crmsync.core.Resolution.TakeMarketing ? "the marketing value wins"
                    : resolution instanceof dev.crmsync.core.Resolution.TakeCrm ? "the CRM value wins" : "parked"));
        }

        @Override
        public void onProgress(ObjectType type, long done, OptionalLong estimatedTotal) {
            if (!live) {
                return;
            }
            String total = estimatedTotal.isPresent() ? String.format(Locale.ROOT, "%,d", estimatedTotal.getAsLong()) : "?";
            out.printf(Locale.ROOT, "\r  %-24s %,8d / %s", type.apiName(), done, total);
            out.flush();
        }

        @Override
        public void onTypeDone(TypeReport report) {
            out.printf(Locale.ROOT, "%s  %-24s %,8d read   %-10s%n", live ? "\r" : "", report.type().apiName(),
                    report.counts().read(), report.outcome().label());
        }
    }

    /** The system clock, shifted: the demo's CRM history is written "in the past", its cycles run now. */
    private static final class DemoClock extends Clock {
        private final Clock base;
        private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

        DemoClock(Clock base) {
            this.base = base;
        }

        void shift(Duration by) {
            offset.updateAndGet(o -> o.plus(by));
        }

        @Override
        public Instant instant() {
            return base.instant().plus(offset.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the demo clock is UTC only");
        }
    }
}
