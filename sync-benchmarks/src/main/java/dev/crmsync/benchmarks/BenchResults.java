package dev.crmsync.benchmarks;

import dev.crmsync.core.report.SyncCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one benchmark run measured. Built by {@link Benchmark}, printed by {@link Report}.
 *
 * @param config what was run
 * @param loadAverageAtStart the system's load average when the run started (other processes on the cores)
 * @param loadAverageAtEnd the system's load average when it ended
 * @param loadSeconds how long filling the CRM took (not a measured figure; shown for context)
 * @param baseline the timed raw copies (no engine)
 * @param engine the timed engine first copies
 * @param quiet incremental cycles with nothing changed
 * @param incremental incremental cycles with changed records, every size, every repetition
 * @param smallTotal incremental cycles over the small warm-up CRM (CRM calls do not depend on the total)
 * @param memory live heap at named points
 * @param profile live heap during one baseline and one engine copy, every tenth of the way
 */
record BenchResults(BenchConfig config, double loadAverageAtStart, double loadAverageAtEnd, double loadSeconds, List<CopyRun> baseline, List<CopyRun> engine,
                    List<CycleRun> quiet, List<CycleRun> incremental, List<CycleRun> smallTotal,
                    List<MemoryPoint> memory, List<ProfilePoint> profile) {

    /** Copies the lists. */
    BenchResults {
        Objects.requireNonNull(config, "config");
        baseline = List.copyOf(baseline);
        engine = List.copyOf(engine);
        quiet = List.copyOf(quiet);
        incremental = List.copyOf(incremental);
        smallTotal = List.copyOf(smallTotal);
        memory = List.copyOf(memory);
        profile = List.copyOf(profile);
    }

    /**
     * One first copy of every record.
     *
     * @param kind "baseline" or "engine"
     * @param records records copied
     * @param time what it took
     * @param crmCalls CRM calls made
     * @param storeCalls marketing-store calls made
     */
    record CopyRun(String kind, long records, Meter.Sample time, long crmCalls, long storeCalls) {

        /** @return records per second of wall time */
        double rate() {
            return records / time.wallSeconds();
        }

        /** @return records per second of the thread's CPU time */
        double cpuRate() {
            return time.cpuNanos() == 0 ? Double.NaN : records / time.cpuSeconds();
        }
    }

    /**
     * One incremental cycle.
     *
     * @param steady false for a burst of edits more than a lookback after the previous cycle (the cycle
     *     reads just them); true for the scheduler's cadence, where the previous cycle's edits are
     *     still inside the lookback and are read again (compared, not written)
     * @param changes records changed in the CRM before it
     * @param totalRecords records the CRM holds
     * @param time what it took
     * @param crmCalls CRM calls by operation
     * @param counts the cycle's counts
     */
    record CycleRun(boolean steady, int changes, long totalRecords, Meter.Sample time, Map<String, Long> crmCalls, SyncCounts counts) {

        /** Copies the map. */
        CycleRun {
            crmCalls = Map.copyOf(crmCalls);
        }

        /** @return CRM calls made, every operation */
        long totalCalls() {
            return crmCalls.values().stream().mapToLong(Long::longValue).sum();
        }

        /** @return the calls as "describe 1, readPage 2, …" sorted by name */
        String callsText() {
            List<String> parts = new ArrayList<>();
            crmCalls.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> parts.add(e.getKey() + " " + e.getValue()));
            return String.join(", ", parts);
        }
    }

    /**
     * Live heap at a named point.
     *
     * @param label where
     * @param bytes live heap in bytes
     */
    record MemoryPoint(String label, long bytes) {
    }

    /**
     * Live heap at one tenth of a copy, once for the baseline and once for the engine, over the same data.
     *
     * @param percent how far the copy is (0 to 100)
     * @param baselineBytes live heap during the baseline copy
     * @param engineBytes live heap during the engine copy
     */
    record ProfilePoint(int percent, long baselineBytes, long engineBytes) {
    }
}
