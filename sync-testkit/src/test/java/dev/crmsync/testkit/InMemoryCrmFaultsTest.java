package dev.crmsync.testkit;

import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.model.CrmId;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.model.Sleeper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.QuotaExceededException;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.model.SyncException;
import dev.crmsync.crm.Cursor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The fault plan, injected latency and call counting. */
class InMemoryCrmFaultsTest {

    private static final Instant T0 = Instant.parse("2024-04-01T00:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(99).sleeper(clock::advance).build();

    private static List<Boolean> failurePattern(long seed) {
        InMemoryCrm c = InMemoryCrm.builder().seed(seed).sleeper(d -> { }).build();
        c.faults().failRate(CrmOperation.DESCRIBE, 0.5, Fault.retriable());
        List<Boolean> out = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            try {
                c.describe(ObjectType.LEAD);
                out.add(false);
            } catch (RetriableSyncException e) {
                out.add(true);
            }
        }
        return out;
    }

    @Test
    void failRateIsReproducibleFromTheSeed() {
        List<Boolean> a = failurePattern(1);
        assertEquals(a, failurePattern(1));
        assertNotEquals(a, failurePattern(2));
        long failures = a.stream().filter(b -> b).count();
        assertTrue(failures > 10 && failures < 54, "about half fail: " + failures);
    }

    @Test
    void failNextFailsExactlyNCallsOfThatOperation() {
        crm.faults().failNext(CrmOperation.FETCH, 2, Fault.fatal());
        crm.describe(ObjectType.LEAD);
        for (int i = 0; i < 2; i++) {
            SyncException e = assertThrows(SyncException.class, () -> crm.fetch(ObjectType.LEAD, List.of(), Set.of()));
            assertFalse(e.isRetriable());
        }
        assertTrue(crm.fetch(ObjectType.LEAD, List.of(), Set.of()).isEmpty());
        assertEquals(3L, crm.callCounts().get("fetch"), "failed calls are counted");
    }

    @Test
    void aReadPageFaultFailsAPageOfAStream() {
        crm.faults().failNext(CrmOperation.READ_PAGE, 1, Fault.retriable());
        try (ChangeStream s = crm.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of(), Cursor.START, 10))) {
            assertThrows(RetriableSyncException.class, s::nextPage);
        }
    }

    @Test
    void aFailedPageReadCanBeRetriedOnTheSameStreamWithoutLoss() {
        for (int i = 0; i < 5; i++) {
            crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("L" + i)));
        }
        int read = 0;
        try (ChangeStream s = crm.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of(), Cursor.START, 2))) {
            read += s.nextPage().size();
            crm.faults().failNext(CrmOperation.READ_PAGE, 1, Fault.retriable());
            assertThrows(RetriableSyncException.class, s::nextPage);
            for (List<?> p = s.nextPage(); !p.isEmpty(); p = s.nextPage()) {
                read += p.size();
            }
        }
        assertEquals(5, read);
    }

    @Test
    void aLostAnswerCommitsTheWriteThenFailsRetriably() {
        crm.faults().failNext(CrmOperation.WRITE, 1, Fault.loseAnswer());
        CrmWrite create = new CrmWrite.Create("r1", Map.of("LastName", FieldValue.text("L"), "Company", FieldValue.text("C")));
        RetriableSyncException e = assertThrows(RetriableSyncException.class,
                () -> crm.write(ObjectType.LEAD, List.of(create)));
        assertTrue(e.getMessage().contains("write"), e.getMessage());
        assertEquals(1, crm.count(ObjectType.LEAD), "the CRM committed the create whose answer was lost");
        assertEquals(1L, crm.callCounts().get("write"));
    }

    @Test
    void aPlannedRejectionRejectsThatRecordsUpdateOnly() {
        CrmId a = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("A"), "Company", FieldValue.text("C")));
        CrmId b = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("B"), "Company", FieldValue.text("C")));
        crm.faults().reject(a, "UNABLE_TO_LOCK_ROW", true);
        List<CrmWriteResult> out = crm.write(ObjectType.LEAD, List.of(
                new CrmWrite.Update(a, Map.of("LastName", FieldValue.text("A2"))),
                new CrmWrite.Update(b, Map.of("LastName", FieldValue.text("B2")))));
        CrmWriteResult.Rejected r = assertInstanceOf(CrmWriteResult.Rejected.class, out.get(0));
        assertEquals("UNABLE_TO_LOCK_ROW", r.code());
        assertTrue(r.retriable());
        assertInstanceOf(CrmWriteResult.Written.class, out.get(1));
        assertEquals(1, crm.faults().injectedCount());
    }

    @Test
    void quotaAllowsTheGivenNumberOfCallsThenRefusesUntilCleared() {
        crm.faults().quotaExceededAfter(1);
        crm.availableTypes();
        QuotaExceededException e = assertThrows(QuotaExceededException.class, crm::availableTypes);
        assertTrue(e.getMessage().contains("REQUEST_LIMIT_EXCEEDED"), e.getMessage());
        assertEquals(1L, crm.callCounts().get("availableTypes"), "refused calls are not counted");
        crm.faults().clear();
        crm.availableTypes();
    }

    @Test
    void latencyIsSpentThroughTheSleeperWithoutSleeping() {
        crm.faults().latency(Duration.ofMillis(100)).latency(CrmOperation.WRITE, Duration.ofSeconds(2));
        crm.describe(ObjectType.LEAD);
        assertEquals(T0.plusMillis(100), clock.instant());
        crm.write(ObjectType.LEAD, List.of());
        assertEquals(T0.plusMillis(2200), clock.instant());
    }

    @Test
    void interruptDuringLatencyFailsTheCallAndKeepsTheInterruptFlag() {
        InMemoryCrm c = InMemoryCrm.builder().sleeper(d -> {
            throw new InterruptedException("test");
        }).build();
        c.faults().latency(Duration.ofSeconds(1));
        try {
            SyncException e = assertThrows(SyncException.class, () -> c.describe(ObjectType.LEAD));
            assertInstanceOf(InterruptedException.class, e.getCause());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void wakeupEndsTheCallersWaitInInjectedLatencyAndLeavesNoInterruptBehind() throws InterruptedException {
        GatedSleeper gate = new GatedSleeper();
        InMemoryCrm c = InMemoryCrm.builder().sleeper(gate).build();
        c.faults().latency(CrmOperation.DESCRIBE, Duration.ofMinutes(30));
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean flagAfter = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread caller = new Thread(() -> {
            try {
                c.describe(ObjectType.LEAD);
            } catch (RuntimeException e) {
                thrown.set(e);
            }
            flagAfter.set(Thread.currentThread().isInterrupted());
        });
        try {
            caller.start();
            assertTrue(gate.awaitWaiting(1, Duration.ofSeconds(10)));
            c.wakeup(new Thread(() -> { }));           // another thread's calls: nothing to wake
            assertEquals(1, gate.waiting());
            c.wakeup(caller);
            caller.join(10_000);
            assertFalse(caller.isAlive());
            assertInstanceOf(dev.crmsync.model.CallAbortedException.class, thrown.get());
            assertFalse(flagAfter.get(), "the wake-up's interrupt does not leak out of the call");
            assertEquals(1, gate.interrupted());
            assertEquals(1L, c.callCounts().get(CrmOperation.DESCRIBE.callName()));
        } finally {
            gate.release();
        }
    }

    @Test
    void defaultSleeperSleepsNoTimeForZeroLatency() throws InterruptedException {
        Sleeper.SYSTEM.sleep(Duration.ZERO);
    }

    @Test
    void unknownOperationNamesAndBadValuesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CrmOperation.ofCallName("query"));
        assertTrue(e.getMessage().contains("query"), e.getMessage());
        assertEquals(CrmOperation.READ_PAGE, CrmOperation.ofCallName("readPage"));
        assertThrows(IllegalArgumentException.class, () -> crm.faults().failRate(CrmOperation.DESCRIBE, 1.5, Fault.retriable()));
        assertThrows(IllegalArgumentException.class, () -> crm.faults().latency(Duration.ofSeconds(-1)));
    }

    @Test
    void callCountsListEveryOperationAndIgnoreCrmUserEdits() {
        crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("a")));
        crm.records(ObjectType.LEAD);
        assertEquals(java.util.Arrays.stream(CrmOperation.values()).map(CrmOperation::callName)
                .collect(java.util.stream.Collectors.toSet()), crm.callCounts().keySet());
        assertTrue(crm.callCounts().values().stream().allMatch(v -> v == 0));
        try (ChangeStream s = crm.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of(), Cursor.START, 10))) {
            assertEquals(0L, crm.callCounts().get("readPage"), "opening a stream is not a call");
            s.nextPage();
            s.nextPage();
        }
        crm.deletedSince(ObjectType.LEAD, T0, T0.plusSeconds(1));
        assertEquals(2L, crm.callCounts().get("readPage"));
        assertEquals(1L, crm.callCounts().get("deletedSince"));
    }

    @Test
    void aClosedSourceRefusesCallsButKeepsItsData() {
        crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("a")));
        crm.close();
        crm.close();
        assertThrows(IllegalStateException.class, () -> crm.describe(ObjectType.LEAD));
        assertEquals(1, crm.count(ObjectType.LEAD));
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InMemoryCrm.builder().maxPageSize(0));
        assertTrue(e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InMemoryCrm.builder().maxPageSize(10_001));
        assertThrows(IllegalArgumentException.class, () -> InMemoryCrm.builder().maxWriteBatch(0));
        assertThrows(IllegalArgumentException.class, () -> InMemoryCrm.builder().recycleBinRetention(Duration.ZERO));
        assertThrows(NullPointerException.class, () -> InMemoryCrm.builder().clock(null));
    }
}
