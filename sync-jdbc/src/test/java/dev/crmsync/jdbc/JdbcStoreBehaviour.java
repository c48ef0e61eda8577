package dev.crmsync.jdbc;

import static dev.crmsync.testkit.contract.ContractFixtures.T0;
import static dev.crmsync.testkit.contract.ContractFixtures.fields;
import static dev.crmsync.testkit.contract.ContractFixtures.lead;
import static dev.crmsync.testkit.contract.ContractFixtures.rec;
import static dev.crmsync.testkit.contract.ContractFixtures.t;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.IdCursor;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.ChangePage;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.Lease;
import dev.crmsync.store.LeaseAttempt;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.StoreResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Behaviour of the JDBC stores beyond the contract kit: bad input rejected whole, two store
 * instances (two engines) over one database, the feed under concurrent host writers. Run on H2
 * and on PostgreSQL by the subclasses.
 */
abstract class JdbcStoreBehaviour {

    /** @return a data source on an empty database (or schema) */
    protected abstract DataSource emptyDatabase();

    protected DataSource ds;
    protected JdbcStores stores;

    @BeforeEach
    void open() {
        ds = emptyDatabase();
        stores = build(ds);
    }

    static JdbcStores build(DataSource ds) {
        List<ObjectType> types = new ArrayList<>(ObjectType.STANDARD);
        return TestDatabases.stores(ds).objectTypes(types).maxTextLength(1_000).maxRecordLength(5_000).build();
    }

    private MarketingRecord one(CrmId id) {
        return stores.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(id)).get(id);
    }

    // ---- bad input ----------------------------------------------------------------------------

    @Test
    void aValueTooLongForItsColumnIsRejectedAndTheRestOfTheBatchWritten() {
        List<StoreResult> res = stores.marketingStore().upsert(ObjectType.LEAD, List.of(
                rec(ObjectType.LEAD, lead(1), "LastName", "ok"),
                rec(ObjectType.LEAD, lead(2), "Description", "x".repeat(1_001)),
                rec(ObjectType.LEAD, lead(3), "LastName", "ok too")));
        StoreResult.Rejected r = assertInstanceOf(StoreResult.Rejected.class, res.get(1));
        assertEquals("VALUE_TOO_LONG", r.code());
        assertTrue(r.message().contains("Description") && r.message().contains("1001"), r.message());
        assertInstanceOf(StoreResult.Created.class, res.get(0));
        assertInstanceOf(StoreResult.Created.class, res.get(2));
        assertEquals(Set.of(lead(1), lead(3)), stores.marketingStore()
                .findByCrmIds(ObjectType.LEAD, List.of(lead(1), lead(2), lead(3))).keySet());
    }

    @Test
    void aRecordTooLargeAfterPatchingIsRejectedAndKeepsItsOldValues() {
        stores.marketingStore().upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "A", "a".repeat(900),
                "B", "b".repeat(900), "C", "c".repeat(900), "D", "d".repeat(900))));
        MarketingRecord before = one(lead(1));
        StoreResult res = stores.marketingStore().upsert(ObjectType.LEAD, List.of(
                rec(ObjectType.LEAD, lead(1), t(5), "E", "e".repeat(900), "F", "f".repeat(900)))).get(0);
        StoreResult.Rejected r = assertInstanceOf(StoreResult.Rejected.class, res);
        assertEquals("VALUE_TOO_LONG", r.code());
        assertEquals(before, one(lead(1)), "nothing half-written");
    }

    @Test
    void textThatIsNotValidUtf8IsRejectedWithTheFieldNamed() {
        StoreResult res = stores.marketingStore().upsert(ObjectType.LEAD, List.of(
                rec(ObjectType.LEAD, lead(1), "LastName", "ok", "Title", "bad \uDC00 half"))).get(0);
        StoreResult.Rejected r = assertInstanceOf(StoreResult.Rejected.class, res);
        assertEquals("INVALID_TEXT", r.code());
        assertTrue(r.message().contains("Title"), r.message());
        assertTrue(stores.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(lead(1))).isEmpty());
    }

    @Test
    void aRecordOfAnUnknownTypeIsRejectedWithTheTypeNamed() {
        ObjectType unknown = ObjectType.of("Unknown__c");
        CrmId id = CrmId.of("a01000000000001");
        List<StoreResult> res = stores.marketingStore().upsert(unknown, List.of(rec(unknown, id, "Name", "x")));
        StoreResult.Rejected r = assertInstanceOf(StoreResult.Rejected.class, res.get(0));
        assertEquals("UNKNOWN_TYPE", r.code());
        assertTrue(r.message().contains("Unknown__c"), r.message());
    }

    @Test
    void textWithNulAndEveryPlaneRoundTrips() {
        String odd = "nul\u0000 tab\t quote\" emoji😀 cjk中 rtl\u05d0 bom\ufeff";
        stores.marketingStore().upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "Note", odd)));
        assertEquals(FieldValue.text(odd), one(lead(1)).get("Note"));
    }

    @Test
    void saveLocalOfAValueTooLongFailsNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stores.marketingStore().saveLocal(ObjectType.LEAD, null, fields("Bio", "x".repeat(1_001))));
        assertTrue(e.getMessage().contains("Bio"), e.getMessage());
        assertTrue(stores.marketingStore().changesSince(ObjectType.LEAD, FeedCursor.START, 10).records().isEmpty());
    }

    // ---- a marketing campaign's member statuses (issue 14, item 8) ---------------------------

    @Test
    void aMarketingCampaignsMemberStatusesAreKeptReplacedRemovedAndReadFromPlainSql() throws Exception {
        JdbcMarketingStore m = stores.marketingStore();
        String program = m.saveLocal(ObjectType.CAMPAIGN, null, fields("Name", "Webinar")).marketingId();
        assertEquals(Optional.empty(), m.memberStatuses(program), "none given: not checked");
        m.memberStatuses(program, Set.of("Sent", "Responded", "Attended"));
        assertEquals(Optional.of(Set.of("Sent", "Responded", "Attended")), m.memberStatuses(program));
        m.memberStatuses(program, Set.of("Sent", "sent"));
        assertEquals(Optional.of(Set.of("Sent", "sent")), m.memberStatuses(program), "replaced; labels compare case-sensitively");
        String table = stores.dialect() == SqlDialect.H2 ? "salesforce.crmsync_program_status" : "crmsync_program_status";
        try (java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO " + table + " (campaign_marketing_id, label) VALUES (" + program + ", 'Registered')");
        }
        assertEquals(Optional.of(Set.of("Sent", "sent", "Registered")), m.memberStatuses(program), "a host's SQL counts too");
        m.memberStatuses(program, Set.of());
        assertEquals(Optional.empty(), m.memberStatuses(program), "an empty set removes it");
        assertEquals(Optional.empty(), m.memberStatuses("no-such-id"));
        assertThrows(IllegalArgumentException.class, () -> m.memberStatuses(program, Set.of(" ")));
        assertThrows(IllegalArgumentException.class, () -> m.memberStatuses(program, Set.of("x".repeat(256))));
        assertThrows(IllegalArgumentException.class, () -> m.memberStatuses(program, Set.of("bad\uD800")));
        assertThrows(IllegalArgumentException.class, () -> m.memberStatuses("no-such-id", Set.of("Sent")));
        assertEquals(Optional.empty(), m.memberStatuses(program), "a refused set wrote nothing");
    }

    @Test
    void linkingAProgramToACrmCampaignWithOtherMemberStatusesIsRefusedOverTheJdbcStore() {
        dev.crmsync.testkit.ManualClock clock = new dev.crmsync.testkit.ManualClock(T0);
        dev.crmsync.testkit.InMemoryCrm crm = dev.crmsync.testkit.InMemoryCrm.builder().clock(clock).seed(5).build();
        CrmId campaign = crm.insert(ObjectType.CAMPAIGN, fields("Name", "Webinar", "IsActive", true));
        crm.insert(ObjectType.CAMPAIGN_MEMBER_STATUS, fields("CampaignId", campaign, "Label", "Attended", "SortOrder", 10));
        JdbcMarketingStore m = stores.marketingStore();
        String program = m.saveLocal(ObjectType.CAMPAIGN, null, fields("Name", "Webinar program")).marketingId();
        m.memberStatuses(program, Set.of("Sent", "Responded", "Registered"));
        try (dev.crmsync.core.SyncEngine e = dev.crmsync.core.SyncEngine.builder().crmSource(crm).marketingStore(m)
                .syncStateStore(stores.syncStateStore()).clock(clock).engineId("link")
                .objectTypes(ObjectType.CAMPAIGN, ObjectType.CAMPAIGN_MEMBER_STATUS).build()) {
            dev.crmsync.core.CampaignLink refused = e.linkCampaign(program, campaign);
            assertEquals(dev.crmsync.core.CampaignLink.Outcome.STATUSES_DIFFER, refused.outcome(), refused::reason);
            assertEquals(Set.of("Sent", "Responded", "Registered"), refused.programStatuses());
            assertEquals(null, m.findByMarketingId(ObjectType.CAMPAIGN, program).orElseThrow().crmId(), "nothing linked");
            m.memberStatuses(program, Set.of("Sent", "Responded", "Attended"));
            assertEquals(dev.crmsync.core.CampaignLink.Outcome.LINKED, e.linkCampaign(program, campaign).outcome());
            assertEquals(campaign, m.findByMarketingId(ObjectType.CAMPAIGN, program).orElseThrow().crmId());
        }
    }

    // ---- two engines over one database ---------------------------------------------------------

    @Test
    void twoEnginesOverOneDatabaseDoNotBothHoldTheLease() throws Exception {
        JdbcStores second = build(ds);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        try {
            Callable<LeaseAttempt> a = () -> {
                go.await();
                return stores.syncStateStore().tryAcquireLease("Lead", "engine-a", "i1", Duration.ofMinutes(5));
            };
            Callable<LeaseAttempt> b = () -> {
                go.await();
                return second.syncStateStore().tryAcquireLease("Lead", "engine-a", "i2", Duration.ofMinutes(5));
            };
            Future<LeaseAttempt> fa = pool.submit(a);
            Future<LeaseAttempt> fb = pool.submit(b);
            go.countDown();
            LeaseAttempt la = fa.get(60, TimeUnit.SECONDS);
            LeaseAttempt lb = fb.get(60, TimeUnit.SECONDS);
            assertTrue(la.granted() ^ lb.granted(), "exactly one instance holds the lease: " + la + " " + lb);
            Lease held = la instanceof LeaseAttempt.Granted g ? g.lease() : ((LeaseAttempt.Granted) lb).lease();
            Lease named = la instanceof LeaseAttempt.Refused r ? r.holder() : ((LeaseAttempt.Refused) lb).holder();
            assertEquals(held, named, "the refused instance is told who holds it");
            assertTrue(stores.syncStateStore().holdsLease(held));
            assertTrue(second.syncStateStore().holdsLease(held), "both see the same lease row");
            second.syncStateStore().shiftClockForTest(Duration.ofMinutes(5));
            Lease next = assertInstanceOf(LeaseAttempt.Granted.class, second.syncStateStore().tryAcquireLease("Lead",
                    "engine-c", "i3", Duration.ofMinutes(5))).lease();
            assertTrue(next.fencingToken() > held.fencingToken());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void manyRacesForOneLeaseGrantItOnceEach() throws Exception {
        int rounds = 10;
        JdbcStores second = build(ds);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            long lastToken = 0;
            for (int round = 0; round < rounds; round++) {
                CountDownLatch go = new CountDownLatch(1);
                Future<LeaseAttempt> fa = pool.submit(() -> {
                    go.await();
                    return stores.syncStateStore().tryAcquireLease("Contact", "a", "i1", Duration.ofMinutes(5));
                });
                Future<LeaseAttempt> fb = pool.submit(() -> {
                    go.await();
                    return second.syncStateStore().tryAcquireLease("Contact", "b", "i2", Duration.ofMinutes(5));
                });
                go.countDown();
                LeaseAttempt la = fa.get(60, TimeUnit.SECONDS);
                LeaseAttempt lb = fb.get(60, TimeUnit.SECONDS);
                assertTrue(la.granted() ^ lb.granted(), "round " + round);
                Lease won = la instanceof LeaseAttempt.Granted g ? g.lease() : ((LeaseAttempt.Granted) lb).lease();
                assertTrue(won.fencingToken() > lastToken);
                lastToken = won.fencingToken();
                stores.syncStateStore().releaseLease(won);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void leaseExpiryIsJudgedByTheDatabaseClockNotTheCallers() {
        // the store takes no time from its caller: a grant's times are the database's CURRENT_TIMESTAMP
        Instant before = dbNow();
        Lease a = assertInstanceOf(LeaseAttempt.Granted.class,
                stores.syncStateStore().tryAcquireLease("Lead", "engine-a", "i1", Duration.ofSeconds(30))).lease();
        Instant after = dbNow();
        assertFalse(a.acquiredAt().isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).minusMillis(1)),
                a + " vs " + before);
        assertFalse(a.acquiredAt().isAfter(after), a + " vs " + after);
        assertEquals(a.acquiredAt().plusSeconds(30), a.expiresAt());
    }

    private Instant dbNow() {
        try (java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
            if (c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("mariadb")) {
                // MariaDB's CURRENT_TIMESTAMP has whole seconds and the session's zone; its leases use this
                try (java.sql.ResultSet rs = st.executeQuery("SELECT UTC_TIMESTAMP(6)")) {
                    rs.next();
                    return rs.getObject(1, java.time.LocalDateTime.class).toInstant(java.time.ZoneOffset.UTC);
                }
            }
            try (java.sql.ResultSet rs = st.executeQuery("SELECT CURRENT_TIMESTAMP")) {
                rs.next();
                return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    // ---- the feed under concurrent host writers ------------------------------------------------

    @Test
    void theFeedMissesNoChangeOfConcurrentHostWriters() throws Exception {
        int writers = 3;
        int perWriter = 40;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        CountDownLatch go = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        Map<String, Boolean> seen = new ConcurrentHashMap<>();
        try {
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                futures.add(pool.submit(() -> {
                    go.await();
                    List<String> mids = new ArrayList<>();
                    for (int i = 0; i < perWriter; i++) {
                        mids.add(stores.marketingStore().saveLocal(ObjectType.LEAD, null,
                                fields("LastName", "w" + writer + "-" + i)).marketingId());
                    }
                    return mids;
                }));
            }
            Future<FeedCursor> reader = pool.submit(() -> {
                go.await();
                FeedCursor cursor = FeedCursor.START;
                while (true) {
                    boolean finished = done.get();
                    ChangePage page = stores.marketingStore().changesSince(ObjectType.LEAD, cursor, 7);
                    for (MarketingRecord r : page.records()) {
                        seen.put(r.marketingId(), Boolean.TRUE);
                    }
                    cursor = page.nextCursor();
                    if (finished && !page.hasMore()) {
                        return cursor;
                    }
                }
            });
            go.countDown();
            Set<String> written = new HashSet<>();
            for (Future<List<String>> f : futures) {
                written.addAll(f.get(120, TimeUnit.SECONDS));
            }
            done.set(true);
            reader.get(120, TimeUnit.SECONDS);
            assertEquals(writers * perWriter, written.size());
            assertEquals(written, seen.keySet(), "every committed host change was read by the concurrent reader");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void checkpointAndDataCommitTogetherFromAnotherThreadsView() {
        Checkpoint cp = Checkpoint.initial(ObjectType.LEAD, T0);
        stores.syncStateStore().inTransaction(() -> {
            stores.marketingStore().upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A")));
            stores.syncStateStore().saveCheckpoint(cp);
            JdbcStores other = TestDatabases.stores(ds).migrate(false).build();
            assertTrue(other.syncStateStore().checkpoint(ObjectType.LEAD).isEmpty(), "not visible before commit");
            assertTrue(other.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(lead(1))).isEmpty());
            return null;
        });
        JdbcStores other = TestDatabases.stores(ds).migrate(false).build();
        assertEquals(Optional.of(cp), other.syncStateStore().checkpoint(ObjectType.LEAD));
        assertEquals(1, other.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(lead(1))).size());
    }

    @Test
    void aLargeFirstCopyInPagesIsCompleteAndIdempotent() {
        List<SyncRecord> page = new ArrayList<>();
        for (int i = 1; i <= 2_000; i++) {
            page.add(rec(ObjectType.ACCOUNT, CrmId.of(String.format("001%012d", i)), "Name", "Acme " + i, "N", i));
            if (page.size() == 500) {
                List<SyncRecord> p = List.copyOf(page);
                stores.syncStateStore().inTransaction(() -> stores.marketingStore().upsert(ObjectType.ACCOUNT, p));
                assertTrue(stores.marketingStore().upsert(ObjectType.ACCOUNT, p).stream()
                        .allMatch(r -> r instanceof StoreResult.Unchanged), "a replayed page changes nothing");
                page.clear();
            }
        }
        List<CrmId> all = new ArrayList<>();
        IdCursor after = IdCursor.START;
        while (true) {
            List<CrmId> ids = stores.marketingStore().crmIds(ObjectType.ACCOUNT, after, 700);
            if (ids.isEmpty()) {
                break;
            }
            all.addAll(ids);
            after = IdCursor.after(ids.get(ids.size() - 1));
        }
        assertEquals(2_000, all.size());
        assertEquals(2_000, new HashSet<>(all).size());
    }

    // ---- first copy: inserted first, without a lookup ------------------------------------------

    private static final List<dev.crmsync.store.StoreField> TYPED = List.of(
            new dev.crmsync.store.StoreField("LastName", dev.crmsync.store.StoreField.Kind.TEXT, 80, 0, 0),
            new dev.crmsync.store.StoreField("AnnualRevenue", dev.crmsync.store.StoreField.Kind.CURRENCY, 0, 18, 2),
            new dev.crmsync.store.StoreField("NumberOfEmployees", dev.crmsync.store.StoreField.Kind.INTEGER, 0, 0, 0),
            new dev.crmsync.store.StoreField("Score__c", dev.crmsync.store.StoreField.Kind.DOUBLE, 0, 0, 0),
            new dev.crmsync.store.StoreField("DoNotCall", dev.crmsync.store.StoreField.Kind.BOOLEAN, 0, 0, 0),
            new dev.crmsync.store.StoreField("LastActivityDate", dev.crmsync.store.StoreField.Kind.DATE, 0, 0, 0),
            new dev.crmsync.store.StoreField("Last_Touch__c", dev.crmsync.store.StoreField.Kind.DATETIME, 0, 0, 0),
            new dev.crmsync.store.StoreField("OwnerId", dev.crmsync.store.StoreField.Kind.REFERENCE, 18, 0, 0));

    private static SyncRecord typedLead(int i, String name) {
        Map<String, FieldValue> f = new java.util.LinkedHashMap<>();
        f.put("LastName", FieldValue.text(name + " \t\"'\\ " + i));
        f.put("AnnualRevenue", FieldValue.number(new java.math.BigDecimal("1234.5").add(java.math.BigDecimal.valueOf(i))));
        f.put("NumberOfEmployees", i % 3 == 0 ? FieldValue.NULL : FieldValue.number(i));
        f.put("Score__c", FieldValue.number(new java.math.BigDecimal("0.25")));
        f.put("DoNotCall", FieldValue.bool(i % 2 == 0));
        f.put("LastActivityDate", FieldValue.date(java.time.LocalDate.of(2024, 2, 29).plusDays(i)));
        f.put("Last_Touch__c", FieldValue.dateTime(Instant.parse("2024-03-01T09:00:00.123456Z").plusSeconds(i)));
        f.put("OwnerId", FieldValue.ref(CrmId.of(String.format("005%012d", i % 7))));
        f.put("Untyped__c", FieldValue.text("kept in _other " + i));
        return new SyncRecord(ObjectType.LEAD, lead(i), f, T0.plusSeconds(i), i % 10 == 9);
    }

    /** @return the lead table's name in SQL (on H2 in the default schema {@code salesforce}) */
    private String leadTable() {
        return stores.dialect() == SqlDialect.H2 ? "salesforce.lead" : quote() + "lead" + quote();
    }

    /** @return the dialect's identifier quote (none on H2, where the store's names are upper case) */
    private String quote() {
        return switch (stores.dialect()) {
            case MARIADB -> "`";
            case POSTGRESQL -> "\"";
            default -> "";
        };
    }

    /** A host application's own INSERT, in plain SQL, of a lead linked to a CRM id. */
    private void hostInsert(CrmId id, String lastName) throws java.sql.SQLException {
        try (java.sql.Connection c = ds.getConnection()) {
            try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO " + leadTable() + " (_crm_id, "
                    + quote() + (stores.dialect() == SqlDialect.H2 ? "LASTNAME" : "lastname") + quote() + ") VALUES (?, ?)")) {
                ps.setString(1, id.value());
                ps.setString(2, lastName);
                ps.executeUpdate();
            }
        }
    }

    @Test
    void aFirstCopyBatchIsInsertedWithEveryValueExactAndNoDuplicateOfARowAHostInsertedMeanwhile() throws Exception {
        JdbcMarketingStore store = stores.marketingStore();
        store.prepareType(ObjectType.LEAD, TYPED);
        List<SyncRecord> first = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            first.add(typedLead(i, "first"));
        }
        List<StoreResult> a = stores.syncStateStore().inTransaction(() -> store.upsert(ObjectType.LEAD, first));
        assertTrue(a.stream().allMatch(r -> r instanceof StoreResult.Created), "a batch of new records is created");
        boolean fast = !stores.dialect().equals(SqlDialect.H2);
        assertEquals(fast, store.insertsFirst(ObjectType.LEAD), "after a batch of nothing but new records, the next is inserted first");

        hostInsert(lead(150), "host");           // a host row holding a CRM id the next batch brings
        String hostMid = one(lead(150)).marketingId();
        List<SyncRecord> second = new ArrayList<>();
        for (int i = 101; i <= 199; i++) {
            second.add(typedLead(i, "second"));
        }
        second.add(typedLead(1, "again"));       // and one the first batch wrote
        List<StoreResult> b = stores.syncStateStore().inTransaction(() -> store.upsert(ObjectType.LEAD, second));

        Set<String> mids = new HashSet<>();
        for (int k = 0; k < second.size(); k++) {
            SyncRecord r = second.get(k);
            StoreResult res = b.get(k);
            if (r.id().equals(lead(150)) || r.id().equals(lead(1))) {
                StoreResult.Updated u = assertInstanceOf(StoreResult.Updated.class, res, r.id().value());
                if (r.id().equals(lead(150))) {
                    assertEquals(hostMid, u.marketingId(), "the host's row is updated, not duplicated");
                }
            } else {
                mids.add(assertInstanceOf(StoreResult.Created.class, res, r.id().value()).marketingId());
            }
        }
        assertEquals(98, mids.size(), "98 new rows, each with its own marketing id");
        assertFalse(store.insertsFirst(ObjectType.LEAD), "a batch that met taken ids goes back to the lookup first");

        List<CrmId> ids = new ArrayList<>();
        for (int i = 1; i <= 199; i++) {
            ids.add(lead(i));
        }
        Map<CrmId, MarketingRecord> held = store.findByCrmIds(ObjectType.LEAD, ids);
        assertEquals(199, held.size());
        assertEquals(199, store.crmIds(ObjectType.LEAD, IdCursor.START, 1_000).size(), "no CRM id is held twice");
        List<SyncRecord> expected = new ArrayList<>(first);
        expected.set(0, typedLead(1, "again"));
        for (int i = 101; i <= 199; i++) {
            expected.add(typedLead(i, "second"));
        }
        for (SyncRecord r : expected) {
            MarketingRecord m = held.get(r.id());
            for (Map.Entry<String, FieldValue> e : r.fields().entrySet()) {
                assertEquals(e.getValue(), m.get(e.getKey()), r.id() + " " + e.getKey());
            }
            assertEquals(r.deleted(), m.crmDeleted(), r.id() + " deleted flag");
            assertEquals(r.modstamp(), m.crmModstamp(), r.id() + " CRM stamp");
        }
        assertEquals(hostMid, held.get(lead(150)).marketingId());

        // no echo: only the host's insert has a feed position; every engine write left its row's alone
        try (java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT _marketing_id FROM " + leadTable() + " WHERE _change_seq > 0 OR _engine_write")) {
            List<String> fed = new ArrayList<>();
            while (rs.next()) {
                fed.add(Long.toString(rs.getLong(1)));
            }
            assertEquals(List.of(hostMid), fed);
        }
    }
}
