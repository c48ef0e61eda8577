package dev.crmsync.testkit.contract;

import static dev.crmsync.testkit.contract.ContractFixtures.T0;
import static dev.crmsync.testkit.contract.ContractFixtures.account;
import static dev.crmsync.testkit.contract.ContractFixtures.contact;
import static dev.crmsync.testkit.contract.ContractFixtures.fields;
import static dev.crmsync.testkit.contract.ContractFixtures.lead;
import static dev.crmsync.testkit.contract.ContractFixtures.member;
import static dev.crmsync.testkit.contract.ContractFixtures.rec;
import static dev.crmsync.testkit.contract.ContractFixtures.t;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.model.Deletion;
import dev.crmsync.store.ActivityHistory;
import dev.crmsync.store.ActivityPage;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.ChangePage;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.HostDeletion;
import dev.crmsync.store.GuardedUpsert;
import dev.crmsync.store.IdCursor;
import dev.crmsync.store.LocalWrites;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.PersonActivity;
import dev.crmsync.store.StoreChecks;
import dev.crmsync.store.StoreField;
import dev.crmsync.store.StoreResult;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract test kit for {@link MarketingStore}: every rule of the SPI's documented contract,
 * one test each, named by the rule. An adapter proves itself by extending this class:
 *
 * <pre>{@code
 * class MyStoreTest extends MarketingStoreContract {
 *     @Override
 *     protected MarketingStore createStore() {
 *         return new MyStore(freshDatabase());
 *     }
 * }
 * }</pre>
 *
 * {@link #createStore()} is called once before every test and must return an empty store.
 *
 * <p>Optional capabilities are found by type: the tests of the change feed, lookup by marketing
 * id, link, merge and relink run when the store is a {@link BidirectionalStore}; the tests that
 * make host changes run when it is a {@link LocalWrites} (or {@link #localWrites()} supplies one).
 * Optional behaviours have hooks ({@link #suppressesEngineEchoes()},
 * {@link #valuesTheStoreRejects()}, {@link #typeTheStoreDoesNotHold()}). A test whose capability or
 * behaviour the store does not claim is skipped with a message, not passed.
 */
public abstract class MarketingStoreContract {

    /** For subclasses: an adapter's test class extends this kit. */
    protected MarketingStoreContract() {
    }

    /** The store under test, fresh for each test. */
    protected MarketingStore store;

    /** @return a new, empty store */
    protected abstract MarketingStore createStore();

    /**
     * @return true if writes made by the engine never appear in the change feed (the SPI's
     *     "should"); override to return false for a store that echoes them
     */
    protected boolean suppressesEngineEchoes() {
        return true;
    }

    /**
     * @return true if a record the engine created and no host write touched since is not listed by
     *     the change feed, not even from {@link FeedCursor#START} (the SPI allows either; the stores
     *     shipped with crmsync leave them out); override to return false for a store that lists them
     */
    protected boolean leavesEngineCreatesOutOfTheFeed() {
        return true;
    }

    /**
     * @return field values the store must reject (return {@code Rejected} for), or empty to skip
     *     the rejection tests. The default is a text holding an unpaired UTF-16 surrogate, which
     *     has no UTF-8 form; a store that keeps such text exactly overrides this.
     */
    protected Optional<Map<String, FieldValue>> valuesTheStoreRejects() {
        return Optional.of(fields("LastName", "broken \uD800 text"));
    }

    /** @return an object type the store is configured not to hold (its records are rejected), or empty to skip */
    protected Optional<ObjectType> typeTheStoreDoesNotHold() {
        return Optional.empty();
    }

    /**
     * How the kit makes host changes (marketing-only records, local edits). By default the store
     * itself when it is a {@link LocalWrites}; a store whose host writes take another way (a
     * database trigger, the host's own DAO) overrides this to supply them. Empty skips the tests
     * that need host changes.
     *
     * @return the host-write path to the store under test, or empty
     */
    protected Optional<LocalWrites> localWrites() {
        return store instanceof LocalWrites lw ? Optional.of(lw) : Optional.empty();
    }

    /** Creates the store under test. */
    @BeforeEach
    void createStoreUnderTest() {
        store = createStore();
        assertNotNull(store, "createStore() returned null");
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** @return the store's bidirectional capability; skips the calling test when it has none */
    private BidirectionalStore twoWay() {
        assumeTrue(store instanceof BidirectionalStore,
                "skipped: the store is not a BidirectionalStore (it holds one-way types only)");
        return (BidirectionalStore) store;
    }

    /** @return the store's activity history; skips the calling test when it keeps none */
    private ActivityHistory history() {
        assumeTrue(store instanceof ActivityHistory, "skipped: the store keeps no activity history (it is not an"
                + " ActivityHistory)");
        return (ActivityHistory) store;
    }

    private static PersonActivity activity(ObjectType type, String mid, PersonActivity.Kind kind, Instant at, String key,
                                           String... fields) {
        return new PersonActivity(type, mid, null, kind, List.of(fields),
                kind == PersonActivity.Kind.REJECTED ? "FIELD_CUSTOM_VALIDATION_EXCEPTION" : null, null, "cycle-1", at, key);
    }

    private List<PersonActivity> readAll(ObjectType type, String mid, int pageSize) {
        List<PersonActivity> all = new ArrayList<>();
        String cursor = null;
        do {
            ActivityPage page = history().history(type, mid, cursor, pageSize);
            assertTrue(page.activities().size() <= pageSize, "a page holds at most the limit");
            all.addAll(page.activities());
            cursor = page.next();
        } while (cursor != null);
        return all;
    }

    /** @return the host-write path; skips the calling test when there is none */
    private LocalWrites host() {
        LocalWrites lw = localWrites().orElse(null);
        assumeTrue(lw != null, "skipped: the store takes no host writes (it is not a LocalWrites,"
                + " and localWrites() supplies none)");
        return lw;
    }

    private MarketingRecord one(ObjectType type, CrmId id) {
        MarketingRecord r = store.findByCrmIds(type, List.of(id)).get(id);
        assertNotNull(r, "expected a " + type + " record for " + id);
        return r;
    }

    private List<MarketingRecord> drainFeed(ObjectType type, FeedCursor cursor, int pageSize, FeedCursor[] nextCursor) {
        List<MarketingRecord> all = new ArrayList<>();
        FeedCursor c = cursor;
        for (int guard = 0; guard < 10_000; guard++) {
            ChangePage page = twoWay().changesSince(type, c, pageSize);
            assertTrue(page.records().size() <= pageSize, "page larger than the limit");
            all.addAll(page.records());
            c = page.nextCursor();
            if (!page.hasMore()) {
                break;
            }
        }
        nextCursor[0] = c;
        return all;
    }

    private FeedCursor feedEnd(ObjectType type) {
        FeedCursor[] c = new FeedCursor[1];
        drainFeed(type, FeedCursor.START, 100, c);
        return c[0];
    }

    private static List<String> ids(List<MarketingRecord> records) {
        return records.stream().map(MarketingRecord::marketingId).toList();
    }

    // ---- upsert --------------------------------------------------------------------------------

    @Test
    void upsertCreatesRecordsFindableByCrmId() {
        List<StoreResult> res = store.upsert(ObjectType.LEAD, List.of(
                rec(ObjectType.LEAD, lead(1), "LastName", "Ada", "Email", "ada@example.com")));
        StoreResult.Created c = assertInstanceOf(StoreResult.Created.class, res.get(0));
        assertEquals(lead(1), c.crmId());
        MarketingRecord r = one(ObjectType.LEAD, lead(1));
        assertEquals(c.marketingId(), r.marketingId());
        assertEquals(lead(1), r.crmId());
        assertEquals(ObjectType.LEAD, r.type());
        assertEquals(FieldValue.text("Ada"), r.get("LastName"));
        assertEquals(FieldValue.text("ada@example.com"), r.get("Email"));
        assertFalse(r.crmDeleted());
        assertEquals(T0, r.crmModstamp());
        assertNotNull(r.localModstamp());
    }

    @Test
    void upsertReturnsOneResultPerRecordInInputOrder() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(2), "LastName", "B")));
        List<StoreResult> res = store.upsert(ObjectType.LEAD, List.of(
                rec(ObjectType.LEAD, lead(3), "LastName", "C"),
                rec(ObjectType.LEAD, lead(2), "LastName", "B2"),
                rec(ObjectType.LEAD, lead(1), "LastName", "A")));
        assertEquals(3, res.size());
        assertEquals(List.of(lead(3), lead(2), lead(1)), res.stream().map(StoreResult::crmId).toList());
        assertInstanceOf(StoreResult.Created.class, res.get(0));
        assertInstanceOf(StoreResult.Updated.class, res.get(1));
        assertInstanceOf(StoreResult.Created.class, res.get(2));
    }

    @Test
    void upsertIsIdempotent() {
        SyncRecord r = rec(ObjectType.LEAD, lead(1), "LastName", "Ada", "Score", 10);
        String mid = store.upsert(ObjectType.LEAD, List.of(r)).get(0) instanceof StoreResult.Created c ? c.marketingId() : null;
        MarketingRecord before = one(ObjectType.LEAD, lead(1));
        StoreResult again = store.upsert(ObjectType.LEAD, List.of(r)).get(0);
        assertEquals(new StoreResult.Unchanged(lead(1), mid), again);
        MarketingRecord after = one(ObjectType.LEAD, lead(1));
        assertEquals(before, after, "an idempotent rewrite changes nothing, not even localModstamp");
    }

    @Test
    void upsertOfEqualNumberWithOtherScaleIsUnchanged() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "Revenue", FieldValue.number("1.50"))));
        StoreResult res = store.upsert(ObjectType.LEAD, List.of(
                rec(ObjectType.LEAD, lead(1), "Revenue", FieldValue.number("1.5000")))).get(0);
        assertInstanceOf(StoreResult.Unchanged.class, res);
    }

    @Test
    void upsertPatchesOnlyGivenFields() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Ada", "Email", "a@x.org", "City", "Paris")));
        StoreResult res = store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), t(60), "Email", "ada@x.org"))).get(0);
        assertInstanceOf(StoreResult.Updated.class, res);
        MarketingRecord r = one(ObjectType.LEAD, lead(1));
        assertEquals(FieldValue.text("Ada"), r.get("LastName"));
        assertEquals(FieldValue.text("ada@x.org"), r.get("Email"));
        assertEquals(FieldValue.text("Paris"), r.get("City"));
        assertEquals(t(60), r.crmModstamp());
    }

    @Test
    void nullValueClearsAField() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Ada", "City", "Paris")));
        StoreResult res = store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "City", FieldValue.NULL))).get(0);
        assertInstanceOf(StoreResult.Updated.class, res);
        MarketingRecord r = one(ObjectType.LEAD, lead(1));
        assertEquals(FieldValue.NULL, r.get("City"));
        assertEquals(FieldValue.text("Ada"), r.get("LastName"));
        assertInstanceOf(StoreResult.Unchanged.class,
                store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "City", FieldValue.NULL))).get(0),
                "clearing a cleared field changes nothing");
    }

    @Test
    void valuesRoundTripExactlyWithTheirTypes() {
        Map<String, FieldValue> values = fields(
                "Num", FieldValue.number("1.0"),
                "NumText", "1.0",
                "Empty", "",
                "Blank", "   ",
                "False", false,
                "True", true,
                "Neg", FieldValue.number("-0.000123"),
                "Huge", FieldValue.number(new BigDecimal("123456789012345678901234567890.123456789")),
                "Day", FieldValue.date(LocalDate.of(1999, 12, 31)),
                "When", FieldValue.dateTime(Instant.parse("2026-03-01T12:34:56.789Z")),
                "Owner", FieldValue.ref("005000000000001"),
                "Unicode", "Zoë 😀 中文 \"quoted\" back\\slash \n\t end",
                "Json", "{\"a\":[1,2]}",
                "Nul", "a\u0000b");
        store.upsert(ObjectType.LEAD, List.of(new SyncRecord(ObjectType.LEAD, lead(1), values, T0, false)));
        MarketingRecord r = one(ObjectType.LEAD, lead(1));
        for (Map.Entry<String, FieldValue> e : values.entrySet()) {
            assertEquals(e.getValue(), r.get(e.getKey()), "field " + e.getKey());
        }
        assertNotEquals(r.get("Num"), r.get("NumText"));
        assertNotEquals(FieldValue.NULL, r.get("Empty"));
    }

    @Test
    void upsertRejectsABatchWithARepeatedId() {
        assertThrows(IllegalArgumentException.class, () -> store.upsert(ObjectType.LEAD, List.of(
                rec(ObjectType.LEAD, lead(1), "LastName", "A"), rec(ObjectType.LEAD, lead(1), "LastName", "B"))));
    }

    @Test
    void upsertRejectsARecordOfAnotherType() {
        assertThrows(IllegalArgumentException.class, () -> store.upsert(ObjectType.LEAD, List.of(
                rec(ObjectType.CONTACT, contact(1), "LastName", "A"))));
    }

    @Test
    void upsertOfAnEmptyBatchReturnsNoResults() {
        assertEquals(List.of(), store.upsert(ObjectType.LEAD, List.of()));
    }

    @Test
    void rejectedRecordDoesNotStopTheBatch() {
        Map<String, FieldValue> bad = valuesTheStoreRejects().orElse(null);
        assumeTrue(bad != null, "skipped: the store names no values it rejects (valuesTheStoreRejects())");
        List<StoreResult> res = store.upsert(ObjectType.LEAD, List.of(
                rec(ObjectType.LEAD, lead(1), "LastName", "A"),
                new SyncRecord(ObjectType.LEAD, lead(2), bad, T0, false),
                rec(ObjectType.LEAD, lead(3), "LastName", "C")));
        assertInstanceOf(StoreResult.Created.class, res.get(0));
        StoreResult.Rejected rej = assertInstanceOf(StoreResult.Rejected.class, res.get(1));
        assertEquals(lead(2), rej.crmId());
        assertFalse(rej.code().isBlank(), "a rejection has a reason code");
        assertFalse(rej.message().isBlank(), "a rejection has a message");
        assertFalse(rej.isSuccess());
        assertInstanceOf(StoreResult.Created.class, res.get(2));
        Map<CrmId, MarketingRecord> found = store.findByCrmIds(ObjectType.LEAD, List.of(lead(1), lead(2), lead(3)));
        assertEquals(Set.of(lead(1), lead(3)), found.keySet());
    }

    @Test
    void rejectedRecordWritesNothingOfItself() {
        Map<String, FieldValue> bad = valuesTheStoreRejects().orElse(null);
        assumeTrue(bad != null, "skipped: the store names no values it rejects (valuesTheStoreRejects())");
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A", "City", "Oslo")));
        MarketingRecord before = one(ObjectType.LEAD, lead(1));
        Map<String, FieldValue> mixed = new java.util.HashMap<>(bad);
        mixed.put("City", FieldValue.text("Bergen"));
        StoreResult res = store.upsert(ObjectType.LEAD, List.of(new SyncRecord(ObjectType.LEAD, lead(1), mixed, t(5), false))).get(0);
        assertInstanceOf(StoreResult.Rejected.class, res);
        assertEquals(before, one(ObjectType.LEAD, lead(1)), "no field of a rejected record is written");
    }

    @Test
    void textWithAnUnpairedSurrogateIsKeptExactlyOrRejected() {
        String odd = "x\uDC00y";
        StoreResult res = store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", odd))).get(0);
        if (res instanceof StoreResult.Rejected) {
            assertTrue(store.findByCrmIds(ObjectType.LEAD, List.of(lead(1))).isEmpty());
        } else {
            assertEquals(FieldValue.text(odd), one(ObjectType.LEAD, lead(1)).get("LastName"), "never a mangled value");
        }
    }

    @Test
    void recordOfATypeTheStoreDoesNotHoldIsRejected() {
        ObjectType type = typeTheStoreDoesNotHold().orElse(null);
        assumeTrue(type != null, "skipped: the store holds every type (typeTheStoreDoesNotHold())");
        CrmId id = CrmId.of("a00000000000001");
        StoreResult res = store.upsert(type, List.of(rec(type, id, "Name", "x"))).get(0);
        StoreResult.Rejected rej = assertInstanceOf(StoreResult.Rejected.class, res);
        assertTrue(rej.message().contains(type.apiName()), "the message names the type: " + rej.message());
        assertTrue(store.findByCrmIds(type, List.of(id)).isEmpty());
    }

    @Test
    void aLargeBatchIsWrittenCompletely() {
        List<SyncRecord> batch = new ArrayList<>();
        for (int i = 1; i <= 1_000; i++) {
            batch.add(rec(ObjectType.ACCOUNT, account(i), "Name", "Account " + i, "Employees", i));
        }
        List<StoreResult> res = store.upsert(ObjectType.ACCOUNT, batch);
        assertEquals(1_000, res.size());
        assertTrue(res.stream().allMatch(r -> r instanceof StoreResult.Created));
        assertEquals(FieldValue.number(777), one(ObjectType.ACCOUNT, account(777)).get("Employees"));
    }

    @Test
    void typesAreSeparateNamespaces() {
        CrmId shared = lead(1);
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, shared, "LastName", "Lead")));
        store.upsert(ObjectType.CONTACT, List.of(rec(ObjectType.CONTACT, shared, "LastName", "Contact")));
        assertEquals(FieldValue.text("Lead"), one(ObjectType.LEAD, shared).get("LastName"));
        assertEquals(FieldValue.text("Contact"), one(ObjectType.CONTACT, shared).get("LastName"));
        assertTrue(store.findByCrmIds(ObjectType.ACCOUNT, List.of(shared)).isEmpty());
    }

    // ---- deletions -----------------------------------------------------------------------------

    @Test
    void markDeletedKeepsTheRecord() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Ada")));
        StoreResult res = store.markDeleted(ObjectType.LEAD, List.of(new Deletion(lead(1), t(30)))).get(0);
        assertInstanceOf(StoreResult.Updated.class, res);
        MarketingRecord r = one(ObjectType.LEAD, lead(1));
        assertTrue(r.crmDeleted());
        assertEquals(FieldValue.text("Ada"), r.get("LastName"), "values stay");
    }

    @Test
    void markDeletedOfAnUnknownIdIsNotFound() {
        assertEquals(List.of(new StoreResult.NotFound(lead(9))),
                store.markDeleted(ObjectType.LEAD, List.of(new Deletion(lead(9), t(1)))));
        assertTrue(store.findByCrmIds(ObjectType.LEAD, List.of(lead(9))).isEmpty(), "nothing is created");
    }

    @Test
    void markDeletedTwiceIsUnchanged() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Ada")));
        store.markDeleted(ObjectType.LEAD, List.of(new Deletion(lead(1), t(30))));
        MarketingRecord before = one(ObjectType.LEAD, lead(1));
        assertInstanceOf(StoreResult.Unchanged.class,
                store.markDeleted(ObjectType.LEAD, List.of(new Deletion(lead(1), t(30)))).get(0));
        assertEquals(before, one(ObjectType.LEAD, lead(1)));
    }

    @Test
    void upsertOfADeletedRecordStoresTheFlag() {
        StoreResult res = store.upsert(ObjectType.LEAD, List.of(
                new SyncRecord(ObjectType.LEAD, lead(1), fields("LastName", "Gone"), T0, true))).get(0);
        assertInstanceOf(StoreResult.Created.class, res);
        assertTrue(one(ObjectType.LEAD, lead(1)).crmDeleted());
    }

    @Test
    void upsertOfALiveRecordClearsTheDeletedFlag() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Ada")));
        store.markDeleted(ObjectType.LEAD, List.of(new Deletion(lead(1), t(30))));
        StoreResult res = store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), t(40), "LastName", "Ada"))).get(0);
        assertInstanceOf(StoreResult.Updated.class, res, "restoring from the recycle bin is a change");
        assertFalse(one(ObjectType.LEAD, lead(1)).crmDeleted());
    }

    @Test
    void markDeletedRejectsABatchWithARepeatedId() {
        assertThrows(IllegalArgumentException.class, () -> store.markDeleted(ObjectType.LEAD, List.of(
                new Deletion(lead(1), T0), new Deletion(lead(1), t(1)))));
    }

    // ---- lookups -------------------------------------------------------------------------------

    @Test
    void findByCrmIdsLeavesOutUnknownIds() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A")));
        Map<CrmId, MarketingRecord> found = store.findByCrmIds(ObjectType.LEAD, List.of(lead(1), lead(2)));
        assertEquals(Set.of(lead(1)), found.keySet());
        assertTrue(store.findByCrmIds(ObjectType.LEAD, List.of()).isEmpty());
    }

    @Test
    void findByCrmIdsAcceptsTheShortFormOfAnId() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A")));
        CrmId shortForm = CrmId.of(lead(1).shortForm());
        assertEquals(Set.of(lead(1)), store.findByCrmIds(ObjectType.LEAD, List.of(shortForm)).keySet());
    }

    @Test
    void findByMarketingIdFindsTheRecord() {
        StoreResult.Created c = (StoreResult.Created) store.upsert(ObjectType.LEAD,
                List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"))).get(0);
        MarketingRecord r = twoWay().findByMarketingId(ObjectType.LEAD, c.marketingId()).orElseThrow();
        assertEquals(lead(1), r.crmId());
        assertEquals(one(ObjectType.LEAD, lead(1)), r);
    }

    @Test
    void findByMarketingIdOfAnotherTypeOrUnknownIdIsEmpty() {
        StoreResult.Created c = (StoreResult.Created) store.upsert(ObjectType.LEAD,
                List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"))).get(0);
        assertTrue(twoWay().findByMarketingId(ObjectType.CONTACT, c.marketingId()).isEmpty());
        assertTrue(twoWay().findByMarketingId(ObjectType.LEAD, "no-such-id-" + c.marketingId()).isEmpty());
    }

    @Test
    void marketingIdsAreDistinctAndNeverReused() {
        Set<String> mids = new HashSet<>();
        for (int i = 1; i <= 20; i++) {
            StoreResult r = store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(i), "LastName", "L" + i))).get(0);
            assertTrue(mids.add(((StoreResult.Created) r).marketingId()));
        }
        if (store instanceof BidirectionalStore b) {   // only a merge removes records
            b.merge(ObjectType.LEAD, lead(1), List.of(lead(2)), Map.of());
            StoreResult r = store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(99), "LastName", "New"))).get(0);
            assertTrue(mids.add(((StoreResult.Created) r).marketingId()), "a removed record's id is not reused");
        }
        localWrites().ifPresent(lw -> assertTrue(
                mids.add(lw.saveLocal(ObjectType.LEAD, null, fields("LastName", "Local")).marketingId())));
    }

    @Test
    void crmIdsPagesInAscendingOrderIncludingDeletedRecords() {
        List<SyncRecord> batch = new ArrayList<>();
        for (int i = 25; i >= 1; i--) {
            batch.add(rec(ObjectType.LEAD, lead(i), "LastName", "L" + i));
        }
        store.upsert(ObjectType.LEAD, batch);
        store.markDeleted(ObjectType.LEAD, List.of(new Deletion(lead(7), t(1))));
        localWrites().ifPresent(lw -> lw.saveLocal(ObjectType.LEAD, null, fields("LastName", "marketing only")));
        store.upsert(ObjectType.CONTACT, List.of(rec(ObjectType.CONTACT, contact(1), "LastName", "C")));
        List<CrmId> all = new ArrayList<>();
        IdCursor after = IdCursor.START;
        while (true) {
            List<CrmId> page = store.crmIds(ObjectType.LEAD, after, 4);
            assertTrue(page.size() <= 4);
            if (page.isEmpty()) {
                break;
            }
            all.addAll(page);
            after = IdCursor.after(page.get(page.size() - 1));
        }
        List<CrmId> expected = new ArrayList<>();
        for (int i = 1; i <= 25; i++) {
            expected.add(lead(i));
        }
        assertEquals(expected, all);
    }

    @Test
    void crmIdsRejectsALimitBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> store.crmIds(ObjectType.LEAD, IdCursor.START, 0));
    }

    // ---- upsertIfUnchanged -----------------------------------------------------------------------

    @Test
    void upsertIfUnchangedWritesWhereTheSeenValuesStillHold() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Ada", "City", "Paris")));
        MarketingRecord seen = one(ObjectType.LEAD, lead(1));
        List<StoreResult> r = twoWay().upsertIfUnchanged(ObjectType.LEAD, List.of(new GuardedUpsert(
                rec(ObjectType.LEAD, lead(1), "City", "Lyon", "Title", "Dr"),
                Map.of("City", seen.get("City"), "Title", FieldValue.NULL))));
        assertInstanceOf(StoreResult.Updated.class, r.get(0));
        assertEquals(FieldValue.text("Lyon"), one(ObjectType.LEAD, lead(1)).get("City"));
        assertEquals(FieldValue.text("Dr"), one(ObjectType.LEAD, lead(1)).get("Title"));
    }

    @Test
    void upsertIfUnchangedLeavesARecordTheHostChangedSinceAndWritesTheOthers() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Ada", "City", "Paris"),
                rec(ObjectType.LEAD, lead(2), "LastName", "Bob", "City", "Rome")));
        String mid = one(ObjectType.LEAD, lead(1)).marketingId();
        host().saveLocal(ObjectType.LEAD, mid, fields("City", "Oslo"));          // the host, after the engine read
        List<StoreResult> r = twoWay().upsertIfUnchanged(ObjectType.LEAD, List.of(
                new GuardedUpsert(rec(ObjectType.LEAD, lead(1), "City", "Lyon"), Map.of("City", FieldValue.text("Paris"))),
                new GuardedUpsert(rec(ObjectType.LEAD, lead(2), "City", "Milan"), Map.of("City", FieldValue.text("Rome")))));
        assertEquals(new StoreResult.Changed(lead(1), "City"), r.get(0));
        assertInstanceOf(StoreResult.Updated.class, r.get(1));
        assertEquals(FieldValue.text("Oslo"), one(ObjectType.LEAD, lead(1)).get("City"), "the host's write stays");
        assertEquals(FieldValue.text("Milan"), one(ObjectType.LEAD, lead(2)).get("City"));
    }

    @Test
    void upsertIfUnchangedOfARecordNoLongerHeldIsChanged() {
        List<StoreResult> r = twoWay().upsertIfUnchanged(ObjectType.LEAD, List.of(new GuardedUpsert(
                rec(ObjectType.LEAD, lead(9), "City", "Lyon"), Map.of("City", FieldValue.NULL))));
        assertEquals(new StoreResult.Changed(lead(9), null), r.get(0));
        assertTrue(store.findByCrmIds(ObjectType.LEAD, List.of(lead(9))).isEmpty(), "nothing was created");
    }

    // ---- saveLocal -----------------------------------------------------------------------------

    @Test
    void saveLocalCreatesAMarketingOnlyRecord() {
        MarketingRecord r = host().saveLocal(ObjectType.LEAD, null, fields("LastName", "Local", "Email", "l@x.org"));
        assertNull(r.crmId());
        assertFalse(r.marketingId().isBlank());
        assertEquals(FieldValue.text("Local"), r.get("LastName"));
        assertEquals(r, twoWay().findByMarketingId(ObjectType.LEAD, r.marketingId()).orElseThrow());
        assertTrue(store.crmIds(ObjectType.LEAD, IdCursor.START, 10).isEmpty(), "no CRM id yet");
    }

    @Test
    void saveLocalPatchesAnExistingRecord() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Ada", "City", "Paris")));
        String mid = one(ObjectType.LEAD, lead(1)).marketingId();
        MarketingRecord r = host().saveLocal(ObjectType.LEAD, mid, fields("City", "Lyon", "Title", FieldValue.NULL));
        assertEquals(FieldValue.text("Lyon"), r.get("City"));
        assertEquals(FieldValue.text("Ada"), r.get("LastName"));
        assertEquals(lead(1), r.crmId());
        assertEquals(r, one(ObjectType.LEAD, lead(1)));
    }

    @Test
    void saveLocalRejectsAOneWayType() {
        LocalWrites lw = host();
        assertThrows(IllegalArgumentException.class,
                () -> lw.saveLocal(ObjectType.ACCOUNT, null, fields("Name", "Acme")));
    }

    @Test
    void saveLocalRejectsAnUnknownMarketingId() {
        LocalWrites lw = host();
        assertThrows(IllegalArgumentException.class,
                () -> lw.saveLocal(ObjectType.LEAD, "404404", fields("LastName", "X")));
    }

    @Test
    void saveLocalOfValuesTheStoreCannotKeepFails() {
        LocalWrites lw = host();
        Map<String, FieldValue> bad = valuesTheStoreRejects().orElse(null);
        assumeTrue(bad != null, "skipped: the store names no values it rejects (valuesTheStoreRejects())");
        assertThrows(IllegalArgumentException.class, () -> lw.saveLocal(ObjectType.LEAD, null, bad));
    }

    // ---- change feed ---------------------------------------------------------------------------

    @Test
    void changeFeedFromTheStartListsEveryRecordAHostWroteOfTheType() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"),
                rec(ObjectType.LEAD, lead(2), "LastName", "B")));
        MarketingRecord local = host().saveLocal(ObjectType.LEAD, null, fields("LastName", "C"));
        MarketingRecord local2 = host().saveLocal(ObjectType.LEAD, null, fields("LastName", "D"));
        store.upsert(ObjectType.CONTACT, List.of(rec(ObjectType.CONTACT, contact(1), "LastName", "X")));
        FeedCursor[] c = new FeedCursor[1];
        List<MarketingRecord> all = drainFeed(ObjectType.LEAD, FeedCursor.START, 1, c);
        Set<String> expected = leavesEngineCreatesOutOfTheFeed() ? Set.of(local.marketingId(), local2.marketingId())
                : Set.of(one(ObjectType.LEAD, lead(1)).marketingId(), one(ObjectType.LEAD, lead(2)).marketingId(),
                        local.marketingId(), local2.marketingId());
        assertEquals(expected.size(), all.size(), "each once");
        assertEquals(expected, new HashSet<>(ids(all)));
        assertTrue(all.stream().allMatch(r -> r.type().equals(ObjectType.LEAD)));
    }

    @Test
    void aRecordTheEngineCreatedIsListedOnceAHostWritesIt() {
        assumeTrue(leavesEngineCreatesOutOfTheFeed(),
                "skipped: the store lists the engine's creates (leavesEngineCreatesOutOfTheFeed())");
        LocalWrites lw = host();
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"),
                rec(ObjectType.LEAD, lead(2), "LastName", "B")));
        String m2 = one(ObjectType.LEAD, lead(2)).marketingId();
        assertEquals(List.of(), twoWay().changesSince(ObjectType.LEAD, FeedCursor.START, 10).records(),
                "nothing but the engine's own creates");
        lw.saveLocal(ObjectType.LEAD, m2, fields("LastName", "B2"));
        FeedCursor[] c = new FeedCursor[1];
        List<MarketingRecord> all = drainFeed(ObjectType.LEAD, FeedCursor.START, 10, c);
        assertEquals(List.of(m2), ids(all));
        assertEquals(FieldValue.text("B2"), all.get(0).get("LastName"));
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(2), "LastName", "B3")));
        assertEquals(List.of(m2), ids(drainFeed(ObjectType.LEAD, FeedCursor.START, 10, c)),
                "an engine write keeps the position a host write gave it");
    }

    @Test
    void changeFeedSeesEveryLocalChangeOnceInOrder() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"),
                rec(ObjectType.LEAD, lead(2), "LastName", "B"), rec(ObjectType.LEAD, lead(3), "LastName", "C")));
        FeedCursor cursor = feedEnd(ObjectType.LEAD);
        String m1 = one(ObjectType.LEAD, lead(1)).marketingId();
        String m3 = one(ObjectType.LEAD, lead(3)).marketingId();
        host().saveLocal(ObjectType.LEAD, m3, fields("City", "Rome"));
        MarketingRecord created = host().saveLocal(ObjectType.LEAD, null, fields("LastName", "New"));
        host().saveLocal(ObjectType.LEAD, m1, fields("City", "Oslo"));
        FeedCursor[] next = new FeedCursor[1];
        List<MarketingRecord> changes = drainFeed(ObjectType.LEAD, cursor, 1, next);
        assertEquals(List.of(m3, created.marketingId(), m1), ids(changes), "oldest change first, each once");
        assertEquals(FieldValue.text("Oslo"), changes.get(2).get("City"));
        assertTrue(twoWay().changesSince(ObjectType.LEAD, next[0], 10).records().isEmpty(), "nothing twice");
    }

    @Test
    void changeFeedReportsARecordChangedTwiceOnceWithItsLatestValues() {
        MarketingRecord r = host().saveLocal(ObjectType.LEAD, null, fields("LastName", "A"));
        FeedCursor cursor = feedEnd(ObjectType.LEAD);
        host().saveLocal(ObjectType.LEAD, r.marketingId(), fields("City", "Rome"));
        MarketingRecord other = host().saveLocal(ObjectType.LEAD, null, fields("LastName", "B"));
        host().saveLocal(ObjectType.LEAD, r.marketingId(), fields("City", "Milan"));
        ChangePage page = twoWay().changesSince(ObjectType.LEAD, cursor, 10);
        assertEquals(List.of(other.marketingId(), r.marketingId()), ids(page.records()),
                "a record appears once, at its latest change");
        assertEquals(FieldValue.text("Milan"), page.records().get(1).get("City"));
        assertFalse(page.hasMore());
    }

    @Test
    void changeFeedPagesWithoutLossOrRepetition() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            created.add(host().saveLocal(ObjectType.CONTACT, null, fields("LastName", "C" + i)).marketingId());
        }
        FeedCursor[] next = new FeedCursor[1];
        List<MarketingRecord> all = drainFeed(ObjectType.CONTACT, FeedCursor.START, 5, next);
        assertEquals(created, ids(all));
        ChangePage tail = twoWay().changesSince(ObjectType.CONTACT, next[0], 5);
        assertTrue(tail.records().isEmpty());
        assertFalse(tail.hasMore());
    }

    @Test
    void changeFeedCursorStaysPutWhenNothingChanged() {
        host().saveLocal(ObjectType.LEAD, null, fields("LastName", "A"));
        FeedCursor end = feedEnd(ObjectType.LEAD);
        ChangePage page = twoWay().changesSince(ObjectType.LEAD, end, 10);
        assertTrue(page.records().isEmpty());
        assertEquals(end, page.nextCursor());
        assertFalse(page.hasMore());
        ChangePage empty = twoWay().changesSince(ObjectType.CAMPAIGN, FeedCursor.START, 10);
        assertTrue(empty.records().isEmpty());
        assertEquals(FeedCursor.START, empty.nextCursor());
    }

    @Test
    void changeFeedPositionAfterARecordIsNotTheStart() {
        host().saveLocal(ObjectType.LEAD, null, fields("LastName", "A"));
        ChangePage page = twoWay().changesSince(ObjectType.LEAD, FeedCursor.START, 10);
        assertEquals(1, page.records().size());
        assertFalse(page.nextCursor().isStart(), "the empty text is FeedCursor.START, never a position after a record");
    }

    @Test
    void changeFeedPositionsSurviveARoundTripThroughTheirText() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            created.add(host().saveLocal(ObjectType.LEAD, null, fields("LastName", "L" + i)).marketingId());
        }
        ChangePage first = twoWay().changesSince(ObjectType.LEAD, FeedCursor.START, 2);
        FeedCursor persisted = FeedCursor.of(first.nextCursor().value());
        assertEquals(first.nextCursor(), persisted);
        FeedCursor[] next = new FeedCursor[1];
        List<MarketingRecord> rest = drainFeed(ObjectType.LEAD, persisted, 2, next);
        List<String> all = new ArrayList<>(ids(first.records()));
        all.addAll(ids(rest));
        assertEquals(created, all, "a position read back from its text continues where it left off");
    }

    @Test
    void changeFeedIsPerType() {
        host().saveLocal(ObjectType.LEAD, null, fields("LastName", "L"));
        MarketingRecord c = host().saveLocal(ObjectType.CONTACT, null, fields("LastName", "C"));
        assertEquals(List.of(c.marketingId()), ids(twoWay().changesSince(ObjectType.CONTACT, FeedCursor.START, 10).records()));
    }

    @Test
    void engineWritesDoNotEchoIntoTheChangeFeed() {
        assumeTrue(suppressesEngineEchoes(), "skipped: the store declares that engine writes echo (suppressesEngineEchoes())");
        MarketingRecord local = host().saveLocal(ObjectType.LEAD, null, fields("LastName", "Local"));
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(2), "LastName", "B"),
                rec(ObjectType.LEAD, lead(3), "LastName", "C"), rec(ObjectType.LEAD, lead(4), "LastName", "D")));
        FeedCursor cursor = feedEnd(ObjectType.LEAD);
        twoWay().link(ObjectType.LEAD, local.marketingId(), lead(1));
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), t(5), "City", "Oslo"),
                rec(ObjectType.LEAD, lead(5), t(5), "LastName", "E")));
        store.markDeleted(ObjectType.LEAD, List.of(new Deletion(lead(2), t(6))));
        twoWay().merge(ObjectType.LEAD, lead(3), List.of(lead(4)), fields("Title", "CEO"));
        twoWay().relink(ObjectType.LEAD, lead(5), ObjectType.CONTACT, contact(5), fields("LastName", "E"));
        ChangePage page = twoWay().changesSince(ObjectType.LEAD, cursor, 100);
        assertEquals(List.of(), ids(page.records()), "engine writes are not local changes");
        assertEquals(List.of(), page.deletions(), "a merge's loser and a relinked record are not host deletions");
    }

    /** @return the host-delete path; skips the calling test when the store does not report host deletions */
    private LocalWrites hostDeleting() {
        LocalWrites lw = host();
        twoWay();
        MarketingRecord probe = lw.saveLocal(ObjectType.LEAD, null, fields("LastName", "probe"));
        try {
            lw.deleteLocal(ObjectType.LEAD, probe.marketingId());
        } catch (UnsupportedOperationException e) {
            assumeTrue(false, "skipped: the store does not report host deletions");
        }
        return lw;
    }

    @Test
    void aHostDeleteIsReportedOnceWithItsMarketingAndCrmIdsInFeedOrder() {
        LocalWrites lw = hostDeleting();
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"),
                rec(ObjectType.LEAD, lead(2), "LastName", "B")));
        MarketingRecord local = lw.saveLocal(ObjectType.LEAD, null, fields("LastName", "Local"));
        FeedCursor cursor = feedEnd(ObjectType.LEAD);
        String m1 = one(ObjectType.LEAD, lead(1)).marketingId();
        String m2 = one(ObjectType.LEAD, lead(2)).marketingId();
        lw.saveLocal(ObjectType.LEAD, m2, fields("City", "Rome"));
        assertTrue(lw.deleteLocal(ObjectType.LEAD, m1));
        assertTrue(lw.deleteLocal(ObjectType.LEAD, local.marketingId()));
        assertFalse(lw.deleteLocal(ObjectType.LEAD, m1), "deleted already: nothing to delete");
        assertTrue(store.findByCrmIds(ObjectType.LEAD, List.of(lead(1))).isEmpty(), "gone from the store");
        List<Object> seen = new ArrayList<>();
        FeedCursor c = cursor;
        for (int guard = 0; guard < 10; guard++) {
            ChangePage page = twoWay().changesSince(ObjectType.LEAD, c, 1);
            assertTrue(page.records().size() + page.deletions().size() <= 1, "a page of one holds one entry");
            seen.addAll(ids(page.records()));
            seen.addAll(page.deletions());
            c = page.nextCursor();
            if (!page.hasMore()) {
                break;
            }
        }
        assertEquals(List.of(m2, new HostDeletion(m1, lead(1)), new HostDeletion(local.marketingId(), null)), seen,
                "in the order they happened, each once");
        ChangePage after = twoWay().changesSince(ObjectType.LEAD, c, 10);
        assertEquals(List.of(), after.deletions(), "nothing twice");
        assertEquals(List.of(), twoWay().changesSince(ObjectType.CONTACT, FeedCursor.START, 10).deletions(), "per type");
    }

    @Test
    void aHostDeleteOfAnEngineCreatedRecordIsReportedFromTheStart() {
        LocalWrites lw = hostDeleting();
        store.upsert(ObjectType.CONTACT, List.of(rec(ObjectType.CONTACT, contact(1), "LastName", "A")));
        String m1 = one(ObjectType.CONTACT, contact(1)).marketingId();
        assertTrue(lw.deleteLocal(ObjectType.CONTACT, m1));
        List<HostDeletion> all = new ArrayList<>();
        FeedCursor c = FeedCursor.START;
        for (int guard = 0; guard < 10; guard++) {
            ChangePage page = twoWay().changesSince(ObjectType.CONTACT, c, 5);
            all.addAll(page.deletions());
            c = page.nextCursor();
            if (!page.hasMore()) {
                break;
            }
        }
        assertEquals(List.of(new HostDeletion(m1, contact(1))), all);
    }

    @Test
    void engineWriteDoesNotHideAPendingLocalChange() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A", "City", "Paris")));
        FeedCursor cursor = feedEnd(ObjectType.LEAD);
        String mid = one(ObjectType.LEAD, lead(1)).marketingId();
        host().saveLocal(ObjectType.LEAD, mid, fields("Email", "host@x.org"));
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), t(9), "City", "Nice")));
        ChangePage page = twoWay().changesSince(ObjectType.LEAD, cursor, 10);
        assertEquals(List.of(mid), ids(page.records()));
        assertEquals(FieldValue.text("host@x.org"), page.records().get(0).get("Email"));
        assertEquals(FieldValue.text("Nice"), page.records().get(0).get("City"), "current values");
    }

    @Test
    void changesSinceRejectsAOneWayType() {
        BidirectionalStore b = twoWay();
        assertThrows(IllegalArgumentException.class, () -> b.changesSince(ObjectType.ACCOUNT, FeedCursor.START, 10));
    }

    @Test
    void changesSinceRejectsALimitBelowOne() {
        BidirectionalStore b = twoWay();
        assertThrows(IllegalArgumentException.class, () -> b.changesSince(ObjectType.LEAD, FeedCursor.START, 0));
    }

    // ---- link ----------------------------------------------------------------------------------

    @Test
    void linkGivesAMarketingOnlyRecordItsCrmId() {
        MarketingRecord local = host().saveLocal(ObjectType.LEAD, null, fields("LastName", "Local"));
        twoWay().link(ObjectType.LEAD, local.marketingId(), lead(1));
        MarketingRecord r = one(ObjectType.LEAD, lead(1));
        assertEquals(local.marketingId(), r.marketingId());
        assertEquals(FieldValue.text("Local"), r.get("LastName"));
        assertEquals(List.of(lead(1)), store.crmIds(ObjectType.LEAD, IdCursor.START, 10));
        StoreResult again = store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Local"))).get(0);
        assertEquals(new StoreResult.Unchanged(lead(1), local.marketingId()), again, "upserts now find it by CRM id");
    }

    @Test
    void linkIsIdempotent() {
        MarketingRecord local = host().saveLocal(ObjectType.LEAD, null, fields("LastName", "Local"));
        twoWay().link(ObjectType.LEAD, local.marketingId(), lead(1));
        twoWay().link(ObjectType.LEAD, local.marketingId(), lead(1));
        assertEquals(local.marketingId(), one(ObjectType.LEAD, lead(1)).marketingId());
    }

    @Test
    void linkToASecondCrmIdFails() {
        BidirectionalStore b = twoWay();
        MarketingRecord local = host().saveLocal(ObjectType.LEAD, null, fields("LastName", "Local"));
        twoWay().link(ObjectType.LEAD, local.marketingId(), lead(1));
        assertThrows(IllegalArgumentException.class, () -> b.link(ObjectType.LEAD, local.marketingId(), lead(2)));
        assertEquals(local.marketingId(), one(ObjectType.LEAD, lead(1)).marketingId());
    }

    @Test
    void linkToACrmIdHeldByAnotherRecordFails() {
        BidirectionalStore b = twoWay();
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Synced")));
        MarketingRecord local = host().saveLocal(ObjectType.LEAD, null, fields("LastName", "Local"));
        assertThrows(IllegalArgumentException.class, () -> b.link(ObjectType.LEAD, local.marketingId(), lead(1)));
        assertEquals(FieldValue.text("Synced"), one(ObjectType.LEAD, lead(1)).get("LastName"));
    }

    @Test
    void linkOfAnUnknownRecordFails() {
        BidirectionalStore b = twoWay();
        assertThrows(IllegalArgumentException.class, () -> b.link(ObjectType.LEAD, "404404", lead(1)));
    }

    // ---- merge and relink ----------------------------------------------------------------------

    @Test
    void mergeRemovesTheLosersAndGivesTheSurvivorTheMergedValues() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Win", "City", "Oslo"),
                rec(ObjectType.LEAD, lead(2), "LastName", "Lose", "Phone", "123"),
                rec(ObjectType.LEAD, lead(3), "LastName", "Lose too")));
        String survivorMid = one(ObjectType.LEAD, lead(1)).marketingId();
        String loserMid = one(ObjectType.LEAD, lead(2)).marketingId();
        MarketingRecord out = twoWay().merge(ObjectType.LEAD, lead(1), List.of(lead(2), lead(3)), fields("Phone", "123"));
        assertEquals(survivorMid, out.marketingId());
        assertEquals(FieldValue.text("123"), out.get("Phone"));
        assertEquals(FieldValue.text("Oslo"), out.get("City"), "fields not named are kept");
        assertEquals(out, one(ObjectType.LEAD, lead(1)));
        assertEquals(Set.of(lead(1)), store.findByCrmIds(ObjectType.LEAD, List.of(lead(1), lead(2), lead(3))).keySet());
        assertTrue(twoWay().findByMarketingId(ObjectType.LEAD, loserMid).isEmpty());
        assertEquals(List.of(lead(1)), store.crmIds(ObjectType.LEAD, IdCursor.START, 10));
    }

    @Test
    void mergeRepointsReferences() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Win"),
                rec(ObjectType.LEAD, lead(2), "LastName", "Lose")));
        store.upsert(ObjectType.CAMPAIGN_MEMBER, List.of(
                rec(ObjectType.CAMPAIGN_MEMBER, member(1), "LeadId", lead(2), "Status", "Sent"),
                rec(ObjectType.CAMPAIGN_MEMBER, member(2), "LeadId", lead(1), "Status", "Responded")));
        store.upsert(ObjectType.TASK, List.of(rec(ObjectType.TASK, ContractFixtures.id("00T", 1), "WhoId", lead(2))));
        twoWay().merge(ObjectType.LEAD, lead(1), List.of(lead(2)), Map.of());
        assertEquals(FieldValue.ref(lead(1)), one(ObjectType.CAMPAIGN_MEMBER, member(1)).get("LeadId"));
        assertEquals(FieldValue.text("Sent"), one(ObjectType.CAMPAIGN_MEMBER, member(1)).get("Status"));
        assertEquals(FieldValue.ref(lead(1)), one(ObjectType.CAMPAIGN_MEMBER, member(2)).get("LeadId"));
        assertEquals(FieldValue.ref(lead(1)), one(ObjectType.TASK, ContractFixtures.id("00T", 1)).get("WhoId"));
    }

    @Test
    void mergeIsIdempotent() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Win"),
                rec(ObjectType.LEAD, lead(2), "LastName", "Lose")));
        MarketingRecord first = twoWay().merge(ObjectType.LEAD, lead(1), List.of(lead(2)), fields("Title", "CTO"));
        MarketingRecord second = twoWay().merge(ObjectType.LEAD, lead(1), List.of(lead(2)), fields("Title", "CTO"));
        assertEquals(first.marketingId(), second.marketingId());
        assertEquals(first.fields(), second.fields());
        assertEquals(Set.of(lead(1)), store.findByCrmIds(ObjectType.LEAD, List.of(lead(1), lead(2))).keySet());
    }

    @Test
    void mergeIntoAnAbsentSurvivorKeepsTheLosersMarketingId() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(2), "LastName", "Only loser here")));
        String mid = one(ObjectType.LEAD, lead(2)).marketingId();
        MarketingRecord out = twoWay().merge(ObjectType.LEAD, lead(1), List.of(lead(2)), fields("Title", "VP"));
        assertEquals(mid, out.marketingId());
        assertEquals(lead(1), out.crmId());
        assertEquals(FieldValue.text("Only loser here"), one(ObjectType.LEAD, lead(1)).get("LastName"));
        assertTrue(store.findByCrmIds(ObjectType.LEAD, List.of(lead(2))).isEmpty());
    }

    @Test
    void mergeWithTheSurvivorAmongTheLosersFails() {
        BidirectionalStore b = twoWay();
        assertThrows(IllegalArgumentException.class,
                () -> b.merge(ObjectType.LEAD, lead(1), List.of(lead(1)), Map.of()));
    }

    @Test
    void relinkMovesLeadToContact() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Ada", "Company", "Acme")));
        store.upsert(ObjectType.CAMPAIGN_MEMBER, List.of(rec(ObjectType.CAMPAIGN_MEMBER, member(1), "LeadId", lead(1))));
        String mid = one(ObjectType.LEAD, lead(1)).marketingId();
        MarketingRecord out = twoWay().relink(ObjectType.LEAD, lead(1), ObjectType.CONTACT, contact(1),
                fields("LastName", "Ada", "AccountId", account(1)));
        assertEquals(ObjectType.CONTACT, out.type());
        assertEquals(contact(1), out.crmId());
        assertEquals(mid, out.marketingId(), "the person keeps its marketing id");
        assertEquals(FieldValue.ref(account(1)), out.get("AccountId"));
        assertEquals(FieldValue.text("Acme"), out.get("Company"), "patch semantics: old fields are kept");
        assertTrue(store.findByCrmIds(ObjectType.LEAD, List.of(lead(1))).isEmpty());
        assertTrue(twoWay().findByMarketingId(ObjectType.LEAD, mid).isEmpty());
        assertEquals(out, twoWay().findByMarketingId(ObjectType.CONTACT, mid).orElseThrow());
        assertEquals(FieldValue.ref(contact(1)), one(ObjectType.CAMPAIGN_MEMBER, member(1)).get("LeadId"));
        assertEquals(List.of(contact(1)), store.crmIds(ObjectType.CONTACT, IdCursor.START, 10));
    }

    @Test
    void relinkIntoAnExistingRecordMergesIntoIt() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Ada")));
        store.upsert(ObjectType.CONTACT, List.of(rec(ObjectType.CONTACT, contact(1), "LastName", "Ada L.")));
        String contactMid = one(ObjectType.CONTACT, contact(1)).marketingId();
        store.upsert(ObjectType.TASK, List.of(rec(ObjectType.TASK, ContractFixtures.id("00T", 1), "WhoId", lead(1))));
        MarketingRecord out = twoWay().relink(ObjectType.LEAD, lead(1), ObjectType.CONTACT, contact(1), fields("Email", "a@x.org"));
        assertEquals(contactMid, out.marketingId());
        assertEquals(FieldValue.text("Ada L."), out.get("LastName"));
        assertEquals(FieldValue.text("a@x.org"), out.get("Email"));
        assertTrue(store.findByCrmIds(ObjectType.LEAD, List.of(lead(1))).isEmpty());
        assertEquals(FieldValue.ref(contact(1)), one(ObjectType.TASK, ContractFixtures.id("00T", 1)).get("WhoId"));
    }

    @Test
    void relinkIsIdempotent() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Ada")));
        MarketingRecord first = twoWay().relink(ObjectType.LEAD, lead(1), ObjectType.CONTACT, contact(1), fields("LastName", "Ada"));
        MarketingRecord second = twoWay().relink(ObjectType.LEAD, lead(1), ObjectType.CONTACT, contact(1), fields("LastName", "Ada"));
        assertEquals(first.marketingId(), second.marketingId());
        assertEquals(first.fields(), second.fields());
        assertEquals(List.of(contact(1)), store.crmIds(ObjectType.CONTACT, IdCursor.START, 10));
        assertTrue(store.crmIds(ObjectType.LEAD, IdCursor.START, 10).isEmpty());
    }

    @Test
    void relinkWithinATypeGivesTheRecordANewCrmId() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "Ada")));
        store.markDeleted(ObjectType.LEAD, List.of(new Deletion(lead(1), T0)));
        String mid = one(ObjectType.LEAD, lead(1)).marketingId();
        MarketingRecord out = twoWay().relink(ObjectType.LEAD, lead(1), ObjectType.LEAD, lead(2), fields("Email", "a@x.org"));
        assertEquals(mid, out.marketingId(), "the person keeps its marketing id");
        assertEquals(lead(2), out.crmId());
        assertEquals(FieldValue.text("Ada"), out.get("LastName"));
        assertEquals(FieldValue.text("a@x.org"), out.get("Email"));
        assertTrue(store.findByCrmIds(ObjectType.LEAD, List.of(lead(1))).isEmpty());
        assertEquals(List.of(lead(2)), store.crmIds(ObjectType.LEAD, IdCursor.START, 10));
        List<StoreResult> revived = store.upsert(ObjectType.LEAD,
                List.of(rec(ObjectType.LEAD, lead(2), "LastName", "Ada")));
        assertInstanceOf(StoreResult.Updated.class, revived.get(0), "an upsert clears the deleted flag it kept");
        assertFalse(one(ObjectType.LEAD, lead(2)).crmDeleted());
    }

    // ---- threads -------------------------------------------------------------------------------

    @Test
    void hostWritesConcurrentWithEngineWritesAreAllKept() throws Exception {
        LocalWrites lw = host();
        twoWay();
        int n = 200;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        try {
            Callable<List<String>> host = () -> {
                go.await();
                List<String> mids = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    mids.add(lw.saveLocal(ObjectType.LEAD, null, fields("LastName", "H" + i)).marketingId());
                }
                return mids;
            };
            Callable<List<String>> engine = () -> {
                go.await();
                for (int i = 1; i <= n; i += 10) {
                    List<SyncRecord> batch = new ArrayList<>();
                    for (int k = i; k < i + 10; k++) {
                        batch.add(rec(ObjectType.LEAD, lead(k), "LastName", "E" + k));
                    }
                    store.upsert(ObjectType.LEAD, batch);
                }
                return List.of();
            };
            Future<List<String>> h = pool.submit(host);
            Future<List<String>> e = pool.submit(engine);
            go.countDown();
            List<String> hostMids = h.get(60, TimeUnit.SECONDS);
            e.get(60, TimeUnit.SECONDS);
            assertEquals(n, new HashSet<>(hostMids).size());
            assertEquals(n, store.crmIds(ObjectType.LEAD, IdCursor.START, 10_000).size());
            FeedCursor[] c = new FeedCursor[1];
            assertEquals(leavesEngineCreatesOutOfTheFeed() ? n : 2 * n, drainFeed(ObjectType.LEAD, FeedCursor.START, 50, c).size());
        } finally {
            pool.shutdownNow();
        }
    }
    // ---- activity history (ActivityHistory) ----------------------------------------------------

    @Test
    void activityHistoryReadsNewestFirstAndKeepsEverythingButValues() {
        ActivityHistory h = history();
        PersonActivity created = new PersonActivity(ObjectType.LEAD, "7", lead(1), PersonActivity.Kind.CREATED_FROM_CRM,
                List.of("LastName", "Email"), null, null, "cycle-1", t(1), "k-created");
        PersonActivity rejected = new PersonActivity(ObjectType.LEAD, "7", lead(1), PersonActivity.Kind.REJECTED,
                List.of(), "FIELD_CUSTOM_VALIDATION_EXCEPTION", null, "cycle-2", t(2), "k-rejected");
        PersonActivity account = new PersonActivity(ObjectType.LEAD, "7", null, PersonActivity.Kind.ACCOUNT_CHANGED,
                List.of("Industry"), null, account(3), null, t(3), "k-account");
        h.append(List.of(created, rejected));
        h.append(List.of(account));
        assertEquals(List.of(account, rejected, created), h.history(ObjectType.LEAD, "7", null, 10).activities());
        assertNull(h.history(ObjectType.LEAD, "7", null, 10).next(), "one page holds it all");
        assertEquals(List.of(), h.history(ObjectType.CONTACT, "7", null, 10).activities(), "kept per type");
        assertEquals(List.of(), h.history(ObjectType.LEAD, "8", null, 10).activities(), "kept per person");
    }

    @Test
    void activityHistoryPagesWithoutGapsOrRepeats() {
        ActivityHistory h = history();
        List<PersonActivity> all = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            // two activities share each instant: the later appended reads first
            all.add(activity(ObjectType.CONTACT, "3", PersonActivity.Kind.UPDATED_FROM_CRM, t(i / 2), "page-" + i, "F" + i));
        }
        h.append(all);
        List<PersonActivity> newestFirst = new ArrayList<>(all);
        java.util.Collections.reverse(newestFirst);
        assertEquals(newestFirst, readAll(ObjectType.CONTACT, "3", 3));
        assertEquals(newestFirst, readAll(ObjectType.CONTACT, "3", 1));
        assertEquals(newestFirst, readAll(ObjectType.CONTACT, "3", 7));
    }

    @Test
    void activityAppendIsIdempotentByKey() {
        ActivityHistory h = history();
        PersonActivity a = activity(ObjectType.LEAD, "1", PersonActivity.Kind.UPDATED_FROM_CRM, t(1), "same", "Email");
        PersonActivity b = activity(ObjectType.LEAD, "1", PersonActivity.Kind.DELETED, t(2), "other");
        h.append(List.of(a, a));
        h.append(List.of(a, b));
        h.append(List.of(b));
        assertEquals(List.of(b, a), h.history(ObjectType.LEAD, "1", null, 10).activities());
    }

    @Test
    void movedHistoryIsConcatenatedInTimeOrderAndKeepsItsKeys() {
        ActivityHistory h = history();
        PersonActivity s1 = activity(ObjectType.CONTACT, "1", PersonActivity.Kind.CREATED_FROM_CRM, t(1), "s1");
        PersonActivity s3 = activity(ObjectType.CONTACT, "1", PersonActivity.Kind.UPDATED_FROM_CRM, t(3), "s3", "Phone");
        PersonActivity l2 = activity(ObjectType.LEAD, "2", PersonActivity.Kind.UPDATED_IN_CRM, t(2), "l2", "Email");
        PersonActivity l4 = activity(ObjectType.LEAD, "2", PersonActivity.Kind.REJECTED, t(4), "l4");
        h.append(List.of(s1, s3, l2, l4));
        h.moveHistory(ObjectType.LEAD, "2", ObjectType.CONTACT, "1");
        h.moveHistory(ObjectType.LEAD, "2", ObjectType.CONTACT, "1");        // idempotent: nothing left to move
        h.moveHistory(ObjectType.CONTACT, "1", ObjectType.CONTACT, "1");     // onto itself: nothing
        List<PersonActivity> merged = h.history(ObjectType.CONTACT, "1", null, 10).activities();
        assertEquals(List.of("l4", "s3", "l2", "s1"), merged.stream().map(PersonActivity::key).toList());
        assertTrue(merged.stream().allMatch(a -> a.type().equals(ObjectType.CONTACT) && a.marketingId().equals("1")),
                "moved entries are kept under the survivor");
        assertEquals(List.of(), h.history(ObjectType.LEAD, "2", null, 10).activities());
        h.append(List.of(l2));                                               // its key is held, under the survivor
        assertEquals(4, h.history(ObjectType.CONTACT, "1", null, 10).activities().size());
        assertEquals(List.of(), h.history(ObjectType.LEAD, "2", null, 10).activities());
    }

    @Test
    void activityHistoryRefusesWhatItCannotRead() {
        ActivityHistory h = history();
        assertThrows(IllegalArgumentException.class, () -> h.history(ObjectType.LEAD, "1", "garbage", 10));
        assertThrows(IllegalArgumentException.class, () -> h.history(ObjectType.LEAD, "1", null, 0));
        assertThrows(NullPointerException.class, () -> h.append(null));
        List<PersonActivity> tooMany = new ArrayList<>();
        PersonActivity one = activity(ObjectType.LEAD, "1", PersonActivity.Kind.DELETED, t(1), "k");
        for (int i = 0; i <= ActivityHistory.MAX_BATCH; i++) {
            tooMany.add(one);
        }
        assertThrows(IllegalArgumentException.class, () -> h.append(tooMany));
        assertEquals(List.of(), h.history(ObjectType.LEAD, "1", null, 10).activities(), "nothing of a refused call");
    }

    @Test
    void referencingFindsTheRecordsPointingAtEachTargetUpToTheLimit() {
        referencingFinds(false);
    }

    @Test
    void referencingFindsReferencesInAFieldTheStoreWasToldAbout() {
        referencingFinds(true);
    }

    private void referencingFinds(boolean prepared) {
        ActivityHistory h = history();
        assertEquals(Map.of(), h.referencing(ObjectType.CONTACT, "AccountId", List.of(account(1)), 10),
                "a store holding no contacts finds none");
        if (prepared) {
            store.prepareType(ObjectType.CONTACT, List.of(new StoreField("LastName", StoreField.Kind.TEXT, 80, 0, 0),
                    new StoreField("AccountId", StoreField.Kind.REFERENCE, 18, 0, 0)));
        }
        List<SyncRecord> contacts = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            contacts.add(rec(ObjectType.CONTACT, contact(i), "LastName", "C" + i, "AccountId", account(i <= 3 ? 1 : 2)));
        }
        contacts.add(rec(ObjectType.CONTACT, contact(6), "LastName", "C6"));
        store.upsert(ObjectType.CONTACT, contacts);
        Map<CrmId, MarketingRecord> held = store.findByCrmIds(ObjectType.CONTACT,
                List.of(contact(1), contact(2), contact(3), contact(4), contact(5)));
        Map<CrmId, List<String>> found = h.referencing(ObjectType.CONTACT, "AccountId",
                List.of(account(1), account(2), account(9)), 10);
        assertEquals(Set.of(account(1), account(2)), found.keySet(), "an account nobody references is absent");
        assertEquals(Set.of(held.get(contact(1)).marketingId(), held.get(contact(2)).marketingId(),
                held.get(contact(3)).marketingId()), new HashSet<>(found.get(account(1))));
        assertEquals(Set.of(held.get(contact(4)).marketingId(), held.get(contact(5)).marketingId()),
                new HashSet<>(found.get(account(2))));
        Map<CrmId, List<String>> bounded = h.referencing(ObjectType.CONTACT, "AccountId", List.of(account(1), account(2)), 2);
        assertEquals(2, bounded.get(account(1)).size(), "at most the limit per target");
        assertEquals(2, bounded.get(account(2)).size());
        assertEquals(Map.of(), h.referencing(ObjectType.CONTACT, "AccountId", List.of(), 10));
    }
}
