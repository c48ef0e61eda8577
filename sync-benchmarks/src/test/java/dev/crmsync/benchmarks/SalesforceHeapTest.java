package dev.crmsync.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import org.junit.jupiter.api.Test;

/**
 * The Salesforce adapter's defaults complete a first copy at {@code -Xmx64m}: the engine copies
 * 200,000 leads (31 fields each) through Bulk API 2.0 in a forked JVM capped at 64 MB (exiting on
 * an {@code OutOfMemoryError}), from the fake server in this JVM, into a store that keeps nothing.
 * Counts and calls are asserted exactly; time is not.
 */
class SalesforceHeapTest {

    private static final int LEADS = 200_000;

    @Test
    void theAdaptersDefaultsCompleteABulkFirstCopyOf200kLeadsIn64Mb() {
        CrmFixture fx = CrmFixture.load(LeadData.BENCH_TYPE, LEADS);
        SalesforceBench.HeapRun run;
        try (FakeSalesforceServer server = SalesforceBench.server(fx)) {
            run = SalesforceBench.forkHeapRun(server, LeadData.BENCH_TYPE, LeadData.FIELD_NAMES, "64m");
        } finally {
            fx.crm.close();
        }
        assertEquals(0, run.exitCode(), run.line());
        assertEquals("64.0", run.field("maxHeapMB").isEmpty() ? "" : String.valueOf(
                Math.round(Double.parseDouble(run.field("maxHeapMB")) / 8) * 8.0), "the child's heap cap: " + run.line());
        assertEquals(String.valueOf(LEADS), run.field("read"), run.line());
        assertEquals(String.valueOf(LEADS), run.field("created"), run.line());
        assertEquals(String.valueOf(LEADS), run.field("upserted"), run.line());
        String calls = run.field("calls");
        // the first REST page (2,000 records) says the read is large; the other 198,000 come from one
        // Bulk job in 20 result chunks of at most 10,000
        assertEquals(true, calls.contains("bulk.create=1,"), calls);
        assertEquals(true, calls.contains("bulk.results=20,") || calls.endsWith("bulk.results=20}"), calls);
        assertEquals(true, calls.contains("queryAll=1,") || calls.endsWith("queryAll=1}"), calls);
        assertEquals(false, calls.contains("queryMore"), calls);
    }
}
