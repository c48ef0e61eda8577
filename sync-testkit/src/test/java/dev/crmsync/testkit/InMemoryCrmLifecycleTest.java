package dev.crmsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.model.Deletion;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Deletion, the recycle bin, lead conversion and merge, as CRM-user edits. */
class InMemoryCrmLifecycleTest {

    private static final Instant T0 = Instant.parse("2024-02-10T09:30:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(5).build();

    private CrmId lead(String last) {
        return crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text(last), "FirstName", FieldValue.text("Ann"),
                "Company", FieldValue.text("Acme " + last), "Email", FieldValue.text(last + "@example.com"),
                "Industry", FieldValue.text("Retail"), "City", FieldValue.text("Lyon")));
    }

    private SyncRecord get(ObjectType type, CrmId id) {
        return crm.get(type, id).orElseThrow();
    }

    private CrmId member(CrmId campaign, String field, CrmId person) {
        return crm.insert(ObjectType.CAMPAIGN_MEMBER, Map.of("CampaignId", FieldValue.ref(campaign),
                field, FieldValue.ref(person)));
    }

    private CrmId campaign() {
        return crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("Launch")));
    }

    // ---- recycle bin -------------------------------------------------------------------------

    @Test
    void deleteBumpsTheStampAndFlagsTheRecord() {
        CrmId id = lead("a");
        clock.advance(Duration.ofSeconds(30));
        crm.delete(ObjectType.LEAD, id);
        SyncRecord r = get(ObjectType.LEAD, id);
        assertTrue(r.deleted());
        assertEquals(T0.plusSeconds(30), r.modstamp());
        assertTrue(crm.records(ObjectType.LEAD).isEmpty());
    }

    @Test
    void deletingTwiceIsRefused() {
        CrmId id = lead("a");
        crm.delete(ObjectType.LEAD, id);
        assertThrows(IllegalStateException.class, () -> crm.delete(ObjectType.LEAD, id));
    }

    @Test
    void recycleBinRetentionIsMeasuredOnTheClock() {
        InMemoryCrm shortBin = InMemoryCrm.builder().clock(clock).recycleBinRetention(Duration.ofHours(1)).build();
        CrmId id = shortBin.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("a")));
        shortBin.delete(ObjectType.LEAD, id);
        clock.advance(Duration.ofMinutes(59));
        assertTrue(shortBin.get(ObjectType.LEAD, id).isPresent());
        clock.advance(Duration.ofMinutes(1));
        assertTrue(shortBin.get(ObjectType.LEAD, id).isEmpty());
    }

    @Test
    void expiryMovesEarliestDateAvailablePastThePurgedDeletion() {
        CrmId old = lead("old");
        crm.delete(ObjectType.LEAD, old);
        clock.advance(Duration.ofDays(10));
        CrmId recent = lead("recent");
        crm.delete(ObjectType.LEAD, recent);
        clock.advance(Duration.ofDays(6)); // old is 16 days gone, recent 6
        DeletedRecords d = crm.deletedSince(ObjectType.LEAD, T0.minusSeconds(1), clock.instant());
        assertEquals(List.of(recent), d.deletions().stream().map(Deletion::crmId).toList());
        assertTrue(d.earliestDateAvailable().isAfter(T0), "deletions before " + d.earliestDateAvailable() + " are lost");
        assertFalse(d.earliestDateAvailable().isAfter(T0.plus(Duration.ofDays(10))));
    }

    @Test
    void earliestDateAvailableStaysAtTheEpochUntilSomethingIsPurged() {
        lead("a");
        assertEquals(Instant.EPOCH, crm.deletedSince(ObjectType.LEAD, T0, T0.plusSeconds(60)).earliestDateAvailable());
    }

    @Test
    void aRecordDeletedTwiceInOneSecondExpiresWithoutLosingItsNeighbours() {
        CrmId twice = lead("twice");
        CrmId neighbour = lead("neighbour");
        crm.delete(ObjectType.LEAD, twice);
        crm.undelete(ObjectType.LEAD, twice);
        crm.delete(ObjectType.LEAD, twice);
        clock.advance(Duration.ofDays(15));
        assertTrue(crm.get(ObjectType.LEAD, twice).isEmpty());
        try (var s = crm.openChanges(new dev.crmsync.crm.ChangeQuery(ObjectType.LEAD, java.util.Set.of(),
                dev.crmsync.crm.Cursor.START, 10))) {
            assertEquals(List.of(neighbour), s.nextPage().stream().map(SyncRecord::id).toList());
        }
    }

    @Test
    void purgeRecycleBinForgetsDeletedRecords() {
        CrmId id = lead("a");
        crm.delete(ObjectType.LEAD, id);
        clock.advance(Duration.ofSeconds(5));
        crm.purgeRecycleBin();
        assertTrue(crm.get(ObjectType.LEAD, id).isEmpty());
        DeletedRecords d = crm.deletedSince(ObjectType.LEAD, T0, clock.instant());
        assertTrue(d.deletions().isEmpty());
        assertTrue(d.earliestDateAvailable().isAfter(T0));
    }

    @Test
    void undeleteRestoresTheRecordWithANewStamp() {
        CrmId id = lead("a");
        crm.delete(ObjectType.LEAD, id);
        clock.advance(Duration.ofSeconds(9));
        crm.undelete(ObjectType.LEAD, id);
        SyncRecord r = get(ObjectType.LEAD, id);
        assertFalse(r.deleted());
        assertEquals(T0.plusSeconds(9), r.modstamp());
        assertEquals(1, crm.count(ObjectType.LEAD));
        assertTrue(crm.deletedSince(ObjectType.LEAD, T0, clock.instant()).deletions().isEmpty());
    }

    @Test
    void deletingAPersonDeletesItsCampaignMembershipsAndUndeleteRestoresThem() {
        CrmId id = lead("a");
        CrmId m = member(campaign(), "LeadId", id);
        crm.delete(ObjectType.LEAD, id);
        assertTrue(get(ObjectType.CAMPAIGN_MEMBER, m).deleted());
        crm.undelete(ObjectType.LEAD, id);
        assertFalse(get(ObjectType.CAMPAIGN_MEMBER, m).deleted());
    }

    @Test
    void updateLateOfADeletedRecordIsRefused() {
        CrmId id = lead("a");
        crm.delete(ObjectType.LEAD, id);
        assertThrows(IllegalStateException.class,
                () -> crm.updateLate(ObjectType.LEAD, id, Map.of("Title", FieldValue.text("x")), T0));
    }

    // ---- late visibility ---------------------------------------------------------------------

    @Test
    void updateLateStampsTheRecordInThePast() {
        clock.advance(Duration.ofMinutes(1));
        CrmId id = lead("a");
        crm.updateLate(ObjectType.LEAD, id, Map.of("Title", FieldValue.text("x")), clock.instant().minusSeconds(5));
        assertEquals(clock.instant().minusSeconds(5), get(ObjectType.LEAD, id).modstamp());
    }

    @Test
    void aLateStampInTheFutureIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> crm.insertLate(ObjectType.LEAD, Map.of("LastName", FieldValue.text("a")), T0.plusSeconds(5)));
    }

    // ---- conversion --------------------------------------------------------------------------

    @Test
    void conversionCreatesAContactAndAnAccountFromTheLead() {
        CrmId id = lead("smith");
        clock.advance(Duration.ofSeconds(2));
        InMemoryCrm.Conversion c = crm.convertLead(id, null);
        assertTrue(c.newContact());
        SyncRecord contact = get(ObjectType.CONTACT, c.contactId());
        assertEquals(FieldValue.text("smith"), contact.get("LastName"));
        assertEquals(FieldValue.text("Ann"), contact.get("FirstName"));
        assertEquals(FieldValue.text("smith@example.com"), contact.get("Email"));
        assertEquals(FieldValue.text("Lyon"), contact.get("MailingCity"));
        assertEquals(FieldValue.ref(c.accountId()), contact.get("AccountId"));
        SyncRecord account = get(ObjectType.ACCOUNT, c.accountId());
        assertEquals(FieldValue.text("Acme smith"), account.get("Name"));
        assertEquals(FieldValue.text("Retail"), account.get("Industry"));
        SyncRecord lead = get(ObjectType.LEAD, id);
        assertFalse(lead.deleted());
        assertEquals(FieldValue.bool(true), lead.get(SyncRecord.IS_CONVERTED));
        assertEquals(FieldValue.ref(c.contactId()), lead.get(SyncRecord.CONVERTED_CONTACT_ID));
        assertEquals(FieldValue.ref(c.accountId()), lead.get(SyncRecord.CONVERTED_ACCOUNT_ID));
        assertEquals(FieldValue.date(LocalDate.of(2024, 2, 10)), lead.get("ConvertedDate"));
        assertEquals(T0.plusSeconds(2), lead.modstamp());
    }

    @Test
    void conversionIntoAnExistingContactFillsOnlyItsEmptyFields() {
        CrmId account = crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Existing")));
        CrmId contact = crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("Kept"),
                "AccountId", FieldValue.ref(account)));
        CrmId id = lead("smith");
        InMemoryCrm.Conversion c = crm.convertLead(id, contact);
        assertFalse(c.newContact());
        assertEquals(contact, c.contactId());
        assertEquals(account, c.accountId());
        SyncRecord r = get(ObjectType.CONTACT, contact);
        assertEquals(FieldValue.text("Kept"), r.get("LastName"));
        assertEquals(FieldValue.text("smith@example.com"), r.get("Email"));
        assertEquals(1, crm.count(ObjectType.CONTACT));
        assertEquals(1, crm.count(ObjectType.ACCOUNT));
    }

    @Test
    void conversionAddsTheContactToTheLeadsCampaignMemberships() {
        CrmId id = lead("a");
        CrmId m = member(campaign(), "LeadId", id);
        CrmId contact = crm.convertLead(id, null).contactId();
        SyncRecord r = get(ObjectType.CAMPAIGN_MEMBER, m);
        assertEquals(FieldValue.ref(id), r.get("LeadId"), "the membership keeps its LeadId");
        assertEquals(FieldValue.ref(contact), r.get("ContactId"));
    }

    @Test
    void aConvertedLeadIsReadOnlyAndCannotBeConvertedAgain() {
        CrmId id = lead("a");
        crm.convertLead(id, null);
        assertThrows(IllegalStateException.class,
                () -> crm.update(ObjectType.LEAD, id, Map.of("Title", FieldValue.text("x"))));
        assertThrows(IllegalStateException.class, () -> crm.convertLead(id, null));
    }

    // ---- merge -------------------------------------------------------------------------------

    @Test
    void mergeStampsMasterAndLosersAlike() {
        CrmId master = lead("m");
        CrmId l1 = lead("l1");
        CrmId l2 = lead("l2");
        clock.advance(Duration.ofSeconds(4));
        crm.merge(ObjectType.LEAD, master, List.of(l1, l2));
        for (CrmId id : List.of(master, l1, l2)) {
            assertEquals(T0.plusSeconds(4), get(ObjectType.LEAD, id).modstamp());
        }
        assertEquals(1, crm.count(ObjectType.LEAD));
        assertEquals(FieldValue.text("m"), get(ObjectType.LEAD, master).get("LastName"), "the master keeps its values");
    }

    @Test
    void mergedMembershipThatWouldDuplicateTheMastersIsDeleted() {
        CrmId master = lead("m");
        CrmId loser = lead("l");
        CrmId campaign = campaign();
        CrmId mm = member(campaign, "LeadId", master);
        CrmId lm = member(campaign, "LeadId", loser);
        crm.merge(ObjectType.LEAD, master, List.of(loser));
        assertFalse(get(ObjectType.CAMPAIGN_MEMBER, mm).deleted());
        assertTrue(get(ObjectType.CAMPAIGN_MEMBER, lm).deleted());
    }

    @Test
    void mergeRepointsActivitiesAndContactRoles() {
        CrmId master = crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("M")));
        CrmId loser = crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("L")));
        CrmId task = crm.insert(ObjectType.TASK, Map.of("WhoId", FieldValue.ref(loser), "Subject", FieldValue.text("Call")));
        CrmId opp = crm.insert(ObjectType.OPPORTUNITY, Map.of("Name", FieldValue.text("Deal")));
        CrmId role = crm.insert(ObjectType.OPPORTUNITY_CONTACT_ROLE, Map.of("OpportunityId", FieldValue.ref(opp),
                "ContactId", FieldValue.ref(loser)));
        crm.merge(ObjectType.CONTACT, master, List.of(loser));
        assertEquals(FieldValue.ref(master), get(ObjectType.TASK, task).get("WhoId"));
        assertEquals(FieldValue.ref(master), get(ObjectType.OPPORTUNITY_CONTACT_ROLE, role).get("ContactId"));
    }

    @Test
    void mergeLoserCannotBeUndeleted() {
        CrmId master = lead("m");
        CrmId loser = lead("l");
        crm.merge(ObjectType.LEAD, master, List.of(loser));
        assertThrows(IllegalStateException.class, () -> crm.undelete(ObjectType.LEAD, loser));
    }

    @Test
    void mergeValidatesItsArguments() {
        CrmId master = lead("m");
        CrmId a = lead("a");
        CrmId b = lead("b");
        CrmId c = lead("c");
        assertThrows(IllegalArgumentException.class, () -> crm.merge(ObjectType.LEAD, master, List.of(a, b, c)));
        assertThrows(IllegalArgumentException.class, () -> crm.merge(ObjectType.LEAD, master, List.of()));
        assertThrows(IllegalArgumentException.class, () -> crm.merge(ObjectType.LEAD, master, List.of(master)));
        assertThrows(IllegalArgumentException.class, () -> crm.merge(ObjectType.TASK, master, List.of(a)));
        crm.convertLead(a, null);
        assertThrows(IllegalStateException.class, () -> crm.merge(ObjectType.LEAD, master, List.of(a)));
    }
}
