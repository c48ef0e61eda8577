package dev.crmsync.core.internal;

import static dev.crmsync.core.internal.StageFixtures.LATER;
import static dev.crmsync.core.internal.StageFixtures.T;
import static dev.crmsync.core.internal.StageFixtures.base;
import static dev.crmsync.core.internal.StageFixtures.crm;
import static dev.crmsync.core.internal.StageFixtures.mkt;
import static dev.crmsync.core.internal.StageFixtures.v;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.core.internal.BidiMerge.RecordPlan;
import dev.crmsync.core.internal.BidiWrites.CrmOutcome;
import dev.crmsync.core.internal.BidiWrites.Done;
import dev.crmsync.core.internal.BidiWrites.StoreOutcome;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.SyncBase;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The new base after the writes: only what both sides hold. */
class BidiWritesTest {

    private static final Instant NOW = StageFixtures.CLOCK.instant();
    private static final BidiType LEAD = StageFixtures.lead(ConflictPolicy.crmWins());

    private static RecordPlan.Merge merged(SyncRecord c, MarketingRecord m, SyncBase b) {
        FieldMerger.Plan plan = FieldMerger.merge(LEAD, ConflictPolicy.crmWins(), c, m, b);
        return BidiMerge.merged(LEAD, c, m, b, b, plan, false, false);
    }

    /** A: a host edit for the CRM; Short: a CRM edit for the store. */
    private static RecordPlan.Merge bothWays() {
        return merged(crm(v("A", "a0", "Short", "crm"), LATER), mkt(v("A", "host", "Short", "s0")),
                base(v("A", "a0", "Short", "s0")));
    }

    @Test
    void bothWritesTakenTheBaseIsWhatBothSidesHoldAtTheCrmsNewStamp() {
        Instant written = LATER.plusSeconds(5);
        SyncBase nb = BidiWrites.newBase(ObjectType.LEAD, new Done(bothWays(), new CrmOutcome.Written(written),
                StoreOutcome.WRITTEN), NOW);
        assertEquals(v("A", "host", "Short", "crm"), nb.fields());
        assertEquals(written, nb.crmModstamp());
    }

    @Test
    void aValueTheCrmRefusedKeepsItsOldBase() {
        SyncBase nb = BidiWrites.newBase(ObjectType.LEAD, new Done(bothWays(), new CrmOutcome.Refused(),
                StoreOutcome.WRITTEN), NOW);
        assertEquals(v("A", "a0", "Short", "crm"), nb.fields());
        assertEquals(LATER, nb.crmModstamp(), "no write: the CRM record's own stamp");
    }

    @Test
    void aValueTheStoreRefusedKeepsItsOldBase() {
        SyncBase nb = BidiWrites.newBase(ObjectType.LEAD, new Done(bothWays(), new CrmOutcome.Written(null),
                StoreOutcome.REFUSED), NOW);
        assertEquals(v("A", "host", "Short", "s0"), nb.fields());
        assertEquals(LATER, nb.crmModstamp(), "a write with no stamp: the CRM record's own stamp");
    }

    @Test
    void aRecordNeverMergedWhoseStoreWriteWasRefusedHasNoBase() {
        RecordPlan.Merge first = merged(crm(v("A", "crm"), T), mkt(v("A", "mine")), null);
        assertNull(BidiWrites.newBase(ObjectType.LEAD, new Done(first, new CrmOutcome.NotSent(), StoreOutcome.REFUSED),
                NOW));
        assertEquals(v("A", "crm"), BidiWrites.newBase(ObjectType.LEAD, new Done(first, new CrmOutcome.NotSent(),
                StoreOutcome.WRITTEN), NOW).fields());
    }
}
