package dev.crmsync.benchmarks;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.model.ObjectType;
import java.util.List;
import java.util.Objects;

/**
 * What one benchmark run does.
 *
 * @param records leads in the CRM for the measured runs
 * @param warmupRecords leads in the separate warm-up CRM (0: no warm-up)
 * @param warmupRounds how many baseline and engine copies of the warm-up CRM run before measuring
 * @param repeats how many timed first copies of each kind (baseline, engine)
 * @param cycleRepeats how many incremental cycles of each size (they are cheap)
 * @param pageSize records per CRM page, for the engine and the baseline alike
 * @param type the object type the leads are stored as
 * @param changeSizes the numbers of changed records of the incremental cycles, e.g. 1,000 and 10,000
 */
record BenchConfig(int records, int warmupRecords, int warmupRounds, int repeats, int cycleRepeats, int pageSize,
                   ObjectType type, List<Integer> changeSizes) {

    /** One million leads, as issue 2 asks. */
    static final int DEFAULT_RECORDS = 1_000_000;
    /** Leads of the warm-up CRM. */
    static final int DEFAULT_WARMUP_RECORDS = 50_000;
    /** Warm-up copies of each kind. */
    static final int DEFAULT_WARMUP_ROUNDS = 3;
    /** Timed first copies of each kind. */
    static final int DEFAULT_REPEATS = 5;
    /** Incremental cycles of each size. */
    static final int DEFAULT_CYCLE_REPEATS = 5;
    /** The engine's default page size (Salesforce's largest REST page). */
    static final int DEFAULT_PAGE_SIZE = 2_000;
    /** Changed records of the incremental cycles. */
    static final List<Integer> DEFAULT_CHANGE_SIZES = List.of(1_000, 10_000);

    /** Checks ranges and copies the list. */
    BenchConfig {
        Objects.requireNonNull(type, "type");
        changeSizes = List.copyOf(changeSizes);
        if (records < 1) {
            throw new IllegalArgumentException("records must be at least 1, was " + records);
        }
        if (warmupRecords < 0 || warmupRounds < 0) {
            throw new IllegalArgumentException("warm-up records and rounds must not be negative, were "
                    + warmupRecords + " and " + warmupRounds);
        }
        if (repeats < 1 || cycleRepeats < 1) {
            throw new IllegalArgumentException("repeats must be at least 1, were " + repeats + " (copies) and "
                    + cycleRepeats + " (cycles)");
        }
        if (pageSize < 1 || pageSize > ChangeQuery.MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("pageSize must be between 1 and " + ChangeQuery.MAX_PAGE_SIZE
                    + ", was " + pageSize);
        }
        for (int c : changeSizes) {
            if (c < 1 || c > records) {
                throw new IllegalArgumentException("change sizes must be between 1 and records (" + records
                        + "), got " + changeSizes);
            }
        }
    }

    /** @return the configuration of the documented run */
    static BenchConfig defaults() {
        return new BenchConfig(DEFAULT_RECORDS, DEFAULT_WARMUP_RECORDS, DEFAULT_WARMUP_ROUNDS, DEFAULT_REPEATS,
                DEFAULT_CYCLE_REPEATS, DEFAULT_PAGE_SIZE, LeadData.BENCH_TYPE, DEFAULT_CHANGE_SIZES);
    }
}
