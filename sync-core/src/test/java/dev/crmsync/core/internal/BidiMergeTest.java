package dev.crmsync.core.internal;

import static dev.crmsync.core.internal.StageFixtures.ID;
import static dev.crmsync.core.internal.StageFixtures.LATER;
import static dev.crmsync.core.internal.StageFixtures.T;
import static dev.crmsync.core.internal.StageFixtures.base;
import static dev.crmsync.core.internal.StageFixtures.crm;
import static dev.crmsync.core.internal.StageFixtures.mkt;
import static dev.crmsync.core.internal.StageFixtures.v;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.core.internal.BidiMerge.CrmStep;
import dev.crmsync.core.internal.BidiMerge.RecordPlan;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.PendingWrites;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncBase;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The merge stage: one record of a batch into a plan, writing nothing. */
class BidiMergeTest {

    private final InMemorySyncStateStore state = new InMemorySyncStateStore();

    private RecordPlan plan(ConflictPolicy policy, SyncRecord c, MarketingRecord m, SyncBase b, boolean hostChanged) {
        return stage(policy).plan(ID, batch(c, m, b, hostChanged));
    }

    private BidiMerge stage(ConflictPolicy policy) {
        return new BidiMerge(StageFixtures.lead(policy), policy, StageFixtures.book(state, SyncSide.CRM),
                StageFixtures.book(state, SyncSide.MARKETING), StageFixtures.CLOCK,
                new UnwrittenFields(ObjectType.LEAD, new dev.crmsync.core.SyncListener() { }));
    }

    private static BidiBatch batch(SyncRecord c, MarketingRecord m, SyncBase b, boolean hostChanged) {
        Map<CrmId, SyncRecord> crm = new HashMap<>();
        Map<CrmId, MarketingRecord> mkt = new HashMap<>();
        Map<CrmId, SyncBase> bases = new HashMap<>();
        if (c != null) {
            crm.put(ID, c);
        }
        if (m != null) {
            mkt.put(ID, m);
        }
        if (b != null) {
            bases.put(ID, b);
        }
        return new BidiBatch(List.of(ID), crm, mkt, bases, hostChanged ? Set.of(ID) : Set.of());
    }

    @Test
    void aHostEditGoesToTheCrmAsOneUpdate() {
        RecordPlan p = plan(ConflictPolicy.crmWins(), crm(v("A", "a0"), T), mkt(v("A", "mine")), base(v("A", "a0")), true);
        RecordPlan.Merge merge = assertInstanceOf(RecordPlan.Merge.class, p);
        CrmStep.Send send = assertInstanceOf(CrmStep.Send.class, merge.toCrm());
        assertEquals(ID, send.update().id());
        assertEquals(v("A", "mine"), send.update().fields());
        assertFalse(merge.storeBound());
    }

    @Test
    void aCrmEditGoesToTheStoreAndNothingToTheCrm() {
        RecordPlan.Merge merge = assertInstanceOf(RecordPlan.Merge.class,
                plan(ConflictPolicy.crmWins(), crm(v("A", "theirs"), LATER), mkt(v("A", "a0")), base(v("A", "a0")), false));
        assertInstanceOf(CrmStep.Nothing.class, merge.toCrm());
        assertTrue(merge.storeBound());
        assertEquals(v("A", "theirs"), merge.plan().toStore);
    }

    @Test
    void aValueTheCrmWouldRefuseIsCaughtBeforeAnyCall() {
        RecordPlan.Merge merge = assertInstanceOf(RecordPlan.Merge.class, plan(ConflictPolicy.crmWins(),
                crm(v("Short", "ab"), T), mkt(v("Short", "far too long")), base(v("Short", "ab")), true));
        CrmStep.Invalid invalid = assertInstanceOf(CrmStep.Invalid.class, merge.toCrm());
        assertEquals("STRING_TOO_LONG", invalid.rejection().code());
        assertFalse(invalid.rejection().message().contains("far too long"), "no customer value in the message");
    }

    @Test
    void aRecordTheCrmRejectedInThisRunIsHeldNotSentAgain() {
        // the stage reads the run's own book: a rejection recorded in it during this run holds the record
        SideFailures crmBook = StageFixtures.book(state, SyncSide.CRM);
        BidiMerge same = new BidiMerge(StageFixtures.lead(ConflictPolicy.crmWins()), ConflictPolicy.crmWins(), crmBook,
                StageFixtures.book(state, SyncSide.MARKETING), StageFixtures.CLOCK,
                new UnwrittenFields(ObjectType.LEAD, new dev.crmsync.core.SyncListener() { }));
        crmBook.rejected(RecordKey.crm(ID), "UNABLE_TO_LOCK_ROW", "locked", true);
        BidiBatch w = batch(crm(v("A", "a0"), T), mkt(v("A", "mine")), base(v("A", "a0")), true);
        assertInstanceOf(CrmStep.Held.class, ((RecordPlan.Merge) same.plan(ID, w)).toCrm());
        // the next run (its book loaded afresh) sends the changed record again: the code is retriable
        assertInstanceOf(CrmStep.Send.class, ((RecordPlan.Merge) stage(ConflictPolicy.crmWins()).plan(ID, w)).toCrm());
    }

    @Test
    void anUnchangedRecordParkedWholeStaysParked() {
        StageFixtures.book(state, SyncSide.CRM).parked(RecordKey.crm(ID), BidiConflicts.CONFLICT_POLICY_FAILED, "policy");
        RecordPlan p = plan(ConflictPolicy.crmWins(), crm(v("A", "x"), T), mkt(v("A", "y")), base(v("A", "a0")), false);
        assertEquals(new RecordPlan.StillParked(ID), p);
        RecordPlan changed = plan(ConflictPolicy.crmWins(), crm(v("A", "x"), LATER), mkt(v("A", "y")),
                base(v("A", "a0")), false);
        assertInstanceOf(RecordPlan.Merge.class, changed, "a change on the CRM side merges it again");
    }

    @Test
    void aPolicyThatThrowsFailsTheRecordWithNothingToWrite() {
        ConflictPolicy broken = c -> {
            throw new IllegalStateException("boom");
        };
        RecordPlan p = plan(broken, crm(v("A", "x"), LATER), mkt(v("A", "y")), base(v("A", "a0")), true);
        RecordPlan.PolicyFailed failed = assertInstanceOf(RecordPlan.PolicyFailed.class, p);
        assertTrue(failed.plan().failed());
    }

    @Test
    void aRecordTheCrmDeletedIsFlaggedInTheStoreAtItsDeletionStamp() {
        SyncRecord deleted = new SyncRecord(ObjectType.LEAD, ID, Map.of(), LATER, true);
        RecordPlan.FlagDeleted p = assertInstanceOf(RecordPlan.FlagDeleted.class,
                plan(ConflictPolicy.crmWins(), deleted, mkt(v("A", "a")), null, false));
        assertEquals(LATER, p.deletion().deletedAt());
    }

    @Test
    void aPurgedRecordIsFlaggedAtTheTimeOfTheRun() {
        RecordPlan.FlagDeleted p = assertInstanceOf(RecordPlan.FlagDeleted.class,
                plan(ConflictPolicy.crmWins(), null, mkt(v("A", "a")), null, false));
        assertEquals(StageFixtures.CLOCK.instant(), p.deletion().deletedAt());
    }

    @Test
    void aDeletedRecordTheStoreDoesNotHoldLiveIsForgotten() {
        SyncRecord deleted = new SyncRecord(ObjectType.LEAD, ID, Map.of(), LATER, true);
        assertEquals(new RecordPlan.Forget(ID), plan(ConflictPolicy.crmWins(), deleted, null, null, false));
        MarketingRecord flagged = new MarketingRecord(ObjectType.LEAD, "7", ID, Map.of(), true, T, T);
        assertEquals(new RecordPlan.Forget(ID), plan(ConflictPolicy.crmWins(), deleted, flagged, null, false));
    }

    @Test
    void aCrmRecordTheStoreLacksIsCreatedThereWithItsSyncedValuesOnly() {
        Map<String, FieldValue> values = v("A", "a", "Unsynced", "u");
        RecordPlan.CreateInStore p = assertInstanceOf(RecordPlan.CreateInStore.class,
                plan(ConflictPolicy.crmWins(), crm(values, T), null, null, false));
        assertEquals(Set.of("A", "Short"), p.record().fields().keySet());
        assertEquals(FieldValue.text("a"), p.record().get("A"));
    }

    @Test
    void inFlightValuesASideHoldsAreAgreedAndTheOthersNeverLanded() {
        SyncBase raw = new SyncBase(ObjectType.LEAD, ID, "7", v("A", "a0", "Short", "s0"),
                new PendingWrites(v("A", "sent"), v("Short", "lost")), T, T);
        SyncBase settled = BidiMerge.settlePending(raw, crm(v("A", "sent"), T), mkt(v("Short", "s1")));
        assertEquals(v("A", "sent", "Short", "s0"), settled.fields());
        assertTrue(settled.pending().isEmpty());
        SyncBase quiet = base(v("A", "a0"));
        assertSame(quiet, BidiMerge.settlePending(quiet, crm(v("A", "a0"), T), mkt(v("A", "a0"))));
    }
}
