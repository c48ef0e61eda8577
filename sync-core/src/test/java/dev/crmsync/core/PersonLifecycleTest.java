package dev.crmsync.core;

import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.core.report.LeadConversion;
import dev.crmsync.core.report.PushResult;
import dev.crmsync.core.report.RecordsMerged;
import dev.crmsync.core.report.SyncReport;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.model.Deletion;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.SyncSide;
import dev.crmsync.testkit.fault.StoreOperation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Marketo's person lifecycle: push, required-field defaults, CRM deletion, conversion and merge. */
class PersonLifecycleTest {

    private final BidiHarness h = new BidiHarness();

    private MarketingRecord marketingOnlyLead(Object... kv) {
        return h.store.saveLocal(ObjectType.LEAD, null, fields(kv));
    }

    /** Pushes a marketing-only person with {@code pushNow} and returns the Lead it became. */
    private CrmId pushedLead(SyncEngine engine, MarketingRecord person) {
        PushResult r = engine.pushNow(ObjectType.LEAD, List.of(person.marketingId())).get(0);
        return assertInstanceOf(PushResult.Created.class, r, r::toString).crmId();
    }

    @Test
    void aMarketingOnlyPersonIsNotPushedByTheCycle() {
        MarketingRecord p = marketingOnlyLead("LastName", "Doe", "Company", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.cycle(engine);
        }
        assertEquals(0, h.crm.count(ObjectType.LEAD));
        assertNull(h.byMid(ObjectType.LEAD, p.marketingId()).crmId());
    }

    @Test
    void pushNowCreatesALeadAtOnceAndLinksIt() {
        MarketingRecord p = marketingOnlyLead("LastName", "Doe", "Company", "Acme", "Title", "CTO");
        List<PushResult> results;
        try (SyncEngine engine = h.engine()) {
            results = engine.pushNow(p.marketingId());
        }
        PushResult.Created created = assertInstanceOf(PushResult.Created.class, results.get(0));
        SyncRecord lead = h.inCrm(ObjectType.LEAD, created.crmId());
        assertEquals(FieldValue.text("CTO"), lead.get("Title"));
        assertEquals(FieldValue.text(p.marketingId()), lead.get(BidiHarness.MARKETING_ID_FIELD));
        MarketingRecord linked = h.byMid(ObjectType.LEAD, p.marketingId());
        assertEquals(created.crmId(), linked.crmId());
        assertEquals(FieldValue.text("Open - Not Contacted"), linked.get("Status"), "the CRM's default reaches the store");
    }

    @Test
    void aPushedPersonSyncsQuietlyAfterwards() {
        MarketingRecord p = marketingOnlyLead("LastName", "Doe", "Company", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            engine.pushNow(p.marketingId());
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(1, h.crm.count(ObjectType.LEAD));
    }

    @Test
    void pushNowOfALinkedPersonWritesNothing() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            long writes = h.crmWrites();
            List<PushResult> r = engine.pushNow(h.inStore(ObjectType.LEAD, lead).marketingId());
            assertEquals(new PushResult.AlreadyInCrm(h.inStore(ObjectType.LEAD, lead).marketingId(), lead), r.get(0));
            assertEquals(writes, h.crmWrites());
        }
    }

    @Test
    void pushNowOfAnUnknownIdIsNotFound() {
        try (SyncEngine engine = h.engine()) {
            assertEquals(List.of(new PushResult.NotFound("999")), engine.pushNow("999"));
        }
    }

    @Test
    void pushNowRejectsOtherTypesAndBadIds() {
        try (SyncEngine engine = h.engine()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> engine.pushNow(ObjectType.ACCOUNT, List.of("1")));
            assertTrue(e.getMessage().contains("Account"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> engine.pushNow(ObjectType.LEAD, List.of(" ")));
            List<String> withNull = new ArrayList<>();
            withNull.add(null);
            assertThrows(IllegalArgumentException.class, () -> engine.pushNow(ObjectType.LEAD, withNull));
        }
    }

    @Test
    void withoutLastNameAndNoDefaultThePushIsRejectedWithAClearReason() {
        MarketingRecord p = marketingOnlyLead("Company", "Acme", "Email", "x@example.com");
        List<FailedRecord> rejected = new ArrayList<>();
        PushResult r;
        try (SyncEngine engine = h.builder().listener(new SyncListener() {
            @Override
            public void onRecordRejected(FailedRecord failure) {
                rejected.add(failure);
            }
        }).build()) {
            long writes = h.crmWrites();
            r = engine.pushNow(p.marketingId()).get(0);
            assertEquals(writes, h.crmWrites(), "rejected before any CRM call");
        }
        PushResult.Rejected rej = assertInstanceOf(PushResult.Rejected.class, r);
        assertEquals("REQUIRED_FIELD_MISSING", rej.code());
        assertTrue(rej.message().contains("LastName") && rej.message().contains("defaultLastName"), rej.message());
        assertEquals(1, rejected.size());
        assertEquals(RecordKey.marketing(p.marketingId()), rejected.get(0).key());
        assertEquals(SyncSide.CRM, rejected.get(0).target());
    }

    @Test
    void defaultsFillBlankRequiredFieldsOnCreate() {
        MarketingRecord p = marketingOnlyLead("Email", "x@example.com", "Company", " ");
        PushResult r;
        try (SyncEngine engine = h.builder().defaultLastName("[not provided]").defaultCompany("Unknown Inc").build()) {
            r = engine.pushNow(p.marketingId()).get(0);
        }
        CrmId id = assertInstanceOf(PushResult.Created.class, r).crmId();
        assertEquals(FieldValue.text("[not provided]"), h.crmValue(ObjectType.LEAD, id, "LastName"));
        assertEquals(FieldValue.text("Unknown Inc"), h.crmValue(ObjectType.LEAD, id, "Company"));
    }

    @Test
    void defaultsAreNeverAppliedOnUpdate() {
        CrmId lead = h.lead("Doe", "Acme");
        List<FailedRecord> rejected = new ArrayList<>();
        try (SyncEngine engine = h.builder().defaultLastName("[not provided]").defaultCompany("Unknown Inc")
                .listener(new SyncListener() {
                    @Override
                    public void onRecordRejected(FailedRecord failure) {
                        rejected.add(failure);
                    }
                }).build()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "Company", null);
            SyncReport r = h.run(engine);
            assertEquals(1, r.totals().failed(), r::toTable);
        }
        assertEquals(FieldValue.text("Acme"), h.crmValue(ObjectType.LEAD, lead, "Company"));
        assertEquals(1, rejected.size());
        assertEquals("REQUIRED_FIELD_MISSING", rejected.get(0).code(), rejected.get(0).toString());
        assertEquals(RecordKey.crm(lead), rejected.get(0).key());
    }

    @Test
    void aCrmDeletionFlagsThePersonWhoStaysInTheStore() {
        CrmId lead = h.lead("Doe", "Acme", "Title", "CTO");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.crm.delete(ObjectType.LEAD, lead);
            h.cycle(engine);
        }
        MarketingRecord p = h.inStore(ObjectType.LEAD, lead);
        assertTrue(p.crmDeleted());
        assertEquals(FieldValue.text("CTO"), p.get("Title"));
    }

    @Test
    void pushingADeletedPersonAgainCreatesANewLead() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.crm.delete(ObjectType.LEAD, lead);
            h.cycle(engine);
            String mid = h.inStore(ObjectType.LEAD, lead).marketingId();
            PushResult r = engine.pushNow(mid).get(0);
            CrmId again = assertInstanceOf(PushResult.Created.class, r).crmId();
            assertNotEquals(lead, again);
            MarketingRecord p = h.byMid(ObjectType.LEAD, mid);
            assertEquals(again, p.crmId());
            assertFalse(p.crmDeleted());
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(1, h.crm.count(ObjectType.LEAD));
    }

    @Test
    void pushingAContactTheCrmDeletedCreatesANewLead() {
        CrmId contact = h.contact("Roe", "Title", "Buyer");
        try (SyncEngine engine = h.builder().defaultCompany("Unknown Inc").build()) {
            h.cycle(engine);
            h.crm.delete(ObjectType.CONTACT, contact);
            h.cycle(engine);
            String mid = h.inStore(ObjectType.CONTACT, contact).marketingId();
            PushResult r = engine.pushNow(ObjectType.CONTACT, List.of(mid)).get(0);
            CrmId lead = assertInstanceOf(PushResult.Created.class, r).crmId();
            assertEquals(ObjectType.LEAD, h.inCrm(ObjectType.LEAD, lead).type());
            assertEquals(FieldValue.text("Buyer"), h.crmValue(ObjectType.LEAD, lead, "Title"));
            MarketingRecord p = h.byMid(ObjectType.LEAD, mid);
            assertEquals(lead, p.crmId(), "the same person, now a Lead");
            assertFalse(p.crmDeleted());
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(0, h.data.size(ObjectType.CONTACT));
    }

    @Test
    void aDeletedContactPushedAgainWhoseAnswerWasLostIsLinkedNotCreatedTwice() {
        // found by the bidirectional property: the new Lead carries the marketing id of a record
        // the store still holds as a Contact; the next cycle must recognise it as that person's
        CrmId contact = h.contact("Roe", "Title", "Buyer");
        String mid;
        try (SyncEngine engine = h.builder().defaultCompany("Unknown Inc").build()) {
            h.cycle(engine);
            h.crm.delete(ObjectType.CONTACT, contact);
            h.cycle(engine);
            mid = h.inStore(ObjectType.CONTACT, contact).marketingId();
            h.store.faults().failNext(StoreOperation.RELINK, 1, Fault.retriable());
            assertWholeCallFailed(engine.pushNow(ObjectType.CONTACT, List.of(mid)));
            assertEquals(1, h.crm.count(ObjectType.LEAD), "the create reached the CRM");
            h.cycle(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(1, h.crm.count(ObjectType.LEAD), "not created twice");
        MarketingRecord p = h.byMid(ObjectType.LEAD, mid);
        assertEquals(h.crm.records(ObjectType.LEAD).get(0).id(), p.crmId(), "the same person, now a Lead");
        assertEquals(0, h.data.size(ObjectType.CONTACT));
    }

    @Test
    void aPushedLeadConvertedAndThenDeletedAsAContactStaysFlaggedAndQuiet() {
        // found by the bidirectional property: the converted lead still carries the person's
        // marketing id; it must not be taken for a lost create of the (now deleted) contact
        MarketingRecord person = marketingOnlyLead("LastName", "Roe", "Company", "Local");
        try (SyncEngine engine = h.engine()) {
            CrmId lead = pushedLead(engine, person);
            CrmId contact = h.crm.convertLead(lead, null).contactId();
            h.crm.delete(ObjectType.CONTACT, contact);
            h.cycle(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
            MarketingRecord held = h.byMid(ObjectType.CONTACT, person.marketingId());
            assertEquals(contact, held.crmId(), "the person followed the conversion");
            assertTrue(held.crmDeleted(), "and is flagged deleted with its contact");
        }
        assertEquals(0, h.data.size(ObjectType.LEAD));
    }

    @Test
    void pushNowOfAPersonFlaggedDeletedWhoseLeadIsLiveClearsTheFlagInsteadOfCreatingAgain() {
        // a process that died between linking a person to the lead re-created for it and clearing
        // its deleted flag leaves it so (found by the bidirectional property, as a duplicate lead)
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            String mid = h.inStore(ObjectType.LEAD, lead).marketingId();
            h.store.markDeleted(ObjectType.LEAD, List.of(new Deletion(lead, h.clock.instant())));
            PushResult r = engine.pushNow(ObjectType.LEAD, List.of(mid)).get(0);
            assertEquals(new PushResult.AlreadyInCrm(mid, lead), r);
            assertFalse(h.inStore(ObjectType.LEAD, lead).crmDeleted(), "the stale flag is cleared");
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(1, h.crm.count(ObjectType.LEAD), "nothing created");
    }

    @Test
    void conversionLeavesExactlyOneMarketingPersonNowAContact() {
        CrmId lead = h.lead("Doe", "Acme", "Title", "CTO", "Email", "doe@acme.example");
        List<LeadConversion> events = new ArrayList<>();
        String mid;
        InMemoryCrm.Conversion conv;
        try (SyncEngine engine = h.builder().listener(new SyncListener() {
            @Override
            public void onLeadConverted(LeadConversion conversion) {
                events.add(conversion);
            }
        }).build()) {
            h.cycle(engine);
            mid = h.inStore(ObjectType.LEAD, lead).marketingId();
            conv = h.crm.convertLead(lead, null);
            h.cycle(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(0, h.data.size(ObjectType.LEAD), "no lead left in the store");
        assertEquals(1, h.data.size(ObjectType.CONTACT), "exactly one person");
        MarketingRecord person = h.inStore(ObjectType.CONTACT, conv.contactId());
        assertEquals(mid, person.marketingId(), "the same person, now a Contact");
        assertEquals(FieldValue.text("CTO"), person.get("Title"));
        assertEquals(List.of(new LeadConversion(lead, conv.contactId(), mid, false)), events);
    }

    @Test
    void aMarketingEditPendingAtConversionReachesTheContact() {
        CrmId lead = h.lead("Doe", "Acme", "Title", "CTO");
        InMemoryCrm.Conversion conv;
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            conv = h.crm.convertLead(lead, null);
            h.edit(ObjectType.LEAD, lead, "Title", "CEO");
            h.cycle(engine);
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("CEO"), h.crmValue(ObjectType.CONTACT, conv.contactId(), "Title"));
        assertEquals(FieldValue.text("CEO"), h.storeValue(ObjectType.CONTACT, conv.contactId(), "Title"));
    }

    @Test
    void conversionIntoAnExistingContactBehavesAsAMerge() {
        CrmId contact = h.contact("Doe", "Phone", "555");
        CrmId lead = h.lead("Doe", "Acme", "Title", "CTO", "Phone", "777");
        List<LeadConversion> events = new ArrayList<>();
        String contactMid;
        try (SyncEngine engine = h.builder().listener(new SyncListener() {
            @Override
            public void onLeadConverted(LeadConversion conversion) {
                events.add(conversion);
            }
        }).build()) {
            h.cycle(engine);
            contactMid = h.inStore(ObjectType.CONTACT, contact).marketingId();
            h.crm.convertLead(lead, contact);
            h.cycle(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(0, h.data.size(ObjectType.LEAD));
        assertEquals(1, h.data.size(ObjectType.CONTACT));
        MarketingRecord person = h.inStore(ObjectType.CONTACT, contact);
        assertEquals(contactMid, person.marketingId(), "the existing contact's record survives");
        assertEquals(FieldValue.text("555"), person.get("Phone"), "the survivor's value wins");
        assertEquals(FieldValue.text("CTO"), person.get("Title"), "a value beats an empty field");
        assertEquals(FieldValue.text("CTO"), h.crmValue(ObjectType.CONTACT, contact, "Title"));
        assertTrue(events.get(0).intoExistingContact());
    }

    @Test
    void aCrmMergeMergesTheMarketingLosersIntoTheSurvivor() {
        CrmId master = h.lead("Doe", "Acme", "Title", "CTO", "HasOptedOutOfEmail", false);
        CrmId loser = h.lead("Doe", "Acme Inc", "Title", "CEO", "Phone", "555", "HasOptedOutOfEmail", true);
        List<RecordsMerged> events = new ArrayList<>();
        String masterMid;
        try (SyncEngine engine = h.builder().listener(new SyncListener() {
            @Override
            public void onRecordsMerged(RecordsMerged merge) {
                events.add(merge);
            }
        }).build()) {
            h.cycle(engine);
            masterMid = h.inStore(ObjectType.LEAD, master).marketingId();
            h.crm.merge(ObjectType.LEAD, master, List.of(loser));
            h.cycle(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(1, h.data.size(ObjectType.LEAD));
        MarketingRecord survivor = h.inStore(ObjectType.LEAD, master);
        assertEquals(masterMid, survivor.marketingId());
        assertEquals(FieldValue.text("CTO"), survivor.get("Title"), "the survivor's value wins");
        assertEquals(FieldValue.text("555"), survivor.get("Phone"), "a value beats an empty field");
        assertEquals(FieldValue.bool(false), survivor.get("HasOptedOutOfEmail"), "false is a value");
        assertEquals(FieldValue.text("555"), h.crmValue(ObjectType.LEAD, master, "Phone"), "and reaches the CRM");
        assertTrue(h.stored(ObjectType.LEAD, loser).isEmpty());
        assertEquals(List.of(new RecordsMerged(ObjectType.LEAD, master, List.of(loser), masterMid)), events);
    }

    @Test
    void aPushedPersonMergedAwayAndThenDeletedWithItsSurvivorStaysFlaggedAndQuiet() {
        // found by the bidirectional property: the pushed lead (carrying the marketing id) loses a
        // CRM merge, then the survivor is deleted; the deleted loser must not be re-adopted by its
        // marketing id on every cycle, undoing the store's merge each time
        CrmId survivor = h.lead("Doe", "Acme");
        MarketingRecord person = marketingOnlyLead("LastName", "Roe", "Company", "Local");
        try (SyncEngine engine = h.engine()) {
            CrmId pushed = pushedLead(engine, person);
            h.crm.merge(ObjectType.LEAD, survivor, List.of(pushed));
            h.crm.delete(ObjectType.LEAD, survivor);
            h.cycle(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        MarketingRecord held = h.byMid(ObjectType.LEAD, person.marketingId());
        assertEquals(survivor, held.crmId(), "the person took the survivor's id in the merge");
        assertTrue(held.crmDeleted(), "and is flagged deleted with it");
        assertEquals(1, h.data.size(ObjectType.LEAD));
    }

    @Test
    void aMergeMovesTheLosersCampaignMemberships() {
        CrmId campaign = h.campaign("Spring");
        CrmId master = h.lead("Doe", "Acme");
        CrmId loser = h.lead("Doe", "Acme");
        CrmId member = h.crm.insert(ObjectType.CAMPAIGN_MEMBER, fields("CampaignId", campaign, "LeadId", loser,
                "Status", "Responded"));
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.crm.merge(ObjectType.LEAD, master, List.of(loser));
            h.cycle(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(FieldValue.ref(master), h.storeValue(ObjectType.CAMPAIGN_MEMBER, member, "LeadId"));
        assertEquals(FieldValue.ref(master), h.crmValue(ObjectType.CAMPAIGN_MEMBER, member, "LeadId"));
    }

    @Test
    void aPushWhoseAnswerWasLostIsLinkedByTheNextCycleNotCreatedTwice() {
        MarketingRecord p = marketingOnlyLead("LastName", "Doe", "Company", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.store.faults().failNext(StoreOperation.LINK, 1, Fault.retriable());
            assertWholeCallFailed(engine.pushNow(p.marketingId()));
            assertEquals(1, h.crm.count(ObjectType.LEAD), "the create reached the CRM");
            PushResult again = engine.pushNow(p.marketingId()).get(0);
            assertEquals(p.marketingId(), assertInstanceOf(PushResult.Unconfirmed.class, again).marketingId(),
                    "an unconfirmed create is its own outcome, not a rejection");
            assertTrue(engine.parkedFailures().isEmpty(), "and not a failure");
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(1, h.crm.count(ObjectType.LEAD));
        assertEquals(h.crm.records(ObjectType.LEAD).get(0).id(), h.byMid(ObjectType.LEAD, p.marketingId()).crmId());
    }

    @Test
    void withoutAMarketingIdFieldALostPushIsRecognisedByItsValues() {
        MarketingRecord p = marketingOnlyLead("LastName", "Doe", "Company", "Acme", "Email", "d@acme.example");
        try (SyncEngine engine = SyncEngine.builder().crmSource(h.crm).marketingStore(h.store).syncStateStore(h.state)
                .clock(h.clock).engineId("no-id-field").objectTypes(BidiHarness.TYPES).build()) {
            h.cycle(engine);
            h.store.faults().failNext(StoreOperation.LINK, 1, Fault.retriable());
            assertWholeCallFailed(engine.pushNow(p.marketingId()));
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(1, h.crm.count(ObjectType.LEAD));
        assertEquals(h.crm.records(ObjectType.LEAD).get(0).id(), h.byMid(ObjectType.LEAD, p.marketingId()).crmId());
    }

    @Test
    void aPushThatNeverReachedTheCrmIsSentAgainOnceItSettled() {
        MarketingRecord p = marketingOnlyLead("LastName", "Doe", "Company", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.crm.faults().failNext(CrmOperation.WRITE, 1, Fault.retriable());
            assertWholeCallFailed(engine.pushNow(p.marketingId()));
            assertEquals(0, h.crm.count(ObjectType.LEAD));
            // not sent again before it settled: a read that started the CRM's longest write plus the
            // lookback after the create found nothing (the create may still commit until then)
            h.cycle(engine);
            assertEquals(0, h.crm.count(ObjectType.LEAD), "sent again before the create settled");
            assertTrue(h.state.intent(ObjectType.LEAD, dev.crmsync.store.RecordKey.marketing(p.marketingId()),
                    dev.crmsync.store.EngineIntent.Kind.UNCONFIRMED_CREATE).isPresent(), "still unconfirmed, not failed");
            h.clock.advance(SyncEngine.DEFAULT_LOOKBACK);
            h.cycle(engine);
        }
        assertEquals(1, h.crm.count(ObjectType.LEAD));
        assertEquals(h.crm.records(ObjectType.LEAD).get(0).id(), h.byMid(ObjectType.LEAD, p.marketingId()).crmId());
    }

    @Test
    void pushNowWaitsForNothingWhenIdle() {
        MarketingRecord p = marketingOnlyLead("LastName", "Doe", "Company", "Acme");
        try (SyncEngine engine = h.engine()) {
            engine.close();
            assertThrows(IllegalStateException.class, () -> engine.pushNow(p.marketingId()));
        }
    }

    /** A whole-call failure of a push is a retriable per-record answer, never an exception (issue 10, defect 6). */
    private static void assertWholeCallFailed(List<PushResult> results) {
        assertEquals(1, results.size());
        PushResult.Rejected r = assertInstanceOf(PushResult.Rejected.class, results.get(0), results::toString);
        assertTrue(r.retriable(), r::toString);
        assertEquals("CRM_CALL_FAILED", r.code());
    }
}
