package dev.crmsync.core;

import dev.crmsync.testkit.CrmOperation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.GatedSleeper;
import dev.crmsync.testkit.InMemoryCrm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SyncEngine#close()} within its bound: a cycle blocked in a CRM call (injected latency
 * held by a {@link GatedSleeper}, which no one releases) is aborted, never waited for without end.
 * No test sleeps; the only time bounds are generous upper bounds.
 */
class EngineCloseTest {

    /** Upper bound on anything that should be prompt, generous for a loaded 2-core machine. */
    private static final Duration PROMPT = Duration.ofSeconds(10);

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

    /** A listener that, once the first page of 4 is written, makes the next page read block in the gate. */
    private SyncListener blockSecondPage() {
        return new SyncListener() {
            @Override
            public void onProgress(ObjectType type, long done, OptionalLong total) {
                if (done == 4) {
                    h.crm.faults().latency(CrmOperation.READ_PAGE, Duration.ofMinutes(30));
                }
            }
        };
    }

    /** Starts the engine's cycle on its own thread and waits until it is blocked in the gate. */
    private AtomicReference<SyncReport> startBlockedCycle(SyncEngine engine) throws InterruptedException {
        AtomicReference<SyncReport> report = new AtomicReference<>();
        Thread t = new Thread(() -> report.set(engine.runCycle()), "cycle");
        threads.add(t);
        t.start();
        assertTrue(gate.awaitWaiting(1, PROMPT), "the cycle is blocked in a CRM call");
        return report;
    }

    private Thread cycleThread() {
        return threads.get(0);
    }

    @Test
    void closeAbortsABlockedCrmCallOnceTheCloseTimeoutHasPassedAndReturns() throws InterruptedException {
        h.insertAccounts(12, "A");
        SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(4).listener(blockSecondPage())
                .closeTimeout(Duration.ofMillis(200)).build();
        AtomicReference<SyncReport> report = startBlockedCycle(engine);

        assertTimeoutPreemptively(PROMPT, engine::close);

        assertEquals(1, gate.interrupted(), "the blocked CRM call was woken up");
        assertFalse(engine.isCycleRunning(), "close() returned once the aborted cycle had ended");
        cycleThread().join(PROMPT.toMillis());
        assertFalse(Thread.currentThread().isInterrupted());
        TypeOutcome account = report.get().type(ObjectType.ACCOUNT).orElseThrow().outcome();
        assertInstanceOf(TypeOutcome.Stopped.class, account, report.get()::toTable);
        assertTrue(account.reason().contains("engine closed") && account.reason().contains("aborted"),
                account.reason());
        assertEquals(4, h.data.size(ObjectType.ACCOUNT), "the page written before the blocked read is kept");
        assertEquals(4, h.state.checkpoint(ObjectType.ACCOUNT).orElseThrow().recordsDone(),
                "the checkpoint stays at the last durable page");
        assertEquals(2, h.crm.callCounts().get(CrmOperation.READ_PAGE.callName()), "the aborted read was not repeated");
    }

    @Test
    void theNextEngineResumesFromTheDurableCheckpointWithNothingLostOrWrittenTwice() throws InterruptedException {
        h.insertAccounts(12, "A");
        SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(4).listener(blockSecondPage())
                .closeTimeout(Duration.ZERO).build();
        startBlockedCycle(engine);
        assertTimeoutPreemptively(PROMPT, engine::close);
        h.crm.faults().clear();

        try (SyncEngine next = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(4).build()) {
            SyncReport report = next.runCycle();
            assertTrue(report.isComplete(), report::toTable);
            assertEquals(8, report.totals().created(), "only the 8 records the stopped cycle had not stored");
        }
        assertEquals(12, h.data.size(ObjectType.ACCOUNT));
        assertTrue(h.state.checkpoint(ObjectType.ACCOUNT).orElseThrow().initialCopyDone());
    }

    @Test
    void closeIsIdempotentAndSafeFromSeveralThreadsAtOnce() throws InterruptedException {
        h.insertAccounts(12, "A");
        SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(4).listener(blockSecondPage())
                .closeTimeout(Duration.ofMillis(100)).build();
        AtomicReference<SyncReport> report = startBlockedCycle(engine);

        CountDownLatch go = new CountDownLatch(1);
        List<Thread> closers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                engine.close();
            }, "closer-" + i);
            closers.add(t);
            t.start();
        }
        go.countDown();
        assertTimeoutPreemptively(PROMPT, () -> {
            for (Thread t : closers) {
                t.join();
            }
        });
        assertTimeoutPreemptively(PROMPT, engine::close);    // and once more, after the fact

        assertEquals(1, gate.interrupted(), "the blocked call was aborted once");
        assertTrue(engine.isClosed());
        assertFalse(engine.isCycleRunning());
        cycleThread().join(PROMPT.toMillis());
        assertInstanceOf(TypeOutcome.Stopped.class, report.get().type(ObjectType.ACCOUNT).orElseThrow().outcome());
        assertThrows(IllegalStateException.class, engine::runCycle);
    }

    @Test
    void closeFromAListenerOnTheCycleThreadReturnsAtOnceAndTheCycleStopsAtThePageBoundary() {
        h.insertAccounts(12, "A");
        AtomicReference<SyncEngine> self = new AtomicReference<>();
        SyncListener closeFromInside = new SyncListener() {
            @Override
            public void onProgress(ObjectType type, long done, OptionalLong total) {
                if (done == 4) {
                    self.get().close();
                    self.get().close();
                }
            }
        };
        SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(4).listener(closeFromInside)
                .closeTimeout(Duration.ZERO).build();
        self.set(engine);

        SyncReport report = assertTimeoutPreemptively(PROMPT, engine::runCycle);

        TypeOutcome account = report.type(ObjectType.ACCOUNT).orElseThrow().outcome();
        assertInstanceOf(TypeOutcome.Stopped.class, account);
        assertEquals("engine closed", account.reason(), "stopped at the boundary, no CRM call aborted");
        assertEquals(4, h.data.size(ObjectType.ACCOUNT));
        assertEquals(0, gate.asked().size());
        assertTrue(engine.isClosed());
    }

    @Test
    void anInterruptWhileACrmCallIsBlockedStopsTheTypeAndKeepsTheFlag() throws InterruptedException {
        h.insertAccounts(12, "A");
        SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(4).listener(blockSecondPage())
                .build();
        AtomicReference<Boolean> flagKept = new AtomicReference<>();
        AtomicReference<SyncReport> report = new AtomicReference<>();
        Thread t = new Thread(() -> {
            report.set(engine.runCycle());
            flagKept.set(Thread.currentThread().isInterrupted());
        }, "cycle");
        threads.add(t);
        t.start();
        assertTrue(gate.awaitWaiting(1, PROMPT));

        t.interrupt();
        t.join(PROMPT.toMillis());

        assertFalse(t.isAlive());
        assertEquals(Boolean.TRUE, flagKept.get(), "the interrupt flag is kept");
        TypeOutcome account = report.get().type(ObjectType.ACCOUNT).orElseThrow().outcome();
        assertInstanceOf(TypeOutcome.Stopped.class, account, report.get()::toTable);
        assertTrue(account.reason().contains("interrupted"), account.reason());
        assertEquals(4, h.state.checkpoint(ObjectType.ACCOUNT).orElseThrow().recordsDone());
        engine.close();
    }

    @Test
    void closingTheSchedulerAndThenTheEngineWhileACycleIsBlockedNeverHangs() throws InterruptedException {
        h.insertAccounts(12, "A");
        SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(4).listener(blockSecondPage())
                .closeTimeout(Duration.ZERO).build();
        SyncScheduler scheduler = SyncScheduler.builder(engine).build();   // its own daemon thread
        scheduler.start();
        assertTrue(gate.awaitWaiting(1, PROMPT), "the scheduled cycle is blocked in a CRM call");

        assertTimeoutPreemptively(PROMPT, scheduler::close);   // does not wait for the cycle
        assertTrue(engine.isCycleRunning(), "closing the scheduler leaves the running cycle alone");
        assertTimeoutPreemptively(PROMPT, engine::close);      // aborts it

        assertFalse(engine.isCycleRunning());
        assertFalse(scheduler.isRunning());
        assertEquals(1, gate.interrupted());
        assertTimeoutPreemptively(PROMPT, scheduler::close);
    }
}
