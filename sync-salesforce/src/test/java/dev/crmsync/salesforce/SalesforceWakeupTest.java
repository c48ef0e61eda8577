package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.Cursor;
import dev.crmsync.model.CallAbortedException;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.GatedSleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SalesforceCrmSource#wakeup(Thread)} over real HTTP: a request the fake server holds (its
 * slow-request delay goes through a {@link GatedSleeper} no one releases) is cancelled, a Bulk job
 * wait (the source's sleeper, gated) is woken and the job aborted, neither is retried, and
 * {@code SyncEngine.close()} reaches both. No test sleeps; time bounds are generous upper bounds.
 */
class SalesforceWakeupTest {

    private static final Duration PROMPT = Duration.ofSeconds(10);
    private static final Set<String> LEAD_FIELDS = Set.of("LastName", "Company", "Email");

    private final GatedSleeper serverGate = new GatedSleeper();
    private final GatedSleeper sourceGate = new GatedSleeper();
    private final FakeOrg org = new FakeOrg(crm -> { }, server -> server.sleeper(serverGate));
    private final List<Thread> threads = new ArrayList<>();

    @AfterEach
    void close() throws InterruptedException {
        serverGate.release();
        sourceGate.release();
        for (Thread t : threads) {
            t.join(PROMPT.toMillis());
        }
        org.close();
    }

    /** Runs the work on a new thread, keeping what it returned or threw. */
    private <T> Thread spawn(Supplier<T> work, AtomicReference<Object> outcome) {
        Thread t = new Thread(() -> {
            try {
                outcome.set(work.get());
            } catch (RuntimeException e) {
                outcome.set(e);
            }
        }, "caller");
        threads.add(t);
        t.start();
        return t;
    }

    private static List<SyncRecord> firstPage(SalesforceCrmSource sf, ObjectType type, Set<String> fields) {
        try (ChangeStream s = sf.openChanges(new ChangeQuery(type, fields, Cursor.START, 2_000))) {
            return s.nextPage();
        }
    }

    @Test
    void wakeupCancelsARequestBlockedInTheServerAndTheCallIsNotRetried() throws InterruptedException {
        org.leads(5);
        org.server.faults().slowNext("/queryAll", 1, Duration.ofMinutes(10));
        try (SalesforceCrmSource sf = org.open(org.source())) {
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread caller = spawn(() -> firstPage(sf, ObjectType.LEAD, LEAD_FIELDS), outcome);
            assertTrue(serverGate.awaitWaiting(1, PROMPT), "the query is held by the server");

            sf.wakeup(caller);
            caller.join(PROMPT.toMillis());

            assertFalse(caller.isAlive(), "the blocked call returned");
            CallAbortedException e = assertInstanceOf(CallAbortedException.class, outcome.get());
            assertTrue(e.getMessage().contains("queryAll"), e.getMessage());
            assertFalse(e.isRetriable());
            assertEquals(1L, sf.callCounts().get("queryAll"), "sent once: an aborted call is not retried");

            serverGate.release();
            assertEquals(5, firstPage(sf, ObjectType.LEAD, LEAD_FIELDS).size(),
                    "the source works on afterwards (the breaker did not count the abort)");
        }
    }

    @Test
    void wakeupOfAnotherThreadLeavesTheBlockedCallAlone() throws InterruptedException {
        org.leads(3);
        org.server.faults().slowNext("/queryAll", 1, Duration.ofMinutes(10));
        try (SalesforceCrmSource sf = org.open(org.source())) {
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread caller = spawn(() -> firstPage(sf, ObjectType.LEAD, LEAD_FIELDS), outcome);
            assertTrue(serverGate.awaitWaiting(1, PROMPT));

            sf.wakeup(Thread.currentThread());         // an engine sharing the source, closing
            serverGate.release();
            caller.join(PROMPT.toMillis());

            assertEquals(3, assertInstanceOf(List.class, outcome.get()).size());
        }
    }

    @Test
    void wakeupEndsABulkJobWaitAndAbortsTheJob() throws InterruptedException {
        org.leads(2_500);
        org.server.faults().bulkJobsNeverComplete(true);
        try (SalesforceCrmSource sf = org.open(org.source().sleeper(sourceGate).bulkThreshold(1_000)
                .bulkJobTimeout(Duration.ofHours(1)))) {
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread caller = spawn(() -> {
                try (ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, LEAD_FIELDS, Cursor.START, 2_000))) {
                    s.nextPage();                      // REST: the first page, then the rest through Bulk
                    return s.nextPage();
                }
            }, outcome);
            assertTrue(sourceGate.awaitWaiting(1, PROMPT), "waiting for the Bulk job");
            assertEquals(1, sf.openBulkJobs());

            sf.wakeup(caller);
            caller.join(PROMPT.toMillis());

            assertFalse(caller.isAlive());
            CallAbortedException e = assertInstanceOf(CallAbortedException.class, outcome.get());
            assertTrue(e.getMessage().contains("Bulk API job") && e.getMessage().contains("aborted"), e.getMessage());
            assertFalse(caller.isInterrupted(), "the wake-up's interrupt does not leak out of the wait");
            assertEquals(1, sourceGate.interrupted());
            assertEquals(0, sf.openBulkJobs());
            assertEquals(0, org.server.openBulkJobs(), "the job was aborted");
            assertEquals(1L, sf.callCounts().get("bulk.abort"));
            assertEquals(null, sf.callCounts().get("bulk.poll"), "woken in its first wait, before any poll");
        }
    }

    @Test
    void noRequestStartsOnAnInterruptedThread() {
        org.leads(1);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            Thread.currentThread().interrupt();
            try {
                assertThrows(CallAbortedException.class, sf::availableTypes);
                assertTrue(Thread.currentThread().isInterrupted(), "the flag stays set");
            } finally {
                Thread.interrupted();
            }
            assertEquals(Map.of(), sf.callCounts(), "nothing was sent");
            assertEquals(0, org.recorded());
            assertFalse(sf.availableTypes().isEmpty());
        }
    }

    @Test
    void engineCloseAbortsACycleBlockedInASalesforceRequest() throws InterruptedException {
        org.leads(5);
        org.server.faults().slowNext("/queryAll", 1, Duration.ofMinutes(10));
        InMemoryMarketingStore store = new InMemoryMarketingStore(org.clock);
        InMemorySyncStateStore state = new InMemorySyncStateStore();
        try (SalesforceCrmSource sf = org.open(org.source())) {
            SyncEngine engine = SyncEngine.builder().crmSource(sf).marketingStore(store).syncStateStore(state)
                    .clock(org.clock).objectTypes(ObjectType.LEAD).closeTimeout(Duration.ofMillis(100)).build();
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread cycle = spawn(engine::runCycle, outcome);
            assertTrue(serverGate.awaitWaiting(1, PROMPT), "the cycle's query is held by the server");

            assertTimeoutPreemptively(PROMPT, engine::close);

            cycle.join(PROMPT.toMillis());
            SyncReport report = assertInstanceOf(SyncReport.class, outcome.get());
            TypeOutcome lead = report.type(ObjectType.LEAD).orElseThrow().outcome();
            assertInstanceOf(TypeOutcome.Stopped.class, lead, report::toTable);
            assertTrue(lead.reason().contains("aborted"), lead.reason());
            assertEquals(0, store.size(ObjectType.LEAD));
            assertEquals(1L, sf.callCounts().get("queryAll"));

            serverGate.release();
            org.server.faults().clear();
            try (SyncEngine next = SyncEngine.builder().crmSource(sf).marketingStore(store).syncStateStore(state)
                    .clock(org.clock).objectTypes(ObjectType.LEAD).build()) {
                assertTrue(next.runCycle().isComplete());
            }
            assertEquals(5, store.size(ObjectType.LEAD));
        }
    }
}
