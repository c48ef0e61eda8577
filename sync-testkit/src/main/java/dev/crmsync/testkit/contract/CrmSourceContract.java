package dev.crmsync.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.crm.Cursor;
import dev.crmsync.model.Deletion;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link CrmSource} keeps, as JUnit 5 tests. An implementation's test extends
 * this class and provides {@link #source()} (the source under test) and {@link #admin()} (edits
 * to the CRM behind it, and its clock). Both must return the same fresh instances for the whole
 * of one test method (JUnit creates a new test instance per method, so fields initialised in the
 * subclass or in its {@code @BeforeEach} do). The CRM starts empty of Leads, Contacts, Accounts,
 * Campaigns and CampaignMembers, with Salesforce's standard fields (Lead: LastName, Company, Email,
 * Title, MasterRecordId, IsConverted, ConvertedContactId, …), and its clock moves only through
 * {@link CrmAdmin#advanceClock}.
 *
 * <p>The kit asserts the {@link CrmSource} javadoc: (stamp, id) order strictly after the cursor,
 * no record skipped or repeated at page boundaries however many share a stamp, visibility,
 * deleted and merged records flagged, the delete log's window, and per-record write results.
 */
public abstract class CrmSourceContract {

    /** For subclasses: an adapter's test class extends this kit. */
    protected CrmSourceContract() {
    }

    /** @return the source under test (the same instance throughout one test) */
    protected abstract CrmSource source();

    /** @return edits to the CRM behind {@link #source()} (the same instance throughout one test) */
    protected abstract CrmAdmin admin();

    /**
     * @return the page size the kit asks for; override when the source has a minimum page size
     *     (Salesforce: 200). Tests insert a few times this many records.
     */
    protected int pageSize() {
        return 200;
    }

    // ---- helpers --------------------------------------------------------------------------

    private static final Set<String> LEAD_FIELDS = Set.of("LastName", "Company", "Email", "Title");

    private int counter;

    /** @return the values of a valid new lead */
    protected Map<String, FieldValue> newLead() {
        int n = ++counter;
        Map<String, FieldValue> m = new HashMap<>();
        m.put("LastName", FieldValue.text("Lead" + n));
        m.put("Company", FieldValue.text("Company " + n));
        m.put("Email", FieldValue.text("lead" + n + "@example.com"));
        return m;
    }

    private CrmId insertLead() {
        return admin().insert(ObjectType.LEAD, newLead());
    }

    /** A stream that never ends (a cursor that does not move) fails the test instead of hanging it. */
    private static final int MAX_PAGES = 1_000;

    private List<SyncRecord> readAll(ObjectType type, Set<String> fields, Cursor after) {
        List<SyncRecord> out = new ArrayList<>();
        try (ChangeStream s = source().openChanges(new ChangeQuery(type, fields, after, pageSize()))) {
            readPages(s, out);
        }
        return out;
    }

    private void readPages(ChangeStream s, List<SyncRecord> into) {
        int pages = 0;
        for (List<SyncRecord> page = s.nextPage(); !page.isEmpty(); page = s.nextPage()) {
            assertTrue(page.size() <= pageSize(), "page larger than asked: " + page.size());
            into.addAll(page);
            if (++pages > MAX_PAGES) {
                throw new AssertionError("the change stream does not end after " + MAX_PAGES + " pages ("
                        + into.size() + " records): does its cursor move past each page?");
            }
        }
    }

    private List<SyncRecord> readAll(ObjectType type) {
        return readAll(type, LEAD_FIELDS, Cursor.START);
    }

    private static Cursor cursorAt(SyncRecord r) {
        return Cursor.after(r.modstamp(), r.id());
    }

    private static final Comparator<SyncRecord> STAMP_THEN_ID =
            Comparator.comparing(SyncRecord::modstamp).thenComparing(SyncRecord::id);

    private static void assertStrictlyOrdered(List<SyncRecord> records) {
        for (int i = 1; i < records.size(); i++) {
            SyncRecord a = records.get(i - 1);
            SyncRecord b = records.get(i);
            assertTrue(STAMP_THEN_ID.compare(a, b) < 0, "record " + i + " out of (stamp, id) order: " + a + " then " + b);
        }
    }

    private SyncRecord readOne(ObjectType type, CrmId id, Set<String> fields) {
        return readAll(type, fields, Cursor.START).stream().filter(r -> r.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError(type + " " + id + " not in the change stream"));
    }

    private List<CrmWriteResult> write(ObjectType type, CrmWrite... writes) {
        List<CrmWriteResult> results = source().write(type, List.of(writes));
        assertEquals(writes.length, results.size(), "one result per write");
        return results;
    }

    private static CrmWriteResult.Rejected rejected(CrmWriteResult r) {
        return assertInstanceOf(CrmWriteResult.Rejected.class, r, "expected a rejection");
    }

    private static CrmWriteResult.Written written(CrmWriteResult r) {
        return assertInstanceOf(CrmWriteResult.Written.class, r, "expected the write to succeed");
    }

    // ---- describe and visibility -----------------------------------------------------------

    @Test
    public void describeListsReadableFieldsOfTheStandardTypes() {
        ObjectSchema lead = source().describe(ObjectType.LEAD).orElseThrow();
        assertEquals(ObjectType.LEAD, lead.type());
        assertTrue(lead.readableFieldNames().containsAll(LEAD_FIELDS), lead.readableFieldNames().toString());
        FieldSchema master = lead.field(SyncRecord.MASTER_RECORD_ID).orElseThrow();
        assertFalse(master.createable() || master.updateable(), "MasterRecordId is a system field");
        assertTrue(source().availableTypes().containsAll(List.of(ObjectType.LEAD, ObjectType.CONTACT,
                ObjectType.CAMPAIGN, ObjectType.CAMPAIGN_MEMBER)));
    }

    @Test
    public void hiddenFieldsAreNeverReturned() {
        CrmId id = insertLead();
        admin().hideField(ObjectType.LEAD, "Email");
        ObjectSchema lead = source().describe(ObjectType.LEAD).orElseThrow();
        assertFalse(lead.readableFieldNames().contains("Email"), "describe must not offer a hidden field");
        SyncRecord read = readOne(ObjectType.LEAD, id, LEAD_FIELDS);
        assertFalse(read.fields().containsKey("Email"), "stream returned a hidden field");
        for (SyncRecord r : source().fetch(ObjectType.LEAD, List.of(id), LEAD_FIELDS)) {
            assertFalse(r.fields().containsKey("Email"), "fetch returned a hidden field");
        }
    }

    @Test
    public void hiddenTypesAreNotQueryable() {
        admin().hideType(ObjectType.ACCOUNT);
        assertFalse(source().availableTypes().contains(ObjectType.ACCOUNT));
        assertTrue(source().describe(ObjectType.ACCOUNT).isEmpty());
    }

    @Test
    public void onlyRequestedFieldsAreReturnedAndEmptyOnesAsNull() {
        CrmId id = insertLead();
        SyncRecord r = readOne(ObjectType.LEAD, id, Set.of("LastName", "Title"));
        assertEquals(Set.of("LastName", "Title"), r.fields().keySet());
        assertEquals(FieldValue.NULL, r.fields().get("Title"), "an empty field reads as NULL");
    }

    // ---- order and paging ------------------------------------------------------------------

    @Test
    public void pagesAreOrderedByStampThenId() {
        Set<CrmId> ids = new HashSet<>();
        List<CrmId> list = new ArrayList<>();
        for (int stamp = 0; stamp < 5; stamp++) {
            for (int i = 0; i < pageSize() / 3 + 1; i++) {
                CrmId id = insertLead();
                ids.add(id);
                list.add(id);
            }
            admin().advanceClock(Duration.ofSeconds(1));
        }
        // updates move early records behind later ones
        admin().update(ObjectType.LEAD, list.get(0), Map.of("Title", FieldValue.text("moved")));
        admin().advanceClock(Duration.ofSeconds(1));
        admin().update(ObjectType.LEAD, list.get(1), Map.of("Title", FieldValue.text("moved")));
        List<SyncRecord> all = readAll(ObjectType.LEAD);
        assertStrictlyOrdered(all);
        assertEquals(ids, idsOf(all));
        assertEquals(list.get(1), all.get(all.size() - 1).id(), "the latest change reads last");
        assertEquals(list.get(0), all.get(all.size() - 2).id());
    }

    @Test
    public void recordsSharingOneStampAreNeitherSkippedNorRepeatedAcrossPages() {
        int n = 2 * pageSize() + 51;
        Set<CrmId> ids = new HashSet<>();
        for (int i = 0; i < n; i++) {
            ids.add(insertLead());
        }
        List<SyncRecord> all = new ArrayList<>();
        try (ChangeStream s = source().openChanges(new ChangeQuery(ObjectType.LEAD, LEAD_FIELDS, Cursor.START, pageSize()))) {
            readPages(s, all);
        }
        assertEquals(n, all.size(), "every record exactly once");
        assertEquals(ids, idsOf(all));
        assertEquals(1, all.stream().map(SyncRecord::modstamp).distinct().count(), "they share one stamp");
        assertStrictlyOrdered(all);
    }

    @Test
    public void aNewStreamFromAPageBoundaryResumesWithoutGapOrRepeat() {
        int n = 2 * pageSize() + 7;
        for (int i = 0; i < n; i++) {
            insertLead();
        }
        List<SyncRecord> resumed = new ArrayList<>();
        Cursor cursor = Cursor.START;
        for (int pages = 0; ; pages++) {
            assertTrue(pages <= MAX_PAGES, "resuming from page boundaries does not end");
            List<SyncRecord> page;
            try (ChangeStream s = source().openChanges(new ChangeQuery(ObjectType.LEAD, LEAD_FIELDS, cursor, pageSize()))) {
                page = s.nextPage(); // a crash after each page: the next run starts from the saved cursor
            }
            if (page.isEmpty()) {
                break;
            }
            resumed.addAll(page);
            cursor = cursorAt(page.get(page.size() - 1));
        }
        assertEquals(n, resumed.size());
        assertEquals(n, idsOf(resumed).size());
        assertStrictlyOrdered(resumed);
    }

    @Test
    public void readsStartStrictlyAfterTheCursor() {
        for (int i = 0; i < 10; i++) {
            insertLead();
        }
        admin().advanceClock(Duration.ofSeconds(1));
        for (int i = 0; i < 10; i++) {
            insertLead();
        }
        List<SyncRecord> all = readAll(ObjectType.LEAD);
        SyncRecord middle = all.get(13);
        List<SyncRecord> after = readAll(ObjectType.LEAD, LEAD_FIELDS, cursorAt(middle));
        assertEquals(all.subList(14, all.size()).stream().map(SyncRecord::id).toList(),
                after.stream().map(SyncRecord::id).toList());
        List<SyncRecord> wholeSecond = readAll(ObjectType.LEAD, LEAD_FIELDS, new Cursor(middle.modstamp(), null));
        assertEquals(10, wholeSecond.size(), "a cursor without id includes every record at its stamp");
    }

    @Test
    public void anUpdatedRecordReadsAgainAfterTheCursorWithALaterStamp() {
        CrmId a = insertLead();
        insertLead();
        List<SyncRecord> first = readAll(ObjectType.LEAD);
        Cursor cursor = cursorAt(first.get(first.size() - 1));
        admin().advanceClock(Duration.ofSeconds(5));
        admin().update(ObjectType.LEAD, a, Map.of("Title", FieldValue.text("CEO")));
        List<SyncRecord> next = readAll(ObjectType.LEAD, LEAD_FIELDS, cursor);
        assertEquals(List.of(a), next.stream().map(SyncRecord::id).toList());
        assertEquals(FieldValue.text("CEO"), next.get(0).get("Title"));
        assertTrue(next.get(0).modstamp().isAfter(first.get(0).modstamp()));
    }

    @Test
    public void stampsAreWholeSeconds() {
        admin().advanceClock(Duration.ofMillis(750));
        CrmId id = insertLead();
        assertEquals(0, readOne(ObjectType.LEAD, id, LEAD_FIELDS).modstamp().getNano());
    }

    @Test
    public void readsHaveNoEffect() {
        for (int i = 0; i < 5; i++) {
            insertLead();
        }
        List<SyncRecord> once = readAll(ObjectType.LEAD);
        assertEquals(once, readAll(ObjectType.LEAD));
    }

    @Test
    public void randomHistoriesReadBackCompletelyInOrder() {
        Random random = new Random(20240301L);
        Map<CrmId, Boolean> deleted = new LinkedHashMap<>();
        for (int step = 0; step < 300; step++) {
            int op = random.nextInt(10);
            List<CrmId> live = deleted.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
            if (op < 5 || live.isEmpty()) {
                deleted.put(insertLead(), false);
            } else if (op < 8) {
                admin().update(ObjectType.LEAD, live.get(random.nextInt(live.size())),
                        Map.of("Title", FieldValue.text("t" + step)));
            } else if (op < 9) {
                CrmId id = live.get(random.nextInt(live.size()));
                admin().delete(ObjectType.LEAD, id);
                deleted.put(id, true);
            } else {
                admin().advanceClock(Duration.ofSeconds(1 + random.nextInt(3)));
            }
        }
        List<SyncRecord> all = readAll(ObjectType.LEAD);
        assertStrictlyOrdered(all);
        assertEquals(deleted.keySet(), idsOf(all));
        for (SyncRecord r : all) {
            assertEquals(deleted.get(r.id()), r.deleted(), "deleted flag of " + r.id());
        }
    }

    // ---- deletes, merges, conversions --------------------------------------------------------

    @Test
    public void deletedRecordsAppearFlagged() {
        CrmId keep = insertLead();
        CrmId gone = insertLead();
        admin().advanceClock(Duration.ofSeconds(1));
        admin().delete(ObjectType.LEAD, gone);
        Map<CrmId, SyncRecord> byId = new HashMap<>();
        readAll(ObjectType.LEAD).forEach(r -> byId.put(r.id(), r));
        assertTrue(byId.get(gone).deleted(), "a deleted record reads with deleted=true");
        assertFalse(byId.get(keep).deleted());
        List<SyncRecord> fetched = source().fetch(ObjectType.LEAD, List.of(gone), LEAD_FIELDS);
        assertEquals(1, fetched.size());
        assertTrue(fetched.get(0).deleted(), "fetch returns a deleted record flagged");
    }

    @Test
    public void deletedSinceReportsDeletionsInsideTheWindowOnly() {
        Instant before = admin().now();
        CrmId gone = insertLead();
        admin().advanceClock(Duration.ofMinutes(5));
        Instant deletedAround = admin().now();
        admin().delete(ObjectType.LEAD, gone);
        admin().advanceClock(Duration.ofMinutes(5));
        DeletedRecords inside = source().deletedSince(ObjectType.LEAD, before, admin().now());
        assertEquals(List.of(gone), inside.deletions().stream().map(Deletion::crmId).toList());
        Deletion d = inside.deletions().get(0);
        assertTrue(!d.deletedAt().isBefore(deletedAround.minusSeconds(60)) && !d.deletedAt().isAfter(deletedAround.plusSeconds(60)),
                "deletedAt " + d.deletedAt() + " should be about " + deletedAround);
        DeletedRecords earlier = source().deletedSince(ObjectType.LEAD, before, before.plus(Duration.ofMinutes(2)));
        assertTrue(earlier.deletions().isEmpty(), "a window before the deletion holds nothing");
    }

    @Test
    public void deletedSinceNeverClaimsToCoverBeyondTheWindowOrNow() {
        Instant start = admin().now();
        Instant end = start.plus(Duration.ofHours(1));
        DeletedRecords d = source().deletedSince(ObjectType.LEAD, start, end);
        assertFalse(d.latestDateCovered().isAfter(end), "latestDateCovered after the window's end");
        assertFalse(d.latestDateCovered().isAfter(admin().now()), "latestDateCovered in the future");
        assertThrows(IllegalArgumentException.class, () -> source().deletedSince(ObjectType.LEAD, end, start));
    }

    @Test
    public void mergeLosersCarryMasterRecordId() {
        CrmId master = insertLead();
        CrmId loser = insertLead();
        admin().advanceClock(Duration.ofSeconds(1));
        admin().merge(ObjectType.LEAD, master, List.of(loser));
        SyncRecord l = readOne(ObjectType.LEAD, loser, Set.of("LastName", SyncRecord.MASTER_RECORD_ID));
        assertTrue(l.deleted(), "a merge loser reads as deleted");
        assertEquals(FieldValue.ref(master), l.get(SyncRecord.MASTER_RECORD_ID));
        SyncRecord m = readOne(ObjectType.LEAD, master, Set.of("LastName", SyncRecord.MASTER_RECORD_ID));
        assertFalse(m.deleted());
        assertEquals(FieldValue.NULL, m.get(SyncRecord.MASTER_RECORD_ID));
    }

    @Test
    public void mergeRepointsCampaignMembershipToTheMaster() {
        CrmId master = insertLead();
        CrmId loser = insertLead();
        CrmId campaign = admin().insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("Webinar")));
        CrmId member = admin().insert(ObjectType.CAMPAIGN_MEMBER,
                Map.of("CampaignId", FieldValue.ref(campaign), "LeadId", FieldValue.ref(loser)));
        admin().advanceClock(Duration.ofSeconds(1));
        admin().merge(ObjectType.LEAD, master, List.of(loser));
        SyncRecord m = readOne(ObjectType.CAMPAIGN_MEMBER, member, Set.of("CampaignId", "LeadId"));
        assertEquals(FieldValue.ref(master), m.get("LeadId"));
    }

    @Test
    public void convertedLeadsStayWithIsConvertedAndConvertedContactId() {
        CrmId lead = insertLead();
        admin().advanceClock(Duration.ofSeconds(1));
        CrmId contact = admin().convertLead(lead);
        SyncRecord l = readOne(ObjectType.LEAD, lead,
                Set.of("LastName", SyncRecord.IS_CONVERTED, SyncRecord.CONVERTED_CONTACT_ID));
        assertFalse(l.deleted(), "a converted lead is not deleted");
        assertEquals(FieldValue.bool(true), l.get(SyncRecord.IS_CONVERTED));
        assertEquals(FieldValue.ref(contact), l.get(SyncRecord.CONVERTED_CONTACT_ID));
        SyncRecord c = readOne(ObjectType.CONTACT, contact, Set.of("LastName"));
        assertEquals(readOne(ObjectType.LEAD, lead, Set.of("LastName")).get("LastName"), c.get("LastName"));
    }

    // ---- writes ------------------------------------------------------------------------------

    @Test
    public void writeReturnsOneResultPerRecordInInputOrder() {
        CrmId existing = insertLead();
        List<CrmWriteResult> results = write(ObjectType.LEAD,
                new CrmWrite.Create("m-1", newLead()),
                new CrmWrite.Update(existing, Map.of("Title", FieldValue.text("CFO"))),
                new CrmWrite.Create("m-2", newLead()));
        CrmWriteResult.Written c1 = written(results.get(0));
        CrmWriteResult.Written u = written(results.get(1));
        CrmWriteResult.Written c2 = written(results.get(2));
        assertTrue(c1.created() && c2.created() && !u.created());
        assertEquals(existing, u.id());
        assertFalse(c1.id().equals(c2.id()));
        assertEquals(FieldValue.text("CFO"), readOne(ObjectType.LEAD, existing, LEAD_FIELDS).get("Title"));
    }

    @Test
    public void createdRecordReadsBackWithItsValuesAndStamp() {
        Map<String, FieldValue> lead = newLead();
        CrmWriteResult.Written w = written(write(ObjectType.LEAD, new CrmWrite.Create("m-1", lead)).get(0));
        SyncRecord r = readOne(ObjectType.LEAD, w.id(), LEAD_FIELDS);
        if (w.modstamp() != null) {
            assertEquals(r.modstamp(), w.modstamp());
        }
        assertEquals(lead.get("LastName"), r.get("LastName"));
        assertEquals(lead.get("Email"), r.get("Email"));
    }

    @Test
    public void rejectedWriteDoesNotStopTheBatch() {
        Map<String, FieldValue> noCompany = new HashMap<>(newLead());
        noCompany.remove("Company");
        List<CrmWriteResult> results = write(ObjectType.LEAD,
                new CrmWrite.Create("ok-1", newLead()),
                new CrmWrite.Create("bad", noCompany),
                new CrmWrite.Create("ok-2", newLead()));
        written(results.get(0));
        CrmWriteResult.Rejected r = rejected(results.get(1));
        assertEquals("REQUIRED_FIELD_MISSING", r.code());
        assertFalse(r.retriable());
        written(results.get(2));
        assertEquals(2, readAll(ObjectType.LEAD).size(), "the rejected record was not written");
    }

    @Test
    public void validationRuleRejectionCarriesItsCodeAndMessage() {
        admin().addValidationRule(ObjectType.LEAD, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Title must not be 'Spam'",
                f -> f.getOrDefault("Title", FieldValue.NULL).equals(FieldValue.text("Spam")));
        Map<String, FieldValue> spam = new HashMap<>(newLead());
        spam.put("Title", FieldValue.text("Spam"));
        CrmWriteResult.Rejected r = rejected(write(ObjectType.LEAD, new CrmWrite.Create("m", spam)).get(0));
        assertEquals("FIELD_CUSTOM_VALIDATION_EXCEPTION", r.code());
        assertTrue(r.message().contains("Spam"), r.message());
    }

    @Test
    public void lockedRowIsRejectedRetriablyThenWritten() {
        CrmId id = insertLead();
        admin().lockRecord(id, 1);
        CrmWrite w = new CrmWrite.Update(id, Map.of("Title", FieldValue.text("VP")));
        CrmWriteResult.Rejected r = rejected(write(ObjectType.LEAD, w).get(0));
        assertEquals("UNABLE_TO_LOCK_ROW", r.code());
        assertTrue(r.retriable());
        written(write(ObjectType.LEAD, w).get(0));
    }

    @Test
    public void writeToAMergedAwayRecordIsRejectedAsDeleted() {
        CrmId master = insertLead();
        CrmId loser = insertLead();
        admin().merge(ObjectType.LEAD, master, List.of(loser));
        CrmWriteResult.Rejected r = rejected(write(ObjectType.LEAD,
                new CrmWrite.Update(loser, Map.of("Title", FieldValue.text("x")))).get(0));
        assertEquals("ENTITY_IS_DELETED", r.code());
    }

    @Test
    public void writeToAConvertedLeadLandsOnItsContact() {
        CrmId lead = insertLead();
        CrmId contact = admin().convertLead(lead);
        CrmWriteResult.Written w = written(write(ObjectType.LEAD,
                new CrmWrite.Update(lead, Map.of("Title", FieldValue.text("Director")))).get(0));
        assertEquals(contact, w.id(), "the write is redirected to ConvertedContactId");
        assertEquals(FieldValue.text("Director"), readOne(ObjectType.CONTACT, contact, Set.of("Title")).get("Title"));
    }

    @Test
    public void writeOfAReadOnlyFieldIsRejected() {
        CrmId id = insertLead();
        CrmWriteResult.Rejected r = rejected(write(ObjectType.LEAD,
                new CrmWrite.Update(id, Map.of(SyncRecord.IS_CONVERTED, FieldValue.bool(true)))).get(0));
        assertEquals("INVALID_FIELD_FOR_INSERT_UPDATE", r.code());
    }

    @Test
    public void valueTooLongIsRejected() {
        Map<String, FieldValue> lead = new HashMap<>(newLead());
        lead.put("LastName", FieldValue.text("x".repeat(500)));
        assertEquals("STRING_TOO_LONG", rejected(write(ObjectType.LEAD, new CrmWrite.Create("m", lead)).get(0)).code());
    }

    @Test
    public void oversizedBatchOrOneWayTypeIsRefused() {
        List<CrmWrite> tooMany = new ArrayList<>();
        for (int i = 0; i <= source().maxWriteBatch(); i++) {
            tooMany.add(new CrmWrite.Create("m" + i, newLead()));
        }
        assertThrows(IllegalArgumentException.class, () -> source().write(ObjectType.LEAD, tooMany));
        assertThrows(IllegalArgumentException.class, () -> source().write(ObjectType.ACCOUNT,
                List.of(new CrmWrite.Create("a", Map.of("Name", FieldValue.text("A"))))));
        assertTrue(readAll(ObjectType.LEAD).isEmpty(), "a refused batch writes nothing");
    }

    // ---- fetch and call counts -----------------------------------------------------------------

    @Test
    public void fetchReturnsKnownRecordsAndLeavesOutUnknownIds() {
        CrmId a = insertLead();
        CrmId b = insertLead();
        CrmId unknown = CrmId.of("00Q000000000001");
        List<SyncRecord> got = source().fetch(ObjectType.LEAD, List.of(a, unknown, b), LEAD_FIELDS);
        assertEquals(Set.of(a, b), idsOf(got));
    }

    @Test
    public void callCountsGrowWithCalls() {
        long before = total(source().callCounts());
        source().describe(ObjectType.LEAD);
        readAll(ObjectType.LEAD);
        assertTrue(total(source().callCounts()) > before, "calls are counted");
    }

    @Test
    public void closedStreamIsIdempotentToClose() {
        ChangeStream s = source().openChanges(new ChangeQuery(ObjectType.LEAD, LEAD_FIELDS, Cursor.START, pageSize()));
        s.close();
        s.close();
    }

    @Test
    public void unqueryableTypeFailsReadsWithSyncException() {
        admin().hideType(ObjectType.ACCOUNT);
        assertThrows(SyncException.class, () -> {
            try (ChangeStream s = source().openChanges(
                    new ChangeQuery(ObjectType.ACCOUNT, Set.of("Name"), Cursor.START, pageSize()))) {
                s.nextPage();
            }
        });
    }

    private static long total(Map<String, Long> counts) {
        assertNotNull(counts);
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private static Set<CrmId> idsOf(List<SyncRecord> records) {
        Set<CrmId> ids = new HashSet<>();
        records.forEach(r -> ids.add(r.id()));
        return Collections.unmodifiableSet(ids);
    }
}
