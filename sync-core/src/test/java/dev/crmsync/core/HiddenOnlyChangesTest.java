package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crmsync.core.report.SyncCounts;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 2: a CRM change only in fields that are not synced is counted skipped, with no
 * write, on a bidirectional type as on a one-way type (Marketo counts such updates "skipped").
 */
class HiddenOnlyChangesTest {

    @Test
    void aLeadChangedOnlyInAHiddenFieldIsSkippedWithNoWrite() {
        BidiHarness h = new BidiHarness();
        h.crm.hideField(ObjectType.LEAD, "Rating");
        CrmId id = h.lead("Lovelace", "Engines", "Rating", "Cold");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            long crmWrites = h.crmWrites();
            long storeWrites = h.storeWrites();
            h.tick();
            h.crm.update(ObjectType.LEAD, id, Map.of("Rating", FieldValue.text("Hot")));
            SyncReport r = h.cycle(engine);
            SyncCounts c = r.type(ObjectType.LEAD).orElseThrow().counts();
            assertEquals(1, c.skipped(), r::toTable);
            assertEquals(0, c.unchanged(), r::toTable);
            assertEquals(0, c.updated(), r::toTable);
            assertEquals(crmWrites, h.crmWrites(), "nothing written to the CRM");
            assertEquals(storeWrites, h.storeWrites(), "nothing written to the store");

            // the next cycle re-reads nothing new: the base took the new stamp, nothing is counted again
            SyncReport quiet = h.cycle(engine);
            SyncCounts q = quiet.type(ObjectType.LEAD).orElseThrow().counts();
            assertEquals(0, q.skipped(), quiet::toTable);
            assertEquals(0, q.updated(), quiet::toTable);
        }
    }

    @Test
    void aLeadChangedInASyncedFieldIsStillUpdatedNotSkipped() {
        BidiHarness h = new BidiHarness();
        h.crm.hideField(ObjectType.LEAD, "Rating");
        CrmId id = h.lead("Lovelace", "Engines");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.tick();
            h.crm.update(ObjectType.LEAD, id, Map.of("Rating", FieldValue.text("Hot"), "Title", FieldValue.text("CTO")));
            SyncReport r = h.cycle(engine);
            SyncCounts c = r.type(ObjectType.LEAD).orElseThrow().counts();
            assertEquals(1, c.updated(), r::toTable);
            assertEquals(0, c.skipped(), r::toTable);
            assertEquals(FieldValue.text("CTO"), h.storeValue(ObjectType.LEAD, id, "Title"));
        }
    }

    @Test
    void anAccountChangedOnlyInAHiddenFieldIsSkippedTooAsOnEveryOneWayType() {
        EngineHarness h = new EngineHarness();
        h.crm.hideField(ObjectType.ACCOUNT, "Rating");
        CrmId id = h.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Acme"),
                "Rating", FieldValue.text("Cold")));
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
            engine.runCycle();
            h.clock.advance(Duration.ofMinutes(1));
            h.crm.update(ObjectType.ACCOUNT, id, Map.of("Rating", FieldValue.text("Hot")));
            SyncReport r = engine.runCycle();
            SyncCounts c = r.type(ObjectType.ACCOUNT).orElseThrow().counts();
            assertEquals(1, c.skipped(), r::toTable);
            assertEquals(0, c.unchanged(), r::toTable);
            assertEquals(0, c.updated(), r::toTable);
        }
    }
}
