package dev.crmsync.core;

import dev.crmsync.core.report.CycleOutcome;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.ObjectType;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.MarketingStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Closing, interrupting and lease keeping while a cycle runs. */
class EngineLifecycleTest {

    private final EngineHarness h = new EngineHarness();

    @Test
    void closeFromAnotherThreadStopsTheCycleAtThePageBoundaryAndWaitsForIt() throws InterruptedException {
        h.insertAccounts(12, "A");
        AtomicReference<SyncEngine> self = new AtomicReference<>();
        AtomicReference<Thread> closer = new AtomicReference<>();
        AtomicBoolean closeReturnedBeforeCycleEnded = new AtomicBoolean();
        AtomicBoolean cycleEnded = new AtomicBoolean();
        SyncListener closeFromElsewhere = new SyncListener() {
            @Override
            public void onProgress(ObjectType type, long done, OptionalLong total) {
                if (done == 4) {
                    Thread t = new Thread(() -> {
                        self.get().close();
                        closeReturnedBeforeCycleEnded.set(!cycleEnded.get());
                    });
                    closer.set(t);
                    t.start();
                    while (!self.get().isClosed()) {
                        Thread.onSpinWait();            // until the other thread has flipped the state
                    }
                }
            }

            @Override
            public void onCycleDone(SyncReport report) {
                cycleEnded.set(true);                   // still inside the cycle
            }
        };
        SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(4).listener(closeFromElsewhere).build();
        self.set(engine);
        SyncReport report = engine.runCycle();
        closer.get().join();
        assertFalse(closeReturnedBeforeCycleEnded.get(), "close() waits for the running cycle to stop");
        assertInstanceOf(TypeOutcome.Stopped.class, report.type(ObjectType.ACCOUNT).orElseThrow().outcome());
        assertEquals(4, h.data.size(ObjectType.ACCOUNT), "stopped at the page boundary, the page kept");
        assertFalse(engine.isCycleRunning());
    }

    @Test
    void anInterruptedCycleStopsAtThePageBoundaryAndKeepsTheInterruptFlag() {
        h.insertAccounts(8, "A");
        h.crm.insert(ObjectType.TASK, java.util.Map.of());
        SyncListener interrupt = new SyncListener() {
            @Override
            public void onProgress(ObjectType type, long done, OptionalLong total) {
                if (done == 4) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        SyncReport report;
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT, ObjectType.TASK).pageSize(4)
                .listener(interrupt).build()) {
            report = engine.runCycle();
            assertTrue(Thread.interrupted(), "the interrupt flag is kept (and cleared here)");
        }
        TypeOutcome account = report.type(ObjectType.ACCOUNT).orElseThrow().outcome();
        assertInstanceOf(TypeOutcome.Stopped.class, account);
        assertTrue(account.reason().contains("interrupted"), account.reason());
        assertInstanceOf(TypeOutcome.NotRun.class, report.type(ObjectType.TASK).orElseThrow().outcome());
        assertInstanceOf(CycleOutcome.Partial.class, report.outcome());
    }

    @Test
    void theLeaseIsRenewedBetweenPagesSoNoOtherEngineTakesTheTypeMidway() {
        h.insertAccounts(10, "A");
        AtomicReference<Boolean> otherGotIt = new AtomicReference<>(false);
        SyncListener slowPages = new SyncListener() {
            @Override
            public void onProgress(ObjectType type, long done, OptionalLong total) {
                h.clock.advance(Duration.ofSeconds(40));  // each page takes 40 s of a 60 s lease
                if (done == 8) {
                    otherGotIt.set(h.state.tryAcquireLease("crmsync:Account", "other-engine", "other-instance",
                            Duration.ofMinutes(1)).granted());
                }
            }
        };
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(2)
                .leaseTtl(Duration.ofMinutes(1)).listener(slowPages).build()) {
            SyncReport report = engine.runCycle();
            assertTrue(report.isComplete(), report::toTable);
        }
        assertFalse(otherGotIt.get(), "the lease was still held, renewed, when another engine asked");
    }

    @Test
    void aTypeWhoseLeaseWasLostMidwayFailsWithoutTouchingTheCheckpointAgain() {
        h.insertAccounts(6, "A");
        SyncListener stealLease = new SyncListener() {
            @Override
            public void onProgress(ObjectType type, long done, OptionalLong total) {
                if (done == 2) {
                    h.clock.advance(Duration.ofMinutes(2));   // the lease lapses...
                    h.state.tryAcquireLease("crmsync:Account", "other-engine", "other-instance",
                            Duration.ofMinutes(10));          // ...and another engine takes it
                }
            }
        };
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(2)
                .leaseTtl(Duration.ofMinutes(1)).listener(stealLease).build()) {
            SyncReport report = engine.runCycle();
            TypeOutcome outcome = report.type(ObjectType.ACCOUNT).orElseThrow().outcome();
            assertInstanceOf(TypeOutcome.Failed.class, outcome, report::toTable);
            assertTrue(outcome.reason().contains("lost"), outcome.reason());
        }
        assertEquals(2, h.state.checkpoint(ObjectType.ACCOUNT).orElseThrow().recordsDone());
    }

    @Test
    void aLeaseLostWhileAPageIsWrittenStopsThatPagesCheckpoint() {
        h.insertAccounts(6, "A");
        AtomicInteger upserts = new AtomicInteger();
        AtomicBoolean otherGotIt = new AtomicBoolean();
        // the engine pauses inside its second page's write (a GC pause, a slow store) past its
        // lease, and another engine takes the type over meanwhile
        MarketingStore pausing = (MarketingStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BidirectionalStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("upsert") && upserts.incrementAndGet() == 2) {
                        h.clock.advance(Duration.ofMinutes(2));
                        otherGotIt.set(h.state.tryAcquireLease("crmsync:Account", "other-engine", "other-instance",
                                Duration.ofMinutes(10)).granted());
                    }
                    try {
                        return method.invoke(h.store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (SyncEngine engine = h.builder().marketingStore(pausing).objectTypes(ObjectType.ACCOUNT).pageSize(2)
                .leaseTtl(Duration.ofMinutes(1)).build()) {
            SyncReport report = engine.runCycle();
            TypeOutcome outcome = report.type(ObjectType.ACCOUNT).orElseThrow().outcome();
            assertInstanceOf(TypeOutcome.Failed.class, outcome, report::toTable);
            assertTrue(outcome.reason().contains("no longer held"), outcome.reason());
        }
        assertTrue(otherGotIt.get());
        assertEquals(2, h.state.checkpoint(ObjectType.ACCOUNT).orElseThrow().recordsDone(),
                "the page written after the lease lapsed did not move the checkpoint");
    }

    @Test
    void cycleIdsAreNumberedPerEngineInstance() {
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
            assertEquals("test-engine-" + engine.instanceToken() + "-1", engine.runCycle().cycleId());
            assertEquals("test-engine-" + engine.instanceToken() + "-2", engine.runCycle().cycleId());
            assertEquals(List.of(), engine.parkedFailures());
        }
    }
}
