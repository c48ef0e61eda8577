package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.CycleOutcome;
import dev.crmsync.core.report.PushResult;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Lease;
import dev.crmsync.store.LeaseAttempt;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.GatedSleeper;
import dev.crmsync.testkit.fault.StoreOperation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import dev.crmsync.model.FieldValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One running instance per lease: two engine objects with the same engine id over one state
 * store (two processes, or a restart) never hold a type's lease together; a dead holder's lease
 * lapses within the ttl by the store's clock; a live one is renewed by its heartbeat while a CRM
 * call blocks. Time is the harness's manual clock (the in-memory store's lease clock) and the
 * heartbeat runs on a manual executor: no test sleeps.
 */
// a regression that hands the lease to a second instance would block that engine on a closed gate: fail, never hang
@Timeout(120)
class OneInstancePerLeaseTest {

    private static final Duration PROMPT = Duration.ofSeconds(10);
    private static final String ACCOUNT_LEASE = "crmsync:Account";

    private final GatedSleeper gate = new GatedSleeper();
    private final EngineHarness h = new EngineHarness(crm -> crm.sleeper(gate));
    private final List<Thread> threads = new ArrayList<>();

    @AfterEach
    void releaseTheGate() throws InterruptedException {
        gate.release();
        for (Thread t : threads) {
            t.join(PROMPT.toMillis());
        }
    }

    /** Starts a cycle of the engine on its own thread, its first page read blocked in the gate. */
    private AtomicReference<SyncReport> startBlockedCycle(SyncEngine engine) throws InterruptedException {
        h.crm.faults().latency(CrmOperation.READ_PAGE, Duration.ofMinutes(30));
        AtomicReference<SyncReport> report = new AtomicReference<>();
        Thread t = new Thread(() -> report.set(engine.runCycle()), "cycle");
        threads.add(t);
        t.start();
        assertTrue(gate.awaitWaiting(1, PROMPT), "the cycle is blocked in a CRM call");
        return report;
    }

    private SyncReport finish(AtomicReference<SyncReport> report) throws InterruptedException {
        h.crm.faults().clear();
        gate.release();
        threads.get(0).join(PROMPT.toMillis());
        assertFalse(threads.get(0).isAlive());
        return report.get();
    }

    @Test
    void aSecondInstanceWithTheSameEngineIdIsRefusedNamingTheHolder() throws InterruptedException {
        h.insertAccounts(4, "A");
        List<TypeReport> heard = new ArrayList<>();
        SyncListener listener = new SyncListener() {
            @Override
            public void onTypeDone(TypeReport report) {
                heard.add(report);
            }
        };
        try (SyncEngine first = h.builder().objectTypes(ObjectType.ACCOUNT).build();
             SyncEngine second = h.builder().objectTypes(ObjectType.ACCOUNT).listener(listener).build()) {
            assertEquals(first.engineId(), second.engineId());
            assertNotEquals(first.instanceToken(), second.instanceToken());
            AtomicReference<SyncReport> firstReport = startBlockedCycle(first);

            SyncReport refused = second.runCycle();

            TypeOutcome.Blocked blocked = assertInstanceOf(TypeOutcome.Blocked.class,
                    refused.type(ObjectType.ACCOUNT).orElseThrow().outcome(), refused::toTable);
            Lease holder = blocked.holder();
            assertEquals(ACCOUNT_LEASE, holder.name());
            assertEquals("test-engine", holder.owner());
            assertEquals(first.instanceToken(), holder.instance(), "the holder is the first instance");
            assertEquals(EngineHarness.T0, holder.acquiredAt(), "since when");
            assertTrue(blocked.reason().contains("engine 'test-engine' (instance '" + first.instanceToken()
                    + "') since " + EngineHarness.T0), blocked.reason());
            assertInstanceOf(CycleOutcome.Partial.class, refused.outcome(), "never COMPLETE");
            assertFalse(refused.isComplete());
            assertTrue(refused.toTable().contains("blocked"), refused::toTable);
            assertEquals(List.of(refused.type(ObjectType.ACCOUNT).orElseThrow()), heard, "the listener heard it");
            assertEquals(0, h.data.size(ObjectType.ACCOUNT), "the refused instance wrote nothing");

            SyncReport done = finish(firstReport);
            assertTrue(done.isComplete(), done::toTable);

            SyncReport taken = second.runCycle();                // the first released its lease: the second takes it
            assertInstanceOf(TypeOutcome.Synced.class, taken.type(ObjectType.ACCOUNT).orElseThrow().outcome(),
                    taken::toTable);
        }
    }

    @Test
    void aDeadInstancesLeaseLapsesWithinTheDefaultTtlAndTheRestartTakesTheType() {
        assertTrue(SyncEngine.DEFAULT_LEASE_TTL.compareTo(Duration.ofMinutes(1)) <= 0,
                "a dead holder's lease lapses within a minute");
        h.insertAccounts(3, "A");
        // a process killed with -9 while it held the lease, with the default ttl: it never releases it
        h.state.tryAcquireLease(ACCOUNT_LEASE, "test-engine", "killed-instance", SyncEngine.DEFAULT_LEASE_TTL);
        try (SyncEngine restarted = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
            SyncReport blocked = restarted.runCycle();
            assertInstanceOf(TypeOutcome.Blocked.class, blocked.type(ObjectType.ACCOUNT).orElseThrow().outcome());
            assertFalse(blocked.isComplete(), blocked::toTable);

            h.clock.advance(SyncEngine.DEFAULT_LEASE_TTL.minusSeconds(1));
            assertFalse(restarted.runCycle().isComplete(), "still held a second before it lapses");

            h.clock.advance(Duration.ofSeconds(1));
            SyncReport taken = restarted.runCycle();
            assertTrue(taken.isComplete(), taken::toTable);
            assertEquals(3, taken.totals().created());
        }
    }

    @Test
    void theHeartbeatKeepsTheLeasePastItsTtlWhileACrmCallBlocks() throws InterruptedException {
        h.insertAccounts(4, "A");
        Duration ttl = Duration.ofSeconds(30);
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).leaseTtl(ttl).build()) {
            AtomicReference<SyncReport> report = startBlockedCycle(engine);
            for (int beat = 0; beat < 6; beat++) {               // 60 s: twice the ttl, inside one CRM call
                h.clock.advance(Duration.ofSeconds(10));
                h.renewals.advance(Duration.ofSeconds(10));
            }
            assertEquals(6, h.state.log().count(StoreOperation.RENEW_LEASE), "one renewal every third of the ttl");
            LeaseAttempt other = h.state.tryAcquireLease(ACCOUNT_LEASE, "other-engine", "i9", ttl);
            Lease holder = assertInstanceOf(LeaseAttempt.Refused.class, other).holder();
            assertEquals(engine.instanceToken(), holder.instance());
            assertEquals(h.clock.instant().plus(ttl), holder.expiresAt(), "renewed from the store's now");

            SyncReport done = finish(report);
            assertTrue(done.isComplete(), done::toTable);
            assertEquals(4, h.data.size(ObjectType.ACCOUNT), "its commit found the lease still held");
        }
        assertEquals(0, h.renewals.pending(), "the released lease's heartbeat was cancelled");
    }

    @Test
    void withoutItsHeartbeatALeaseLapsesDuringABlockedCallAndTheCommitIsRefused() throws InterruptedException {
        h.insertAccounts(4, "A");
        Duration ttl = Duration.ofSeconds(30);
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).leaseTtl(ttl).build()) {
            AtomicReference<SyncReport> report = startBlockedCycle(engine);
            h.clock.advance(ttl);                                 // a frozen process: no heartbeat ran
            assertTrue(h.state.tryAcquireLease(ACCOUNT_LEASE, "test-engine", "restarted", ttl).granted(),
                    "another instance takes the lapsed lease");
            SyncReport done = finish(report);
            TypeOutcome outcome = done.type(ObjectType.ACCOUNT).orElseThrow().outcome();
            assertInstanceOf(TypeOutcome.Failed.class, outcome, done::toTable);
            assertTrue(outcome.reason().contains("no longer held"), outcome.reason());
        }
        assertEquals(0, h.state.checkpoint(ObjectType.ACCOUNT).map(c -> c.recordsDone()).orElse(0L));
    }

    @Test
    void cycleIdsDifferAcrossInstancesAndRestarts() {
        List<String> ids = new ArrayList<>();
        for (int restart = 0; restart < 3; restart++) {
            try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
                String id = engine.runCycle().cycleId();
                assertTrue(id.startsWith("test-engine-" + engine.instanceToken() + "-"), id);
                ids.add(id);
            }
        }
        assertEquals(3, ids.stream().distinct().count(), "unique across restarts: " + ids);
    }

    @Test
    void instanceTokensAreTimeOrderedAndShownByTheEngine() {
        try (SyncEngine a = h.builder().build()) {
            h.clock.advance(Duration.ofSeconds(1));
            try (SyncEngine b = h.builder().build()) {
                assertTrue(a.instanceToken().matches("[0-9a-z]+-[0-9a-f]{6}"), a.instanceToken());
                String pa = a.instanceToken().substring(0, a.instanceToken().indexOf('-'));
                String pb = b.instanceToken().substring(0, b.instanceToken().indexOf('-'));
                assertTrue(Long.parseLong(pb, 36) > Long.parseLong(pa, 36), pa + " then " + pb);
                assertTrue(a.toString().contains(a.instanceToken()), a.toString());
            }
        }
    }

    @Test
    void pushNowIsRefusedPerRecordWhileAnotherInstanceHoldsTheTypesLease() {
        MarketingRecord p = h.store.saveLocal(ObjectType.LEAD, null,
                Map.of("LastName", FieldValue.text("Doe"), "Company", FieldValue.text("Acme")));
        h.state.tryAcquireLease("crmsync:Lead", "test-engine", "other-process", Duration.ofSeconds(30));
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.LEAD).build()) {
            List<PushResult> results = engine.pushNow(p.marketingId());
            PushResult.Rejected r = assertInstanceOf(PushResult.Rejected.class, results.get(0));
            assertEquals("LEASE_HELD", r.code());
            assertTrue(r.retriable());
            assertTrue(r.message().contains("instance 'other-process'"), r.message());
            assertFalse(r.message().contains("Doe") || r.message().contains("Acme"), "no customer value");
            assertEquals(0, h.crm.count(ObjectType.LEAD), "nothing was sent");

            h.clock.advance(Duration.ofSeconds(30));              // the other lapses
            PushResult created = engine.pushNow(p.marketingId()).get(0);
            assertInstanceOf(PushResult.Created.class, created, created::toString);
        }
        assertTrue(h.state.tryAcquireLease("crmsync:Lead", "x", "y", Duration.ofSeconds(30)).granted(),
                "the push released the lease it took");
        assertEquals(1, h.state.log().count(StoreOperation.RELEASE_LEASE), "released by the push that took it");
    }
}
