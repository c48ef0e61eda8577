package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.Backlog;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.testkit.fault.StoreOperation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 10 (and issue 13's backlog): the work waiting for a type in each direction when its
 * run begins, and whether it grows against six hours before.
 */
class BacklogTest {

    private final BidiHarness h = new BidiHarness();

    private SyncEngine engine() {
        // no lookback: the CRM's count is exactly the records changed since the cursor
        return h.builder().lookback(Duration.ZERO).build();
    }

    private static Backlog backlog(SyncReport r, ObjectType type) {
        return r.type(type).orElseThrow().backlog();
    }

    /** The lead changed last in the CRM: the cursor's own record, after a cycle read it. */
    private CrmId cursorRecord;

    /**
     * Changes leads in the CRM a second apart, the cursor's own record first: the CRM counts changes
     * from the cursor's stamp on, inclusive (as Salesforce's {@code totalSize} does), so the record
     * at that stamp is counted unless it is among those changed.
     */
    private void crmChanges(List<CrmId> others, String title) {
        List<CrmId> ids = new ArrayList<>();
        if (cursorRecord != null) {
            ids.add(cursorRecord);
        }
        others.stream().filter(id -> !id.equals(cursorRecord)).forEach(ids::add);
        for (CrmId id : ids) {
            h.tick();
            h.crm.update(ObjectType.LEAD, id, BidiHarness.fields("Title", title));
        }
        cursorRecord = ids.get(ids.size() - 1);
    }

    /** Runs the first copy and settles the engine's own writes, leaving one record at the cursor's stamp. */
    private void settle(SyncEngine engine, List<CrmId> ids) {
        h.cycle(engine);
        h.cycle(engine);
        h.cycle(engine);
        crmChanges(ids, "settled");
        h.cycle(engine);
    }

    private List<CrmId> leads(int n) {
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(h.lead("L" + i, "Acme"));
        }
        return ids;
    }

    @Test
    void aRunCountsTheChangesWaitingOnEachSideWhenItBegins() {
        List<CrmId> ids = leads(6);
        try (SyncEngine engine = engine()) {
            SyncReport first = h.cycle(engine);
            assertEquals(OptionalLong.of(6), backlog(first, ObjectType.LEAD).crmToMarketing(), "the first copy: 6 to copy");
            h.cycle(engine);
            h.cycle(engine);            // the engine's own writes have come and gone
            crmChanges(ids, "settled");
            h.cycle(engine);
            crmChanges(ids.subList(0, 2), "crm");          // the cursor's record and two others: three
            for (int i = 3; i < 5; i++) {
                h.edit(ObjectType.LEAD, ids.get(i), "Title", "mkt " + i);
            }
            h.tick();
            Instant began = h.clock.instant().plusSeconds(1);
            SyncReport r = h.cycle(engine);
            Backlog b = backlog(r, ObjectType.LEAD);
            assertEquals(OptionalLong.of(3), b.crmToMarketing(), b::toString);
            assertEquals(OptionalLong.of(2), b.marketingToCrm(), b::toString);
            assertTrue(b.marketingFeedRead(), "the feed was read to its end: the count is exact");
            assertEquals(5, b.total());
            assertEquals(began, b.measuredAt());
            assertEquals(Backlog.Trend.UNKNOWN, b.trend(), "nothing measured six hours before");
            assertEquals(b, engine.backlog().get(ObjectType.LEAD), "the engine keeps the latest");
        }
    }

    @Test
    void aOneWayTypeHasNoMarketingDirection() {
        h.crm.insert(ObjectType.ACCOUNT, BidiHarness.fields("Name", "Acme"));
        try (SyncEngine engine = h.builder().lookback(Duration.ZERO).objectTypes(ObjectType.ACCOUNT).build()) {
            Backlog b = backlog(h.cycle(engine), ObjectType.ACCOUNT);
            assertEquals(OptionalLong.of(1), b.crmToMarketing());
            assertEquals(OptionalLong.empty(), b.marketingToCrm(), "nothing flows back on a one-way type");
        }
    }

    @Test
    void aBacklogLargerThanSixHoursBeforeIsGrowingAndASmallerOneIsNot() {
        List<CrmId> ids = leads(10);
        try (SyncEngine engine = engine()) {
            settle(engine, ids);
            crmChanges(List.of(), "a");
            Backlog t0 = backlog(h.cycle(engine), ObjectType.LEAD);
            assertEquals(1, t0.total());

            h.clock.advance(Duration.ofHours(3));
            crmChanges(ids.subList(0, 3), "b");
            Backlog t3 = backlog(h.cycle(engine), ObjectType.LEAD);
            assertEquals(4, t3.total());
            assertEquals(Backlog.Trend.UNKNOWN, t3.trend(), "three hours is not six");

            h.clock.advance(Duration.ofHours(3));
            crmChanges(ids.subList(4, 6), "c");
            Backlog t6 = backlog(h.cycle(engine), ObjectType.LEAD);
            assertEquals(3, t6.total());
            assertEquals(Backlog.Trend.GROWING, t6.trend(), t6::toString);
            assertEquals(OptionalLong.of(1), t6.windowAgo(), "against the newest backlog six hours old or more");

            h.clock.advance(Duration.ofHours(3));
            crmChanges(ids.subList(7, 9), "d");
            Backlog t9 = backlog(h.cycle(engine), ObjectType.LEAD);
            assertEquals(3, t9.total());
            assertEquals(OptionalLong.of(4), t9.windowAgo(), "the baseline moved on with the window");
            assertEquals(Backlog.Trend.NOT_GROWING, t9.trend(), t9::toString);
            assertEquals(t9, engine.backlog().get(ObjectType.LEAD));
        }
    }

    @Test
    void aRunStoppedInTheFeedGivesALowerBoundAndATypeThatNeverReadCountsNothing() {
        List<CrmId> ids = leads(4);
        try (SyncEngine engine = h.builder().lookback(Duration.ZERO).storeBatchSize(2).build()) {
            h.cycle(engine);
            h.cycle(engine);
            for (CrmId id : ids) {
                h.edit(ObjectType.LEAD, id, "Title", "mkt");
            }
            int[] feedCalls = {0};
            // the feed's second page fails (the predicate is asked once per call)
            h.store.faults().failNextWhere(op -> op == StoreOperation.CHANGES_SINCE && ++feedCalls[0] == 2, 1,
                    Fault.fatal());
            SyncReport r = h.run(engine);
            Backlog b = backlog(r, ObjectType.LEAD);
            assertFalse(b.marketingFeedRead(), "stopped before the feed's end");
            assertEquals(OptionalLong.of(2), b.marketingToCrm(), "the first page's two: a lower bound");

            h.crm.faults().failNext(dev.crmsync.testkit.CrmOperation.DESCRIBE, 1, Fault.fatal());
            Backlog none = backlog(h.run(engine), ObjectType.LEAD);
            assertTrue(none.isUnknown(), "a run that failed before it read counted nothing");
            assertEquals(b, engine.backlog().get(ObjectType.LEAD), "the engine keeps the latest counted backlog");
        }
    }

    @Test
    void aBacklogChecksItsArguments() {
        Instant t = Instant.EPOCH;
        assertThrows(IllegalArgumentException.class, () -> new Backlog(t, OptionalLong.of(-1), OptionalLong.empty(), false,
                Backlog.Trend.UNKNOWN, OptionalLong.empty()));
        assertThrows(IllegalArgumentException.class, () -> new Backlog(t, OptionalLong.of(1), OptionalLong.empty(), false,
                Backlog.Trend.GROWING, OptionalLong.empty()));
        assertThrows(NullPointerException.class, () -> new Backlog(null, OptionalLong.of(1), OptionalLong.empty(), false,
                Backlog.Trend.UNKNOWN, OptionalLong.empty()));
    }
}
