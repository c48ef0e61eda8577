package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.SyncReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.fault.Fault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A field that becomes synced after the first copy (made readable in the CRM) is back-filled: the
 * next cycle re-reads the type's records for that field alone, page by page, writes the values to
 * the records the store has, resumes after the last durable page when stopped, and does it once.
 */
class FieldBackfillTest {

    private static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");
    private static final String[] RATINGS = {"Hot", "Warm", "Cold", "Hot", "Warm"};

    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(5).build();
    private final InMemoryMarketingStore store = new InMemoryMarketingStore(clock);
    private final InMemorySyncStateStore state = new InMemorySyncStateStore(clock);
    private final List<CrmId> accounts = new ArrayList<>();

    private SyncEngine engine() {
        return SyncEngine.builder().crmSource(crm).marketingStore(store).syncStateStore(state).clock(clock)
                .engineId("backfill").objectTypes(ObjectType.ACCOUNT).pageSize(2).build();
    }

    private void fiveAccountsWithAHiddenRating() {
        crm.hideField(ObjectType.ACCOUNT, "Rating");
        for (int i = 0; i < 5; i++) {
            accounts.add(crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Acme " + i),
                    "Rating", FieldValue.text(RATINGS[i]))));
            clock.advance(Duration.ofSeconds(1));
        }
        clock.advance(Duration.ofHours(1));     // older than the lookback: later cycles do not re-read them
    }

    private long readPages() {
        return crm.log().count(CrmOperation.READ_PAGE);
    }

    private SyncReport cycle(SyncEngine e) {
        clock.advance(Duration.ofSeconds(10));
        return e.runCycle();
    }

    /** @return the CRM read pages a cycle made */
    private long pagesOf(SyncEngine e) {
        long before = readPages();
        SyncReport r = cycle(e);
        assertTrue(r.isComplete(), r::toTable);
        return readPages() - before;
    }

    @Test
    void aNewlyReadableFieldIsReadOnceForEveryRecordAndWrittenToTheStore() {
        fiveAccountsWithAHiddenRating();
        try (SyncEngine e = engine()) {
            assertTrue(cycle(e).isComplete());
            assertEquals(5, store.size(ObjectType.ACCOUNT));
            MarketingRecord before = store.findByCrmIds(ObjectType.ACCOUNT, List.of(accounts.get(0))).get(accounts.get(0));
            assertTrue(before.get("Rating").isNull(), "not readable: not synced");
            long quiet = pagesOf(e);

            crm.showField(ObjectType.ACCOUNT, "Rating");
            long withBackfill = pagesOf(e);
            assertEquals(quiet + 4, withBackfill,
                    "5 records in pages of 2: the back-fill reads 3 pages and the empty one that ends the stream, once");
            for (int i = 0; i < 5; i++) {
                MarketingRecord m = store.findByCrmIds(ObjectType.ACCOUNT, List.of(accounts.get(i))).get(accounts.get(i));
                assertEquals(FieldValue.text(RATINGS[i]), m.get("Rating"), "record " + i);
                assertEquals(FieldValue.text("Acme " + i), m.get("Name"), "the rest of the record is kept");
            }
            assertEquals(before.crmModstamp(), store.findByCrmIds(ObjectType.ACCOUNT, List.of(accounts.get(0)))
                    .get(accounts.get(0)).crmModstamp(), "the record's CRM stamp is the one of its last regular read");
            EngineIntent.SyncedFields known = (EngineIntent.SyncedFields) state.intent(ObjectType.ACCOUNT,
                    EngineIntent.SyncedFields.KEY, EngineIntent.Kind.SYNCED_FIELDS).orElseThrow();
            assertTrue(known.fields().contains("Rating"));
            assertTrue(known.backfill().isEmpty());

            assertEquals(quiet, pagesOf(e), "done: the next cycle reads no more than a quiet one");
            crm.update(ObjectType.ACCOUNT, accounts.get(1), Map.of("Rating", FieldValue.text("Cold")));
            assertTrue(cycle(e).isComplete());
            assertEquals(FieldValue.text("Cold"), store.findByCrmIds(ObjectType.ACCOUNT, List.of(accounts.get(1)))
                    .get(accounts.get(1)).get("Rating"), "later changes arrive as before");
        }
    }

    @Test
    void aStoppedBackfillResumesAfterItsLastDurablePage() {
        fiveAccountsWithAHiddenRating();
        try (SyncEngine e = engine()) {
            assertTrue(cycle(e).isComplete());
            long callsBefore = crm.log().total();
            long quiet = pagesOf(e);
            long quietCalls = crm.log().total() - callsBefore;

            crm.showField(ObjectType.ACCOUNT, "Rating");
            // the regular part of the cycle makes the quiet cycle's calls, then the back-fill reads;
            // its second page fails
            crm.faults().failAtCall(quietCalls + 2, Fault.retriable());
            long before = readPages();
            SyncReport failed = cycle(e);
            assertFalse(failed.isComplete(), failed::toTable);
            assertEquals(quiet + 2, readPages() - before, () -> "the first back-fill page, then the failed one " + failed.toTable()
                    + crm.log().calls());
            long filled = accounts.stream().filter(id -> !store.findByCrmIds(ObjectType.ACCOUNT, List.of(id)).get(id)
                    .get("Rating").isNull()).count();
            assertEquals(2, filled, "the first page is durable");

            assertEquals(quiet + 3, pagesOf(e), "resumed after the first page: pages 2, 3 and the empty end, not 4 pages");
            for (int i = 0; i < 5; i++) {
                assertEquals(FieldValue.text(RATINGS[i]), store.findByCrmIds(ObjectType.ACCOUNT, List.of(accounts.get(i)))
                        .get(accounts.get(i)).get("Rating"));
            }
            assertEquals(quiet, pagesOf(e), "then done");
        }
    }

    @Test
    void aTypeSeenForTheFirstTimeRecordsItsFieldsWithoutABackfill() {
        fiveAccountsWithAHiddenRating();
        crm.showField(ObjectType.ACCOUNT, "Rating");
        try (SyncEngine e = engine()) {
            long before = readPages();
            assertTrue(cycle(e).isComplete());
            assertEquals(4, readPages() - before, "the full copy alone: 3 pages and the empty one that ends it");
            assertEquals(FieldValue.text("Hot"), store.findByCrmIds(ObjectType.ACCOUNT, List.of(accounts.get(0)))
                    .get(accounts.get(0)).get("Rating"));
            assertTrue(state.intent(ObjectType.ACCOUNT, EngineIntent.SyncedFields.KEY, EngineIntent.Kind.SYNCED_FIELDS)
                    .isPresent(), "the copy's fields are known");
        }
    }

    @Test
    void onLeadsTheBackfillUpdatesTheBasesKeepsAHostValueAndEchoesNothing() {
        BidiHarness h = new BidiHarness();
        h.crm.hideField(ObjectType.LEAD, "Rating");
        CrmId a = h.lead("A", "Acme", "Rating", "Hot");
        CrmId b = h.lead("B", "Acme", "Rating", "Cold");
        h.clock.advance(Duration.ofHours(1));
        try (SyncEngine e = h.engine()) {
            h.cycle(e);
            h.edit(ObjectType.LEAD, b, "Rating", "Warm");        // the host sets the field before it is synced
            h.cycle(e);
            long crmWrites = h.crmWrites();
            h.crm.showField(ObjectType.LEAD, "Rating");
            h.cycle(e);
            assertEquals(FieldValue.text("Hot"), h.storeValue(ObjectType.LEAD, a, "Rating"), "back-filled");
            assertEquals(FieldValue.text("Hot"), h.state.bases(ObjectType.LEAD, List.of(a)).get(a).get("Rating"),
                    "and in the base: both sides agree");
            assertEquals(FieldValue.text("Warm"), h.storeValue(ObjectType.LEAD, b, "Rating"), "the host's value is kept");
            assertEquals(crmWrites, h.crmWrites(), "the back-fill writes nothing to the CRM");
            h.assertQuiet(e);
        }
    }
}
