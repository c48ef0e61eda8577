package dev.crmsync.salesforce;

import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import dev.crmsync.testkit.salesforce.RecordedRequest;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A test org: a manual clock, an {@link InMemoryCrm}, a {@link FakeSalesforceServer} on loopback
 * over it, and {@link SalesforceCrmSource} builders pointed at it. Sleeps of the source (retries,
 * Bulk polls) are recorded and move the clock instead of waiting.
 */
final class FakeOrg implements AutoCloseable {

    static final String CONSUMER_KEY = "3MVG9-test-consumer-key";
    static final String USERNAME = "integration@example.com";
    static final String CLIENT_ID = "crmsync-client-id";
    static final String CLIENT_SECRET = "crmsync-client-secret-s3cr3t";
    static final String REFRESH_TOKEN = "5Aep861-initial-refresh-token";
    static final String FIXED_TOKEN = "00Dfake!fixed-access-token-value";

    /** The audit fields a real org describes on every object, which the fake server adds to the CRM's schema. */
    static final List<String> AUDIT_FIELDS = List.of("CreatedDate", "CreatedById", "LastModifiedDate",
            "LastModifiedById");

    private static KeyPair keys;

    final ManualClock clock = new ManualClock(Instant.parse("2024-06-03T09:00:00Z"));
    final InMemoryCrm crm;
    final FakeSalesforceServer server;
    final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
    final List<String> rotatedRefreshTokens = Collections.synchronizedList(new ArrayList<>());
    private final List<SalesforceCrmSource> sources = Collections.synchronizedList(new ArrayList<>());

    FakeOrg() {
        this(b -> { }, b -> { });
    }

    FakeOrg(Consumer<InMemoryCrm.Builder> crmConfig, Consumer<FakeSalesforceServer.Builder> serverConfig) {
        InMemoryCrm.Builder cb = InMemoryCrm.builder().clock(clock).seed(11);
        crmConfig.accept(cb);
        this.crm = cb.build();
        FakeSalesforceServer.Builder sb = FakeSalesforceServer.builder().crm(crm).clock(clock).seed(7)
                .connectedApp(CLIENT_ID, CLIENT_SECRET)
                .jwtSubject(CONSUMER_KEY, USERNAME, keys().getPublic())
                .refreshToken(REFRESH_TOKEN)
                .fixedAccessToken(FIXED_TOKEN)
                .sleeper(d -> clock.advance(d));
        serverConfig.accept(sb);
        this.server = sb.build().start();
    }

    static synchronized KeyPair keys() {
        if (keys == null) {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048, new java.security.SecureRandom(new byte[] {1, 2, 3}));
                keys = g.generateKeyPair();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return keys;
    }

    /**
     * What the org answers for a field of a record the CRM holds: the CRM's value, or for an audit
     * field the value the fake server keeps as a real org does ({@code CreatedDate} the record's
     * creation, {@code LastModifiedDate} its stamp, the user ids the server's integration user).
     *
     * @param r the record, as the CRM holds it
     * @param field a field name
     * @return the value a client reads
     */
    FieldValue expected(dev.crmsync.model.SyncRecord r, String field) {
        return switch (field) {
            case "CreatedDate" -> FieldValue.dateTime(crm.createdDate(r.type(), r.id()).orElseThrow());
            case "LastModifiedDate" -> FieldValue.dateTime(r.modstamp());
            case "CreatedById", "LastModifiedById" -> FieldValue.ref(integrationUser());
            case "Name" -> crm.describe(r.type()).orElseThrow().field("Name").isPresent() ? r.get(field)
                    : fullName(r);
            case "OwnerId" -> r.type().isCustom() && r.get(field).isNull() ? FieldValue.ref(integrationUser())
                    : r.get(field);
            default -> r.get(field);
        };
    }

    /** A person's Name as the org answers it where the CRM holds only FirstName and LastName. */
    private static FieldValue fullName(dev.crmsync.model.SyncRecord r) {
        String full = ((r.get("FirstName").isNull() ? "" : r.get("FirstName").asText()) + " "
                + (r.get("LastName").isNull() ? "" : r.get("LastName").asText())).trim();
        return full.isEmpty() ? FieldValue.NULL : FieldValue.text(full);
    }

    /** @return the user the fake server's tokens log in (the creator and modifier of its audit fields) */
    CrmId integrationUser() {
        return CrmId.of(server.integrationUserId());
    }

    /** @return a source builder using the JWT bearer flow against this org */
    SalesforceCrmSource.Builder source() {
        return base().credentials(SalesforceCredentials.jwtBearer(CONSUMER_KEY, USERNAME, keys().getPrivate()));
    }

    /** @return a builder with everything but credentials */
    SalesforceCrmSource.Builder base() {
        return SalesforceCrmSource.builder()
                .loginUrl(server.baseUri())
                .allowHttpForLoopback(true)
                .clock(clock)
                .sleeper(d -> {
                    sleeps.add(d);
                    clock.advance(d);
                })
                .random(new Random(42))
                .budget(ApiBudget.UNLIMITED);
    }

    SalesforceCredentials refreshCredentials() {
        return SalesforceCredentials.refreshToken(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, rotatedRefreshTokens::add);
    }

    SalesforceCredentials clientCredentials() {
        return SalesforceCredentials.clientCredentials(CLIENT_ID, CLIENT_SECRET);
    }

    SalesforceCredentials fixedToken() {
        return SalesforceCredentials.accessToken(FIXED_TOKEN, server.baseUri());
    }

    /** Inserts {@code n} leads (all with the current stamp) and returns their ids in creation order. */
    List<CrmId> leads(int n) {
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Lead " + i),
                    "Company", FieldValue.text("Acme " + (i % 17)), "Email", FieldValue.text("lead" + i + "@example.com"))));
        }
        return ids;
    }

    /**
     * Builds a source and remembers it, so that {@link #requests} can wait for the server to have
     * recorded every request the source sent.
     */
    SalesforceCrmSource open(SalesforceCrmSource.Builder b) {
        SalesforceCrmSource s = b.build();
        sources.add(s);
        return s;
    }

    /**
     * @return requests whose path matches (regex, found), once the server recorded every request the
     *     sources opened here sent (it records a request just after answering it)
     */
    List<RecordedRequest> requests(String pathRegex) {
        long sent = sources.stream().mapToLong(s -> s.callCounts().values().stream().mapToLong(Long::longValue).sum())
                .sum();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (server.requests().size() < sent && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(pathRegex);
        return server.requests().stream().filter(r -> p.matcher(r.path()).find()).toList();
    }

    /** @return how many requests the server recorded, once it recorded every request sent */
    int recorded() {
        return requests("").size();
    }

    @Override
    public void close() {
        server.close();
        crm.close();
    }
}
