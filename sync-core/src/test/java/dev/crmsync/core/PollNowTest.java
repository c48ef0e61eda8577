package dev.crmsync.core;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link SyncEngine#pollNow}: one type's part of a cycle, now — what a change-event follower runs when its
 * stream overflowed or lost its position.
 */
class PollNowTest {

    private final BidiHarness h = new BidiHarness();

    @Test
    void pollNowBringsEveryChangeOfTheTypeSinceItsCheckpointAndMovesIt() {
        CrmId a = h.lead("Doe", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.crm.update(ObjectType.LEAD, a, fields("Title", "missed by the events"));
            CrmId b = h.lead("Roe", "Beta");
            TypeReport r = engine.pollNow(ObjectType.LEAD);
            assertInstanceOf(TypeOutcome.Synced.class, r.outcome(), r::toString);
            assertEquals(ObjectType.LEAD, r.type());
            assertEquals(1, r.counts().created());
            assertEquals(1, r.counts().updated());
            assertEquals(FieldValue.text("missed by the events"), h.storeValue(ObjectType.LEAD, a, "Title"));
            assertEquals(FieldValue.text("Roe"), h.storeValue(ObjectType.LEAD, b, "LastName"));
            TypeReport again = engine.pollNow(ObjectType.LEAD);
            assertEquals(0, again.counts().created() + again.counts().updated(), "its checkpoint moved past them");
            h.assertQuiet(engine);
        }
    }

    @Test
    void pollNowRunsTheFirstCopyOfANewTypeAndRefusesTypesTheEngineDoesNotSync() {
        h.lead("Doe", "Acme");
        try (SyncEngine engine = h.engine()) {
            TypeReport first = engine.pollNow(ObjectType.LEAD);
            assertEquals(1, first.counts().created(), first::toString);
            assertTrue(engine.syncs(ObjectType.LEAD));
            for (ObjectType t : List.of(ObjectType.ACCOUNT, ObjectType.OPPORTUNITY)) {
                assertFalse(engine.syncs(t), "the harness syncs the two-way types only");
                assertThrows(IllegalArgumentException.class, () -> engine.pollNow(t));
            }
            assertThrows(NullPointerException.class, () -> engine.pollNow(null));
        }
        SyncEngine closed = h.engine();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.pollNow(ObjectType.LEAD));
        assertFalse(closed.isCycleRunning());
    }
}
