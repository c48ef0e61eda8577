package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's "the delete log no longer reaches back" path over HTTP, triggered by age alone: the
 * fake server's getDeleted answers {@code earliestDateAvailable} at most 15 days back, as a real org
 * does, even when nothing was ever purged. The source's own reach is set far longer than that, so
 * only the server's answer can trigger the reconciliation.
 */
class DeleteLogAgeEndToEndTest {

    private final FakeOrg org = new FakeOrg();
    private final InMemoryMarketingStore store = new InMemoryMarketingStore(org.clock);
    private final InMemorySyncStateStore state = new InMemorySyncStateStore();
    private SalesforceCrmSource sf;
    private SyncEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
        if (sf != null) {
            sf.close();
        }
        org.close();
    }

    private void start() {
        sf = org.open(org.source().deleteLogRetention(Duration.ofDays(365)));
        engine = SyncEngine.builder().crmSource(sf).marketingStore(store).syncStateStore(state).clock(org.clock)
                .objectTypes(ObjectType.ACCOUNT).build();
    }

    private static List<String> reconciliations(SyncReport report) {
        TypeReport t = report.type(ObjectType.ACCOUNT).orElseThrow();
        return t.notes().stream().filter(n -> n.contains("delete log reaches back only to")).toList();
    }

    @Test
    void aCheckOlderThanTheRecycleBinsFifteenDaysReconcilesIdsWithNothingPurged() {
        CrmId kept = org.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Kept")));
        org.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Other")));
        start();
        org.clock.advance(Duration.ofMinutes(5));
        assertTrue(engine.runCycle().isComplete());
        org.clock.advance(Duration.ofDays(14));
        SyncReport fresh = engine.runCycle();
        assertTrue(fresh.isComplete(), fresh.toTable());
        assertEquals(List.of(), reconciliations(fresh), "14 days: the log still reaches back to the last check");

        org.clock.advance(Duration.ofDays(16));
        SyncReport old = engine.runCycle();
        assertTrue(old.isComplete(), old.toTable());
        List<String> notes = reconciliations(old);
        assertEquals(1, notes.size(), old.type(ObjectType.ACCOUNT).orElseThrow().notes().toString());
        assertTrue(notes.get(0).contains("reconciled 2 stored ids with the CRM, 0 flagged deleted"), notes.get(0));
        assertTrue(store.findByCrmIds(ObjectType.ACCOUNT, List.of(kept)).containsKey(kept));
    }
}
