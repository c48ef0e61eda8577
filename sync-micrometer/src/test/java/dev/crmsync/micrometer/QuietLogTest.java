package dev.crmsync.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.SyncListener;
import dev.crmsync.core.SyncScheduler;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.salesforce.SalesforceCredentials;
import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.fault.InstrumentedCompleteStore;
import dev.crmsync.testkit.fault.InstrumentedStores;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * The engine's log at INFO, as an operator's backend would show it (captured by {@link CapturedLog}, the test
 * JVM's SLF4J provider): one line for a quiet cycle, the type's line when something happened to it, a clean
 * stop at INFO, never a carriage return.
 */
class QuietLogTest {

    private static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");
    private static final String MID = "Marketing_Id__c";

    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(11).build();
    private final InstrumentedCompleteStore store =
            InstrumentedStores.create().complete(new InMemoryMarketingStore(clock));
    private final InMemorySyncStateStore state = new InMemorySyncStateStore(clock);

    @BeforeEach
    void someOfEveryKind() {
        crm.addField(ObjectType.LEAD, FieldSchema.of(MID, FieldType.STRING));
        crm.insert(ObjectType.USER, Map.of("LastName", FieldValue.text("U")));
        for (int i = 0; i < 3; i++) {
            crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("A" + i)));
        }
        crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"), "Company", FieldValue.text("Acme")));
        crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("Roe")));
        clock.advance(Duration.ofMinutes(1));
    }

    private SyncEngine.Builder engine() {
        return SyncEngine.builder().crmSource(crm).marketingStore(store).syncStateStore(state).clock(clock)
                .engineId("quiet-log").marketingIdField(MID)
                .objectTypes(ObjectType.USER, ObjectType.ACCOUNT, ObjectType.LEAD, ObjectType.CONTACT);
    }

    @Test
    void aQuietCycleLogsOneLineAtInfoWithItsOutcomeAndCounts() {
        try (SyncEngine engine = engine().build()) {
            engine.runCycle();                       // the first full copy
            clock.advance(Duration.ofMinutes(5));
            CapturedLog.clear();
            SyncReport quiet = engine.runCycle();
            assertTrue(quiet.isComplete(), quiet::toTable);

            List<CapturedLog.Line> info = CapturedLog.atLeast(Level.INFO);
            assertEquals(1, info.size(), info::toString);
            CapturedLog.Line line = info.get(0);
            assertEquals(Level.INFO, line.level());
            assertTrue(line.message().startsWith("Cycle " + quiet.cycleId() + " COMPLETE: read "), line.message());
            assertTrue(line.message().contains("CRM calls"), line.message());
            assertEquals(quiet.cycleId(), line.mdc().get(SyncEngine.MDC_CYCLE_KEY), "the cycle id in the MDC");
            assertTrue(CapturedLog.atLeast(Level.DEBUG).stream().anyMatch(l -> l.level() == Level.DEBUG
                    && l.message().startsWith("Account: read ")), "the per-type detail is there at DEBUG");
        }
        assertNoCarriageReturn();
    }

    @Test
    void aQuietCycleOverTheSalesforceAdapterLogsOneLineAtInfo() {
        try (FakeSalesforceServer sf = FakeSalesforceServer.builder().crm(crm).clock(clock).build().start();
             SalesforceCrmSource source = SalesforceCrmSource.builder()
                     .credentials(SalesforceCredentials.accessToken(FakeSalesforceServer.DEFAULT_ACCESS_TOKEN,
                             sf.baseUri()))
                     .allowHttpForLoopback(true).clock(clock).sleeper(clock::advance).build();
             SyncEngine engine = engine().crmSource(source).build()) {
            engine.runCycle();
            clock.advance(Duration.ofMinutes(5));
            CapturedLog.clear();
            SyncReport quiet = engine.runCycle();
            assertTrue(quiet.isComplete(), quiet::toTable);

            List<CapturedLog.Line> info = CapturedLog.atLeast(Level.INFO);
            assertEquals(1, info.size(), info::toString);
            assertTrue(info.get(0).message().startsWith("Cycle " + quiet.cycleId() + " COMPLETE: read "),
                    info::toString);
        }
        assertNoCarriageReturn();
    }

    @Test
    void aTypeWithARejectionLogsItsLineAtInfoAndTheQuietTypesNone() {
        CrmId bad = crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Bad")));
        store.faults().reject(bad, "VALUE_TOO_LONG", false);
        clock.advance(Duration.ofMinutes(1));
        try (SyncEngine engine = engine().build()) {
            engine.runCycle();
            clock.advance(Duration.ofMinutes(5));
            crm.update(ObjectType.ACCOUNT, bad, Map.of("Name", FieldValue.text("Still bad")));
            clock.advance(Duration.ofSeconds(1));
            CapturedLog.clear();
            SyncReport report = engine.runCycle();

            // the retry, its rejection, the Account summary, the cycle's line; nothing of the quiet types
            List<String> info = CapturedLog.atLeast(Level.INFO).stream().map(CapturedLog.Line::message).toList();
            assertEquals(4, info.size(), info::toString);
            assertTrue(info.get(0).startsWith("Account: retrying 1 records"), info::toString);
            assertTrue(info.get(1).contains("rejected by the MARKETING side (VALUE_TOO_LONG"), info::toString);
            assertTrue(info.get(2).startsWith("Account: read 5, "), info::toString);   // as the engine counts reads: the change stream and the retry
            assertTrue(info.get(2).contains("failed 1"), info::toString);
            assertTrue(info.get(3).startsWith("Cycle " + report.cycleId() + " PARTIAL: "), info::toString);
        }
        assertNoCarriageReturn();
    }

    @Test
    void anEngineClosedDuringAScheduledCycleStopsTheSchedulerAtInfoNotWarn() throws InterruptedException {
        AtomicReference<SyncEngine> engineRef = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        SyncListener closer = new SyncListener() {
            @Override
            public void onProgress(ObjectType type, long records, OptionalLong estimatedTotal) {
                if (type.equals(ObjectType.ACCOUNT)) {
                    engineRef.get().close();   // from the cycle thread: the cycle stops at its next page boundary
                }
            }

            @Override
            public void onCycleDone(SyncReport report) {
                done.countDown();
            }
        };
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        try (SyncEngine engine = engine().listener(closer).build()) {
            engineRef.set(engine);
            CapturedLog.clear();
            SyncScheduler scheduler = SyncScheduler.builder(engine).executor(executor).build();
            scheduler.start();
            assertTrue(done.await(60, TimeUnit.SECONDS), "the cycle ended");
            executor.shutdown();                      // the tick in flight finishes; nothing else is scheduled
            assertTrue(executor.awaitTermination(60, TimeUnit.SECONDS), "the scheduler's tick finished");
            assertFalse(scheduler.isRunning(), "the scheduler stopped with its engine");
        } finally {
            executor.shutdownNow();
        }
        List<CapturedLog.Line> info = CapturedLog.atLeast(Level.INFO);
        assertTrue(info.stream().noneMatch(l -> l.atLeast(Level.WARN)), info::toString);
        assertTrue(info.stream().anyMatch(l -> l.message().contains("stops: its engine was closed during cycle")),
                info::toString);
        assertNoCarriageReturn();
    }

    private static void assertNoCarriageReturn() {
        for (CapturedLog.Line l : CapturedLog.atLeast(Level.TRACE)) {
            assertFalse(l.message().contains("\r"), () -> "a carriage return in a log line: " + l);
        }
    }
}
