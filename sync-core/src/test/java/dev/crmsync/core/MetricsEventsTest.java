package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.SyncReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.FailedRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The listener events metrics need: onCheckpoint, onWrittenToCrm, onParkedCounted, in cycle order. */
class MetricsEventsTest {

    /** Records the events as lines, in the order they came. */
    private static final class Recorder implements SyncListener {
        final List<String> events = new ArrayList<>();

        @Override
        public void onCheckpoint(Checkpoint checkpoint) {
            events.add("checkpoint " + checkpoint.type() + " " + checkpoint.crmCursor().modstamp());
        }

        @Override
        public void onWrittenToCrm(ObjectType type, long records) {
            events.add("written " + type + " " + records);
        }

        @Override
        public void onParkedCounted(long failures, long conflicts) {
            events.add("parked " + failures + " " + conflicts);
        }

        @Override
        public void onRecordRejected(FailedRecord failure) {
            events.add("rejected " + failure.type());
        }

        @Override
        public void onCycleDone(SyncReport report) {
            events.add("done");
        }
    }

    @Test
    void checkpointsAsLoadedAndAsMovedThenTheParkedCountsBeforeTheCycleEnds() {
        EngineHarness h = new EngineHarness();
        List<CrmId> ids = h.insertAccounts(2, "A");
        h.store.faults().reject(ids.get(1), "VALUE_TOO_LONG", false);
        h.clock.advance(Duration.ofMinutes(1));
        Recorder r = new Recorder();
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).maxAttempts(1).lookback(Duration.ZERO).listener(r).build()) {
            engine.runCycle();
            // the initial checkpoint (no stamp yet), the page's commit, the end of the full copy
            assertEquals(List.of("checkpoint Account 1970-01-01T00:00:00Z", "rejected Account",
                    "checkpoint Account " + EngineHarness.T0, "checkpoint Account " + EngineHarness.T0,
                    "parked 1 0", "done"), r.events);

            r.events.clear();
            h.clock.advance(Duration.ofMinutes(5));
            engine.runCycle();
            // a quiet cycle: the checkpoint as loaded, then moved by the deletions check only (its CRM cursor,
            // and so the lag's stamp, stays); the parked record is not retried
            assertEquals(List.of("checkpoint Account " + EngineHarness.T0, "checkpoint Account " + EngineHarness.T0,
                    "parked 1 0", "done"), r.events);
        }
    }

    @Test
    void recordsAcceptedByTheCrmAreReportedOncePerTypeAndCycle() {
        BidiHarness h = new BidiHarness();
        CrmId a = h.lead("Doe", "Acme");
        CrmId b = h.lead("Roe", "Acme");
        Recorder r = new Recorder();
        try (SyncEngine engine = h.builder().listener(r).build()) {
            h.cycle(engine);
            assertTrue(r.events.stream().noneMatch(e -> e.startsWith("written")), r.events::toString);
            h.tick();
            h.edit(ObjectType.LEAD, a, "Title", "CTO");
            h.edit(ObjectType.LEAD, b, "Title", "CFO");
            r.events.clear();
            h.cycle(engine);
            assertEquals(List.of("written Lead 2"), r.events.stream().filter(e -> e.startsWith("written")).toList());
        }
        assertEquals(FieldValue.text("CTO"), h.crmValue(ObjectType.LEAD, a, "Title"));
    }

    @Test
    void aListenerThatThrowsFromTheNewEventsDoesNotStopTheCycle() {
        EngineHarness h = new EngineHarness();
        h.insertAccounts(3, "A");
        SyncListener thrower = new SyncListener() {
            @Override
            public void onCheckpoint(Checkpoint checkpoint) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void onParkedCounted(long failures, long conflicts) {
                throw new IllegalStateException("boom");
            }
        };
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).listener(thrower).build()) {
            SyncReport report = engine.runCycle();
            assertTrue(report.isComplete(), report::toTable);
            assertEquals(3, report.totals().created());
        }
    }
}
