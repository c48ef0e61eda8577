package dev.crmsync.benchmarks;

import dev.crmsync.core.HostChangePusher;
import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.SyncScheduler;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.jdbc.JdbcMarketingStore;
import dev.crmsync.jdbc.JdbcStores;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.salesforce.SalesforceCredentials;
import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.salesforce.events.ChangeEvent;
import dev.crmsync.salesforce.events.ChangeEventHandler;
import dev.crmsync.salesforce.events.ChangeEventSync;
import dev.crmsync.salesforce.events.EventHealth;
import dev.crmsync.salesforce.events.PubSubClient;
import dev.crmsync.salesforce.events.PubSubCredentials;
import dev.crmsync.salesforce.events.PubSubSession;
import dev.crmsync.salesforce.events.ReplayFrom;
import dev.crmsync.salesforce.events.ReplayId;
import dev.crmsync.salesforce.events.Subscription;
import dev.crmsync.salesforce.events.SubscriptionFailure;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import dev.crmsync.testkit.salesforce.events.FakePubSubServer;
import org.h2.jdbcx.JdbcDataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Issue 15's latency benchmark, one run on loopback: how long a change takes to reach the other side.
 * <ul>
 *   <li><b>CRM → store by events</b>: a Lead edited in the fake org → its change event over a real gRPC socket
 *       ({@link FakePubSubServer}) → {@link ChangeEventSync} → the engine fetches it over REST and merges it →
 *       the JDBC store holds the new value. Baseline in the same run: the same edit until a bare
 *       {@link PubSubClient} handler receives its event (the transport alone, no fetch, no merge, no store).</li>
 *   <li><b>Host → CRM</b>: a Lead edited in the JDBC store by the host ({@code saveLocal}) → the store's
 *       notification ({@code LISTEN/NOTIFY} on PostgreSQL, the change log polled every 50 ms elsewhere) →
 *       {@link HostChangePusher} → the engine's push → the fake org holds the value. Baseline: one raw REST
 *       {@code PATCH} of the same field (one round trip: the least a push can cost).</li>
 *   <li><b>CRM → store by polling</b>, for comparison: the same edit with events off and a
 *       {@link SyncScheduler} at a short pause, the edit made at a random moment of the pause; at Marketo's
 *       5-minute pause the latency scales by the pause (half of it on average).</li>
 * </ul>
 * Each change is made after the previous one arrived (latency, not throughput); waits poll every
 * 0.5 ms, so figures are good to about a millisecond.
 */
final class EventLatencyBench {
    /** Percentiles of one path, in milliseconds. */
    record Percentiles(double p50, double p90, double p99, double max, int n) {
        static Percentiles of(List<Double> ms) {
            if (ms.isEmpty()) {
                throw new IllegalArgumentException("no values");
            }
            double[] v = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return new Percentiles(at(v, 0.50), at(v, 0.90), at(v, 0.99), v[v.length - 1], v.length);
        }

        private static double at(double[] sorted, double q) {
            int i = (int) Math.ceil(q * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
        }
    }

    /** The run's figures. */
    record Results(String store, int changes, Percentiles delivery, Percentiles crmToStore, Percentiles rawPatch,
                   Percentiles hostToCrm, Duration pollPause, Percentiles polling, long eventsApplied,
                   long catchUpPolls) {
    }

    private static final String TITLE = "Title";
    private static final String SCHEMA = "bench_latency";

    private final int changes;
    private final int pollChanges;
    private final Duration pollPause;
    private final @Nullable String postgresUrl;
    private final Consumer<String> progress;
    private final Random random = new Random(15);

    /**
     * @param changes     measured changes per path (at least 1; the issue asks for 1,000)
     * @param pollChanges measured changes of the polling path
     * @param pollPause   the polling path's pause
     * @param postgresUrl a PostgreSQL JDBC URL for the store, or null for H2 in memory
     * @param progress    progress lines
     */
    EventLatencyBench(int changes, int pollChanges, Duration pollPause, @Nullable String postgresUrl,
                      Consumer<String> progress) {
        if (changes < 1 || pollChanges < 1) {
            throw new IllegalArgumentException("changes and pollChanges must be at least 1");
        }
        this.changes = changes;
        this.pollChanges = pollChanges;
        this.pollPause = pollPause;
        this.postgresUrl = postgresUrl;
        this.progress = progress;
    }

    Results run() {
        InMemoryCrm crm = InMemoryCrm.builder().seed(15).build();
        List<CrmId> leads = new ArrayList<>();
        for (int i = 0; i < changes; i++) {
            leads.add(crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Lead " + i),
                    "Company", FieldValue.text("Acme"))));
        }
        DataSource ds = dataSource();
        try (FakeSalesforceServer salesforce = FakeSalesforceServer.builder().crm(crm).build().start();
             FakePubSubServer pubsub = FakePubSubServer.builder(salesforce).build().start();
             SalesforceCrmSource source = SalesforceCrmSource.builder().allowHttpForLoopback(true)
                     .credentials(SalesforceCredentials.accessToken(FakeSalesforceServer.DEFAULT_ACCESS_TOKEN,
                             salesforce.baseUri())).build()) {
            JdbcStores stores = JdbcStores.builder(ds).schema(SCHEMA).objectTypes(List.of(ObjectType.LEAD)).build();
            JdbcMarketingStore store = stores.marketingStore();
            PubSubCredentials credentials = PubSubCredentials.fixed(new PubSubSession(
                    FakeSalesforceServer.DEFAULT_ACCESS_TOKEN, salesforce.baseUri(), salesforce.orgId()));
            try (SyncEngine engine = SyncEngine.builder().crmSource(source).marketingStore(store)
                    .syncStateStore(stores.syncStateStore()).objectTypes(ObjectType.LEAD).engineId("latency-bench")
                    .build()) {
                SyncReport first = engine.runCycle();
                if (!first.isComplete()) {
                    throw new IllegalStateException("the first copy did not complete: " + first.outcome().label());
                }
                progress.accept("first copy of " + changes + " leads done");

                Percentiles delivery = delivery(crm, leads, pubsub, credentials);
                progress.accept("baseline, event delivery: " + delivery);

                List<Double> crmToStore = new ArrayList<>();
                long eventsApplied;
                long polls;
                Percentiles rawPatch;
                Percentiles hostPercentiles;
                try (PubSubClient client = client(pubsub, credentials);
                     ChangeEventSync events = ChangeEventSync.builder(engine, client).objectTypes(ObjectType.LEAD)
                             .build()) {
                    long fetches = pubsub.fetchRequests();
                    events.start();
                    // the stream's start position is set by its first FetchRequest (counted once handled):
                    // a change made before that lies before LATEST and never arrives
                    await(() -> pubsub.openStreams() == 1 && pubsub.fetchRequests() > fetches
                            && events.health().get(ObjectType.LEAD).mode() == EventHealth.Mode.FOLLOWING);
                    for (int i = 0; i < changes; i++) {
                        CrmId id = leads.get(i);
                        FieldValue v = FieldValue.text("event " + i);
                        long t0 = System.nanoTime();
                        crm.update(ObjectType.LEAD, id, Map.of(TITLE, v));
                        await(() -> v.equals(stored(store, id)));
                        crmToStore.add(ms(System.nanoTime() - t0));
                    }
                    progress.accept("CRM -> store by events: " + Percentiles.of(crmToStore));

                    Percentiles raw = rawPatch(salesforce, leads);
                    progress.accept("baseline, one raw PATCH: " + raw);
                    List<Double> hostToCrm = new ArrayList<>();
                    HostChangePusher pusher = HostChangePusher.start(engine, store, Duration.ofMillis(50));
                    try {
                        for (int i = 0; i < changes; i++) {
                            CrmId id = leads.get(i);
                            FieldValue v = FieldValue.text("host " + i);
                            String mid = store.findByCrmIds(ObjectType.LEAD, List.of(id)).get(id).marketingId();
                            long t0 = System.nanoTime();
                            store.saveLocal(ObjectType.LEAD, mid, Map.of(TITLE, v));
                            await(() -> v.equals(crm.get(ObjectType.LEAD, id).orElseThrow().get(TITLE)));
                            hostToCrm.add(ms(System.nanoTime() - t0));
                        }
                    } finally {
                        pusher.close();
                    }
                    progress.accept("host -> CRM: " + Percentiles.of(hostToCrm));
                    EventHealth h = events.health().get(ObjectType.LEAD);
                    eventsApplied = h.events();
                    polls = h.polls();
                    rawPatch = raw;
                    hostPercentiles = Percentiles.of(hostToCrm);
                }
                Percentiles polling = polling(engine, crm, leads, store);
                progress.accept("CRM -> store by polling (pause " + pollPause.toMillis() + " ms): " + polling);
                return new Results(postgresUrl != null ? "PostgreSQL" : "H2 (in memory)", changes, delivery,
                        Percentiles.of(crmToStore), rawPatch, hostPercentiles, pollPause, polling, eventsApplied, polls);
            }
        }
    }

    private PubSubClient client(FakePubSubServer pubsub, PubSubCredentials credentials) {
        return PubSubClient.builder().plaintextLoopback("127.0.0.1", pubsub.port()).credentials(credentials).build();
    }

    /** The baseline of the event path: an edit until a bare handler holds its event. */
    private Percentiles delivery(InMemoryCrm crm, List<CrmId> leads, FakePubSubServer pubsub,
                                 PubSubCredentials credentials) {
        Map<String, Boolean> seen = new ConcurrentHashMap<>();
        List<Double> out = new ArrayList<>();
        try (PubSubClient client = client(pubsub, credentials);
             Subscription s = client.subscribe(FakePubSubServer.topicOf(ObjectType.LEAD), ReplayFrom.latest(),
                     new ChangeEventHandler() {
                         @Override
                         public void onEvents(List<ChangeEvent> events, ReplayId latest) {
                             for (ChangeEvent e : events) {
                                 for (String id : e.recordIds()) {
                                     seen.put(id, Boolean.TRUE);
                                 }
                             }
                         }

                         @Override
                         public void onUndecodable(ReplayId replayId, String reason) {
                         }

                         @Override
                         public void onFailure(SubscriptionFailure failure) {
                         }
                     })) {
            await(() -> pubsub.openStreams() == 1 && pubsub.fetchRequests() > 0);
            for (int i = 0; i < leads.size(); i++) {
                CrmId id = leads.get(i);
                long t0 = System.nanoTime();
                crm.update(ObjectType.LEAD, id, Map.of(TITLE, FieldValue.text("delivery " + i)));
                await(() -> seen.remove(id.value()) != null);
                out.add(ms(System.nanoTime() - t0));
            }
            if (!s.isActive()) {
                throw new IllegalStateException("the baseline subscription ended");
            }
        }
        await(() -> pubsub.openStreams() == 0);
        return Percentiles.of(out);
    }

    /** The baseline of the host path: one raw PATCH of the field, as a minimal client sends it. */
    private static Percentiles rawPatch(FakeSalesforceServer salesforce, List<CrmId> leads) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<Double> out = new ArrayList<>();
        try {
            for (int i = 0; i < leads.size(); i++) {
                URI uri = salesforce.baseUri().resolve("/services/data/v" + FakeSalesforceServer.DEFAULT_API_VERSION
                        + "/sobjects/Lead/" + leads.get(i).value());
                HttpRequest req = HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer " + FakeSalesforceServer.DEFAULT_ACCESS_TOKEN)
                        .header("Content-Type", "application/json")
                        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"Title\":\"raw " + i + "\"}"))
                        .build();
                long t0 = System.nanoTime();
                HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.discarding());
                out.add(ms(System.nanoTime() - t0));
                if (r.statusCode() != 204) {
                    throw new IllegalStateException("raw PATCH answered " + r.statusCode());
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("raw PATCH failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return Percentiles.of(out);
    }

    /** CRM → store with events off: a scheduler at a short pause, each edit at a random moment of it. */
    private Percentiles polling(SyncEngine engine, InMemoryCrm crm, List<CrmId> leads, JdbcMarketingStore store) {
        List<Double> out = new ArrayList<>();
        try (SyncScheduler scheduler = SyncScheduler.builder(engine).pause(pollPause).build()) {
            scheduler.start();
            for (int i = 0; i < pollChanges; i++) {
                LockSupport.parkNanos((long) (random.nextDouble() * pollPause.toNanos()));
                CrmId id = leads.get(i % leads.size());
                FieldValue v = FieldValue.text("poll " + i);
                long t0 = System.nanoTime();
                crm.update(ObjectType.LEAD, id, Map.of(TITLE, v));
                await(() -> v.equals(stored(store, id)));
                out.add(ms(System.nanoTime() - t0));
            }
        }
        return Percentiles.of(out);
    }

    private static @Nullable FieldValue stored(JdbcMarketingStore store, CrmId id) {
        MarketingRecord r = store.findByCrmIds(ObjectType.LEAD, List.of(id)).get(id);
        return r == null ? null : r.get(TITLE);
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("a change did not arrive within 120 s");
            }
            LockSupport.parkNanos(500_000);
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private DataSource dataSource() {
        if (postgresUrl != null) {
            PGSimpleDataSource pg = new PGSimpleDataSource();
            pg.setURL(postgresUrl);
            try (Connection c = pg.getConnection(); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
                st.execute("CREATE SCHEMA " + SCHEMA);
            } catch (SQLException e) {
                throw new IllegalStateException("could not reset schema " + SCHEMA + " (" + e.getSQLState() + ")", e);
            }
            pg.setCurrentSchema(SCHEMA);     // the engine's own tables too: a run starts from nothing
            com.zaxxer.hikari.HikariConfig pool = new com.zaxxer.hikari.HikariConfig();
            pool.setDataSource(pg);
            pool.setMaximumPoolSize(6);
            pool.setPoolName("latency-bench");
            return new com.zaxxer.hikari.HikariDataSource(pool);
        }
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:latency-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        return h2;
    }

    static String markdown(Results r) {
        StringBuilder s = new StringBuilder();
        s.append("## Change latency: events vs polling (issue 15)\n\n");
        s.append(String.format(Locale.ROOT, "%,d changes per path, one after another, on loopback; store: %s."
                + " Milliseconds.%n%n", r.changes(), r.store()));
        s.append("| path | p50 | p90 | p99 | max | n | baseline | baseline p50 | baseline p50 / p50 |\n");
        s.append("|---|---:|---:|---:|---:|---:|---|---:|---:|\n");
        row(s, "CRM → store, by change events", r.crmToStore(), "event delivery to a bare handler", r.delivery());
        row(s, "host → CRM, by store notifications", r.hostToCrm(), "one raw REST PATCH", r.rawPatch());
        row(s, "CRM → store, by polling (pause " + r.pollPause().toMillis() + " ms)", r.polling(), "", null);
        s.append(String.format(Locale.ROOT, "%nEvents applied: %,d; catch-up polls: %d. At Marketo's 5-minute pause"
                + " polling's latency is the pause's remainder plus a cycle: %.0f s at the median.%n",
                r.eventsApplied(), r.catchUpPolls(), 150 + r.polling().p50() / 1000.0
                        - r.pollPause().toMillis() / 2000.0));
        return s.toString();
    }

    private static void row(StringBuilder s, String path, Percentiles p, String baseline, @Nullable Percentiles b) {
        s.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %d | %s | %s | %s |%n", path, p.p50(),
                p.p90(), p.p99(), p.max(), p.n(), baseline, b == null ? "" : String.format(Locale.ROOT, "%.1f", b.p50()),
                b == null ? "" : String.format(Locale.ROOT, "%.2f", b.p50() / p.p50())));
    }

    @Override
    public String toString() {
        return "EventLatencyBench" + Arrays.asList(changes, pollChanges, pollPause);
    }
}
