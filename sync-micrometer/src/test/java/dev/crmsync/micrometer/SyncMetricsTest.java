package dev.crmsync.micrometer;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.CycleOutcome;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.fault.InstrumentedCompleteStore;
import dev.crmsync.testkit.fault.InstrumentedStores;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SyncMetrics on a real engine: InMemoryCrm, the in-memory stores, a manual clock. One cycle with a
 * type blocked by another instance's lease, a record the store rejects (parked at once) and a new Lead;
 * a second with a Lead changed on both sides (a conflict the marketing side wins, written to the CRM).
 */
class SyncMetricsTest {

    private static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");
    private static final String MID = "Marketing_Id__c";

    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(7).build();
    private final InstrumentedCompleteStore store =
            InstrumentedStores.create().complete(new InMemoryMarketingStore(clock));
    private final InMemorySyncStateStore state = new InMemorySyncStateStore(clock);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final TestObservationRegistry observations = TestObservationRegistry.create();
    private final SyncMetrics metrics = SyncMetrics.builder(meters).observationRegistry(observations).clock(clock)
            .build();

    private SyncEngine engine() {
        return SyncEngine.builder().crmSource(crm).marketingStore(store).syncStateStore(state).clock(clock)
                .engineId("metrics-test").objectTypes(ObjectType.USER, ObjectType.ACCOUNT, ObjectType.LEAD)
                .marketingIdField(MID).conflictPolicy(ConflictPolicy.marketingWins()).maxAttempts(1)
                .lookback(Duration.ZERO).listener(metrics).build();
    }

    @Test
    void aCycleWithARejectionAndABlockedLeaseIsMeasuredExactly() {
        crm.addField(ObjectType.LEAD, FieldSchema.of(MID, FieldType.STRING));
        crm.insert(ObjectType.USER, Map.of("LastName", FieldValue.text("U")));
        crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("A0")));
        CrmId bad = crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("A1")));
        clock.advance(Duration.ofSeconds(10));
        CrmId lead = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"),
                "Company", FieldValue.text("Acme"), "Title", FieldValue.text("CTO")));
        store.faults().reject(bad, "VALUE_TOO_LONG", false);
        state.tryAcquireLease("crmsync:User", "other-engine", "other-instance", Duration.ofHours(1));
        clock.advance(Duration.ofMinutes(5));

        try (SyncEngine engine = engine()) {
            SyncReport first = engine.runCycle();
            assertEquals(CycleOutcome.Partial.class, first.outcome().getClass(), first::toTable);

            // records: Account read 2, created 1, rejected 1 by the store; Lead read 1, created 1
            assertEquals(2, count(SyncMetrics.RECORDS, "type", "Account", "side", "crm", "result", "read"));
            assertEquals(1, count(SyncMetrics.RECORDS, "type", "Account", "side", "marketing", "result", "created"));
            assertEquals(1, count(SyncMetrics.RECORDS, "type", "Account", "side", "marketing", "result", "failed"));
            assertEquals(1, count(SyncMetrics.RECORDS, "type", "Lead", "side", "crm", "result", "read"));
            assertEquals(1, count(SyncMetrics.RECORDS, "type", "Lead", "side", "marketing", "result", "created"));
            assertEquals(6, total(SyncMetrics.RECORDS), "nothing else counted (User was blocked: no records)");
            assertEquals(1, count(SyncMetrics.REJECTIONS, "type", "Account", "side", "marketing",
                    "code", "VALUE_TOO_LONG"));
            assertEquals(1, total(SyncMetrics.REJECTIONS));
            assertEquals(0, total(SyncMetrics.CONFLICTS));
            // the CRM calls of the report, by operation
            assertEquals(2, count(SyncMetrics.CRM_CALLS, "operation", "describe"));
            assertEquals(4, count(SyncMetrics.CRM_CALLS, "operation", "readPage"));
            assertEquals(first.crmCallsTotal(), total(SyncMetrics.CRM_CALLS));
            // parked at once (maxAttempts 1); the lease of User is another instance's
            assertEquals(1, gauge(SyncMetrics.PARKED_FAILURES));
            assertEquals(0, gauge(SyncMetrics.PARKED_CONFLICTS));
            assertEquals(1, gauge(SyncMetrics.LEASE_BLOCKED, "type", "User"));
            assertEquals(0, gauge(SyncMetrics.LEASE_HELD, "type", "User"));
            assertEquals(0, gauge(SyncMetrics.LEASE_BLOCKED, "type", "Account"));
            assertEquals(1, gauge(SyncMetrics.LEASE_HELD, "type", "Account"));
            assertEquals(1, gauge(SyncMetrics.LEASE_HELD, "type", "Lead"));
            assertEquals(0, gauge(SyncMetrics.QUOTA_EXHAUSTED));
            // lag: the accounts were stamped at T0, the lead 10 s later; the cycle ran at T0 + 5 min 10 s
            assertEquals(310, gauge(SyncMetrics.LAG, "type", "Account"));
            assertEquals(300, gauge(SyncMetrics.LAG, "type", "Lead"));
            assertEquals(List.of(), Search.in(meters).name(SyncMetrics.LAG).tag("type", "User").gauges().stream()
                    .toList(), "a type that never ran has no lag gauge");
            clock.advance(Duration.ofSeconds(30));
            assertEquals(340, gauge(SyncMetrics.LAG, "type", "Account"), "the lag grows with the clock");

            // a Lead changed on both sides: the marketing value wins and is written to the CRM
            clock.advance(Duration.ofMinutes(5));
            crm.update(ObjectType.LEAD, lead, Map.of("Title", FieldValue.text("CEO")));
            store.saveLocal(ObjectType.LEAD, store.findByCrmIds(ObjectType.LEAD, List.of(lead)).get(lead).marketingId(),
                    Map.of("Title", FieldValue.text("VP")));
            clock.advance(Duration.ofMinutes(1));
            SyncReport second = engine.runCycle();
            assertEquals(CycleOutcome.Partial.class, second.outcome().getClass(), second::toTable);

            assertEquals(1, count(SyncMetrics.CONFLICTS, "type", "Lead", "resolution", "marketing"));
            assertEquals(1, total(SyncMetrics.CONFLICTS));
            assertEquals(1, count(SyncMetrics.RECORDS, "type", "Lead", "side", "crm", "result", "written"));
            assertEquals(1 + 2, count(SyncMetrics.RECORDS, "type", "Lead", "side", "crm", "result", "read"),
                    "the CRM's change and the engine's own write read back");
            assertEquals(1, count(SyncMetrics.RECORDS, "type", "Lead", "side", "marketing", "result", "updated"));
            assertEquals(1, count(SyncMetrics.RECORDS, "type", "Lead", "side", "marketing", "result", "unchanged"));
            assertEquals(1, count(SyncMetrics.REJECTIONS, "type", "Account", "side", "marketing",
                    "code", "VALUE_TOO_LONG"), "a parked record is not retried, so not rejected again");
            assertEquals(first.crmCallsTotal() + second.crmCallsTotal(), total(SyncMetrics.CRM_CALLS));
            assertEquals(1, count(SyncMetrics.CRM_CALLS, "operation", "write"));
            assertEquals(1, gauge(SyncMetrics.PARKED_FAILURES));
            assertEquals(1, gauge(SyncMetrics.LEASE_BLOCKED, "type", "User"));
            assertEquals(0, gauge(SyncMetrics.LAG, "type", "Lead"), "the engine's own write, just read back");
            assertEquals(310 + 30 + 300 + 60, gauge(SyncMetrics.LAG, "type", "Account"), "no Account changed since T0");

            String firstId = first.cycleId();
            String secondId = second.cycleId();
            assertThat(observations)
                    .hasNumberOfObservationsWithNameEqualTo(SyncMetrics.CYCLE, 2)
                    .hasHandledContextsThatSatisfy(contexts -> {
                        assertEquals(2, contexts.size());
                        assertEquals(List.of(firstId, secondId), contexts.stream()
                                .map(c -> c.getHighCardinalityKeyValue("cycle.id").getValue()).toList());
                        contexts.forEach(c -> assertEquals("partial",
                                c.getLowCardinalityKeyValue("outcome").getValue()));
                    });
            assertThat(observations).forAllObservationsWithNameEqualTo(SyncMetrics.CYCLE,
                    o -> o.doesNotHaveError());
            assertThat(observations).hasObservationWithNameEqualTo(SyncMetrics.CYCLE).that()
                    .hasBeenStarted().hasBeenStopped();
            assertThat(observations).doesNotHaveAnyRemainingCurrentObservation();
        }
    }

    @Test
    void aMeterHandlerTurnsTheCycleObservationIntoATimerTaggedByOutcome() {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
        SyncMetrics timed = SyncMetrics.builder(meters).observationRegistry(registry).clock(clock).build();
        crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("A0")));
        try (SyncEngine engine = SyncEngine.builder().crmSource(crm).marketingStore(store).syncStateStore(state)
                .clock(clock).engineId("metrics-test").objectTypes(ObjectType.ACCOUNT).listener(timed).build()) {
            engine.runCycle();
            engine.runCycle();
        }
        Timer timer = meters.get(SyncMetrics.CYCLE).tag("outcome", "complete").timer();
        assertEquals(2, timer.count());
        assertEquals(1, meters.get(SyncMetrics.RECORDS).tag("result", "created").counter().count());
    }

    @Test
    void aConflictParkedForAPersonIsCountedAndGauged() {
        crm.addField(ObjectType.LEAD, FieldSchema.of(MID, FieldType.STRING));
        CrmId lead = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"),
                "Company", FieldValue.text("Acme"), "Title", FieldValue.text("CTO")));
        clock.advance(Duration.ofMinutes(1));
        try (SyncEngine engine = SyncEngine.builder().crmSource(crm).marketingStore(store).syncStateStore(state)
                .clock(clock).engineId("metrics-test").objectTypes(ObjectType.LEAD).marketingIdField(MID)
                .conflictPolicy(ConflictPolicy.manual()).lookback(Duration.ZERO).listener(metrics).build()) {
            engine.runCycle();
            clock.advance(Duration.ofMinutes(5));
            crm.update(ObjectType.LEAD, lead, Map.of("Title", FieldValue.text("CEO")));
            store.saveLocal(ObjectType.LEAD, store.findByCrmIds(ObjectType.LEAD, List.of(lead)).get(lead).marketingId(),
                    Map.of("Title", FieldValue.text("VP")));
            clock.advance(Duration.ofMinutes(1));
            SyncReport report = engine.runCycle();
            assertEquals(1, engine.parkedConflicts().size());
            // the engine meets the record twice in the cycle (the host's change, then the CRM's): the conflict
            // is parked and reported once
            assertEquals(List.of("0 conflicts decided by the policy, 1 parked for manual resolution"),
                    report.type(ObjectType.LEAD).orElseThrow().notes(), report::toTable);
        }
        assertEquals(1, count(SyncMetrics.CONFLICTS, "type", "Lead", "resolution", "parked"));
        assertEquals(1, total(SyncMetrics.CONFLICTS));
        assertEquals(1, gauge(SyncMetrics.PARKED_CONFLICTS));
        assertEquals(0, gauge(SyncMetrics.PARKED_FAILURES));
    }

    @Test
    void theBacklogIsGaugedPerTypeAndDirectionWithItsTrend() {
        java.util.function.BiFunction<Long, dev.crmsync.core.report.Backlog.Trend, dev.crmsync.core.report.TypeReport> report =
                (crmSide, trend) -> new dev.crmsync.core.report.TypeReport(ObjectType.LEAD,
                        new dev.crmsync.core.report.TypeOutcome.Synced(), dev.crmsync.core.report.SyncCounts.ZERO,
                        Duration.ZERO, java.util.List.of(), java.util.Map.of(),
                        new dev.crmsync.core.report.Backlog(T0, java.util.OptionalLong.of(crmSide),
                                java.util.OptionalLong.of(2), true, trend, trend
                                == dev.crmsync.core.report.Backlog.Trend.UNKNOWN ? java.util.OptionalLong.empty()
                                : java.util.OptionalLong.of(5)));
        metrics.onTypeDone(report.apply(3L, dev.crmsync.core.report.Backlog.Trend.UNKNOWN));
        assertEquals(3, gauge(SyncMetrics.BACKLOG, "type", "Lead", "direction", "crm_to_marketing"));
        assertEquals(2, gauge(SyncMetrics.BACKLOG, "type", "Lead", "direction", "marketing_to_crm"));
        assertEquals(null, meters.find(SyncMetrics.BACKLOG_GROWING).gauge(), "no trend yet: no gauge");
        metrics.onTypeDone(report.apply(9L, dev.crmsync.core.report.Backlog.Trend.GROWING));
        assertEquals(9, gauge(SyncMetrics.BACKLOG, "type", "Lead", "direction", "crm_to_marketing"));
        assertEquals(1, gauge(SyncMetrics.BACKLOG_GROWING, "type", "Lead"));
        metrics.onTypeDone(report.apply(1L, dev.crmsync.core.report.Backlog.Trend.NOT_GROWING));
        assertEquals(0, gauge(SyncMetrics.BACKLOG_GROWING, "type", "Lead"));
    }

    @Test
    void aReasonCodeThatIsNotAShortUpperCaseTokenIsTaggedOther() {
        assertEquals("VALUE_TOO_LONG", SyncMetrics.code("VALUE_TOO_LONG"));
        assertEquals("OTHER", SyncMetrics.code("jane@example.com is not allowed"));
        assertEquals("OTHER", SyncMetrics.code(""));
        assertEquals("OTHER", SyncMetrics.code("A".repeat(65)));
    }

    @Test
    void theBuilderRefusesNulls() {
        assertThrows(NullPointerException.class, () -> SyncMetrics.builder(null));
        SyncMetrics.Builder b = SyncMetrics.builder(new SimpleMeterRegistry());
        assertThrows(NullPointerException.class, () -> b.clock(null));
        assertThrows(NullPointerException.class, () -> b.observationRegistry(null));
    }

    private double count(String name, String... tags) {
        return meters.get(name).tags(tags).counter().count();
    }

    private double total(String name) {
        return Search.in(meters).name(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    private double gauge(String name, String... tags) {
        return meters.get(name).tags(tags).gauge().value();
    }
}
