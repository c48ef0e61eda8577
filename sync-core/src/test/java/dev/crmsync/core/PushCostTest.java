package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crmsync.core.report.SyncReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.CrmOperation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: pushing marketing edits costs the writes themselves. W edits of linked leads cost
 * {@code ceil(W / 200)} write calls whatever the store's page size, and no by-id read of a record
 * whose CRM side the cycle's change stream says has not changed since its base; the pushed records,
 * seen again on the next change read, are compared away with no call beyond that read.
 */
class PushCostTest {

    private static final ObjectType LEAD = ObjectType.LEAD;

    private final BidiHarness h = new BidiHarness();

    private long calls(CrmOperation op) {
        return h.crm.callCounts().getOrDefault(op.callName(), 0L);
    }

    private List<CrmId> leads(int n) {
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(h.lead("Last" + i, "Co" + i, "Title", "t" + i));
        }
        return ids;
    }

    @Test
    void wEditsCostCeilWOver200WritesAndNoReadByIdAcrossStorePages() {
        List<CrmId> ids = leads(2_345);
        SyncEngine engine = h.builder().objectTypes(List.of(LEAD)).storeBatchSize(500).build();
        h.cycle(engine);
        h.cycle(engine);
        for (CrmId id : ids) {
            h.edit(LEAD, id, "Title", "edited " + id.value().hashCode());
        }
        long writes = calls(CrmOperation.WRITE);
        long fetches = calls(CrmOperation.FETCH);
        SyncReport r = h.cycle(engine);
        assertEquals((2_345 + 199) / 200, calls(CrmOperation.WRITE) - writes, r::toTable);
        assertEquals(0, calls(CrmOperation.FETCH) - fetches, () -> "reads by id\n" + r.toTable());
        for (CrmId id : ids) {
            assertEquals(FieldValue.text("edited " + id.value().hashCode()), h.crmValue(LEAD, id, "Title"));
        }
        // the next cycle reads the pushed records back in its change stream and compares them away
        long writes2 = calls(CrmOperation.WRITE);
        long fetches2 = calls(CrmOperation.FETCH);
        long pages2 = calls(CrmOperation.READ_PAGE);
        h.assertQuiet(engine);
        assertEquals(writes2, calls(CrmOperation.WRITE));
        assertEquals(fetches2, calls(CrmOperation.FETCH), "no read by id for the pushed records seen again");
        // the change stream holds the 2,345 pushed leads: two pages of 2,000 and the empty page that ends it
        assertEquals(pages2 + 3, calls(CrmOperation.READ_PAGE), "one change read: the stream's pages");
    }

    @Test
    void aRecordTheCrmChangedTooIsMergedAgainstTheCrmsValues() {
        List<CrmId> ids = leads(30);
        SyncEngine engine = h.builder().objectTypes(List.of(LEAD)).build();
        h.cycle(engine);
        h.cycle(engine);
        CrmId both = ids.get(7);
        h.tick();
        h.crm.update(LEAD, both, BidiHarness.fields("Phone", "555-0100", "Title", "crm title"));
        for (CrmId id : ids) {
            h.edit(LEAD, id, "Title", "mkt " + id.value().hashCode());
        }
        long writes = calls(CrmOperation.WRITE);
        long fetches = calls(CrmOperation.FETCH);
        SyncReport r = h.cycle(engine);
        assertEquals(1, calls(CrmOperation.WRITE) - writes, r::toTable);
        assertEquals(0, calls(CrmOperation.FETCH) - fetches, r::toTable);
        // Lead: marketing wins a both-sides conflict (Marketo's default); the CRM's other edit stays
        assertEquals(FieldValue.text("mkt " + both.value().hashCode()), h.crmValue(LEAD, both, "Title"));
        assertEquals(FieldValue.text("555-0100"), h.crmValue(LEAD, both, "Phone"));
        assertEquals(FieldValue.text("555-0100"), h.storeValue(LEAD, both, "Phone"));
        h.assertQuiet(engine);
    }
}
