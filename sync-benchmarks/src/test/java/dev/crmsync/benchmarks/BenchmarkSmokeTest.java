package dev.crmsync.benchmarks;

import dev.crmsync.testkit.CrmOperation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.benchmarks.BenchResults.CycleRun;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.model.FieldValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the whole harness on 1,000 records and checks what it counted — never how fast it was:
 * figures are for BENCHMARKS.md, not for assertions.
 */
class BenchmarkSmokeTest {

    private static final int RECORDS = 1_000;
    private static final int PAGE = 200;
    private static BenchResults results;

    @BeforeAll
    static void runHarness() {
        BenchConfig config = new BenchConfig(RECORDS, 400, 1, 2, 2, PAGE, LeadData.BENCH_TYPE, List.of(10, 250));
        results = new Benchmark(config, line -> { }).run();
    }

    @Test
    void everyCopyMovesEveryRecord() {
        assertEquals(2, results.baseline().size());
        assertEquals(2, results.engine().size());
        results.baseline().forEach(c -> assertEquals(RECORDS, c.records()));
        results.engine().forEach(c -> assertEquals(RECORDS, c.records()));
    }

    @Test
    void engineAndBaselineReadTheSamePages() {
        long pageReads = RECORDS / PAGE + 1;                  // full pages, then the empty one that ends the stream
        assertEquals(pageReads + 1, results.baseline().get(0).crmCalls(), "baseline: describe + page reads");
        // the engine also describes the type and reads the delete log once
        assertEquals(pageReads + 2, results.engine().get(0).crmCalls(), "engine: describe + page reads + deletedSince");
    }

    @Test
    void incrementalCyclesReadAndUpdateExactlyTheChangedRecords() {
        List<CycleRun> bursts = results.incremental().stream().filter(c -> !c.steady()).toList();
        assertEquals(4, bursts.size());
        for (CycleRun c : bursts) {
            assertEquals(c.changes(), c.counts().read());
            assertEquals(c.changes(), c.counts().updated());
            assertEquals(0, c.counts().created());
        }
        results.quiet().forEach(c -> assertEquals(0, c.counts().read()));
    }

    @Test
    void cyclesAtTheSchedulersCadenceReReadThePreviousEditsWithoutWritingThem() {
        List<CycleRun> steady = results.incremental().stream().filter(CycleRun::steady).toList();
        assertEquals(2, steady.size());
        for (CycleRun c : steady) {
            assertEquals(10, c.counts().updated());
            assertTrue(c.counts().unchanged() > 0, "the previous cycle's edits are read again: " + c.counts());
            assertEquals(c.counts().read(), c.counts().updated() + c.counts().unchanged());
        }
    }

    @Test
    void crmCallsGrowWithTheChangesNotWithTheTotal() {
        CycleRun few = results.incremental().get(0);
        CycleRun many = results.incremental().get(2);
        assertEquals(2L, few.crmCalls().get(CrmOperation.READ_PAGE.callName()), "10 changes: one page, then the empty one");
        assertEquals(3L, many.crmCalls().get(CrmOperation.READ_PAGE.callName()), "250 changes: two pages, then the empty one");
        for (CycleRun small : results.smallTotal()) {
            CycleRun big = results.incremental().stream().filter(c -> c.changes() == small.changes()).findFirst()
                    .orElseThrow();
            assertEquals(big.crmCalls(), small.crmCalls(), "same changes over 400 or 1,000 records, same calls");
        }
        assertTrue(Report.verdict(results).callsIndependentOfTotal());
    }

    @Test
    void memoryIsMeasuredAtEveryTenthOfBothCopies() {
        assertEquals(11, results.profile().size());
        results.profile().forEach(p -> assertTrue(p.baselineBytes() > 0 && p.engineBytes() > 0, p.toString()));
        assertFalse(results.memory().isEmpty());
    }

    @Test
    void reportNamesEveryTarget() {
        String md = Report.markdown(results);
        assertTrue(md.contains("Engine / baseline"), md);
        assertTrue(md.contains("Share of first copy"), md);
        assertTrue(md.contains("CRM calls grow with the changes"), md);
        assertTrue(md.contains("Live heap"), md);
    }

    @Test
    void generatedLeadsAreRealisticAndRepeatable() {
        LeadData data = new LeadData(List.of(dev.crmsync.model.CrmId.of("005000000000001")));
        Map<String, FieldValue> lead = data.lead(17);
        assertEquals(lead, data.lead(17));
        assertTrue(lead.size() >= 15, "most fields hold a value: " + lead.keySet());
        assertTrue(LeadData.FIELD_NAMES.containsAll(lead.keySet()));
        assertEquals(LeadData.FIELD_NAMES, LeadData.schema().stream().map(f -> f.name()).toList());
    }

    @Test
    void badConfigurationIsRefusedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BenchConfig(10, 0, 0, 1, 1, PAGE, LeadData.BENCH_TYPE, List.of(11)));
        assertTrue(e.getMessage().contains("11"), e.getMessage());
    }
}
