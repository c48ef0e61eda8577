package dev.crmsync.core;

import dev.crmsync.core.report.CycleOutcome;
import dev.crmsync.core.report.SyncReport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.SyncSide;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A record the marketing store rejects is reported, queued, retried, parked, re-driven: never lost. */
class RejectedRecordsTest {

    private final EngineHarness h = new EngineHarness();
    private final List<FailedRecord> heard = new ArrayList<>();
    private final SyncListener recorder = new SyncListener() {
        @Override
        public void onRecordRejected(FailedRecord failure) {
            heard.add(failure);
        }
    };

    private SyncEngine engine(int maxAttempts) {
        return h.builder().objectTypes(ObjectType.ACCOUNT).maxAttempts(maxAttempts).listener(recorder).build();
    }

    private SyncReport nextCycle(SyncEngine engine) {
        h.clock.advance(Duration.ofMinutes(5));
        return engine.runCycle();
    }

    private FailedRecord failureOf(CrmId id) {
        return h.state.failure(ObjectType.ACCOUNT, RecordKey.crm(id), SyncSide.MARKETING).orElseThrow();
    }

    @Test
    void aRejectedRecordIsReportedWithItsReasonAndTheOthersProceed() {
        List<CrmId> ids = h.insertAccounts(3, "A");
        h.store.faults().reject(ids.get(1), "VALUE_TOO_LONG", false);
        try (SyncEngine engine = engine(3)) {
            SyncReport report = engine.runCycle();
            assertEquals(1, report.totals().failed(), report::toTable);
            assertEquals(2, report.totals().created());
            CycleOutcome.Partial partial = assertInstanceOf(CycleOutcome.Partial.class, report.outcome());
            assertTrue(partial.reasons().stream().anyMatch(r -> r.contains("Account") && r.contains("1 record rejected")),
                    partial.reasons()::toString);
            assertEquals(1, heard.size());
            assertEquals("VALUE_TOO_LONG", heard.get(0).code());
            assertEquals(RecordKey.crm(ids.get(1)), heard.get(0).key());
            assertTrue(h.state.checkpoint(ObjectType.ACCOUNT).orElseThrow().initialCopyDone(),
                    "the checkpoint moves on past the rejected record");
        }
    }

    @Test
    void aRejectedRecordIsRetriedEachCycleThenParkedAfterMaxAttempts() {
        List<CrmId> ids = h.insertAccounts(3, "A");
        CrmId bad = ids.get(1);
        h.store.faults().reject(bad, "VALUE_TOO_LONG", false);
        try (SyncEngine engine = engine(3)) {
            engine.runCycle();
            assertEquals(1, failureOf(bad).attempts());
            assertFalse(failureOf(bad).parked());

            SyncReport second = nextCycle(engine);
            assertEquals(1L, second.crmCalls().get("fetch"), "retried by re-reading the record by id");
            assertEquals(2, failureOf(bad).attempts());

            nextCycle(engine);
            assertTrue(failureOf(bad).parked(), "parked after 3 attempts");
            assertEquals(List.of(RecordKey.crm(bad)), engine.parkedFailures().stream().map(FailedRecord::key).toList());

            SyncReport fourth = nextCycle(engine);
            assertFalse(fourth.crmCalls().containsKey("fetch"), "a parked record is not retried");
            assertTrue(fourth.isComplete(), fourth::toTable);
            assertEquals(List.of(1, 2, 3), heard.stream().map(FailedRecord::attempts).toList());
            assertTrue(heard.get(2).parked());
        }
    }

    @Test
    void aReDrivenParkedRecordIsAppliedOnceTheStoreTakesIt() {
        List<CrmId> ids = h.insertAccounts(2, "A");
        CrmId bad = ids.get(0);
        h.store.faults().reject(bad, "LOCKED", true);
        try (SyncEngine engine = engine(1)) {
            engine.runCycle();
            FailedRecord parked = engine.parkedFailures().get(0);
            assertTrue(parked.retriable());
            h.store.faults().stopRejecting(bad);
            assertTrue(engine.redrive(parked));
            assertFalse(engine.redrive(parked), "already queued again");
            assertTrue(engine.parkedFailures().isEmpty());

            SyncReport report = nextCycle(engine);
            assertEquals(1, report.totals().created(), report::toTable);
            assertTrue(h.state.failure(ObjectType.ACCOUNT, RecordKey.crm(bad), SyncSide.MARKETING).isEmpty());
        }
        h.assertStoreMirrorsCrm(ObjectType.ACCOUNT);
    }

    @Test
    void redriveAllQueuesEveryParkedRecord() {
        List<CrmId> ids = h.insertAccounts(3, "A");
        h.store.faults().reject(ids.get(0), "X", false).reject(ids.get(2), "X", false);
        try (SyncEngine engine = engine(1)) {
            engine.runCycle();
            assertEquals(2, engine.parkedFailures().size());
            h.store.faults().clear();
            assertEquals(2, engine.redriveAll());
            nextCycle(engine);
        }
        h.assertStoreMirrorsCrm(ObjectType.ACCOUNT);
    }

    @Test
    void aParkedRecordThatChangesAgainInTheCrmIsAppliedFromTheChangeStream() {
        List<CrmId> ids = h.insertAccounts(2, "A");
        CrmId bad = ids.get(1);
        h.store.faults().reject(bad, "VALUE_TOO_LONG", false);
        try (SyncEngine engine = engine(1)) {
            engine.runCycle();
            assertTrue(failureOf(bad).parked());
            h.store.faults().stopRejecting(bad);
            h.clock.advance(Duration.ofMinutes(5));
            h.crm.update(ObjectType.ACCOUNT, bad, Map.of("Name", FieldValue.text("Fixed")));
            SyncReport report = nextCycle(engine);
            assertEquals(1, report.totals().created(), report::toTable);
            assertTrue(engine.parkedFailures().isEmpty());
        }
        h.assertStoreMirrorsCrm(ObjectType.ACCOUNT);
    }

    @Test
    void aQueuedRecordDeletedAndPurgedFromTheCrmMeanwhileLeavesTheQueue() {
        List<CrmId> ids = h.insertAccounts(2, "A");
        CrmId bad = ids.get(0);
        h.store.faults().reject(bad, "X", false);
        try (SyncEngine engine = engine(5)) {
            engine.runCycle();
            h.store.faults().clear();
            h.crm.delete(ObjectType.ACCOUNT, bad);
            h.crm.purgeRecycleBin();
            SyncReport report = nextCycle(engine);
            assertTrue(report.isComplete(), report::toTable);
            assertTrue(h.state.failure(ObjectType.ACCOUNT, RecordKey.crm(bad), SyncSide.MARKETING).isEmpty());
            assertEquals(1, h.data.size(ObjectType.ACCOUNT), "never stored, so nothing to flag");
        }
    }

    @Test
    void aRejectedDeletionIsRetriedUntilTheStoreTakesIt() {
        List<CrmId> ids = h.insertAccounts(2, "A");
        try (SyncEngine engine = engine(5)) {
            engine.runCycle();
            h.store.faults().reject(ids.get(0), "LOCKED", true);
            h.clock.advance(Duration.ofMinutes(1));
            h.crm.delete(ObjectType.ACCOUNT, ids.get(0));
            SyncReport rejected = nextCycle(engine);
            assertEquals(1, rejected.totals().failed(), rejected::toTable);
            h.store.faults().clear();
            SyncReport retried = nextCycle(engine);
            assertEquals(1, retried.totals().deleted(), retried::toTable);
        }
        h.assertStoreMirrorsCrm(ObjectType.ACCOUNT);
    }
}
