package dev.crmsync.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs the push benchmark on 1,000 leads, one timed round, and checks the counts, never speed: the
 * engine wrote every edit in ⌈1,000 / 200⌉ = 5 collection updates, and the raw replay made exactly
 * the engine's calls.
 */
class SalesforcePushBenchSmokeTest {

    @Test
    void theEnginesPushAndTheReplayMakeTheSameCallsAndEveryEditLands() {
        SalesforcePushBench.Results r = new SalesforcePushBench(1_000, 1, line -> { }).run();
        assertEquals(1, r.rounds().size());
        SalesforcePushBench.Round round = r.rounds().get(0);
        Map<String, Long> engine = round.engineCalls();
        assertEquals(5L, engine.get("collections.update"), engine::toString);
        assertEquals(1_000, round.written(), "every edit reached the CRM");
        assertEquals(engine, round.rawCalls(), "the replay makes the engine's calls, no more, no fewer");
        String md = SalesforcePushBench.markdown(r);
        assertTrue(md.contains("| 0 |") && md.contains("Median wall ratio"), md);
    }
}
