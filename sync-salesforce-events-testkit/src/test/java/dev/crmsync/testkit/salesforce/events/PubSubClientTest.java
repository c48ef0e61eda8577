package dev.crmsync.testkit.salesforce.events;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.salesforce.SalesforceCredentials;
import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.salesforce.SalesforceSession;
import dev.crmsync.salesforce.events.ChangeEvent;
import dev.crmsync.salesforce.events.ChangeEventHandler;
import dev.crmsync.salesforce.events.ChangeType;
import dev.crmsync.salesforce.events.PubSubClient;
import dev.crmsync.salesforce.events.PubSubCredentials;
import dev.crmsync.salesforce.events.PubSubSession;
import dev.crmsync.salesforce.events.ReplayFrom;
import dev.crmsync.salesforce.events.ReplayId;
import dev.crmsync.salesforce.events.Subscription;
import dev.crmsync.salesforce.events.SubscriptionFailure;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The project's Pub/Sub client against the fake Pub/Sub server: flow control, reconnects, failures, exactly. */
class PubSubClientTest {

    private static final String LEADS = "/data/LeadChangeEvent";

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(9).build();
    private final FakeSalesforceServer salesforce = FakeSalesforceServer.builder().crm(crm).clock(clock).build().start();
    private final FakePubSubServer pubsub = FakePubSubServer.builder(salesforce).build().start();
    private final List<Duration> pauses = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        pubsub.close();
        salesforce.close();
    }

    private PubSubSession session(String token) {
        return new PubSubSession(token, salesforce.baseUri(), salesforce.orgId());
    }

    private PubSubClient client(PubSubCredentials credentials, int batch) {
        ManagedChannel ch = pubsub.inProcessChannel();
        open.add(ch::shutdownNow);
        PubSubClient c = PubSubClient.builder().channel(ch).credentials(credentials).batchSize(batch)
                .reconnect(Duration.ofMillis(100), Duration.ofSeconds(1), 3).sleeper(pauses::add).clock(clock).build();
        open.add(c);
        return c;
    }

    private PubSubClient client() {
        return client(PubSubCredentials.fixed(session(FakeSalesforceServer.DEFAULT_ACCESS_TOKEN)), 100);
    }

    /** Records what the client hands over. */
    private static final class Recorder implements ChangeEventHandler {
        final BlockingQueue<ChangeEvent> events = new LinkedBlockingQueue<>();
        final BlockingQueue<SubscriptionFailure> failures = new LinkedBlockingQueue<>();
        final AtomicInteger batches = new AtomicInteger();
        final AtomicInteger failAt = new AtomicInteger(-1);

        @Override
        public void onEvents(List<ChangeEvent> batch, ReplayId latest) {
            if (batches.incrementAndGet() == failAt.get()) {
                throw new IllegalStateException("handler failure");
            }
            events.addAll(batch);
        }

        @Override
        public void onUndecodable(ReplayId replayId, String reason) {
            throw new AssertionError("undecodable: " + reason);
        }

        @Override
        public void onFailure(SubscriptionFailure failure) {
            failures.add(failure);
        }

        List<ChangeEvent> take(int n) throws InterruptedException {
            List<ChangeEvent> got = new ArrayList<>();
            while (got.size() < n) {
                ChangeEvent e = events.poll(10, TimeUnit.SECONDS);
                assertNotNull(e, "only " + got.size() + " of " + n + " events within 10 s; failures " + failures);
                got.add(e);
            }
            return got;
        }

        SubscriptionFailure failure() throws InterruptedException {
            SubscriptionFailure f = failures.poll(10, TimeUnit.SECONDS);
            assertNotNull(f, "no failure within 10 s");
            return f;
        }
    }

    private static Map<String, FieldValue> lead(String last) {
        return Map.of("LastName", FieldValue.text(last), "Company", FieldValue.text("Acme"));
    }

    private void awaitStreams(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pubsub.openStreams() != n || pubsub.fetchRequests() == 0) {
            assertTrue(System.nanoTime() < deadline, "expected " + n + " open streams, have " + pubsub.openStreams());
            Thread.onSpinWait();
        }
    }

    @Test
    void eventsArriveDecodedInOrderWithOneFetchPerHandledBatch() throws Exception {
        for (int i = 0; i < 5; i++) {
            crm.insert(ObjectType.LEAD, lead("E" + i));
        }
        Recorder r = new Recorder();
        PubSubClient c = client(PubSubCredentials.fixed(session(FakeSalesforceServer.DEFAULT_ACCESS_TOKEN)), 2);
        Subscription sub = c.subscribe(LEADS, ReplayFrom.earliest(), r);
        List<ChangeEvent> got = r.take(5);
        assertEquals(List.of("E0", "E1", "E2", "E3", "E4"), got.stream().map(e -> e.values().get("LastName")).toList());
        // batches of at most 2: 2 + 2 + 1, and the first request plus one top-up per handled batch
        assertEquals(3, r.batches.get());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pubsub.fetchRequests() < 4) {
            assertTrue(System.nanoTime() < deadline);
            Thread.onSpinWait();
        }
        assertEquals(4, pubsub.fetchRequests());
        assertEquals(1, c.schemaCalls());
        assertEquals(got.get(4).replayId(), sub.lastHandled().orElseThrow());
        assertTrue(sub.isActive());
    }

    @Test
    void aDroppedStreamResumesAfterTheLastHandledEventLosingAndRepeatingNothing() throws Exception {
        Recorder r = new Recorder();
        client().subscribe(LEADS, ReplayFrom.latest(), r);
        awaitStreams(1);
        CrmId a = crm.insert(ObjectType.LEAD, lead("A"));
        assertEquals(List.of(a.value()), r.take(1).get(0).recordIds());
        pubsub.dropStreams();
        CrmId b = crm.insert(ObjectType.LEAD, lead("B"));   // while the client reconnects
        CrmId c = crm.insert(ObjectType.LEAD, lead("C"));
        List<ChangeEvent> after = r.take(2);
        assertEquals(List.of(List.of(b.value()), List.of(c.value())), after.stream().map(ChangeEvent::recordIds).toList());
        assertNull(r.events.poll(200, TimeUnit.MILLISECONDS), "an event arrived twice");
        assertEquals(List.of(), pauses, "a stream that delivered reconnects at once; backoff is for failures in a row");
        assertTrue(r.failures.isEmpty());
        assertEquals(2, pubsub.published(LEADS) - 1);
    }

    @Test
    void aReplayIdTheOrgNoLongerHasFailsAtOnceNeverRetried() throws Exception {
        crm.insert(ObjectType.LEAD, lead("Old"));
        Recorder first = new Recorder();
        Subscription s = client().subscribe(LEADS, ReplayFrom.earliest(), first);
        ReplayId old = first.take(1).get(0).replayId();
        s.close();
        clock.advance(Duration.ofHours(73));

        Recorder r = new Recorder();
        Subscription stale = client().subscribe(LEADS, ReplayFrom.after(old), r);
        SubscriptionFailure f = r.failure();
        assertEquals(SubscriptionFailure.Kind.REPLAY_ID_UNAVAILABLE, f.kind());
        assertEquals(FakePubSubServer.REPLAY_ID_CORRUPTED, f.code());
        assertTrue(pauses.isEmpty());
        assertNull(r.failures.poll(200, TimeUnit.MILLISECONDS), "onFailure called twice");
        assertFalse(stale.isActive());
    }

    @Test
    void anExpiredTokenIsRenewedOnceAndARefusedRenewalEndsTheSubscription() throws Exception {
        AtomicInteger renewals = new AtomicInteger();
        PubSubCredentials renewing = new PubSubCredentials() {
            @Override
            public PubSubSession session() {
                return PubSubClientTest.this.session("expired-token");
            }

            @Override
            public PubSubSession renew(PubSubSession stale) {
                renewals.incrementAndGet();
                return PubSubClientTest.this.session(FakeSalesforceServer.DEFAULT_ACCESS_TOKEN);
            }
        };
        Recorder r = new Recorder();
        client(renewing, 100).subscribe(LEADS, ReplayFrom.latest(), r);
        awaitStreams(1);
        crm.insert(ObjectType.LEAD, lead("Renewed"));
        assertEquals("Renewed", r.take(1).get(0).values().get("LastName"));
        assertEquals(1, renewals.get());

        Recorder refused = new Recorder();
        client(PubSubCredentials.fixed(session("never-valid")), 100).subscribe(LEADS, ReplayFrom.latest(), refused);
        SubscriptionFailure f = refused.failure();
        assertEquals(SubscriptionFailure.Kind.AUTH_REFUSED, f.kind());
        assertEquals(FakePubSubServer.AUTH_ERROR, f.code());
        assertTrue(pauses.isEmpty());
    }

    @Test
    void aFailingHandlerEndsTheSubscriptionAndNothingMoreIsRequested() throws Exception {
        Recorder r = new Recorder();
        r.failAt.set(1);
        client().subscribe(LEADS, ReplayFrom.latest(), r);
        awaitStreams(1);
        crm.insert(ObjectType.LEAD, lead("Boom"));
        assertEquals(SubscriptionFailure.Kind.HANDLER_FAILED, r.failure().kind());
        assertEquals(1, pubsub.fetchRequests());
        assertTrue(r.events.isEmpty());
    }

    @Test
    void topicsNotSelectedForCdcAndASpentAllocationAreTerminal() throws Exception {
        pubsub.disableCdc(ObjectType.CONTACT);
        Recorder r = new Recorder();
        client().subscribe("/data/ContactChangeEvent", ReplayFrom.latest(), r);
        SubscriptionFailure f = r.failure();
        assertEquals(SubscriptionFailure.Kind.TOPIC_UNAVAILABLE, f.kind());
        assertEquals(FakePubSubServer.TOPIC_NOT_FOUND, f.code());

        pubsub.exhaustAllocation(true);
        Recorder spent = new Recorder();
        client().subscribe(LEADS, ReplayFrom.latest(), spent);
        assertEquals(SubscriptionFailure.Kind.ALLOCATION_EXCEEDED, spent.failure().kind());
    }

    @Test
    void gapAndOverflowEventsArriveAsSuch() throws Exception {
        Recorder r = new Recorder();
        client().subscribe(LEADS, ReplayFrom.latest(), r);
        awaitStreams(1);
        CrmId id = crm.insert(ObjectType.LEAD, lead("G"));
        r.take(1);
        pubsub.emitGap(ObjectType.LEAD, ChangeType.GAP_UPDATE, List.of(id));
        pubsub.emitOverflow(ObjectType.LEAD);
        List<ChangeEvent> two = r.take(2);
        assertEquals(ChangeType.GAP_UPDATE, two.get(0).changeType());
        assertEquals(ChangeType.GAP_OVERFLOW, two.get(1).changeType());
    }

    @Test
    void overARealLoopbackSocketAndPlaintextNowhereElse() throws Exception {
        crm.insert(ObjectType.LEAD, lead("Socket"));
        PubSubClient c = PubSubClient.builder().plaintextLoopback("127.0.0.1", pubsub.port())
                .credentials(PubSubCredentials.fixed(session(FakeSalesforceServer.DEFAULT_ACCESS_TOKEN))).build();
        open.add(c);
        Recorder r = new Recorder();
        c.subscribe(LEADS, ReplayFrom.earliest(), r);
        assertEquals("Socket", r.take(1).get(0).values().get("LastName"));

        assertThrows(IllegalArgumentException.class, () -> PubSubClient.builder().plaintextLoopback("10.1.2.3", 7443));
        assertThrows(IllegalArgumentException.class, () -> client().subscribe("LeadChangeEvent", ReplayFrom.latest(), r));
        assertFalse(session("secret-token-value").toString().contains("secret-token-value"));
    }

    @Test
    void theRestAdaptersOAuthSessionAuthenticatesTheSubscriptionAndIsRenewedThroughIt() throws Exception {
        SalesforceCrmSource source = SalesforceCrmSource.builder().instanceUrl(salesforce.baseUri())
                .allowHttpForLoopback(true).clock(clock)
                .credentials(SalesforceCredentials.clientCredentials(FakeSalesforceServer.DEFAULT_CLIENT_ID,
                        FakeSalesforceServer.DEFAULT_CLIENT_SECRET))
                .build();
        open.add(source);
        SalesforceSession session = source.session();
        assertEquals(salesforce.orgId(), session.orgId(), "the org id comes from the token response's id URL");
        assertFalse(session.toString().contains(session.accessToken()));

        Recorder r = new Recorder();
        client(PubSubCredentials.of(source, null), 100).subscribe(LEADS, ReplayFrom.latest(), r);
        awaitStreams(1);
        crm.insert(ObjectType.LEAD, lead("Shared"));
        assertEquals("Shared", r.take(1).get(0).values().get("LastName"));

        // the token expires: the stream is refused, renewed through the source, resumed, nothing lost
        salesforce.faults().expireAccessTokens();
        pubsub.dropStreams();
        crm.insert(ObjectType.LEAD, lead("AfterRenewal"));
        assertEquals("AfterRenewal", r.take(1).get(0).values().get("LastName"));
        assertTrue(r.failures.isEmpty(), r.failures.toString());
        assertFalse(session.accessToken().equals(source.session().accessToken()), "a new token");

        // a source with a fixed token knows no org id: the caller must name it
        SalesforceCrmSource fixed = SalesforceCrmSource.builder().allowHttpForLoopback(true)
                .credentials(SalesforceCredentials.accessToken(FakeSalesforceServer.DEFAULT_ACCESS_TOKEN,
                        salesforce.baseUri()))
                .build();
        open.add(fixed);
        assertNull(fixed.session().orgId());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PubSubCredentials.of(fixed, null).session());
        assertTrue(e.getMessage().contains("org id"), e.getMessage());
        assertEquals(salesforce.orgId(), PubSubCredentials.of(fixed, salesforce.orgId()).session().tenantId());
    }
}
