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
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import java.io.PrintStream;
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

/**
 * The demo behind the README's first command. It fills an in-memory CRM with a few thousand
 * users, accounts, contacts, opportunities (with contact roles) and activities, runs a first cycle
 * (the full copy) with a live progress line, changes a few hundred records and deletes some, runs
 * a second cycle, and prints both reports. The second report shows that only the changed records
 * moved.
 *
 * <p>Run: {@code mvn -q -pl sync-examples -am compile exec:java}
 */
public final class Demo {

    private static final int USERS = 50;
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
    private final boolean overHttp;
    private InMemoryCrm crm;

    /**
     * @param base the clock the demo's time is shifted from (the system clock when run as a program)
     * @param out where the demo prints
     */
    Demo(Clock base, PrintStream out) {
        this(base, out, true);
    }

    /**
     * @param base the clock the demo's time is shifted from (the system clock when run as a program)
     * @param out where the demo prints
     * @param overHttp true to read the CRM through {@link SalesforceCrmSource} over HTTP from a local
     *     {@link FakeSalesforceServer} (the default); false to read the {@link InMemoryCrm} directly
     */
    Demo(Clock base, PrintStream out, boolean overHttp) {
        this.clock = new DemoClock(base);
        this.out = out;
        this.overHttp = overHttp;
    }

    /**
     * Runs the demo.
     *
     * @param args {@code --in-memory} to sync from the in-memory CRM directly instead of over HTTP
     *     from the local fake Salesforce server
     */
    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");   // keep the progress line clean
        }
        if (System.getProperty(FakeSalesforceServer.NODELAY_PROPERTY) == null) {
            System.setProperty(FakeSalesforceServer.NODELAY_PROPERTY, "true");      // no 40 ms delayed ACK per response
        }
        boolean inMemory = java.util.Arrays.asList(args).contains("--in-memory");
        SyncReport second = new Demo(Clock.systemUTC(), System.out, !inMemory).run();
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
        InMemoryMarketingStore store = new InMemoryMarketingStore(clock);
        InMemorySyncStateStore state = new InMemorySyncStateStore();

        try (SyncEngine engine = SyncEngine.builder()
                .crmSource(source)
                .marketingStore(store)
                .syncStateStore(state)
                .clock(clock)
                .engineId("demo")
                .listener(new ProgressLine(out))
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
            return second;
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

    /** Changes 300 distinct records: 100 accounts, 150 opportunities, 50 tasks. */
    private int changeSome() {
        for (int i = 0; i < 100; i++) {
            crm.update(ObjectType.ACCOUNT, accounts.get(i * 7), Map.of("Industry", FieldValue.text("Energy Storage")));
        }
        for (int i = 0; i < 150; i++) {
            crm.update(ObjectType.OPPORTUNITY, opportunities.get(i * 5), Map.of("StageName", FieldValue.text("Closed Won"),
                    "Amount", FieldValue.number(99_000)));
        }
        for (int i = 0; i < 50; i++) {
            crm.update(ObjectType.TASK, tasks.get(i * 11), Map.of("Status", FieldValue.text("Completed")));
        }
        clock.shift(Duration.ofSeconds(1));
        return 300;
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

        ProgressLine(PrintStream out) {
            this.out = out;
            this.live = out == System.out && System.console() != null;
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
