package dev.crmsync.core;

import dev.crmsync.core.report.CycleOutcome;
import dev.crmsync.core.report.SyncReport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SyncSchedulerTest {

    private static final Duration PAUSE = Duration.ofMinutes(5);

    private ManualScheduledExecutor executor;
    private SyncEngine engine;

    @BeforeEach
    void setUp() {
        executor = new ManualScheduledExecutor();
        engine = mock(SyncEngine.class);
        when(engine.engineId()).thenReturn("test-engine");
    }

    private static SyncReport report(String id, CycleOutcome outcome) {
        return new SyncReport(id, Instant.EPOCH, Instant.EPOCH, outcome, List.of(), Map.of());
    }

    private SyncScheduler scheduler() {
        return SyncScheduler.builder(engine).pause(PAUSE).executor(executor).build();
    }

    @Test
    void pauseIsMeasuredFromTheEndOfEachCycle() {
        List<Duration> starts = new ArrayList<>();
        when(engine.runCycle()).thenAnswer(inv -> {
            starts.add(executor.now());
            executor.elapse(Duration.ofMinutes(3));   // the cycle takes 3 minutes
            return report("c", new CycleOutcome.Complete());
        });
        try (SyncScheduler s = scheduler()) {
            s.start();
            executor.advance(Duration.ofMinutes(30));
        }
        // 0, then 3+5 = 8, 16, 24 (the next one, 32, is beyond 30)
        assertEquals(List.of(Duration.ZERO, Duration.ofMinutes(8), Duration.ofMinutes(16), Duration.ofMinutes(24)), starts);
    }

    @Test
    void nextCycleIsScheduledOnlyAfterTheRunningOneEnds() {
        AtomicInteger pendingDuringCycle = new AtomicInteger(-1);
        when(engine.runCycle()).thenAnswer(inv -> {
            pendingDuringCycle.set(executor.pending());
            return report("c", new CycleOutcome.Complete());
        });
        try (SyncScheduler s = scheduler()) {
            s.start();
            assertEquals(1, executor.pending());
            executor.runNext();
            assertEquals(0, pendingDuringCycle.get(), "nothing else may be scheduled while a cycle runs");
            assertEquals(1, executor.pending());
            assertEquals(PAUSE, executor.nextDelay().orElseThrow());
        }
    }

    @Test
    void startingTwiceSchedulesOneLoop() {
        when(engine.runCycle()).thenReturn(report("c", new CycleOutcome.Complete()));
        try (SyncScheduler s = scheduler()) {
            s.start();
            s.start();
            assertEquals(1, executor.pending());
        }
    }

    @Test
    void aCycleThatThrowsIsRetriedAtTheNextTick() {
        when(engine.runCycle())
                .thenThrow(new IllegalArgumentException("boom"))
                .thenReturn(report("c2", new CycleOutcome.Complete()));
        try (SyncScheduler s = scheduler()) {
            s.start();
            executor.advance(Duration.ZERO);
            assertTrue(s.isRunning());
            assertEquals(1, executor.pending());
            executor.advance(PAUSE);
            verify(engine, times(2)).runCycle();
            assertEquals("c2", s.lastReport().orElseThrow().cycleId());
            assertEquals(1, s.cyclesRun());
        }
    }

    @Test
    void aFailedCycleKeepsTheLoopGoing() {
        when(engine.runCycle()).thenReturn(report("c", new CycleOutcome.Failed("CRM down")));
        try (SyncScheduler s = scheduler()) {
            s.start();
            executor.advance(PAUSE.multipliedBy(2));
            verify(engine, times(3)).runCycle();
            assertTrue(s.isRunning());
        }
    }

    @Test
    void aRefusedCycleIsTriedAgainAfterThePause() {
        when(engine.runCycle())
                .thenThrow(new IllegalStateException("a cycle of engine 'test-engine' is already running"))
                .thenReturn(report("c", new CycleOutcome.Complete()));
        try (SyncScheduler s = scheduler()) {
            s.start();
            executor.advance(PAUSE);
            verify(engine, times(2)).runCycle();
            assertTrue(s.isRunning());
        }
    }

    @Test
    void closeStopsTheLoopAndCancelsThePendingCycle() {
        when(engine.runCycle()).thenReturn(report("c", new CycleOutcome.Complete()));
        SyncScheduler s = scheduler();
        s.start();
        executor.advance(Duration.ZERO);
        s.close();
        assertFalse(s.isRunning());
        assertEquals(0, executor.pending());
        executor.advance(PAUSE.multipliedBy(10));
        verify(engine, times(1)).runCycle();
    }

    @Test
    void closeIsIdempotent() {
        SyncScheduler s = scheduler();
        s.start();
        s.close();
        s.close();
        assertFalse(s.isRunning());
    }

    @Test
    void closeFromWithinACycleStopsTheLoopAfterIt() {
        SyncScheduler s = scheduler();
        when(engine.runCycle()).thenAnswer(inv -> {
            s.close();
            return report("c", new CycleOutcome.Complete());
        });
        s.start();
        executor.advance(PAUSE.multipliedBy(3));
        verify(engine, times(1)).runCycle();
        assertEquals(0, executor.pending());
    }

    @Test
    void neverShutsDownAnInjectedExecutor() {
        SyncScheduler s = scheduler();
        s.start();
        s.close();
        assertFalse(executor.isShutdown());
    }

    @Test
    void startAfterCloseIsRefused() {
        SyncScheduler s = scheduler();
        s.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, s::start);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void loopStopsWhenTheEngineIsClosed() {
        when(engine.isClosed()).thenReturn(true);
        try (SyncScheduler s = scheduler()) {
            s.start();
            executor.advance(PAUSE.multipliedBy(3));
            verify(engine, never()).runCycle();
            assertFalse(s.isRunning());
            assertEquals(0, executor.pending());
        }
    }

    @Test
    void loopStopsWhenTheExecutorRefusesTheNextCycle() {
        when(engine.runCycle()).thenAnswer(inv -> {
            executor.shutdown();
            return report("c", new CycleOutcome.Complete());
        });
        SyncScheduler s = scheduler();
        s.start();
        executor.advance(Duration.ZERO);
        assertFalse(s.isRunning());
    }

    @Test
    void initialDelayDefersTheFirstCycle() {
        when(engine.runCycle()).thenReturn(report("c", new CycleOutcome.Complete()));
        try (SyncScheduler s = SyncScheduler.builder(engine).executor(executor)
                .initialDelay(Duration.ofSeconds(30)).build()) {
            s.start();
            assertEquals(Duration.ofSeconds(30), executor.nextDelay().orElseThrow());
            assertEquals(SyncScheduler.DEFAULT_PAUSE, s.pause());
        }
    }

    @Test
    void drivesARealEngineCycleAfterCycle() {
        EngineHarness h = new EngineHarness();
        h.insertAccounts(3, "A");
        try (SyncEngine real = h.builder().objectTypes(dev.crmsync.model.ObjectType.ACCOUNT).build();
             SyncScheduler s = SyncScheduler.builder(real).pause(PAUSE).executor(executor).build()) {
            s.start();
            executor.advance(Duration.ZERO);
            assertEquals(3, s.lastReport().orElseThrow().totals().created());
            h.insertAccounts(2, "B");
            executor.advance(PAUSE);
            assertEquals(2, s.lastReport().orElseThrow().totals().created());
            assertEquals(2, s.cyclesRun());
            h.assertStoreMirrorsCrm(dev.crmsync.model.ObjectType.ACCOUNT);
        }
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        SyncScheduler.Builder b = SyncScheduler.builder(engine);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.pause(Duration.ZERO))
                .getMessage().contains("PT0S"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.pause(Duration.ofSeconds(-1)))
                .getMessage().contains("PT-1S"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.initialDelay(Duration.ofSeconds(-2)))
                .getMessage().contains("PT-2S"));
        assertThrows(NullPointerException.class, () -> b.executor(null));
        assertThrows(NullPointerException.class, () -> SyncScheduler.builder(null));
    }

    @Test
    void aSuppliedPauseIsAskedAfterEachCycleAndAnUnusableOneFallsBackToTheDefault() {
        List<Duration> starts = new ArrayList<>();
        when(engine.runCycle()).thenAnswer(inv -> {
            starts.add(executor.now());
            return report("c", new CycleOutcome.Complete());
        });
        java.util.Deque<Duration> pauses = new java.util.ArrayDeque<>(List.of(Duration.ofMinutes(30),
                Duration.ofMinutes(1), Duration.ZERO));
        AtomicInteger asked = new AtomicInteger();
        try (SyncScheduler s = SyncScheduler.builder(engine).pause(() -> {
            asked.incrementAndGet();
            return pauses.isEmpty() ? Duration.ofHours(1) : pauses.poll();
        }).executor(executor).build()) {
            s.start();
            executor.advance(Duration.ofMinutes(40));
        }
        // 0, +30 = 30, +1 = 31, then ZERO is refused: the default 5 minutes, 36; then an hour
        assertEquals(List.of(Duration.ZERO, Duration.ofMinutes(30), Duration.ofMinutes(31), Duration.ofMinutes(36)),
                starts);
        assertEquals(4, asked.get(), "asked once after each cycle, never before the first");
        assertThrows(NullPointerException.class,
                () -> SyncScheduler.builder(engine).pause((java.util.function.Supplier<Duration>) null));
    }
}
