package dev.crmsync.core;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.PushResult;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.fault.Fault;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every CRM create happens once (issue 10, defect 2): with an external-id marketing-id field a
 * create is an upsert, sent again after a lost answer; without one, a create whose outcome is
 * unknown is waited for until it settled, and recognised by what it sent; an id the CRM returned
 * is linked before any follow-up call. Call counts are exact.
 */
class IdempotentCreatesTest {

    private final BidiHarness h = new BidiHarness();

    private void externalIdField() {
        for (ObjectType t : List.of(ObjectType.LEAD, ObjectType.CONTACT, ObjectType.CAMPAIGN)) {
            h.crm.removeField(t, BidiHarness.MARKETING_ID_FIELD);
            h.crm.addField(t, FieldSchema.builder(BidiHarness.MARKETING_ID_FIELD, FieldType.STRING).externalId(true)
                    .build());
        }
    }

    private MarketingRecord person(String last) {
        return h.store.saveLocal(ObjectType.LEAD, null, fields("LastName", last, "Company", "Acme", "Title", "t0"));
    }

    private long leadsNamed(String mid) {
        return h.crm.records(ObjectType.LEAD).stream()
                .filter(r -> FieldValue.text(mid).equals(r.get(BidiHarness.MARKETING_ID_FIELD))).count();
    }

    private boolean unconfirmed(MarketingRecord p) {
        return h.state.intent(ObjectType.LEAD, RecordKey.marketing(p.marketingId()),
                EngineIntent.Kind.UNCONFIRMED_CREATE).isPresent();
    }

    private static void assertCallFailed(PushResult r) {
        PushResult.Rejected rej = assertInstanceOf(PushResult.Rejected.class, r, r::toString);
        assertTrue(rej.retriable(), r::toString);
    }

    @Test
    void withAnExternalIdFieldALostAnswerIsSimplySentAgainAsAnUpsert() {
        externalIdField();
        MarketingRecord p = person("Doe");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            long writes = h.crmWrites();
            h.crm.faults().failNext(CrmOperation.WRITE, 1, Fault.loseAnswer());
            assertCallFailed(engine.pushNow(p.marketingId()).get(0));
            assertEquals(1, leadsNamed(p.marketingId()), "the lost push committed");
            PushResult again = engine.pushNow(p.marketingId()).get(0);
            CrmId id = assertInstanceOf(PushResult.Created.class, again, again::toString).crmId();
            assertEquals(writes + 2, h.crmWrites(), "one upsert, then the same upsert again");
            assertEquals(id, h.byMid(ObjectType.LEAD, p.marketingId()).crmId());
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(1, h.crm.count(ObjectType.LEAD));
    }

    @Test
    void withAnExternalIdFieldACreateThatCommitsAfterTheTimeoutLeavesOneLead() {
        externalIdField();
        LateCommits late = new LateCommits(h.crm, Duration.ofMinutes(2));
        MarketingRecord p = person("Doe");
        try (SyncEngine engine = h.builder().crmSource(late).build()) {
            h.cycle(engine);
            long writes = h.crmWrites();
            late.holdNext(1);
            assertCallFailed(engine.pushNow(p.marketingId()).get(0));
            h.cycle(engine);                 // nothing seen: the upsert goes again at once
            assertEquals(1, leadsNamed(p.marketingId()));
            late.commitHeld();               // the first one lands: it finds the record and updates it
            h.cycle(engine);
            h.assertQuiet(engine);
            assertEquals(writes + 2, h.crmWrites(), "the upsert sent again, and the held one landing late");
        }
        assertEquals(1, h.crm.count(ObjectType.LEAD));
        assertEquals(1, leadsNamed(p.marketingId()));
    }

    @Test
    void withoutAnExternalIdACreateOfUnknownOutcomeIsNotSentAgainBeforeItSettled() {
        LateCommits late = new LateCommits(h.crm, Duration.ofMinutes(2));
        MarketingRecord p = person("Doe");
        try (SyncEngine engine = h.builder().crmSource(late).build()) {
            h.cycle(engine);
            long writes = h.crmWrites();
            late.holdNext(1);
            assertCallFailed(engine.pushNow(p.marketingId()).get(0));
            h.cycle(engine);
            assertEquals(0, h.crm.count(ObjectType.LEAD), "sent again before it settled");
            assertTrue(unconfirmed(p), "pending, not failed");
            PushResult meanwhile = engine.pushNow(p.marketingId()).get(0);
            assertInstanceOf(PushResult.Unconfirmed.class, meanwhile, meanwhile::toString);
            h.clock.advance(Duration.ofMinutes(1));
            late.commitHeld();               // within the CRM's longest write: it lands
            h.cycle(engine);                 // seen, and linked
            h.clock.advance(Duration.ofMinutes(10));
            h.cycle(engine);
            h.assertQuiet(engine);
            assertEquals(writes + 1, h.crmWrites(), "one create, never sent again");
        }
        assertEquals(1, h.crm.count(ObjectType.LEAD));
        assertEquals(h.crm.records(ObjectType.LEAD).get(0).id(), h.byMid(ObjectType.LEAD, p.marketingId()).crmId());
    }

    @Test
    void withoutAnExternalIdACreateThatNeverLandedIsSentAgainOnceItSettled() {
        LateCommits late = new LateCommits(h.crm, Duration.ofMinutes(2));
        MarketingRecord p = person("Doe");
        try (SyncEngine engine = h.builder().crmSource(late).build()) {
            h.cycle(engine);
            long writes = h.crmWrites();
            late.holdNext(1);
            assertCallFailed(engine.pushNow(p.marketingId()).get(0));
            h.clock.advance(Duration.ofMinutes(2).plus(SyncEngine.DEFAULT_LOOKBACK).minusSeconds(2));
            h.cycle(engine);
            assertEquals(0, h.crm.count(ObjectType.LEAD), "sent again before it settled");
            h.cycle(engine);                 // this read started after the settle time: sent again
            assertEquals(writes + 1, h.crmWrites());
            assertEquals(1, h.crm.count(ObjectType.LEAD));
            h.assertQuiet(engine);
        }
    }

    @Test
    void withoutAnyMarketingIdFieldALostCreateIsRecognisedByWhatItSentDespiteAHostEdit() {
        MarketingRecord p = person("Doe");
        try (SyncEngine engine = noMarketingIdField()) {
            h.cycle(engine);
            h.crm.faults().failNext(CrmOperation.WRITE, 1, Fault.loseAnswer());
            assertCallFailed(engine.pushNow(p.marketingId()).get(0));
            h.store.saveLocal(ObjectType.LEAD, p.marketingId(), fields("Title", "edited by the host"));
            h.clock.advance(Duration.ofMinutes(30));     // settled: only recognition stands between it and a second lead
            h.cycle(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(1, h.crm.count(ObjectType.LEAD));
        CrmId id = h.byMid(ObjectType.LEAD, p.marketingId()).crmId();
        assertEquals(FieldValue.text("edited by the host"), h.crmValue(ObjectType.LEAD, id, "Title"));
    }

    @Test
    void pushNowWhoseFollowUpReadFailsThenAHostEditMakesExactlyOneLead() {
        // the case: no marketing-id field, so only the link the push made can tell
        MarketingRecord p = person("Doe");
        try (SyncEngine engine = noMarketingIdField()) {
            h.cycle(engine);
            long writes = h.crmWrites();
            h.crm.faults().failNextWhere(op -> op == CrmOperation.FETCH, 1, Fault.fatal());
            PushResult r = engine.pushNow(p.marketingId()).get(0);
            h.store.saveLocal(ObjectType.LEAD, p.marketingId(), fields("Title", "edited by the host"));
            h.cycle(engine);
            h.clock.advance(Duration.ofMinutes(30));
            h.cycle(engine);
            assertEquals(1, h.crm.count(ObjectType.LEAD), "created twice");
            CrmId id = assertInstanceOf(PushResult.Created.class, r, r::toString).crmId();
            h.assertQuiet(engine);
            assertEquals(writes + 2, h.crmWrites(), "the create, then the host's edit as an update");
            assertEquals(FieldValue.text("edited by the host"), h.crmValue(ObjectType.LEAD, id, "Title"));
            assertEquals(id, h.byMid(ObjectType.LEAD, p.marketingId()).crmId());
        }
    }

    private SyncEngine noMarketingIdField() {
        return SyncEngine.builder().crmSource(h.crm).marketingStore(h.store).syncStateStore(h.state).clock(h.clock)
                .engineId("no-id-field").objectTypes(BidiHarness.TYPES).leaseRenewalExecutor(h.renewals).build();
    }
}
