package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crmsync.model.FieldValue;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncSide;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A Salesforce stamp has one-second precision: a CRM user's edit in the same second as the
 * engine's own write carries the same {@code SystemModstamp}. Found by
 * {@link PoisonValueProperties}: a lead parked for a value the store refuses, whose CRM value was
 * then fixed in the second of the engine's last write, was taken for the version already seen —
 * held back for good, its fix never reaching the store.
 */
class SameSecondStampTest {

    @Test
    void aCrmEditInTheSecondOfTheEnginesOwnWriteIsNotTakenForTheVersionAlreadySeen() {
        LeadWorld w = new LeadWorld(0);
        w.crmNewLead();
        w.cleanCycle();
        SyncRecord lead = w.h.crm.records(LeadWorld.LEAD).get(0);
        w.crmEdit(lead.id(), "Title", FieldValue.text("bad\uD800"));      // the store cannot keep it
        w.cycle();
        w.cycle();                                                          // rejected twice: parked
        assertEquals(true, w.h.state.failure(LeadWorld.LEAD, RecordKey.crm(lead.id()), SyncSide.MARKETING)
                .orElseThrow().parked());
        w.mktEdit(w.stored().get(0), java.util.Map.of("Phone", FieldValue.text("555")));
        w.cycle();                                    // the engine writes Phone to the CRM in second s
        w.crmEdit(lead.id(), "Title", FieldValue.text("fixed"));           // a CRM user fixes it in second s
        assertEquals(w.h.crm.records(LeadWorld.LEAD).get(0).modstamp(),
                w.h.state.bases(LeadWorld.LEAD, List.of(lead.id())).get(lead.id()).crmModstamp(),
                "the fix carries the stamp of the engine's own write");
        w.cleanCycle();
        assertEquals(FieldValue.text("fixed"), w.stored().get(0).get("Title"), "the fix reached the store");
        assertEquals(FieldValue.text("555"), w.h.crmValue(LeadWorld.LEAD, lead.id(), "Phone"));
    }
}
