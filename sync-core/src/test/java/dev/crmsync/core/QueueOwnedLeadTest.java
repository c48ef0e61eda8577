package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crmsync.core.report.SyncReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 7 (the engine's part): a Lead owned by a queue (its {@code OwnerId} a
 * {@code Group} id, prefix {@code 00G}, not a {@code User} one) has its owner empty in the store,
 * as Marketo leaves the owner fields empty while a queue owns a lead — not a failure, and not a
 * write loop: the CRM keeps the queue.
 */
class QueueOwnedLeadTest {

    private static final CrmId QUEUE = CrmId.of("00G5e000001AbCd");

    @Test
    void aQueueOwnedLeadsOwnerIsEmptyInTheStoreAndNothingLoops() {
        BidiHarness h = new BidiHarness();
        CrmId user = h.crm.insert(ObjectType.USER, Map.of("Username", FieldValue.text("rep@example.com"),
                "LastName", FieldValue.text("Rep")));
        CrmId queued = h.lead("Queued", "Acme", "OwnerId", FieldValue.ref(QUEUE));
        CrmId owned = h.lead("Owned", "Acme", "OwnerId", FieldValue.ref(user));
        try (SyncEngine engine = h.engine()) {
            SyncReport first = h.cycle(engine);
            assertEquals(0, first.totals().failed(), first::toTable);
            assertEquals(FieldValue.NULL, h.storeValue(ObjectType.LEAD, queued, "OwnerId"));
            assertEquals(FieldValue.ref(user), h.storeValue(ObjectType.LEAD, owned, "OwnerId"));
            h.assertQuiet(engine);

            // a host edit of another field is written; the queue stays the owner in the CRM
            h.edit(ObjectType.LEAD, queued, "Title", "CFO");
            h.cycle(engine);
            assertEquals(FieldValue.text("CFO"), h.crmValue(ObjectType.LEAD, queued, "Title"));
            assertEquals(FieldValue.ref(QUEUE), h.crmValue(ObjectType.LEAD, queued, "OwnerId"));
            assertEquals(FieldValue.NULL, h.storeValue(ObjectType.LEAD, queued, "OwnerId"));
            h.assertQuiet(engine);

            // assigned to a user in the CRM: the owner reaches the store
            h.tick();
            h.crm.update(ObjectType.LEAD, queued, Map.of("OwnerId", FieldValue.ref(user)));
            h.cycle(engine);
            assertEquals(FieldValue.ref(user), h.storeValue(ObjectType.LEAD, queued, "OwnerId"));
            // back to a queue: the owner is emptied again
            h.tick();
            h.crm.update(ObjectType.LEAD, queued, Map.of("OwnerId", FieldValue.ref(QUEUE)));
            SyncReport back = h.cycle(engine);
            assertEquals(0, back.totals().failed(), back::toTable);
            assertEquals(FieldValue.NULL, h.storeValue(ObjectType.LEAD, queued, "OwnerId"));
            h.assertQuiet(engine);
        }
    }
}
