package dev.crmsync.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Runs the latency benchmark small (20 changes per path, 3 by polling at a 50 ms pause, H2) and checks
 * counts, never speed: every change arrived on every path, each by its own route (the events applied are
 * the event path's changes plus the host path's echoes; no catch-up poll was needed).
 */
class EventLatencyBenchSmokeTest {

    @Test
    void everyChangeArrivesOnEveryPathAndTheReportHasEachRow() {
        EventLatencyBench.Results r = new EventLatencyBench(20, 3, Duration.ofMillis(50), null, line -> { }).run();
        assertEquals(20, r.crmToStore().n());
        assertEquals(20, r.delivery().n());
        assertEquals(20, r.hostToCrm().n());
        assertEquals(20, r.rawPatch().n());
        assertEquals(3, r.polling().n());
        assertEquals(0, r.catchUpPolls());
        assertTrue(r.eventsApplied() >= 20, "the event path's 20 changes, and the host path's echoes");
        assertTrue(r.crmToStore().p50() <= r.crmToStore().p99());
        String md = EventLatencyBench.markdown(r);
        assertTrue(md.contains("CRM → store, by change events") && md.contains("host → CRM")
                && md.contains("by polling"), md);
    }
}
