package dev.crmsync.core;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.LeadConversion;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SyncEngine.convertPerson and mergePersons against InMemoryCrm and the in-memory stores. */
class MarketingSideConvertAndMergeTest {

    private static final String SCORE = "NumberOfEmployees";   // a numeric Lead field standing in for a score
    private final BidiHarness h = new BidiHarness();

    private SyncEngine engine() {
        return h.builder().sumOnMerge(ObjectType.LEAD, SCORE).build();
    }

    private long merges() {
        return h.crm.callCounts().get("merge");
    }

    @Test
    void convertPersonConvertsTheLeadInTheCrmAndTheNextCycleMovesThePersonToContact() {
        CrmId lead = h.lead("Doe", "Acme");
        List<LeadConversion> events = new ArrayList<>();
        try (SyncEngine engine = h.builder().listener(new SyncListener() {
            @Override
            public void onLeadConverted(LeadConversion conversion) {
                events.add(conversion);
            }
        }).build()) {
            h.cycle(engine);
            String mid = h.inStore(ObjectType.LEAD, lead).marketingId();
            PersonConversion c = engine.convertPerson(mid, "Closed - Converted", true);
            assertEquals(PersonConversion.Outcome.CONVERTED, c.outcome(), c::toString);
            assertNotNull(c.opportunityId());
            assertEquals(1L, h.crm.callCounts().get("convertLead"));
            SyncRecord l = h.inCrm(ObjectType.LEAD, lead);
            assertEquals(FieldValue.bool(true), l.get(SyncRecord.IS_CONVERTED));
            assertEquals(FieldValue.ref(c.opportunityId()), l.get("ConvertedOpportunityId"));
            h.cycle(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
            MarketingRecord person = h.byMid(ObjectType.CONTACT, mid);
            assertEquals(c.contactId(), person.crmId(), "the same person, now a Contact");
            assertEquals(List.of(new LeadConversion(lead, c.contactId(), mid, false)), events);
        }
        assertEquals(0, h.data.size(ObjectType.LEAD));
    }

    @Test
    void convertPersonAnswersNotFoundNotInCrmAndTheCrmsRefusal() {
        CrmId lead = h.lead("Doe", "Acme");
        MarketingRecord local = h.store.saveLocal(ObjectType.LEAD, null, fields("LastName", "Roe", "Company", "X"));
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            String mid = h.inStore(ObjectType.LEAD, lead).marketingId();
            assertEquals(PersonConversion.Outcome.NOT_FOUND, engine.convertPerson("nobody", "Closed - Converted", true)
                    .outcome());
            assertEquals(PersonConversion.Outcome.NOT_IN_CRM,
                    engine.convertPerson(local.marketingId(), "Closed - Converted", true).outcome());
            PersonConversion bad = engine.convertPerson(mid, "Open - Not Contacted", true);
            assertEquals(PersonConversion.Outcome.REJECTED, bad.outcome());
            assertEquals("INVALID_STATUS", bad.code());
            assertThrows(IllegalArgumentException.class, () -> engine.convertPerson(" ", "Closed - Converted", true));
            assertEquals(1L, h.crm.callCounts().get("convertLead"));
        }
    }

    @Test
    void mergePersonsWaitsForNoOtherInstanceSyncingTheTypeNothingMergedWhileItHoldsTheLease() {
        CrmId a = h.lead("Ames", "Acme", SCORE, 10);
        CrmId b = h.lead("Bell", "Acme", SCORE, 5);
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            String ma = h.inStore(ObjectType.LEAD, a).marketingId();
            String mb = h.inStore(ObjectType.LEAD, b).marketingId();
            // a second instance of the same engine (another process) is syncing Lead
            assertTrue(h.state.tryAcquireLease("crmsync:Lead", engine.engineId(), "other-instance",
                    SyncEngine.DEFAULT_LEASE_TTL) instanceof dev.crmsync.store.LeaseAttempt.Granted);
            PersonMerge refused = engine.mergePersons(ObjectType.LEAD, ma, List.of(mb), false);
            assertEquals(PersonMerge.Outcome.LEASE_HELD, refused.outcome(), refused::toString);
            assertEquals(0L, merges(), "nothing merged in the CRM");
            assertEquals(2, h.data.size(ObjectType.LEAD), "nothing merged in the store");
            h.clock.advance(SyncEngine.DEFAULT_LEASE_TTL.plusSeconds(1));     // the other instance's lease lapses
            PersonMerge merged = engine.mergePersons(ObjectType.LEAD, ma, List.of(mb), false);
            assertEquals(PersonMerge.Outcome.MERGED, merged.outcome(), merged::toString);
            assertEquals(1L, merges());
            assertTrue(h.state.tryAcquireLease("crmsync:Lead", engine.engineId(), "other-instance",
                    SyncEngine.DEFAULT_LEASE_TTL) instanceof dev.crmsync.store.LeaseAttempt.Granted,
                    "the merge gave the lease back");
        }
    }

    @Test
    void mergePersonsMergesTheCrmRecordsFirstThenTheStoreAndSumsTheScore() {
        CrmId a = h.lead("Ames", "Acme", SCORE, 10);
        CrmId b = h.lead("Bell", "Acme", SCORE, 5);
        CrmId c = h.lead("Cole", "Acme", SCORE, 7);
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            String ma = h.inStore(ObjectType.LEAD, a).marketingId();
            String mb = h.inStore(ObjectType.LEAD, b).marketingId();
            String mc = h.inStore(ObjectType.LEAD, c).marketingId();
            PersonMerge r = engine.mergePersons(ObjectType.LEAD, ma, List.of(mb, mc), false);
            assertEquals(PersonMerge.Outcome.MERGED, r.outcome(), r::toString);
            assertEquals(List.of(b, c), r.mergedCrmIds());
            assertEquals(List.of(SCORE), r.summedFields());
            assertEquals(1L, merges(), "two losers: one SOAP-sized merge call");
            for (CrmId loser : List.of(b, c)) {
                SyncRecord s = h.inCrm(ObjectType.LEAD, loser);
                assertTrue(s.deleted());
                assertEquals(FieldValue.ref(a), s.get(SyncRecord.MASTER_RECORD_ID));
            }
            assertEquals(1, h.data.size(ObjectType.LEAD), "the losers' store records are gone");
            assertEquals(0, new java.math.BigDecimal(22).compareTo(
                    ((FieldValue.Number) h.byMid(ObjectType.LEAD, ma).get(SCORE)).value()));
            h.cycle(engine);
            h.cycle(engine);
            h.assertQuiet(engine);
            assertEquals(0, new java.math.BigDecimal(22).compareTo(
                    ((FieldValue.Number) h.crmValue(ObjectType.LEAD, a, SCORE)).value()), "the sum reached the CRM");
        }
        assertEquals(1, h.data.size(ObjectType.LEAD));
    }

    @Test
    void mergeFailsWhenACrmRecordIsMissing() {
        CrmId a = h.lead("Ames", "Acme", SCORE, 10);
        CrmId b = h.lead("Bell", "Acme", SCORE, 5);
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            String ma = h.inStore(ObjectType.LEAD, a).marketingId();
            String mb = h.inStore(ObjectType.LEAD, b).marketingId();
            h.crm.delete(ObjectType.LEAD, b);          // deleted in the CRM, not yet seen by a cycle
            PersonMerge r = engine.mergePersons(ObjectType.LEAD, ma, List.of(mb), false);
            assertEquals(PersonMerge.Outcome.CRM_RECORD_MISSING, r.outcome());
            assertEquals(List.of(mb), r.missing());
            assertEquals(0L, merges());
            assertEquals(2, h.data.size(ObjectType.LEAD), "nothing merged in the store");
            assertEquals(PersonMerge.Outcome.NOT_FOUND,
                    engine.mergePersons(ObjectType.LEAD, ma, List.of("nobody"), false).outcome());
        }
    }

    @Test
    void skipCrmMergeMergesTheStoreRecordsOnly() {
        CrmId a = h.lead("Ames", "Acme", SCORE, 10);
        CrmId b = h.lead("Bell", "Acme", SCORE, 5);
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            String ma = h.inStore(ObjectType.LEAD, a).marketingId();
            String mb = h.inStore(ObjectType.LEAD, b).marketingId();
            h.crm.delete(ObjectType.LEAD, b);
            PersonMerge r = engine.mergePersons(ObjectType.LEAD, ma, List.of(mb), true);
            assertEquals(PersonMerge.Outcome.MERGED, r.outcome(), r::toString);
            assertTrue(r.mergedCrmIds().isEmpty());
            assertEquals(0L, merges(), "the CRM was not asked");
            assertEquals(1, h.data.size(ObjectType.LEAD));
            assertEquals(0, new java.math.BigDecimal(15).compareTo(
                    ((FieldValue.Number) h.byMid(ObjectType.LEAD, ma).get(SCORE)).value()));
            assertFalse(h.inCrm(ObjectType.LEAD, a).deleted());
        }
    }

    @Test
    void mergePersonsValidatesItsArguments() {
        try (SyncEngine engine = engine()) {
            assertThrows(IllegalArgumentException.class, () -> engine.mergePersons(ObjectType.ACCOUNT, "a",
                    List.of("b"), false));
            assertThrows(IllegalArgumentException.class, () -> engine.mergePersons(ObjectType.LEAD, "a", List.of(),
                    false));
            assertThrows(IllegalArgumentException.class, () -> engine.mergePersons(ObjectType.LEAD, "a",
                    List.of("a"), false));
            assertThrows(IllegalArgumentException.class, () -> engine.mergePersons(ObjectType.LEAD, "a",
                    List.of("b", "b"), false));
            assertThrows(IllegalArgumentException.class, () -> SyncEngine.builder().sumOnMerge(ObjectType.CAMPAIGN,
                    "X"));
        }
    }
}
