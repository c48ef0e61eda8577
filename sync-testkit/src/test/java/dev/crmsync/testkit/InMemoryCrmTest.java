package dev.crmsync.testkit;

import dev.crmsync.testkit.fault.Fault;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.QuotaExceededException;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.crm.Cursor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InMemoryCrmTest {

    private static final Instant T0 = Instant.parse("2024-03-01T10:00:00.250Z");

    private final ManualClock clock = new ManualClock(T0);
    private final List<Duration> slept = new ArrayList<>();
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(7).sleeper(slept::add).build();

    private static Map<String, FieldValue> lead(String last) {
        return Map.of("LastName", FieldValue.text(last), "Company", FieldValue.text("Acme"),
                "Email", FieldValue.text(last.toLowerCase() + "@example.com"));
    }

    private List<SyncRecord> readAll(ObjectType type, Set<String> fields, Cursor after, int pageSize) {
        List<SyncRecord> out = new ArrayList<>();
        try (ChangeStream s = crm.openChanges(new ChangeQuery(type, fields, after, pageSize))) {
            for (List<SyncRecord> page = s.nextPage(); !page.isEmpty(); page = s.nextPage()) {
                out.addAll(page);
            }
        }
        return out;
    }

    @Test
    void idsCarryTheTypesKeyPrefixAndIncreaseInCreationOrder() {
        CrmId a = crm.insert(ObjectType.LEAD, lead("A"));
        CrmId b = crm.insert(ObjectType.LEAD, lead("B"));
        CrmId c = crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("C")));
        CrmId m = crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("Spring")));
        assertEquals("00Q", a.keyPrefix());
        assertEquals("003", c.keyPrefix());
        assertEquals("701", m.keyPrefix());
        assertEquals(18, a.value().length());
        assertTrue(a.compareTo(b) < 0, a + " before " + b);
    }

    @Test
    void sameSeedGivesSameIds() {
        InMemoryCrm other = InMemoryCrm.builder().clock(clock).seed(7).build();
        assertEquals(crm.insert(ObjectType.LEAD, lead("A")), other.insert(ObjectType.LEAD, lead("A")));
    }

    @Test
    void stampsAreWholeSecondsOfTheClock() {
        CrmId id = crm.insert(ObjectType.LEAD, lead("A"));
        assertEquals(Instant.parse("2024-03-01T10:00:00Z"), crm.get(ObjectType.LEAD, id).orElseThrow().modstamp());
    }

    @Test
    void oneThousandAndOneRecordsSharingAStampArriveOnceEachAcrossPages() {
        Set<CrmId> inserted = new HashSet<>();
        for (int i = 0; i < 1001; i++) {
            inserted.add(crm.insert(ObjectType.LEAD, lead("L" + i)));
        }
        List<SyncRecord> read = readAll(ObjectType.LEAD, Set.of("LastName"), Cursor.START, 200);
        assertEquals(1001, read.size());
        assertEquals(inserted, new HashSet<>(read.stream().map(SyncRecord::id).toList()));
        for (int i = 1; i < read.size(); i++) {
            assertTrue(read.get(i - 1).id().compareTo(read.get(i).id()) < 0);
        }
        assertEquals(7L, crm.callCounts().get("readPage")); // 6 pages and the empty one that ends the stream
    }

    @Test
    void readsReturnOnlyRequestedReadableFields() {
        crm.insert(ObjectType.LEAD, lead("A"));
        crm.hideField(ObjectType.LEAD, "Email");
        SyncRecord r = readAll(ObjectType.LEAD, Set.of("LastName", "Email", "Phone"), Cursor.START, 10).get(0);
        assertEquals(Set.of("LastName", "Phone"), r.fields().keySet());
        assertEquals(FieldValue.NULL, r.fields().get("Phone"));
        assertTrue(crm.describe(ObjectType.LEAD).orElseThrow().field("Email").isEmpty());
    }

    @Test
    void updatesMoveARecordAfterTheCursor() {
        CrmId a = crm.insert(ObjectType.LEAD, lead("A"));
        crm.insert(ObjectType.LEAD, lead("B"));
        List<SyncRecord> first = readAll(ObjectType.LEAD, Set.of("LastName"), Cursor.START, 10);
        SyncRecord last = first.get(first.size() - 1);
        clock.advance(Duration.ofSeconds(3));
        crm.update(ObjectType.LEAD, a, Map.of("Title", FieldValue.text("CEO")));
        List<SyncRecord> next = readAll(ObjectType.LEAD, Set.of("Title"), Cursor.after(last.modstamp(), last.id()), 10);
        assertEquals(1, next.size());
        assertEquals(a, next.get(0).id());
        assertEquals(FieldValue.text("CEO"), next.get(0).get("Title"));
    }

    @Test
    void lateInsertIsStampedBeforeRecordsAlreadyRead() {
        crm.insert(ObjectType.LEAD, lead("A"));
        clock.advance(Duration.ofSeconds(10));
        crm.insert(ObjectType.LEAD, lead("B"));
        List<SyncRecord> seen = readAll(ObjectType.LEAD, Set.of(), Cursor.START, 10);
        SyncRecord newest = seen.get(seen.size() - 1);
        CrmId late = crm.insertLate(ObjectType.LEAD, lead("Late"), clock.instant().minusSeconds(5));
        assertTrue(readAll(ObjectType.LEAD, Set.of(), Cursor.after(newest.modstamp(), newest.id()), 10).isEmpty());
        List<SyncRecord> again = readAll(ObjectType.LEAD, Set.of(), Cursor.START, 10);
        assertEquals(late, again.get(1).id());
    }

    @Test
    void deletedRecordsAreReadFlaggedAndListedByDeletedSince() {
        CrmId a = crm.insert(ObjectType.LEAD, lead("A"));
        clock.advance(Duration.ofSeconds(1));
        crm.delete(ObjectType.LEAD, a);
        clock.advance(Duration.ofSeconds(1)); // the log covers only whole seconds that have passed
        SyncRecord r = readAll(ObjectType.LEAD, Set.of("LastName"), Cursor.START, 10).get(0);
        assertTrue(r.deleted());
        DeletedRecords d = crm.deletedSince(ObjectType.LEAD, T0.minusSeconds(60), clock.instant().plusSeconds(60));
        assertEquals(List.of(a), d.deletions().stream().map(x -> x.crmId()).toList());
        assertEquals(0, crm.count(ObjectType.LEAD));
    }

    @Test
    void recycleBinEmptiesAfterFifteenDays() {
        CrmId a = crm.insert(ObjectType.LEAD, lead("A"));
        crm.delete(ObjectType.LEAD, a);
        clock.advance(Duration.ofDays(15).minusSeconds(1));
        assertTrue(crm.get(ObjectType.LEAD, a).isPresent());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(crm.get(ObjectType.LEAD, a).isEmpty());
        assertTrue(readAll(ObjectType.LEAD, Set.of(), Cursor.START, 10).isEmpty());
        DeletedRecords d = crm.deletedSince(ObjectType.LEAD, T0.minusSeconds(60), clock.instant());
        assertTrue(d.deletions().isEmpty());
        assertTrue(d.earliestDateAvailable().isAfter(T0.minusSeconds(60)));
    }

    @Test
    void writeReturnsOneResultPerRecordAndARejectionDoesNotStopTheBatch() {
        CrmId a = crm.insert(ObjectType.LEAD, lead("A"));
        List<CrmWriteResult> results = crm.write(ObjectType.LEAD, List.of(
                new CrmWrite.Create("m1", lead("New")),
                new CrmWrite.Create("m2", Map.of("LastName", FieldValue.text("NoCompany"))),
                new CrmWrite.Update(a, Map.of("Title", FieldValue.text("VP")))));
        assertInstanceOf(CrmWriteResult.Written.class, results.get(0));
        CrmWriteResult.Rejected missing = assertInstanceOf(CrmWriteResult.Rejected.class, results.get(1));
        assertEquals("REQUIRED_FIELD_MISSING", missing.code());
        assertEquals(List.of("Company"), missing.fields());
        CrmWriteResult.Written w = assertInstanceOf(CrmWriteResult.Written.class, results.get(2));
        assertEquals(a, w.id());
        assertEquals(FieldValue.text("VP"), crm.get(ObjectType.LEAD, a).orElseThrow().get("Title"));
        assertEquals(1L, crm.callCounts().get("write"));
    }

    @Test
    void writeToAConvertedLeadIsRedirectedToItsContact() {
        CrmId a = crm.insert(ObjectType.LEAD, lead("A"));
        InMemoryCrm.Conversion c = crm.convertLead(a, null);
        SyncRecord converted = crm.get(ObjectType.LEAD, a).orElseThrow();
        assertEquals(FieldValue.bool(true), converted.get("IsConverted"));
        assertEquals(FieldValue.ref(c.contactId()), converted.get("ConvertedContactId"));
        CrmWriteResult r = crm.write(ObjectType.LEAD,
                List.of(new CrmWrite.Update(a, Map.of("Title", FieldValue.text("CTO"))))).get(0);
        CrmWriteResult.Written w = assertInstanceOf(CrmWriteResult.Written.class, r);
        assertEquals(c.contactId(), w.id());
        assertEquals(FieldValue.text("CTO"), crm.get(ObjectType.CONTACT, c.contactId()).orElseThrow().get("Title"));
    }

    @Test
    void mergeDeletesLosersWithMasterRecordIdAndRepointsMembers() {
        CrmId master = crm.insert(ObjectType.LEAD, lead("M"));
        CrmId loser = crm.insert(ObjectType.LEAD, lead("L"));
        CrmId campaign = crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("C")));
        CrmId member = crm.insert(ObjectType.CAMPAIGN_MEMBER,
                Map.of("CampaignId", FieldValue.ref(campaign), "LeadId", FieldValue.ref(loser)));
        crm.merge(ObjectType.LEAD, master, List.of(loser));
        SyncRecord l = crm.get(ObjectType.LEAD, loser).orElseThrow();
        assertTrue(l.deleted());
        assertEquals(FieldValue.ref(master), l.get("MasterRecordId"));
        assertEquals(FieldValue.ref(master), crm.get(ObjectType.CAMPAIGN_MEMBER, member).orElseThrow().get("LeadId"));
        CrmWriteResult.Rejected rej = assertInstanceOf(CrmWriteResult.Rejected.class, crm.write(ObjectType.LEAD,
                List.of(new CrmWrite.Update(loser, Map.of("Title", FieldValue.text("X"))))).get(0));
        assertEquals("ENTITY_IS_DELETED", rej.code());
    }

    @Test
    void failNextThrowsRetriableThenPasses() {
        crm.faults().failNext(CrmOperation.READ_PAGE, 1, Fault.retriable());
        try (ChangeStream s = crm.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of(), Cursor.START, 10))) {
            assertThrows(RetriableSyncException.class, s::nextPage);
            assertTrue(s.nextPage().isEmpty());
        }
        crm.faults().failNext(CrmOperation.DESCRIBE, 1, Fault.fatal());
        SyncException fatal = assertThrows(SyncException.class, () -> crm.describe(ObjectType.LEAD));
        assertFalse(fatal.isRetriable());
    }

    @Test
    void quotaRefusesCallsOnceSpent() {
        crm.faults().quotaExceededAfter(2);
        crm.availableTypes();
        crm.describe(ObjectType.LEAD);
        assertThrows(QuotaExceededException.class, () -> crm.describe(ObjectType.LEAD));
        assertEquals(1L, crm.callCounts().get("describe"));
    }

    @Test
    void latencyIsSpentThroughTheSleeper() {
        crm.faults().latency(Duration.ofMillis(250));
        crm.availableTypes();
        assertEquals(List.of(Duration.ofMillis(250)), slept);
    }
}
