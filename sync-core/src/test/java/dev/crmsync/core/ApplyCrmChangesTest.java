package dev.crmsync.core;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.testkit.fault.StoreOperation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's engine side: change hints (a change event names the records it changed) bring those
 * records over now, by the merge a cycle runs, and the host's position in its stream of hints is
 * saved only after they are applied.
 */
class ApplyCrmChangesTest {

    private static final String STREAM = "pubsub:/data/LeadChangeEvent";

    private final BidiHarness h = new BidiHarness();

    private long calls(CrmOperation op) {
        return h.crm.callCounts().getOrDefault(op.callName(), 0L);
    }

    @Test
    void aNamedCrmChangeReachesTheStoreWithoutACycleAndTheNextCycleStillSeesIt() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.cycle(engine);
            h.crm.update(ObjectType.LEAD, lead, fields("Title", "from an event"));
            long fetches = calls(CrmOperation.FETCH);
            long pages = calls(CrmOperation.READ_PAGE);
            TypeReport r = engine.applyCrmChanges(ObjectType.LEAD, List.of(lead));
            assertInstanceOf(TypeOutcome.Synced.class, r.outcome(), r::toString);
            assertEquals(1, r.counts().updated());
            assertEquals(FieldValue.text("from an event"), h.storeValue(ObjectType.LEAD, lead, "Title"));
            assertEquals(fetches + 1, calls(CrmOperation.FETCH), "one fetch by id");
            assertEquals(pages, calls(CrmOperation.READ_PAGE), "no change stream read");
            TypeReport next = h.cycle(engine).type(ObjectType.LEAD).orElseThrow();
            assertEquals(0, next.counts().updated(), "the cycle reads it again and finds it applied");
            assertTrue(next.counts().read() >= 1, "the checkpoint did not move past it: the poll is the net");
            h.assertQuiet(engine);
        }
    }

    @Test
    void thePositionIsSavedOnlyAfterTheRecordsAreAppliedAndAReDeliveryIsHarmless() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            assertEquals(Optional.empty(), engine.savedPosition(ObjectType.LEAD, STREAM));
            h.crm.update(ObjectType.LEAD, lead, fields("Title", "v1"));
            // the position's save fails (a crash between the apply and the save, as the state store sees it)
            h.state.faults().failNext(StoreOperation.SAVE_INTENT, 1, Fault.fatal());
            TypeReport failed = engine.applyCrmChanges(ObjectType.LEAD, List.of(lead), STREAM, "replay-1");
            assertInstanceOf(TypeOutcome.Failed.class, failed.outcome(), failed::toString);
            assertEquals(FieldValue.text("v1"), h.storeValue(ObjectType.LEAD, lead, "Title"), "applied first");
            assertEquals(Optional.empty(), engine.savedPosition(ObjectType.LEAD, STREAM), "not saved");

            long storeWrites = h.storeWrites();
            long crmWrites = h.crmWrites();
            TypeReport again = engine.applyCrmChanges(ObjectType.LEAD, List.of(lead), STREAM, "replay-1");
            assertInstanceOf(TypeOutcome.Synced.class, again.outcome(), again::toString);
            assertEquals(storeWrites, h.storeWrites(), "re-delivered: merges to nothing");
            assertEquals(crmWrites, h.crmWrites());
            assertEquals(Optional.of("replay-1"), engine.savedPosition(ObjectType.LEAD, STREAM));
        }
    }

    @Test
    void theEnginesOwnWriteComingBackAsAHintMergesToNothing() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "Title", "from the host");
            h.cycle(engine);
            assertEquals(FieldValue.text("from the host"), h.crmValue(ObjectType.LEAD, lead, "Title"));
            long storeWrites = h.storeWrites();
            long crmWrites = h.crmWrites();
            TypeReport echo = engine.applyCrmChanges(ObjectType.LEAD, List.of(lead));
            assertEquals(storeWrites, h.storeWrites(), "no echo");
            assertEquals(crmWrites, h.crmWrites());
            assertEquals(0, echo.counts().updated());
        }
    }

    @Test
    void aRecordTheCrmDeletedIsFlaggedAndAOneWayTypeWorksToo() {
        CrmId lead = h.lead("Doe", "Acme");
        CrmId account = h.crm.insert(ObjectType.ACCOUNT, fields("Name", "Acme"));
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.LEAD, ObjectType.ACCOUNT).build()) {
            h.cycle(engine);
            h.crm.delete(ObjectType.LEAD, lead);
            h.crm.purgeRecycleBin();                            // gone for good: the fetch finds nothing
            engine.applyCrmChanges(ObjectType.LEAD, List.of(lead));
            assertTrue(h.inStore(ObjectType.LEAD, lead).crmDeleted(), "flagged, not removed");
            h.crm.update(ObjectType.ACCOUNT, account, fields("Industry", "Energy"));
            TypeReport r = engine.applyCrmChanges(ObjectType.ACCOUNT, List.of(account, account));
            assertEquals(1, r.counts().updated(), "repeats are taken once");
            assertEquals(FieldValue.text("Energy"), h.storeValue(ObjectType.ACCOUNT, account, "Industry"));
        }
    }

    @Test
    void anotherInstancesLeaseBlocksTheRun() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.state.tryAcquireLease("crmsync:Lead", "other-engine", "other-instance", Duration.ofHours(1));
            h.crm.update(ObjectType.LEAD, lead, fields("Title", "x"));
            TypeReport r = engine.applyCrmChanges(ObjectType.LEAD, List.of(lead), STREAM, "p");
            assertInstanceOf(TypeOutcome.Blocked.class, r.outcome(), r::toString);
            assertEquals(FieldValue.NULL, h.storeValue(ObjectType.LEAD, lead, "Title"));
            assertEquals(Optional.empty(), engine.savedPosition(ObjectType.LEAD, STREAM));
        }
    }

    @Test
    void theArgumentsAreChecked() {
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.LEAD).build()) {
            assertThrows(NullPointerException.class, () -> engine.applyCrmChanges(null, List.of()));
            assertThrows(NullPointerException.class, () -> engine.applyCrmChanges(ObjectType.LEAD, null));
            assertThrows(IllegalArgumentException.class, () -> engine.applyCrmChanges(ObjectType.ACCOUNT, List.of()));
            assertThrows(IllegalArgumentException.class,
                    () -> engine.applyCrmChanges(ObjectType.LEAD, Collections.singletonList(null)));
            List<CrmId> many = new ArrayList<>();
            for (int i = 0; i <= SyncEngine.MAX_APPLY_IDS; i++) {
                many.add(CrmId.of(String.format("00Q000000%06d", i)));
            }
            assertThrows(IllegalArgumentException.class, () -> engine.applyCrmChanges(ObjectType.LEAD, many));
            assertThrows(IllegalArgumentException.class,
                    () -> engine.applyCrmChanges(ObjectType.LEAD, List.of(), "no spaces allowed", "p"));
            assertThrows(IllegalArgumentException.class,
                    () -> engine.applyCrmChanges(ObjectType.LEAD, List.of(), STREAM, ""));
        }
    }
}
