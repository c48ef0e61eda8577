package dev.crmsync.examples;

import dev.crmsync.crm.CrmSource;
import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.SyncScheduler;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.SyncStateStore;
import java.time.Duration;

/**
 * The embedding example the README shows. It compiles with the project, so the README's code
 * cannot rot.
 */
public final class Quickstart {

    private Quickstart() {
    }

    /**
     * Builds an engine, runs one cycle (the first one copies everything) and prints its report.
     *
     * @param crm the CRM, e.g. a {@code SalesforceCrmSource}, or {@code InMemoryCrm} in tests
     * @param store your marketing database adapter, e.g. {@code InMemoryMarketingStore}
     * @param state where the engine keeps checkpoints and its retry queue
     * @return the cycle's report
     */
    public static SyncReport syncOnce(CrmSource crm, MarketingStore store, SyncStateStore state) {
        try (SyncEngine engine = SyncEngine.builder()
                .crmSource(crm)
                .marketingStore(store)
                .syncStateStore(state)
                .build()) {
            SyncReport report = engine.runCycle();
            System.out.println(report.toTable());
            return report;
        }
    }

    /**
     * Keeps syncing in the background: a cycle, a 5-minute pause after it ends, the next cycle…
     * Close the returned handle on shutdown: no new cycle starts, a running one stops at its next
     * page boundary with its checkpoint kept.
     *
     * @param crm the CRM
     * @param store the marketing store
     * @param state the state store
     * @return a handle that stops the loop and the engine
     */
    public static AutoCloseable syncInBackground(CrmSource crm, MarketingStore store, SyncStateStore state) {
        SyncEngine engine = SyncEngine.builder().crmSource(crm).marketingStore(store).syncStateStore(state).build();
        SyncScheduler scheduler = SyncScheduler.builder(engine).pause(Duration.ofMinutes(5)).build();
        scheduler.start();
        return () -> {
            scheduler.close();
            engine.close();
        };
    }
}
