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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's marketing side in seconds: the host's changes reach the CRM without waiting for the
 * cycle, merged as a cycle merges them and batched in whole write calls under bursts.
 */
class PushHostChangesNowTest {

    private final BidiHarness h = new BidiHarness();

    private long calls(CrmOperation op) {
        return h.crm.callCounts().getOrDefault(op.callName(), 0L);
    }

    private List<CrmId> leads(int n) {
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(h.lead("L" + i, "Acme"));
        }
        return ids;
    }

    @Test
    void hostEditsReachTheCrmNowAndTheNextCycleIsQuiet() {
        List<CrmId> ids = leads(3);
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.LEAD).build()) {
            h.cycle(engine);
            h.cycle(engine);
            for (CrmId id : ids) {
                h.edit(ObjectType.LEAD, id, "Title", "host " + id.value());
            }
            long writes = h.crmWrites();
            long fetches = calls(CrmOperation.FETCH);
            long pages = calls(CrmOperation.READ_PAGE);
            TypeReport r = engine.pushHostChangesNow(ObjectType.LEAD);
            assertInstanceOf(TypeOutcome.Synced.class, r.outcome(), r::toString);
            assertEquals(writes + 1, h.crmWrites(), "three edits, one write call");
            assertEquals(fetches + 1, calls(CrmOperation.FETCH), "the CRM side read by id, once");
            assertEquals(pages, calls(CrmOperation.READ_PAGE), "the CRM's change stream is left to the cycle");
            for (CrmId id : ids) {
                assertEquals(FieldValue.text("host " + id.value()), h.crmValue(ObjectType.LEAD, id, "Title"));
            }
            h.cycle(engine);
            h.assertQuiet(engine);
        }
    }

    @Test
    void aBurstIsWrittenInWholeCallsOfTheCrmsWriteSize() {
        List<CrmId> ids = leads(450);
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.LEAD).build()) {
            h.cycle(engine);
            h.cycle(engine);
            for (CrmId id : ids) {
                h.edit(ObjectType.LEAD, id, "Title", "burst");
            }
            long writes = h.crmWrites();
            engine.pushHostChangesNow(ObjectType.LEAD);
            assertEquals(writes + 3, h.crmWrites(), "450 edits: ⌈450 / 200⌉ = 3 write calls");
            assertEquals(450, ids.stream().filter(id -> h.crmValue(ObjectType.LEAD, id, "Title")
                    .equals(FieldValue.text("burst"))).count());
        }
    }

    @Test
    void aConflictIsDecidedByThePolicyAndAHostDeleteIsCarriedOut() {
        List<CrmId> ids = leads(2);
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.LEAD).build()) {
            h.cycle(engine);
            h.crm.update(ObjectType.LEAD, ids.get(0), fields("Title", "crm"));
            h.edit(ObjectType.LEAD, ids.get(0), "Title", "marketing");
            h.store.deleteLocal(ObjectType.LEAD, h.inStore(ObjectType.LEAD, ids.get(1)).marketingId());
            TypeReport r = engine.pushHostChangesNow(ObjectType.LEAD);
            assertTrue(r.notes().stream().anyMatch(n -> n.contains("conflict")), r::toString);
        }
        assertEquals(FieldValue.text("marketing"), h.crmValue(ObjectType.LEAD, ids.get(0), "Title"),
                "Marketo's rule for Leads: the marketing value wins");
        assertTrue(h.crm.get(ObjectType.LEAD, ids.get(1)).map(r -> r.deleted()).orElse(true), "deleted in the CRM");
    }

    @Test
    void beforeTheFirstCopyNothingIsWritten() {
        leads(1);
        h.store.saveLocal(ObjectType.LEAD, null, fields("LastName", "New", "Company", "Acme"));
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.LEAD).build()) {
            long writes = h.crmWrites();
            TypeReport r = engine.pushHostChangesNow(ObjectType.LEAD);
            assertEquals(writes, h.crmWrites());
            assertTrue(r.notes().stream().anyMatch(n -> n.contains("first copy is not done")), r::toString);
        }
    }

    @Test
    void theArgumentsAreChecked() {
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.LEAD).build()) {
            assertThrows(NullPointerException.class, () -> engine.pushHostChangesNow(null));
            assertThrows(IllegalArgumentException.class, () -> engine.pushHostChangesNow(ObjectType.ACCOUNT));
            assertThrows(IllegalArgumentException.class, () -> engine.pushHostChangesNow(ObjectType.CONTACT));
        }
    }
}
