package dev.crmsync.testkit.salesforce.events;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.SyncScheduler;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.FieldValue;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.model.ObjectType;
import dev.crmsync.salesforce.SalesforceCredentials;
import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.salesforce.events.ChangeEventSync;
import dev.crmsync.salesforce.events.ChangeType;
import dev.crmsync.salesforce.events.EventHealth;
import dev.crmsync.salesforce.events.PubSubClient;
import dev.crmsync.salesforce.events.PubSubCredentials;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.testkit.fault.InstrumentedCompleteStore;
import dev.crmsync.testkit.fault.InstrumentedStores;
import dev.crmsync.testkit.fault.InstrumentedSyncStateStore;
import dev.crmsync.testkit.fault.StoreOperation;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15 end to end: the engine over the Salesforce adapter and the fake Salesforce server, the Pub/Sub
 * client over the fake Pub/Sub server, and {@link ChangeEventSync} between them — events as hints, polling
 * as the net. No cycle runs unless a test runs one; waits are for a condition, bounded, never for a time.
 */
class ChangeEventSyncEndToEndTest {

    private static final String SCORE = "Score__c";
    private static final Set<StoreOperation> STORE_WRITES = EnumSet.of(StoreOperation.UPSERT,
            StoreOperation.MARK_DELETED, StoreOperation.SAVE_LOCAL, StoreOperation.LINK, StoreOperation.MERGE,
            StoreOperation.RELINK);

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(15).build();
    private FakeSalesforceServer salesforce;
    private FakePubSubServer pubsub;
    private final InMemoryMarketingStore data = new InMemoryMarketingStore(clock);
    private final InstrumentedCompleteStore store = InstrumentedStores.create().complete(data);
    private final InstrumentedSyncStateStore state = InstrumentedStores.create().state(new InMemorySyncStateStore(clock));
    private final List<AutoCloseable> open = new ArrayList<>();
    /** The engine's Salesforce source (the Pub/Sub client authenticates with its session). */
    private SalesforceCrmSource source;

    ChangeEventSyncEndToEndTest() {
        crm.addField(ObjectType.LEAD, FieldSchema.builder(SCORE, FieldType.DOUBLE).calculated(true).updateable(false)
                .build());
        servers(FakeSalesforceServer.DEFAULT_DAILY_API_LIMIT);
    }

    private void servers(long dailyApiLimit) {
        if (pubsub != null) {
            pubsub.close();
            salesforce.close();
        }
        salesforce = FakeSalesforceServer.builder().crm(crm).clock(clock).dailyApiLimit(dailyApiLimit).build().start();
        pubsub = FakePubSubServer.builder(salesforce).build().start();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        pubsub.close();
        salesforce.close();
    }

    private <T extends AutoCloseable> T opened(T c) {
        open.add(c);
        return c;
    }

    private SyncEngine engine() {
        source = opened(SalesforceCrmSource.builder().allowHttpForLoopback(true).clock(clock)
                .credentials(SalesforceCredentials.accessToken(FakeSalesforceServer.DEFAULT_ACCESS_TOKEN,
                        salesforce.baseUri()))
                .build());
        return opened(SyncEngine.builder().crmSource(source).marketingStore(store).syncStateStore(state).clock(clock)
                .engineId("events-e2e").objectTypes(ObjectType.LEAD).calculatedRefresh(ObjectType.LEAD, 100).build());
    }

    private ChangeEventSync events(SyncEngine engine) {
        ManagedChannel channel = pubsub.inProcessChannel();
        open.add(channel::shutdownNow);
        PubSubClient client = opened(PubSubClient.builder().channel(channel)
                .credentials(PubSubCredentials.of(source, salesforce.orgId())).build());
        return opened(ChangeEventSync.builder(engine, client).objectTypes(ObjectType.LEAD).clock(clock)
                .retryBackoff(Duration.ofMillis(20)).refusedBackoff(Duration.ofMillis(50)).build());
    }

    private SyncReport cycle(SyncEngine engine) {
        clock.advance(Duration.ofSeconds(1));
        SyncReport r = engine.runCycle();
        assertTrue(r.isComplete(), r::toTable);
        return r;
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 20 s: " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    private EventHealth health(ChangeEventSync events) {
        return events.health().get(ObjectType.LEAD);
    }

    /** Runs the first copy, then follows the events from the tip. */
    private ChangeEventSync copiedAndFollowing(SyncEngine engine) {
        cycle(engine);
        ChangeEventSync events = events(engine);
        follow(events);
        return events;
    }

    /** Starts following and waits until the stream is open at the tip. */
    private void follow(ChangeEventSync events) {
        long before = pubsub.fetchRequests();
        events.start();
        await(() -> pubsub.openStreams() == 1 && pubsub.fetchRequests() > before
                && health(events).mode() == EventHealth.Mode.FOLLOWING, "following");
    }

    private CrmId lead(String last) {
        return crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text(last), "Company", FieldValue.text("Acme")));
    }

    private FieldValue stored(CrmId id, String field) {
        MarketingRecord r = store.findByCrmIds(ObjectType.LEAD, List.of(id)).get(id);
        return r == null ? null : r.get(field);
    }

    private long storeWrites() {
        long n = 0;
        for (StoreOperation op : STORE_WRITES) {
            n += store.log().count(op);
        }
        return n;
    }

    @Test
    void aCrmChangeReachesTheStoreByItsEventBeforeAnyPollAndTheReplayIdIsSavedAfterIt() {
        CrmId a = lead("Doe");
        SyncEngine engine = engine();
        ChangeEventSync events = copiedAndFollowing(engine);

        salesforce.clearRequests();
        crm.update(ObjectType.LEAD, a, Map.of("Title", FieldValue.text("from an event")));
        await(() -> FieldValue.text("from an event").equals(stored(a, "Title")), "the first change");
        // one API call per event: the fetch by id (the describe is the last run's; the cycles describe afresh)
        assertEquals(1, salesforce.requests().size(), () -> salesforce.requests().toString());
        assertEquals(1, salesforce.requestCount("GET", ".*/queryAll"), () -> salesforce.requests().toString());
        CrmId b = lead("Roe");
        await(() -> FieldValue.text("from an event").equals(stored(a, "Title")) && stored(b, "LastName") != null,
                "both changes in the store");
        assertEquals(FieldValue.text("Roe"), stored(b, "LastName"));
        await(() -> health(events).events() == 2, "the batches counted (after their apply)");
        EventHealth h = health(events);
        assertEquals(EventHealth.Mode.FOLLOWING, h.mode());
        assertEquals(2, h.events());
        assertEquals(0, h.polls(), "no poll: the events carried the hints");
        assertEquals(java.util.HexFormat.of().formatHex(pubsub.latestReplayId("/data/LeadChangeEvent").orElseThrow()),
                events.savedPosition(ObjectType.LEAD).orElseThrow().toHex(), "saved after the last applied event");
        assertEquals(ChangeEventSync.DEFAULT_HEALTHY_PAUSE, events.suggestedPause(), "events flow: poll rarely");
    }

    @Test
    void theEnginesOwnWriteComingBackAsAnEventMergesToNothing() {
        CrmId a = lead("Doe");
        SyncEngine engine = engine();
        ChangeEventSync events = copiedAndFollowing(engine);

        String mid = store.findByCrmIds(ObjectType.LEAD, List.of(a)).get(a).marketingId();
        store.saveLocal(ObjectType.LEAD, mid, Map.of("Title", FieldValue.text("from the host")));
        cycle(engine);                                  // writes it to the CRM: the fake publishes its event
        assertEquals(FieldValue.text("from the host"), crm.get(ObjectType.LEAD, a).orElseThrow().get("Title"));
        long writes = storeWrites();
        await(() -> health(events).events() >= 1, "the echo event handled");
        assertEquals(2, pubsub.published("/data/LeadChangeEvent"), "the insert's event, and the engine's own update's");
        assertEquals(writes, storeWrites(), "the echo merged to nothing");
        assertEquals(1, health(events).records());
    }

    @Test
    void aGapEventNamesRecordsThatAreFetchedByIdAndAnOverflowPollsTheType() {
        CrmId a = lead("Doe");
        CrmId b = lead("Poe");
        SyncEngine engine = engine();
        cycle(engine);
        // changed before the subscription's tip: their own events are not delivered
        crm.update(ObjectType.LEAD, a, Map.of("Title", FieldValue.text("gap")));
        crm.update(ObjectType.LEAD, b, Map.of("Title", FieldValue.text("overflow")));
        ChangeEventSync events = events(engine);
        follow(events);

        pubsub.emitGap(ObjectType.LEAD, ChangeType.GAP_UPDATE, List.of(a));
        await(() -> FieldValue.text("gap").equals(stored(a, "Title")), "the gap event's record fetched");
        assertEquals(0, health(events).polls(), "a gap event names its records: fetched by id, no poll");
        assertTrue(stored(b, "Title") == null || stored(b, "Title").isNull(), "b was not named");

        pubsub.emitOverflow(ObjectType.LEAD);
        await(() -> FieldValue.text("overflow").equals(stored(b, "Title")), "the overflow polled the type");
        await(() -> health(events).mode() == EventHealth.Mode.FOLLOWING && health(events).polls() == 1, "followed again");
        assertEquals(java.util.HexFormat.of().formatHex(pubsub.latestReplayId("/data/LeadChangeEvent").orElseThrow()),
                events.savedPosition(ObjectType.LEAD).orElseThrow().toHex(), "the overflow event's position saved");
    }

    @Test
    void aFourDayOutageLosesTheReplayIdAndIsCaughtUpByAPollThenFollowedFromTheTipNothingMissed() {
        CrmId a = lead("Doe");
        SyncEngine engine = engine();
        cycle(engine);
        ChangeEventSync first = events(engine);
        follow(first);
        crm.update(ObjectType.LEAD, a, Map.of("Title", FieldValue.text("before")));
        await(() -> FieldValue.text("before").equals(stored(a, "Title")), "applied before the outage");
        first.close();

        // four days down: changes happen, the saved replay id falls out of the 72-hour retention
        crm.update(ObjectType.LEAD, a, Map.of("Title", FieldValue.text("during the outage")));
        CrmId b = lead("Outage");
        clock.advance(Duration.ofDays(4));

        ChangeEventSync second = events(engine);
        second.start();
        await(() -> FieldValue.text("during the outage").equals(stored(a, "Title")) && stored(b, "LastName") != null,
                "caught up by the poll");
        await(() -> health(second).mode() == EventHealth.Mode.FOLLOWING, "followed again");
        EventHealth h = health(second);
        assertEquals(FakePubSubServer.REPLAY_ID_CORRUPTED, h.lastFailureCode());
        assertEquals(1, h.polls());
        await(() -> pubsub.openStreams() == 1, "one stream, at the tip");

        CrmId c = lead("After");
        await(() -> stored(c, "LastName") != null, "a change after the outage arrives as an event");
        assertEquals(1, health(second).polls(), "no further poll");
    }

    @Test
    void aCrashBetweenTheApplyAndTheReplayIdSaveAppliesTheRecordOnce() {
        CrmId a = lead("Doe");
        SyncEngine engine = engine();
        ChangeEventSync events = copiedAndFollowing(engine);
        crm.update(ObjectType.LEAD, a, Map.of("Title", FieldValue.text("first")));
        await(() -> events.savedPosition(ObjectType.LEAD).isPresent(), "a position saved");
        var first = events.savedPosition(ObjectType.LEAD).orElseThrow();
        long upserts = store.log().count(StoreOperation.UPSERT);

        state.faults().failNext(StoreOperation.SAVE_INTENT, 1, Fault.fatal());
        crm.update(ObjectType.LEAD, a, Map.of("Title", FieldValue.text("once")));
        // the batch's position is not saved, so the subscription resumes after the first: the event comes again
        await(() -> !first.equals(events.savedPosition(ObjectType.LEAD).orElseThrow()), "the re-delivered event's"
                + " position saved");
        assertEquals(FieldValue.text("once"), stored(a, "Title"));
        assertEquals(upserts + 1, store.log().count(StoreOperation.UPSERT), "written once, re-delivery merged to nothing");
        assertEquals(EventHealth.Mode.FOLLOWING, health(events).mode());
        assertEquals(0, health(events).polls());
        assertEquals(3, pubsub.published("/data/LeadChangeEvent"), "insert, first, once");
        assertEquals(3, pubsub.delivered("/data/LeadChangeEvent"), "first, once, once again (the insert was before the tip)");
    }

    @Test
    void aBatchThatFailsBeforeAnyPositionWasSavedIsCaughtUpByAPoll() {
        CrmId a = lead("Doe");
        SyncEngine engine = engine();
        ChangeEventSync events = copiedAndFollowing(engine);
        state.faults().failNext(StoreOperation.SAVE_INTENT, 1, Fault.fatal());
        store.faults().failNext(StoreOperation.UPSERT, 1, Fault.fatal());
        crm.update(ObjectType.LEAD, a, Map.of("Title", FieldValue.text("not lost")));
        await(() -> FieldValue.text("not lost").equals(stored(a, "Title")), "brought by the catch-up poll");
        await(() -> health(events).mode() == EventHealth.Mode.FOLLOWING, "followed again");
        assertEquals(1, health(events).polls());
    }

    @Test
    void cdcNotEnabledFallsBackToPollingWithTheShortPauseAndAFormulaChangeIsCaughtByThePoll() {
        CrmId a = lead("Doe");
        SyncEngine engine = engine();
        ChangeEventSync events = copiedAndFollowing(engine);
        assertEquals(ChangeEventSync.DEFAULT_HEALTHY_PAUSE, events.suggestedPause());

        // a formula's value changes: Salesforce publishes no event, the record's stamp does not move
        crm.setCalculated(ObjectType.LEAD, a, SCORE, FieldValue.number(42));
        assertEquals(1, pubsub.published("/data/LeadChangeEvent"), "the insert's event only");
        cycle(engine);                                  // the slow poll's calculated refresh catches it
        assertEquals(FieldValue.number(42), stored(a, SCORE));

        pubsub.disableCdc(ObjectType.LEAD);
        await(() -> health(events).mode() == EventHealth.Mode.POLLING, "relies on polling");
        assertEquals(FakePubSubServer.TOPIC_NOT_FOUND, health(events).lastFailureCode());
        assertEquals(SyncScheduler.DEFAULT_PAUSE, events.suggestedPause(), "polls at the normal pause");
        assertThrows(IllegalArgumentException.class,
                () -> ChangeEventSync.builder(engine, (t, f, h) -> { throw new AssertionError(); })
                        .objectTypes(ObjectType.ACCOUNT));
        assertNotNull(events.toString());
    }

    @Test
    void anotherInstanceHoldingTheTypesLeaseMakesThisOneStandByAndItFollowsOnceTheLeaseIsFree() {
        CrmId a = lead("Doe");
        SyncEngine engine = engine();
        ChangeEventSync events = copiedAndFollowing(engine);
        // a second instance of the same engine id takes Lead's lease (its cycle runs)
        var held = state.tryAcquireLease("crmsync:Lead", "events-e2e", "other-instance", Duration.ofMinutes(1));
        assertTrue(held instanceof dev.crmsync.store.LeaseAttempt.Granted, held::toString);
        long writes = storeWrites();
        crm.update(ObjectType.LEAD, a, Map.of("Title", FieldValue.text("the other's to apply")));
        await(() -> health(events).mode() == EventHealth.Mode.STANDBY, "standby");
        assertEquals(writes, storeWrites(), "nothing applied by the instance without the lease");
        assertEquals(SyncScheduler.DEFAULT_PAUSE, events.suggestedPause());

        clock.advance(Duration.ofMinutes(2));            // the other instance is gone: its lease lapses
        await(() -> FieldValue.text("the other's to apply").equals(stored(a, "Title")), "applied once the lease is free");
        await(() -> health(events).mode() == EventHealth.Mode.FOLLOWING, "following again");
    }

    @Test
    void eventsBetweenCyclesDoNotSpendTheLastCyclesShareOfTheApiAllowance() {
        servers(120);        // ApiBudget.DEFAULT: 25 % (30 calls) per cycle, 80 % (96 calls) in all
        CrmId a = lead("Doe");
        SyncEngine engine = engine();
        cycle(engine);
        long afterCopy = salesforce.apiCallsUsed();
        ChangeEventSync events = events(engine);
        follow(events);
        for (int i = 0; i < 40; i++) {
            FieldValue v = FieldValue.text("event " + i);
            crm.update(ObjectType.LEAD, a, Map.of("Title", v));
            await(() -> v.equals(stored(a, "Title")), "event " + i + " applied");
        }
        assertEquals(afterCopy + 40, salesforce.apiCallsUsed(), "one call per event, none refused");
        assertEquals(EventHealth.Mode.FOLLOWING, health(events).mode());
    }
}
