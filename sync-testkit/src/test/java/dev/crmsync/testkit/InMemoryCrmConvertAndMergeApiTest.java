package dev.crmsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.crm.LeadConvert;
import dev.crmsync.crm.LeadConvertResult;
import dev.crmsync.crm.MergeResult;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.Deletion;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The SPI's convertLead and mergeRecords on InMemoryCrm, as Salesforce's SOAP calls answer them. */
class InMemoryCrmConvertAndMergeApiTest {

    private static final Instant T0 = Instant.parse("2024-02-10T09:30:00Z");
    private static final String CONVERTED = "Closed - Converted";

    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(7).build();

    private CrmId lead(String last) {
        return crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text(last), "Company",
                FieldValue.text("Acme " + last), "Email", FieldValue.text(last + "@example.com"),
                "LeadSource", FieldValue.text("Web")));
    }

    private SyncRecord get(ObjectType type, CrmId id) {
        return crm.get(type, id).orElseThrow();
    }

    @Test
    void convertLeadMakesContactAccountAndOpportunityAndMarksTheLeadConverted() {
        CrmId lead = lead("Ng");
        clock.advance(java.time.Duration.ofMinutes(1));
        LeadConvertResult r = crm.convertLead(LeadConvert.of(lead, CONVERTED));
        assertTrue(r.success(), r::toString);
        SyncRecord l = get(ObjectType.LEAD, lead);
        assertEquals(FieldValue.bool(true), l.get(SyncRecord.IS_CONVERTED));
        assertEquals(FieldValue.ref(r.contactId()), l.get(SyncRecord.CONVERTED_CONTACT_ID));
        assertEquals(FieldValue.ref(r.accountId()), l.get(SyncRecord.CONVERTED_ACCOUNT_ID));
        assertEquals(FieldValue.ref(r.opportunityId()), l.get("ConvertedOpportunityId"));
        assertEquals(FieldValue.text(CONVERTED), l.get("Status"));
        assertEquals(T0.plusSeconds(60), l.modstamp());
        SyncRecord c = get(ObjectType.CONTACT, r.contactId());
        assertEquals(FieldValue.text("Ng"), c.get("LastName"));
        assertEquals(FieldValue.ref(r.accountId()), c.get("AccountId"));
        assertEquals(FieldValue.text("Acme Ng"), get(ObjectType.ACCOUNT, r.accountId()).get("Name"));
        SyncRecord o = get(ObjectType.OPPORTUNITY, r.opportunityId());
        assertEquals(FieldValue.text("Acme Ng-"), o.get("Name"));
        assertEquals(FieldValue.ref(r.accountId()), o.get("AccountId"));
        assertEquals(FieldValue.text("Web"), o.get("LeadSource"));
        assertEquals(1, crm.count(ObjectType.OPPORTUNITY_CONTACT_ROLE));
        assertEquals(1L, crm.callCounts().get("convertLead"));
        // the lead is read-only now, as for a conversion made in the CRM
        assertThrows(IllegalStateException.class, () -> crm.update(ObjectType.LEAD, lead, Map.of("LastName",
                FieldValue.text("x"))));
    }

    @Test
    void convertLeadWithoutOpportunityAndIntoAnExistingAccount() {
        CrmId account = crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Globex")));
        CrmId lead = lead("Ode");
        LeadConvertResult r = crm.convertLead(new LeadConvert(lead, CONVERTED, account, null, true, null, null,
                false, false));
        assertTrue(r.success(), r::toString);
        assertEquals(account, r.accountId());
        assertNull(r.opportunityId());
        assertEquals(0, crm.count(ObjectType.OPPORTUNITY));
        assertEquals(1, crm.count(ObjectType.ACCOUNT));
        assertEquals(FieldValue.ref(account), get(ObjectType.CONTACT, r.contactId()).get("AccountId"));
    }

    @Test
    void convertLeadRefusesPerRecordAsSalesforceDoes() {
        CrmId lead = lead("Pia");
        assertEquals("INVALID_STATUS", crm.convertLead(LeadConvert.of(lead, "Open")).rejection().code());
        assertTrue(crm.convertLead(LeadConvert.of(lead, CONVERTED)).success());
        assertEquals("CANNOT_UPDATE_CONVERTED_LEAD", crm.convertLead(LeadConvert.of(lead, CONVERTED)).rejection().code());
        CrmId gone = lead("Qi");
        crm.delete(ObjectType.LEAD, gone);
        assertEquals("ENTITY_IS_DELETED", crm.convertLead(LeadConvert.of(gone, CONVERTED)).rejection().code());
        CrmId contact = crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("C")));
        assertEquals("MALFORMED_ID", crm.convertLead(LeadConvert.of(contact, CONVERTED)).rejection().code());
        crm.faults().reject(lead("Rae"), "FIELD_CUSTOM_VALIDATION_EXCEPTION", false);
        assertEquals(5L, crm.callCounts().get("convertLead"));
        assertEquals(1, crm.count(ObjectType.OPPORTUNITY));
        assertEquals(1, crm.count(ObjectType.CONTACT) - 1);
    }

    @Test
    void mergeDeletesLosersWithMasterRecordIdAndRepointsTheirRelatedRecords() {
        CrmId master = lead("A");
        CrmId l1 = lead("B");
        CrmId l2 = lead("C");
        CrmId campaign = crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("Spring")));
        CrmId member = crm.insert(ObjectType.CAMPAIGN_MEMBER, Map.of("CampaignId", FieldValue.ref(campaign),
                "LeadId", FieldValue.ref(l1)));
        clock.advance(java.time.Duration.ofMinutes(1));
        MergeResult r = crm.mergeRecords(ObjectType.LEAD, master, List.of(l1, l2));
        assertTrue(r.success(), r::toString);
        assertEquals(List.of(l1, l2), r.mergedRecordIds());
        assertEquals(List.of(member), r.updatedRelatedIds());
        for (CrmId loser : List.of(l1, l2)) {
            SyncRecord s = get(ObjectType.LEAD, loser);
            assertTrue(s.deleted());
            assertEquals(FieldValue.ref(master), s.get(SyncRecord.MASTER_RECORD_ID));
        }
        assertEquals(FieldValue.ref(master), get(ObjectType.CAMPAIGN_MEMBER, member).get("LeadId"));
        clock.advance(java.time.Duration.ofMinutes(1));
        DeletedRecords d = crm.deletedSince(ObjectType.LEAD, T0, clock.instant());
        assertEquals(Set.of(l1, l2), Set.copyOf(d.deletions().stream().map(Deletion::crmId).toList()));
        assertEquals(FieldValue.text("A"), get(ObjectType.LEAD, master).get("LastName"));
        assertEquals(1L, crm.callCounts().get("merge"));
    }

    @Test
    void mergeRefusesMissingDeletedAndConvertedRecordsAndChangesNothing() {
        CrmId master = lead("A");
        CrmId loser = lead("B");
        CrmId unknown = CrmId.of("00Q000000009999");
        MergeResult missing = crm.mergeRecords(ObjectType.LEAD, master, List.of(unknown));
        assertEquals("INVALID_CROSS_REFERENCE_KEY", missing.rejection().code());
        assertEquals(List.of("recordToMergeIds"), missing.rejection().fields());
        CrmId gone = lead("G");
        crm.delete(ObjectType.LEAD, gone);
        assertEquals("ENTITY_IS_DELETED", crm.mergeRecords(ObjectType.LEAD, master, List.of(gone)).rejection().code());
        CrmId converted = lead("Cv");
        crm.convertLead(converted, null);
        assertEquals("CANNOT_UPDATE_CONVERTED_LEAD",
                crm.mergeRecords(ObjectType.LEAD, master, List.of(converted)).rejection().code());
        crm.lockRecord(loser, 1);
        MergeResult locked = crm.mergeRecords(ObjectType.LEAD, master, List.of(loser));
        assertEquals("UNABLE_TO_LOCK_ROW", locked.rejection().code());
        assertTrue(locked.rejection().retriable());
        assertFalse(get(ObjectType.LEAD, loser).deleted());
        assertTrue(crm.mergeRecords(ObjectType.LEAD, master, List.of(loser)).success());
        assertThrows(IllegalArgumentException.class,
                () -> crm.mergeRecords(ObjectType.CAMPAIGN, master, List.of(loser)));
        assertEquals(5L, crm.callCounts().get("merge"));
    }

    @Test
    void convertLeadAppliesTheFaultPlansRejection() {
        CrmId lead = lead("Fp");
        crm.faults().reject(lead, "FIELD_CUSTOM_VALIDATION_EXCEPTION", false);
        LeadConvertResult r = crm.convertLead(LeadConvert.of(lead, CONVERTED));
        assertEquals("FIELD_CUSTOM_VALIDATION_EXCEPTION", r.rejection().code());
        assertNotNull(get(ObjectType.LEAD, lead));
        assertFalse(get(ObjectType.LEAD, lead).fields().containsKey(SyncRecord.IS_CONVERTED)
                && get(ObjectType.LEAD, lead).get(SyncRecord.IS_CONVERTED).equals(FieldValue.bool(true)));
    }
}
