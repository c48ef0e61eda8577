package dev.crmsync.testkit.contract;

import static dev.crmsync.testkit.contract.ContractFixtures.T0;
import static dev.crmsync.testkit.contract.ContractFixtures.fields;
import static dev.crmsync.testkit.contract.ContractFixtures.lead;
import static dev.crmsync.testkit.contract.ContractFixtures.rec;
import static dev.crmsync.testkit.contract.ContractFixtures.t;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.crm.Cursor;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.Lease;
import dev.crmsync.store.LeaseAttempt;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.ParkedConflict;
import dev.crmsync.store.PendingWrites;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncBase;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.SyncStateStore;
import dev.crmsync.store.ValueFingerprint;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
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
 * The contract test kit for {@link SyncStateStore}: every rule of the SPI's documented contract,
 * one test each, named by the rule. An adapter extends this class and implements
 * {@link #createStore()} (called before every test; it must return an empty store).
 *
 * <p>Optional abilities have hooks. A store whose {@link SyncStateStore#inTransaction} is atomic
 * overrides {@link #supportsAtomicTransactions()} (and, when it has a {@link MarketingStore} over
 * the same database, {@link #createMarketingStoreInSameDatabase}) to run the atomicity tests;
 * a store relying on the SPI's single-process lease default overrides
 * {@link #supportsExclusiveLeases()} to return false. The lease tests that need time to pass (a
 * lease lapsing, a renewal outliving the first expiry) move the store's own clock — the one it
 * judges expiry by — through {@link #advanceStoreClock}, which a store overrides if a test can
 * move it (a manual clock, a database test offset). Tests of abilities a store does not claim
 * are skipped with a message.
 */
public abstract class SyncStateStoreContract {

    /** For subclasses: an adapter's test class extends this kit. */
    protected SyncStateStoreContract() {
    }

    /** The store under test, fresh for each test. */
    protected SyncStateStore store;

    /** @return a new, empty store */
    protected abstract SyncStateStore createStore();

    /** @return true if {@link SyncStateStore#inTransaction} commits all or nothing */
    protected boolean supportsAtomicTransactions() {
        return false;
    }

    /**
     * Called only when {@link #supportsAtomicTransactions()}: the marketing store over the same
     * database as {@code state}, whose writes {@code state.inTransaction} covers.
     *
     * @param state the store under test
     * @return its marketing store, or empty to skip the data + checkpoint test
     */
    protected Optional<MarketingStore> createMarketingStoreInSameDatabase(SyncStateStore state) {
        return Optional.empty();
    }

    /** @return true if leases exclude other owners (false for a store using the single-process default) */
    protected boolean supportsExclusiveLeases() {
        return true;
    }

    /**
     * Moves the store's clock forward — the one lease expiry is judged by (the SPI takes no
     * {@code now}) — so the lease tests see a lease lapse without waiting: the in-memory store's
     * manual clock, a database store's test offset. The default cannot, and the tests that need it
     * are skipped with a message.
     *
     * @param by how far, positive
     * @return true if the clock moved
     */
    protected boolean advanceStoreClock(Duration by) {
        return false;
    }

    /** Creates the store under test. */
    @BeforeEach
    void createStoreUnderTest() {
        store = createStore();
        assertNotNull(store, "createStore() returned null");
    }

    private static final ObjectType L = ObjectType.LEAD;

    /** @return a marketing key: the failure tests name records by short marketing ids */
    private static RecordKey k(String marketingId) {
        return RecordKey.marketing(marketingId);
    }

    private static FailedRecord failure(String key, SyncSide side, Instant last, boolean parked) {
        return failure(k(key), side, last, parked);
    }

    private static FailedRecord failure(RecordKey key, SyncSide side, Instant last, boolean parked) {
        return new FailedRecord(L, key, side, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Email is invalid",
                false, parked ? 5 : 1, T0, last, parked);
    }

    private static SyncBase base(CrmId id, String mid, Map<String, FieldValue> fields) {
        return new SyncBase(L, id, mid, fields, t(1), t(2));
    }

    // ---- checkpoints ---------------------------------------------------------------------------

    @Test
    void checkpointRoundTrips() {
        Checkpoint cp = new Checkpoint(L, Cursor.after(t(100), lead(7)), true, 0, t(90), FeedCursor.of("opaque-cursor-42"), t(101));
        store.saveCheckpoint(cp);
        assertEquals(Optional.of(cp), store.checkpoint(L));
    }

    @Test
    void checkpointWithNullsRoundTrips() {
        Checkpoint cp = new Checkpoint(ObjectType.ACCOUNT, new Cursor(t(5), null), false, 12_345, null, FeedCursor.START, t(6));
        store.saveCheckpoint(cp);
        assertEquals(Optional.of(cp), store.checkpoint(ObjectType.ACCOUNT));
    }

    @Test
    void checkpointOfANeverSavedTypeIsEmpty() {
        assertTrue(store.checkpoint(L).isEmpty());
    }

    @Test
    void saveCheckpointReplacesThePreviousOne() {
        store.saveCheckpoint(Checkpoint.initial(L, T0));
        Checkpoint later = Checkpoint.initial(L, T0).withCrmCursor(Cursor.after(t(9), lead(1)), 200, t(10));
        store.saveCheckpoint(later);
        assertEquals(Optional.of(later), store.checkpoint(L));
    }

    @Test
    void checkpointsAreKeptPerType() {
        Checkpoint lead = Checkpoint.initial(L, T0);
        Checkpoint custom = Checkpoint.initial(ObjectType.of("Invoice__c"), t(1));
        store.saveCheckpoint(lead);
        store.saveCheckpoint(custom);
        assertEquals(Optional.of(lead), store.checkpoint(L));
        assertEquals(Optional.of(custom), store.checkpoint(ObjectType.of("Invoice__c")));
    }

    @Test
    void deleteCheckpointForgetsIt() {
        store.saveCheckpoint(Checkpoint.initial(L, T0));
        store.deleteCheckpoint(L);
        assertTrue(store.checkpoint(L).isEmpty());
        store.deleteCheckpoint(L);
        store.deleteCheckpoint(ObjectType.EVENT);
    }

    @Test
    void checkpointWithAnIrregularMarketingCursorRoundTrips() {
        Checkpoint cp = Checkpoint.initial(L, T0).withMarketingCursor(FeedCursor.of("séq:42/ü \"x\" \\ ;"), t(3));
        store.saveCheckpoint(cp);
        assertEquals(Optional.of(cp), store.checkpoint(L));
    }

    // ---- failures ------------------------------------------------------------------------------

    @Test
    void failureRoundTrips() {
        FailedRecord f = failure(RecordKey.crm(lead(1)), SyncSide.MARKETING, t(5), false);
        store.saveFailure(f);
        assertEquals(Optional.of(f), store.failure(L, RecordKey.crm(lead(1)), SyncSide.MARKETING));
        assertTrue(store.failure(L, RecordKey.crm(lead(1)), SyncSide.CRM).isEmpty(), "keyed by side too");
        assertTrue(store.failure(ObjectType.CONTACT, RecordKey.crm(lead(1)), SyncSide.MARKETING).isEmpty(),
                "and by type");
    }

    @Test
    void saveFailureReplacesTheSameKey() {
        FailedRecord f = failure("k1", SyncSide.CRM, t(5), false);
        store.saveFailure(f);
        FailedRecord again = f.failedAgain("UNABLE_TO_LOCK_ROW", "locked", true, t(9), 5);
        store.saveFailure(again);
        assertEquals(Optional.of(again), store.failure(L, k("k1"), SyncSide.CRM));
        assertEquals(1, store.retryQueue(L, SyncSide.CRM, 10).size());
    }

    @Test
    void retryQueueListsDueFailuresOldestLastFailureFirst() {
        store.saveFailure(failure("b", SyncSide.CRM, t(30), false));
        store.saveFailure(failure("a", SyncSide.CRM, t(10), false));
        store.saveFailure(failure("c", SyncSide.CRM, t(20), false));
        store.saveFailure(failure("x", SyncSide.MARKETING, t(1), false));
        List<RecordKey> keys = store.retryQueue(L, SyncSide.CRM, 10).stream().map(FailedRecord::key).toList();
        assertEquals(List.of(k("a"), k("c"), k("b")), keys);
    }

    @Test
    void retryQueueLeavesOutParkedFailures() {
        store.saveFailure(failure("due", SyncSide.CRM, t(10), false));
        store.saveFailure(failure("parked", SyncSide.CRM, t(1), true));
        assertEquals(List.of(k("due")), store.retryQueue(L, SyncSide.CRM, 10).stream().map(FailedRecord::key).toList());
    }

    @Test
    void retryQueueHonoursTheLimit() {
        for (int i = 0; i < 10; i++) {
            store.saveFailure(failure("k" + i, SyncSide.MARKETING, t(i), false));
        }
        assertEquals(List.of(k("k0"), k("k1"), k("k2")),
                store.retryQueue(L, SyncSide.MARKETING, 3).stream().map(FailedRecord::key).toList());
    }

    @Test
    void parkedFailuresListsEveryParkedFailureOfEveryType() {
        store.saveFailure(failure("p1", SyncSide.CRM, t(1), true));
        store.saveFailure(failure("due", SyncSide.CRM, t(1), false));
        FailedRecord contact = new FailedRecord(ObjectType.CONTACT, k("p2"), SyncSide.MARKETING, "VALUE_TOO_LONG", "too long",
                false, 3, T0, t(4), true);
        store.saveFailure(contact);
        List<FailedRecord> parked = store.parkedFailures();
        assertEquals(2, parked.size());
        assertTrue(parked.contains(contact));
        assertTrue(parked.contains(failure("p1", SyncSide.CRM, t(1), true)));
    }

    @Test
    void unparkedFailureReturnsToTheRetryQueue() {
        FailedRecord parked = failure("p", SyncSide.CRM, t(1), true);
        store.saveFailure(parked);
        store.saveFailure(parked.unparked());
        assertTrue(store.parkedFailures().isEmpty());
        assertEquals(List.of(parked.unparked()), store.retryQueue(L, SyncSide.CRM, 10));
    }

    @Test
    void deleteFailureForgetsIt() {
        store.saveFailure(failure("k", SyncSide.CRM, t(1), false));
        store.deleteFailure(L, k("k"), SyncSide.CRM);
        assertTrue(store.failure(L, k("k"), SyncSide.CRM).isEmpty());
        assertTrue(store.retryQueue(L, SyncSide.CRM, 10).isEmpty());
        store.deleteFailure(L, k("k"), SyncSide.CRM);
    }

    @Test
    void aCrmKeyAndAMarketingKeyOfTheSameTextAreDifferentRecords() {
        FailedRecord byCrm = failure(RecordKey.crm(lead(1)), SyncSide.CRM, t(1), false);
        FailedRecord byMarketing = failure(k(lead(1).value()), SyncSide.CRM, t(2), true);
        store.saveFailure(byCrm);
        store.saveFailure(byMarketing);
        assertEquals(Optional.of(byCrm), store.failure(L, RecordKey.crm(lead(1)), SyncSide.CRM));
        assertEquals(Optional.of(byMarketing), store.failure(L, k(lead(1).value()), SyncSide.CRM));
        assertEquals(List.of(byMarketing), store.parkedFailures());
    }

    // ---- engine intents ------------------------------------------------------------------------

    private static EngineIntent.FollowUp followUp(RecordKey key, Instant at) {
        return new EngineIntent.FollowUp(L, key, "re-check after a merge", at);
    }

    private static EngineIntent.UnconfirmedCreate unconfirmed(String marketingId, Instant at) {
        return new EngineIntent.UnconfirmedCreate(L, RecordKey.marketing(marketingId), at, Map.of(
                "LastName", ValueFingerprint.of(FieldValue.text("Doe")),
                "Num", ValueFingerprint.of(FieldValue.number("1.0")),
                "odd & name=ü", ValueFingerprint.of(FieldValue.text("x"))));
    }

    @Test
    void followUpRoundTrips() {
        EngineIntent.FollowUp f = new EngineIntent.FollowUp(L, RecordKey.crm(lead(1)),
                "conflict on field 'Title' resolved; ü & = %", t(5));
        store.saveIntent(f);
        assertEquals(Optional.of(f), store.intent(L, RecordKey.crm(lead(1)), EngineIntent.Kind.FOLLOW_UP));
    }

    @Test
    void unconfirmedCreateRoundTripsWithEveryFingerprint() {
        EngineIntent.UnconfirmedCreate u = unconfirmed("m-1", t(5));
        store.saveIntent(u);
        assertEquals(Optional.of(u), store.intent(L, RecordKey.marketing("m-1"), EngineIntent.Kind.UNCONFIRMED_CREATE));
        EngineIntent.UnconfirmedCreate none = new EngineIntent.UnconfirmedCreate(L, RecordKey.marketing("m-2"), t(6),
                Map.of());
        store.saveIntent(none);
        assertEquals(Optional.of(none), store.intent(L, RecordKey.marketing("m-2"), EngineIntent.Kind.UNCONFIRMED_CREATE));
    }

    @Test
    void readResumeRoundTripsUnderItsFixedKey() {
        StringBuilder token = new StringBuilder();
        for (int i = 0; token.length() < ChangeQuery.MAX_RESUME_TOKEN_LENGTH; i++) {
            token.append((char) (0x21 + i % 94));      // every printable ASCII character, '&', '=' and '%' too
        }
        EngineIntent.ReadResume r = new EngineIntent.ReadResume(L, t(5), token.toString());
        store.saveIntent(r);
        assertEquals(Optional.of(r), store.intent(L, EngineIntent.ReadResume.KEY, EngineIntent.Kind.READ_RESUME));
        EngineIntent.ReadResume later = new EngineIntent.ReadResume(L, t(6), "job.750.next");
        store.saveIntent(later);
        assertEquals(List.of(later), store.intents(L, EngineIntent.Kind.READ_RESUME, 10), "one per type");
        assertTrue(store.intent(ObjectType.CONTACT, EngineIntent.ReadResume.KEY, EngineIntent.Kind.READ_RESUME)
                .isEmpty(), "kept per type");
        EngineIntent.UnconfirmedCreate sameKey = new EngineIntent.UnconfirmedCreate(L, EngineIntent.ReadResume.KEY,
                t(7), Map.of());
        store.saveIntent(sameKey);
        assertEquals(Optional.of(later), store.intent(L, EngineIntent.ReadResume.KEY, EngineIntent.Kind.READ_RESUME),
                "a marketing record with the same id lives apart (the kind is part of the identity)");
        store.deleteIntent(L, EngineIntent.ReadResume.KEY, EngineIntent.Kind.READ_RESUME);
        assertTrue(store.intent(L, EngineIntent.ReadResume.KEY, EngineIntent.Kind.READ_RESUME).isEmpty());
        assertEquals(Optional.of(sameKey),
                store.intent(L, EngineIntent.ReadResume.KEY, EngineIntent.Kind.UNCONFIRMED_CREATE));
    }

    /**
     * A sample of each kind; a kind added to the API without one here fails to compile, so that the
     * kit checks that a store keeps every kind generically (kind name, type, key, instant, payload),
     * including kinds its code never names.
     */
    private static EngineIntent sample(EngineIntent.Kind kind) {
        return switch (kind) {
            case FOLLOW_UP -> followUp(RecordKey.crm(lead(1)), t(1));
            case UNCONFIRMED_CREATE -> unconfirmed("m-1", t(2));
            case READ_RESUME -> new EngineIntent.ReadResume(L, t(3), "resume-token");
            case SYNCED_FIELDS -> new EngineIntent.SyncedFields(L, t(4), java.util.Set.of("Email", "LastName", "Rating"),
                    java.util.Set.of("Rating"), dev.crmsync.crm.Cursor.after(t(1), lead(2)));
            case HOST_DELETE -> new EngineIntent.HostDelete(L, RecordKey.crm(lead(3)), "m-3", t(5));
            case POSITION -> new EngineIntent.Position(L, "pubsub:/data/LeadChangeEvent", "AAAAAAAAAZc=", t(7));
            case ID_SWEEP -> new EngineIntent.IdSweep(L, EngineIntent.IdSweep.CALCULATED_KEY, t(6), lead(4), 3, t(2));
        };
    }

    @Test
    void everyKindOfIntentRoundTripsGenerically() {
        for (EngineIntent.Kind kind : EngineIntent.Kind.values()) {
            EngineIntent i = sample(kind);
            store.saveIntent(i);
            assertEquals(Optional.of(i), store.intent(L, i.key(), kind), kind.name());
            assertEquals(List.of(i), store.intents(L, kind, 10), kind.name());
        }
    }

    @Test
    void intentsAreKeptPerTypeKeyAndKind() {
        store.saveIntent(followUp(k("m-1"), t(1)));
        assertTrue(store.intent(L, k("m-1"), EngineIntent.Kind.UNCONFIRMED_CREATE).isEmpty(), "keyed by kind");
        assertTrue(store.intent(ObjectType.CONTACT, k("m-1"), EngineIntent.Kind.FOLLOW_UP).isEmpty(), "by type");
        assertTrue(store.intent(L, k("m-2"), EngineIntent.Kind.FOLLOW_UP).isEmpty(), "and by key");
        store.saveIntent(unconfirmed("m-1", t(2)));
        assertEquals(Optional.of(followUp(k("m-1"), t(1))), store.intent(L, k("m-1"), EngineIntent.Kind.FOLLOW_UP));
        assertEquals(Optional.of(unconfirmed("m-1", t(2))),
                store.intent(L, k("m-1"), EngineIntent.Kind.UNCONFIRMED_CREATE));
    }

    @Test
    void saveIntentReplacesTheSameTypeKeyAndKind() {
        store.saveIntent(followUp(RecordKey.crm(lead(1)), t(1)));
        EngineIntent.FollowUp again = new EngineIntent.FollowUp(L, RecordKey.crm(lead(1)), "again", t(9));
        store.saveIntent(again);
        assertEquals(Optional.of(again), store.intent(L, RecordKey.crm(lead(1)), EngineIntent.Kind.FOLLOW_UP));
        assertEquals(List.of(again), store.intents(L, EngineIntent.Kind.FOLLOW_UP, 10));
    }

    @Test
    void intentsListsOneKindOfOneTypeOldestFirstWithinTheLimit() {
        store.saveIntent(followUp(RecordKey.crm(lead(3)), t(30)));
        store.saveIntent(followUp(RecordKey.crm(lead(1)), t(10)));
        store.saveIntent(followUp(RecordKey.crm(lead(2)), t(20)));
        store.saveIntent(followUp(k("m-1"), t(10)));
        store.saveIntent(unconfirmed("m-1", t(1)));
        store.saveIntent(new EngineIntent.FollowUp(ObjectType.CONTACT, RecordKey.crm(lead(4)), "other type", t(1)));
        assertEquals(List.of(RecordKey.crm(lead(1)), k("m-1"), RecordKey.crm(lead(2)), RecordKey.crm(lead(3))),
                store.intents(L, EngineIntent.Kind.FOLLOW_UP, 10).stream().map(EngineIntent::key).toList(),
                "oldest first, then CRM keys before marketing keys");
        assertEquals(List.of(RecordKey.crm(lead(1)), k("m-1")),
                store.intents(L, EngineIntent.Kind.FOLLOW_UP, 2).stream().map(EngineIntent::key).toList());
        assertEquals(List.of(unconfirmed("m-1", t(1))), store.intents(L, EngineIntent.Kind.UNCONFIRMED_CREATE, 10));
    }

    @Test
    void intentsRejectsALimitBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> store.intents(L, EngineIntent.Kind.FOLLOW_UP, 0));
    }

    @Test
    void anIntentAndAFailureOfTheSameRecordLiveApart() {
        FailedRecord f = failure(RecordKey.crm(lead(1)), SyncSide.CRM, t(1), true);
        store.saveFailure(f);
        store.saveIntent(followUp(RecordKey.crm(lead(1)), t(2)));
        assertEquals(Optional.of(f), store.failure(L, RecordKey.crm(lead(1)), SyncSide.CRM),
                "a follow-up never overwrites the failure's reason");
        store.deleteIntent(L, RecordKey.crm(lead(1)), EngineIntent.Kind.FOLLOW_UP);
        assertEquals(Optional.of(f), store.failure(L, RecordKey.crm(lead(1)), SyncSide.CRM));
        store.saveIntent(followUp(RecordKey.crm(lead(1)), t(3)));
        store.deleteFailure(L, RecordKey.crm(lead(1)), SyncSide.CRM);
        assertEquals(Optional.of(followUp(RecordKey.crm(lead(1)), t(3))),
                store.intent(L, RecordKey.crm(lead(1)), EngineIntent.Kind.FOLLOW_UP));
    }

    @Test
    void intentsAreNeverQueuedOrParkedAsFailures() {
        store.saveIntent(followUp(RecordKey.crm(lead(1)), t(1)));
        store.saveIntent(unconfirmed("m-1", t(1)));
        assertTrue(store.retryQueue(L, SyncSide.CRM, 10).isEmpty());
        assertTrue(store.parkedFailures().isEmpty());
        assertTrue(store.failure(L, RecordKey.crm(lead(1)), SyncSide.CRM).isEmpty());
    }

    @Test
    void deleteIntentForgetsItAndIgnoresAnAbsentOne() {
        store.saveIntent(unconfirmed("m-1", t(1)));
        store.deleteIntent(L, k("m-1"), EngineIntent.Kind.UNCONFIRMED_CREATE);
        assertTrue(store.intent(L, k("m-1"), EngineIntent.Kind.UNCONFIRMED_CREATE).isEmpty());
        assertTrue(store.intents(L, EngineIntent.Kind.UNCONFIRMED_CREATE, 10).isEmpty());
        store.deleteIntent(L, k("m-1"), EngineIntent.Kind.UNCONFIRMED_CREATE);
        store.deleteIntent(ObjectType.EVENT, RecordKey.crm(lead(1)), EngineIntent.Kind.FOLLOW_UP);
    }

    // ---- bases ---------------------------------------------------------------------------------

    @Test
    void basesRoundTripExactly() {
        Map<String, FieldValue> values = fields(
                "Num", FieldValue.number("1.0"), "NumText", "1.0", "Empty", "", "Null", FieldValue.NULL,
                "Flag", false, "Day", FieldValue.date(LocalDate.of(2020, 2, 29)),
                "When", FieldValue.dateTime(Instant.parse("2026-01-01T00:00:00.5Z")),
                "Big", FieldValue.number(new BigDecimal("-98765432109876543210.5")),
                "Owner", FieldValue.ref("005000000000009"), "Text", "ü 😀 \"q\" \\ \u0000 end");
        SyncBase b = base(lead(1), "m-1", values);
        store.saveBases(List.of(b));
        SyncBase back = store.bases(L, List.of(lead(1))).get(lead(1));
        assertEquals(b, back);
        assertEquals(FieldValue.NULL, back.fields().get("Null"), "a NULL in a base is kept as NULL");
    }

    @Test
    void aBaseWhoseMarketingIdIsNotKnownYetRoundTripsWithNull() {
        SyncBase unknown = base(lead(1), null, fields("A", "x"));
        store.saveBases(List.of(unknown, base(lead(2), null, fields("A", "z"))));
        assertEquals(unknown, store.bases(L, List.of(lead(1))).get(lead(1)));
        assertTrue(store.bases(L, List.of(lead(2))).get(lead(2)).knownMarketingId().isEmpty());
        SyncBase linked = base(lead(1), "42", fields("A", "y"));
        store.saveBases(List.of(linked));
        assertEquals(linked, store.bases(L, List.of(lead(1))).get(lead(1)), "the marketing id filled in later");
        assertEquals(Optional.of(linked), store.baseByMarketingId(L, "42"));
        assertNull(store.bases(L, List.of(lead(2))).get(lead(2)).marketingId());
    }

    @Test
    void pendingWritesRoundTripExactlyAndApartFromTheAgreedFields() {
        PendingWrites pending = new PendingWrites(fields("B", FieldValue.NULL, "Num", FieldValue.number("1.0")),
                fields("A", "y", "When", FieldValue.dateTime(Instant.parse("2026-01-01T00:00:00.5Z"))));
        SyncBase inFlight = new SyncBase(L, lead(1), "m-1", fields("A", "x", "B", "b"), pending, t(1), t(2));
        store.saveBases(List.of(inFlight));
        SyncBase back = store.bases(L, List.of(lead(1))).get(lead(1));
        assertEquals(inFlight, back);
        assertEquals(fields("A", "x", "B", "b"), back.fields(), "pending values are not agreed values");
        assertEquals(FieldValue.NULL, back.pending().toCrm().get("B"), "a clear in flight is kept as NULL");
        SyncBase settled = base(lead(1), "m-1", fields("A", "y"));
        store.saveBases(List.of(settled));
        assertEquals(PendingWrites.NONE, store.bases(L, List.of(lead(1))).get(lead(1)).pending(),
                "saving a base replaces its pending writes");
    }

    @Test
    void aBaseWhoseMarketingIdIsNotKnownIsFoundByNoMarketingId() {
        store.saveBases(List.of(base(lead(1), null, fields("A", "x"))));
        assertTrue(store.baseByMarketingId(L, "1").isEmpty());
        assertTrue(store.baseByMarketingId(L, "null").isEmpty());
    }

    @Test
    void basesLeaveOutUnknownIds() {
        store.saveBases(List.of(base(lead(1), "m1", fields("A", "x"))));
        assertEquals(Set.of(lead(1)), store.bases(L, List.of(lead(1), lead(2))).keySet());
        assertTrue(store.bases(ObjectType.CONTACT, List.of(lead(1))).isEmpty(), "bases are kept per type");
        assertTrue(store.bases(L, List.of()).isEmpty());
    }

    @Test
    void baseByMarketingIdFindsTheLinkedBase() {
        SyncBase b = base(lead(1), "42", fields("A", "x"));
        store.saveBases(List.of(b, base(lead(2), "mkt-43", fields("A", "y"))));
        assertEquals(Optional.of(b), store.baseByMarketingId(L, "42"));
        assertEquals(lead(2), store.baseByMarketingId(L, "mkt-43").orElseThrow().crmId());
        assertTrue(store.baseByMarketingId(L, "44").isEmpty());
        assertTrue(store.baseByMarketingId(ObjectType.CONTACT, "42").isEmpty());
    }

    @Test
    void saveBasesReplacesTheBaseOfTheSameId() {
        store.saveBases(List.of(base(lead(1), "42", fields("A", "old"))));
        SyncBase next = new SyncBase(L, lead(1), "42", fields("A", "new"), t(50), t(51));
        store.saveBases(List.of(next));
        assertEquals(next, store.bases(L, List.of(lead(1))).get(lead(1)));
        assertEquals(Optional.of(next), store.baseByMarketingId(L, "42"));
    }

    @Test
    void saveBasesWithAnotherMarketingIdMovesTheLink() {
        store.saveBases(List.of(base(lead(1), "42", fields("A", "x"))));
        store.saveBases(List.of(base(lead(1), "77", fields("A", "x"))));
        assertTrue(store.baseByMarketingId(L, "42").isEmpty());
        assertEquals(lead(1), store.baseByMarketingId(L, "77").orElseThrow().crmId());
    }

    @Test
    void deleteBaseForgetsItAndItsMarketingIdLink() {
        store.saveBases(List.of(base(lead(1), "42", fields("A", "x")), base(lead(2), "43", fields("A", "y"))));
        store.deleteBase(L, lead(1));
        assertEquals(Set.of(lead(2)), store.bases(L, List.of(lead(1), lead(2))).keySet());
        assertTrue(store.baseByMarketingId(L, "42").isEmpty());
        store.deleteBase(L, lead(1));
    }

    @Test
    void manyBasesInOneCallAreAllSaved() {
        List<SyncBase> many = new ArrayList<>();
        List<CrmId> ids = new ArrayList<>();
        for (int i = 1; i <= 500; i++) {
            many.add(base(lead(i), "m" + i, fields("LastName", "L" + i, "Score", i)));
            ids.add(lead(i));
        }
        store.saveBases(many);
        Map<CrmId, SyncBase> back = store.bases(L, ids);
        assertEquals(500, back.size());
        assertEquals(FieldValue.number(321), back.get(lead(321)).get("Score"));
    }

    // ---- conflicts -----------------------------------------------------------------------------

    private static ParkedConflict conflict(CrmId id, String field, String crmValue, Instant at) {
        return new ParkedConflict(L, id, "m" + id.value(), field, FieldValue.text("base"), FieldValue.text(crmValue),
                FieldValue.NULL, "manual policy", at);
    }

    @Test
    void parkedConflictRoundTrips() {
        ParkedConflict c = conflict(lead(1), "Email", "crm@x.org", t(5));
        store.parkConflict(c);
        assertEquals(List.of(c), store.parkedConflicts());
    }

    @Test
    void parkConflictReplacesTheSameField() {
        store.parkConflict(conflict(lead(1), "Email", "one", t(5)));
        ParkedConflict newer = conflict(lead(1), "Email", "two", t(6));
        store.parkConflict(newer);
        ParkedConflict other = conflict(lead(1), "Phone", "9", t(7));
        store.parkConflict(other);
        List<ParkedConflict> all = store.parkedConflicts();
        assertEquals(2, all.size());
        assertTrue(all.containsAll(List.of(newer, other)));
    }

    @Test
    void deleteConflictForgetsIt() {
        store.parkConflict(conflict(lead(1), "Email", "one", t(5)));
        store.parkConflict(conflict(lead(1), "Phone", "two", t(5)));
        store.deleteConflict(L, lead(1), "Email");
        assertEquals(List.of("Phone"), store.parkedConflicts().stream().map(ParkedConflict::field).toList());
        store.deleteConflict(L, lead(1), "Email");
    }

    // ---- transactions --------------------------------------------------------------------------

    @Test
    void inTransactionReturnsTheWorksResult() {
        Object token = new Object();
        assertSame(token, store.inTransaction(() -> token));
    }

    @Test
    void inTransactionPropagatesTheWorksException() {
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> store.inTransaction(() -> {
            throw boom;
        }));
        assertSame(boom, thrown);
    }

    @Test
    void writesOfACompletedTransactionAreVisible() {
        Checkpoint cp = Checkpoint.initial(L, T0);
        store.inTransaction(() -> {
            store.saveCheckpoint(cp);
            store.saveBases(List.of(base(lead(1), "1", fields("A", "x"))));
            return null;
        });
        assertEquals(Optional.of(cp), store.checkpoint(L));
        assertEquals(1, store.bases(L, List.of(lead(1))).size());
    }

    @Test
    void writesInsideATransactionAreVisibleToItself() {
        Checkpoint cp = Checkpoint.initial(L, T0);
        Optional<Checkpoint> seen = store.inTransaction(() -> {
            store.saveCheckpoint(cp);
            return store.checkpoint(L);
        });
        assertEquals(Optional.of(cp), seen);
    }

    @Test
    void aFailedTransactionKeepsNoStateWrite() {
        assumeTrue(supportsAtomicTransactions(), "skipped: the store does not claim atomic transactions (supportsAtomicTransactions())");
        Checkpoint before = Checkpoint.initial(L, T0);
        store.saveCheckpoint(before);
        assertThrows(IllegalStateException.class, () -> store.inTransaction(() -> {
            store.saveCheckpoint(before.withCrmCursor(Cursor.after(t(9), lead(3)), 10, t(10)));
            store.saveBases(List.of(base(lead(1), "1", fields("A", "x"))));
            store.saveFailure(failure("k", SyncSide.CRM, t(1), false));
            store.saveIntent(followUp(RecordKey.crm(lead(1)), t(1)));
            store.parkConflict(conflict(lead(1), "Email", "x", t(1)));
            throw new IllegalStateException("crash between the writes and the commit");
        }));
        assertEquals(Optional.of(before), store.checkpoint(L));
        assertTrue(store.bases(L, List.of(lead(1))).isEmpty());
        assertTrue(store.failure(L, k("k"), SyncSide.CRM).isEmpty());
        assertTrue(store.intent(L, RecordKey.crm(lead(1)), EngineIntent.Kind.FOLLOW_UP).isEmpty());
        assertTrue(store.parkedConflicts().isEmpty());
    }

    @Test
    void aNestedTransactionJoinsTheOuterOne() {
        assumeTrue(supportsAtomicTransactions(), "skipped: the store does not claim atomic transactions (supportsAtomicTransactions())");
        assertThrows(IllegalStateException.class, () -> store.inTransaction(() -> {
            store.inTransaction(() -> {
                store.saveCheckpoint(Checkpoint.initial(L, T0));
                return null;
            });
            throw new IllegalStateException("outer fails after the inner returned");
        }));
        assertTrue(store.checkpoint(L).isEmpty(), "the inner work is rolled back with the outer");
    }

    @Test
    void aFailedTransactionKeepsNeitherDataNorCheckpoint() {
        assumeTrue(supportsAtomicTransactions(), "skipped: the store does not claim atomic transactions (supportsAtomicTransactions())");
        MarketingStore data = createMarketingStoreInSameDatabase(store).orElse(null);
        assumeTrue(data != null, "skipped: no marketing store over the same database (createMarketingStoreInSameDatabase())");
        data.upsert(L, List.of(rec(L, lead(1), "LastName", "Before")));
        Checkpoint before = Checkpoint.initial(L, T0);
        store.saveCheckpoint(before);
        assertThrows(IllegalStateException.class, () -> store.inTransaction(() -> {
            data.upsert(L, List.of(rec(L, lead(1), t(5), "LastName", "After"), rec(L, lead(2), t(5), "LastName", "New")));
            store.saveCheckpoint(before.withCrmCursor(Cursor.after(t(5), lead(2)), 2, t(6)));
            throw new IllegalStateException("crash between the data write and the commit");
        }));
        assertEquals(Optional.of(before), store.checkpoint(L), "the checkpoint did not move");
        assertEquals(FieldValue.text("Before"),
                data.findByCrmIds(L, List.of(lead(1))).get(lead(1)).get("LastName"), "the data write is gone");
        assertTrue(data.findByCrmIds(L, List.of(lead(2))).isEmpty());

        store.inTransaction(() -> {
            data.upsert(L, List.of(rec(L, lead(2), t(5), "LastName", "New")));
            store.saveCheckpoint(before.withCrmCursor(Cursor.after(t(5), lead(2)), 2, t(6)));
            return null;
        });
        assertEquals(1, data.findByCrmIds(L, List.of(lead(2))).size(), "a completed transaction commits both");
        assertEquals(Cursor.after(t(5), lead(2)), store.checkpoint(L).orElseThrow().crmCursor());
    }

    // ---- leases --------------------------------------------------------------------------------

    private static final Duration TTL = Duration.ofMinutes(5);

    private Lease grant(String name, String owner, String instance) {
        LeaseAttempt a = store.tryAcquireLease(name, owner, instance, TTL);
        return assertInstanceOf(LeaseAttempt.Granted.class, a, () -> name + " refused to " + owner + "/" + instance
                + ": " + a).lease();
    }

    private Lease refused(String name, String owner, String instance) {
        LeaseAttempt a = store.tryAcquireLease(name, owner, instance, TTL);
        return assertInstanceOf(LeaseAttempt.Refused.class, a, () -> name + " granted to " + owner + "/" + instance)
                .holder();
    }

    private void advance(Duration by) {
        assumeTrue(advanceStoreClock(by), "skipped: the test cannot move this store's clock");
    }

    @Test
    void leaseExcludesASecondOwner() {
        assumeTrue(supportsExclusiveLeases(), "skipped: the store uses the single-process lease default");
        Lease a = grant("Lead", "engine-a", "i1");
        assertEquals("engine-a", a.owner());
        assertEquals("i1", a.instance());
        assertEquals(a.acquiredAt().plus(TTL), a.expiresAt(), "a grant lasts the ttl from the store's now");
        refused("Lead", "engine-b", "i9");
        grant("Contact", "engine-b", "i9");
    }

    @Test
    void aSecondInstanceOfTheSameOwnerIsRefused() {
        assumeTrue(supportsExclusiveLeases(), "skipped: the store uses the single-process lease default");
        Lease a = grant("Lead", "engine-a", "i1");
        Lease holder = refused("Lead", "engine-a", "i2");
        assertEquals(a, holder, "the refusal names the holder: owner, instance, token and since when");
        assertFalse(store.holdsLease(new Lease("Lead", "engine-a", "i2", a.fencingToken(), a.acquiredAt(),
                a.expiresAt())), "another instance does not hold it, even with the holder's token");
        assertTrue(store.holdsLease(a));
    }

    @Test
    void aReleaseByAnotherInstanceOfTheSameOwnerDoesNothing() {
        assumeTrue(supportsExclusiveLeases(), "skipped: the store uses the single-process lease default");
        Lease a = grant("Lead", "engine-a", "i1");
        store.releaseLease(new Lease("Lead", "engine-a", "i2", a.fencingToken(), a.acquiredAt(), a.expiresAt()));
        assertTrue(store.holdsLease(a), "only the holding instance can release it");
        refused("Lead", "engine-a", "i2");
    }

    @Test
    void aRenewalByAnotherInstanceOfTheSameOwnerFails() {
        assumeTrue(supportsExclusiveLeases(), "skipped: the store uses the single-process lease default");
        Lease a = grant("Lead", "engine-a", "i1");
        assertTrue(store.renewLease(new Lease("Lead", "engine-a", "i2", a.fencingToken(), a.acquiredAt(),
                a.expiresAt()), TTL).isEmpty());
    }

    @Test
    void leaseRenewedByItsHolderKeepsItsTokenAndOutlivesItsFirstExpiry() {
        assumeTrue(supportsExclusiveLeases(), "skipped: the store uses the single-process lease default");
        Lease a = grant("Lead", "engine-a", "i1");
        advance(TTL.minusSeconds(30));
        Lease renewed = store.renewLease(a, TTL).orElseThrow();
        assertEquals(a.fencingToken(), renewed.fencingToken());
        assertEquals(a.acquiredAt(), renewed.acquiredAt(), "a renewal keeps the grant's start");
        assertTrue(renewed.expiresAt().isAfter(a.expiresAt()));
        Lease again = grant("Lead", "engine-a", "i1");
        assertEquals(a.fencingToken(), again.fencingToken(), "asking again while holding it renews it");
        advance(Duration.ofSeconds(60));
        assertTrue(store.holdsLease(again), "held past its first expiry");
        refused("Lead", "engine-b", "i9");
    }

    @Test
    void aDeadInstancesLeaseLapsesAndGoesToTheNextInstanceWithAHigherToken() {
        assumeTrue(supportsExclusiveLeases(), "skipped: the store uses the single-process lease default");
        Lease dead = grant("Lead", "engine-a", "i1");          // never renewed nor released
        advance(TTL.minusSeconds(10));
        refused("Lead", "engine-a", "i2");
        advance(Duration.ofSeconds(10));
        Lease next = grant("Lead", "engine-a", "i2");
        assertTrue(next.fencingToken() > dead.fencingToken());
        assertFalse(store.holdsLease(dead), "the dead instance no longer holds it");
        assertTrue(store.holdsLease(next));
    }

    @Test
    void expiredLeaseGoesToTheNextOwnerWithAHigherToken() {
        assumeTrue(supportsExclusiveLeases(), "skipped: the store uses the single-process lease default");
        Lease a = grant("Lead", "engine-a", "i1");
        advance(TTL);
        Lease b = grant("Lead", "engine-b", "i9");
        assertEquals("engine-b", b.owner());
        assertTrue(b.fencingToken() > a.fencingToken());
        assertFalse(store.holdsLease(a), "the old holder no longer holds it");
        assertTrue(store.holdsLease(b));
        assertTrue(store.renewLease(a, TTL).isEmpty(), "the former holder cannot renew it");
    }

    @Test
    void aLapsedLeaseIsNeverRevivedByARenewal() {
        assumeTrue(supportsExclusiveLeases(), "skipped: the store uses the single-process lease default");
        Lease a = grant("Lead", "engine-a", "i1");
        advance(TTL.plusSeconds(1));
        assertTrue(store.renewLease(a, TTL).isEmpty(), "lapsed, even though nobody took it");
        assertFalse(store.holdsLease(a));
        assertTrue(grant("Lead", "engine-a", "i1").fencingToken() > a.fencingToken(), "asked anew: a new grant");
    }

    @Test
    void releasedLeaseCanBeTakenAtOnceWithAHigherToken() {
        assumeTrue(supportsExclusiveLeases(), "skipped: the store uses the single-process lease default");
        Lease a = grant("Lead", "engine-a", "i1");
        store.releaseLease(a);
        assertFalse(store.holdsLease(a));
        assertTrue(store.renewLease(a, TTL).isEmpty(), "a released lease cannot be renewed");
        Lease b = grant("Lead", "engine-a", "i2");
        assertTrue(b.fencingToken() > a.fencingToken());
        assertEquals(b, refused("Lead", "engine-a", "i1"), "i2 holds it now");
    }

    @Test
    void releaseByAFormerHolderDoesNothing() {
        assumeTrue(supportsExclusiveLeases(), "skipped: the store uses the single-process lease default");
        Lease a = grant("Lead", "engine-a", "i1");
        store.releaseLease(a);
        Lease b = grant("Lead", "engine-b", "i9");
        store.releaseLease(a);
        assertTrue(store.holdsLease(b));
        refused("Lead", "engine-a", "i1");
    }

    @Test
    void fencingTokensGrowWithEveryGrant() {
        assumeTrue(supportsExclusiveLeases(), "skipped: the store uses the single-process lease default");
        long last = 0;
        for (int i = 0; i < 5; i++) {
            Lease l = grant("Lead", "engine-" + (i % 2), "i" + i);
            assertTrue(l.fencingToken() > last, "token " + l.fencingToken() + " after " + last);
            last = l.fencingToken();
            store.releaseLease(l);
        }
    }

    @Test
    void holdsLeaseIsFalseOnceExpired() {
        Lease a = grant("Lead", "engine-a", "i1");
        assertTrue(store.holdsLease(a));
        advance(TTL.minusSeconds(10));
        assertTrue(store.holdsLease(a));
        advance(Duration.ofSeconds(10));
        assertFalse(store.holdsLease(a));
    }

    @Test
    void leaseCallsRejectBadArguments() {
        assumeTrue(supportsExclusiveLeases(), "skipped: the store uses the single-process lease default");
        assertThrows(IllegalArgumentException.class, () -> store.tryAcquireLease("Lead", "a", "i1", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> store.tryAcquireLease("Lead", "a", " ", TTL));
        assertThrows(IllegalArgumentException.class, () -> store.tryAcquireLease("", "a", "i1", TTL));
        assertThrows(IllegalArgumentException.class, () -> store.tryAcquireLease("Lead", "a".repeat(256), "i1", TTL));
        Lease a = grant("Lead", "engine-a", "i1");
        assertThrows(IllegalArgumentException.class, () -> store.renewLease(a, Duration.ofSeconds(-1)));
    }

    @Test
    void concurrentInstancesGetTheLeaseOnceBetweenThem() throws Exception {
        assumeTrue(supportsExclusiveLeases(), "skipped: the store uses the single-process lease default");
        int instances = 4;
        ExecutorService pool = Executors.newFixedThreadPool(instances);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<LeaseAttempt>> results = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                String owner = "engine-" + (i % 2);          // two owners, two instances each
                String instance = "i" + i;
                Callable<LeaseAttempt> task = () -> {
                    go.await();
                    return store.tryAcquireLease("Lead", owner, instance, TTL);
                };
                results.add(pool.submit(task));
            }
            go.countDown();
            int granted = 0;
            for (Future<LeaseAttempt> f : results) {
                if (f.get(60, TimeUnit.SECONDS).granted()) {
                    granted++;
                }
            }
            assertEquals(1, granted, "exactly one instance holds the lease");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void leasesOfDifferentNamesHaveIndependentTokens() {
        assumeTrue(supportsExclusiveLeases(), "skipped: the store uses the single-process lease default");
        Lease a = grant("Lead", "x", "i1");
        Lease b = grant("Contact", "y", "i2");
        assertNotEquals(a.name(), b.name());
        assertTrue(store.holdsLease(a));
        assertTrue(store.holdsLease(b));
    }
}
