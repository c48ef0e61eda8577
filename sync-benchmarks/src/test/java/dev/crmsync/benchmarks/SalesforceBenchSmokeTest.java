package dev.crmsync.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the Salesforce adapter's benchmark on 12,000 leads, one timed round, and checks that the
 * adapter and the raw client made the same requests and read every record: counts, never speed.
 */
class SalesforceBenchSmokeTest {

    private static SalesforceBench.Results results;

    @BeforeAll
    static void run() {
        results = new SalesforceBench(12_000, 0, 1, line -> { }).run();
    }

    private static long calls(Map<String, Long> m, String key) {
        return m.getOrDefault(key, 0L);
    }

    @Test
    void restReadsMakeTheSamePageCallsAsTheRawClient() {
        SalesforceBench.Pair rest = results.pairs().get(0);
        Map<String, Long> a = rest.adapter().get(0).calls();
        Map<String, Long> r = rest.raw().get(0).calls();
        assertEquals(1, calls(a, "queryAll"));
        assertEquals(5, calls(a, "queryMore"), "6 pages of 2,000");
        assertEquals(calls(a, "queryAll"), calls(r, "queryAll"));
        assertEquals(calls(a, "queryMore"), calls(r, "queryMore"));
        assertEquals(0, calls(a, "bulk.create"));
        assertEquals(12_000, rest.adapter().get(0).records());
        assertEquals(12_000, rest.raw().get(0).records());
    }

    @Test
    void bulkReadsMakeTheSameJobAndResultCallsAsTheRawClient() {
        for (SalesforceBench.Pair bulk : results.pairs().subList(1, 3)) {
            Map<String, Long> a = bulk.adapter().get(0).calls();
            Map<String, Long> r = bulk.raw().get(0).calls();
            assertEquals(1, calls(a, "queryAll"), bulk.what());
            assertEquals(0, calls(a, "queryMore"), bulk.what());
            assertEquals(1, calls(a, "bulk.create"), bulk.what());
            assertEquals(1, calls(a, "bulk.results"), "10,000 records after the first page: one chunk");
            for (String k : new String[] {"queryAll", "bulk.create", "bulk.results"}) {
                assertEquals(calls(a, k), calls(r, k), bulk.what() + ": " + k);
            }
            assertEquals(12_000, bulk.adapter().get(0).records());
            assertEquals(12_000, bulk.raw().get(0).records());
        }
    }

    @Test
    void theReportNamesEachReadAndTheLoad() {
        String md = SalesforceBench.markdown(results);
        assertTrue(md.contains("## Salesforce adapter: parse, heap, push"));
        assertTrue(md.contains("REST query paging") && md.contains("chunk by chunk") && md.contains("load average"));
    }
}
