package dev.crmsync.benchmarks;

import dev.crmsync.benchmarks.BenchResults.CopyRun;
import dev.crmsync.benchmarks.BenchResults.CycleRun;
import dev.crmsync.benchmarks.BenchResults.MemoryPoint;
import dev.crmsync.benchmarks.BenchResults.ProfilePoint;
import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.core.report.SyncCounts;
import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.SyncListener;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.SyncScheduler;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.crm.Cursor;
import dev.crmsync.store.StoreResult;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.testkit.fault.InstrumentedCompleteStore;
import dev.crmsync.testkit.fault.InstrumentedStores;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The benchmark harness: a plain, single-threaded driver (no JMH — see {@code BENCHMARKS.md}).
 *
 * <ol>
 *   <li><b>Warm-up</b> on a separate, small CRM: baseline and engine copies until the JIT has
 *       compiled the paths, and incremental cycles whose CRM calls are kept to compare with the
 *       big CRM's (calls must not depend on the total).</li>
 *   <li><b>Load</b> the CRM with the measured number of leads.</li>
 *   <li><b>First copies</b>, timed: {@code repeats} rounds of one raw baseline copy and one engine
 *       copy, each into a fresh store, their order alternating from round to round so that
 *       neither always runs on a fresher heap.</li>
 *   <li><b>Memory profile</b>, untimed: one baseline and one engine copy with full collections at
 *       every tenth of the way, measuring the live heap. The engine's store is kept.</li>
 *   <li><b>Incremental cycles</b> over that store: quiet cycles, then {@code repeats} cycles per
 *       change size. Each edits records at random over the whole set, then lets more than the
 *       lookback pass before the cycle, so a cycle reads exactly its own changes. Then cycles at
 *       the scheduler's cadence (a pause, edits, the cycle), where the lookback re-reads the
 *       previous cycle's edits.</li>
 * </ol>
 * Every run checks its counts (records created, read, updated) and fails if they are wrong:
 * a figure of a broken run is never reported.
 */
final class Benchmark {

    private static final String ENGINE_ID = "bench";
    /** Time between a burst of edits and the cycle that reads it: more than the default lookback. */
    private static final Duration EDIT_TO_CYCLE = SyncEngine.DEFAULT_LOOKBACK.plusMinutes(1);

    private final BenchConfig config;
    private final Consumer<String> log;

    /**
     * @param config what to run
     * @param log receives progress lines
     */
    Benchmark(BenchConfig config, Consumer<String> log) {
        this.config = Objects.requireNonNull(config, "config");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** @return the measurements */
    BenchResults run() {
        ObjectType type = config.type();
        double loadAverageAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        List<MemoryPoint> memory = new ArrayList<>();
        List<CycleRun> smallTotal = warmUp(type);

        memory.add(new MemoryPoint("before loading the CRM", Meter.liveHeap()));
        log.accept("loading " + config.records() + " " + type + " records into InMemoryCrm ...");
        Meter loadMeter = Meter.start();
        CrmFixture crm = CrmFixture.load(type, config.records());
        double loadSeconds = loadMeter.stop().wallSeconds();
        memory.add(new MemoryPoint("CRM loaded (" + config.records() + " records)", Meter.liveHeap()));
        log.accept(String.format("loaded in %.1f s", loadSeconds));

        List<CopyRun> baseline = new ArrayList<>();
        List<CopyRun> engine = new ArrayList<>();
        for (int round = 1; round <= config.repeats(); round++) {
            boolean baselineFirst = round % 2 == 1;
            for (int k = 0; k < 2; k++) {
                if ((k == 0) == baselineFirst) {
                    CopyRun b = baselineCopy(crm, null).run();
                    baseline.add(b);
                    log.accept(String.format("round %d: baseline %,.0f records/s (%.2f s)", round, b.rate(),
                            b.time().wallSeconds()));
                } else {
                    CopyRun e = engineCopy(crm, null).run();
                    engine.add(e);
                    log.accept(String.format("round %d: engine   %,.0f records/s (%.2f s)", round, e.rate(),
                            e.time().wallSeconds()));
                }
                Meter.liveHeap();       // the run's store is garbage now: collect it outside the next timing
            }
        }

        log.accept("memory profile: a baseline and an engine copy with full collections every tenth ...");
        long[] baselineProfile = new long[11];
        baselineCopy(crm, baselineProfile).run();
        memory.add(new MemoryPoint("after a baseline copy (CRM + full store)", baselineProfile[10]));
        long[] engineProfile = new long[11];
        EngineCopy kept = engineCopy(crm, engineProfile);
        kept.run();
        memory.add(new MemoryPoint("after an engine copy (CRM + full store + state)", Meter.liveHeap()));
        List<ProfilePoint> profile = new ArrayList<>();
        for (int i = 0; i <= 10; i++) {
            profile.add(new ProfilePoint(i * 10, baselineProfile[i], engineProfile[i]));
        }

        List<CycleRun> quiet = new ArrayList<>();
        List<CycleRun> incremental = new ArrayList<>();
        for (int i = 0; i < config.cycleRepeats(); i++) {
            crm.clock.advance(EDIT_TO_CYCLE);
            quiet.add(kept.cycle(0));
        }
        long seed = 1;
        for (int size : config.changeSizes()) {
            for (int i = 0; i < config.cycleRepeats(); i++) {
                crm.editRandom(size, seed++);
                crm.clock.advance(EDIT_TO_CYCLE);
                CycleRun c = kept.cycle(size);
                incremental.add(c);
                log.accept(String.format("incremental: %,d changes in %.1f ms (CPU %.1f ms), CRM calls: %s", size,
                        c.time().wallNanos() / 1e6, c.time().cpuNanos() / 1e6, c.callsText()));
            }
        }
        incremental.addAll(steadyCycles(crm, kept, seed));
        memory.add(new MemoryPoint("after the incremental cycles", Meter.liveHeap()));
        return new BenchResults(config, loadAverageAtStart,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), loadSeconds, baseline, engine, quiet, incremental, smallTotal, memory,
                profile);
    }

    /**
     * Cycles at the scheduler's cadence: a pause of {@link SyncScheduler#DEFAULT_PAUSE}, edits, then
     * the cycle. The lookback (as long as the pause) then reaches back over the previous cycle's
     * edits: they are read again and found unchanged. One priming cycle is not recorded.
     */
    private List<CycleRun> steadyCycles(CrmFixture crm, EngineCopy kept, long seed) {
        int size = config.changeSizes().get(0);
        List<CycleRun> out = new ArrayList<>();
        Set<Integer> previous = Set.of();
        for (int i = 0; i <= config.cycleRepeats(); i++) {
            crm.clock.advance(SyncScheduler.DEFAULT_PAUSE);
            Set<Integer> edited = crm.editRandom(size, seed++);
            crm.clock.advance(Duration.ofSeconds(1));
            Set<Integer> reread = new HashSet<>(previous);
            reread.removeAll(edited);
            CycleRun c = kept.cycle(size, reread.size());
            if (i > 0) {
                out.add(c);
                log.accept(String.format("steady: %,d changes (+%,d re-read) in %.1f ms (CPU %.1f ms), CRM calls: %s",
                        size, reread.size(), c.time().wallNanos() / 1e6, c.time().cpuNanos() / 1e6, c.callsText()));
            }
            previous = edited;
        }
        return out;
    }

    /** Warms the JIT up on a small CRM; returns its incremental cycles (for their CRM calls). */
    private List<CycleRun> warmUp(ObjectType type) {
        List<CycleRun> cycles = new ArrayList<>();
        if (config.warmupRecords() == 0 || config.warmupRounds() == 0) {
            return cycles;
        }
        log.accept("warm-up: " + config.warmupRecords() + " records, " + config.warmupRounds() + " rounds ...");
        CrmFixture small = CrmFixture.load(type, config.warmupRecords());
        EngineCopy last = null;
        for (int round = 0; round < config.warmupRounds(); round++) {
            baselineCopy(small, null).run();
            last = engineCopy(small, null);
            last.run();
        }
        long seed = 1_000_001;
        for (int size : config.changeSizes()) {
            if (size > small.records) {
                continue;
            }
            for (int i = 0; i < config.cycleRepeats(); i++) {
                small.editRandom(size, seed++);
                small.clock.advance(EDIT_TO_CYCLE);
                cycles.add(last.cycle(size));
            }
        }
        return cycles;
    }

    // ---- the raw baseline ------------------------------------------------------------------------

    /** The same pages moved by hand: openChanges, then one store upsert per page. No engine. */
    private BaselineCopy baselineCopy(CrmFixture fx, long[] profile) {
        return new BaselineCopy(fx, profile);
    }

    private final class BaselineCopy {
        private final CrmFixture fx;
        private final long[] profile;

        BaselineCopy(CrmFixture fx, long[] profile) {
            this.fx = fx;
            this.profile = profile;
        }

        CopyRun run() {
            InMemoryMarketingStore data = new InMemoryMarketingStore(fx.clock);
            InstrumentedCompleteStore store = InstrumentedStores.create().complete(data);
            Map<String, Long> before = fx.crm.callCounts();
            if (profile != null) {
                profile[0] = Meter.liveHeap();
            }
            Meter meter = Meter.start();
            long created = 0;
            long done = 0;
            int nextTenth = 1;
            ObjectSchema schema = fx.crm.describe(fx.type).orElseThrow();
            Set<String> fields = schema.readableFieldNames();
            try (ChangeStream stream = fx.crm.openChanges(new ChangeQuery(fx.type, fields, Cursor.START,
                    config.pageSize()))) {
                while (true) {
                    List<SyncRecord> page = stream.nextPage();
                    if (page.isEmpty()) {
                        break;
                    }
                    for (StoreResult r : store.upsert(fx.type, page)) {
                        if (r instanceof StoreResult.Created) {
                            created++;
                        }
                    }
                    done += page.size();
                    if (profile != null) {
                        while (nextTenth <= 10 && done * 10 >= (long) nextTenth * fx.records) {
                            profile[nextTenth++] = Meter.liveHeap();
                        }
                    }
                }
            }
            Meter.Sample time = meter.stop();
            check("baseline copy: records created", fx.records, created);
            check("baseline copy: records in the store", fx.records, data.size(fx.type));
            return new CopyRun("baseline", fx.records, time, calls(before, fx.crm.callCounts()),
                    store.log().total());
        }
    }

    // ---- the engine -----------------------------------------------------------------------------

    private EngineCopy engineCopy(CrmFixture fx, long[] profile) {
        return new EngineCopy(fx, profile);
    }

    /** An engine with its own fresh stores: its first cycle is the copy, later ones are incremental. */
    private final class EngineCopy {
        private final CrmFixture fx;
        private final long[] profile;
        private final InMemoryMarketingStore data;
        private final InstrumentedCompleteStore store;
        private final SyncEngine engine;
        private int nextTenth = 1;

        EngineCopy(CrmFixture fx, long[] profile) {
            this.fx = fx;
            this.profile = profile;
            this.data = new InMemoryMarketingStore(fx.clock);
            this.store = InstrumentedStores.create().complete(data);
            SyncListener listener = profile == null ? SyncListener.NOOP : new SyncListener() {
                @Override
                public void onProgress(ObjectType type, long done, OptionalLong estimatedTotal) {
                    while (nextTenth <= 10 && done * 10 >= (long) nextTenth * fx.records) {
                        EngineCopy.this.profile[nextTenth++] = Meter.liveHeap();
                    }
                }
            };
            this.engine = SyncEngine.builder()
                    .crmSource(fx.crm)
                    .marketingStore(store)
                    .syncStateStore(new InMemorySyncStateStore())
                    .objectTypes(fx.type)
                    .pageSize(config.pageSize())
                    .clock(fx.clock)
                    .listener(listener)
                    .engineId(ENGINE_ID)
                    .build();
        }

        /** Runs the first cycle: the full copy. */
        CopyRun run() {
            if (profile != null) {
                profile[0] = Meter.liveHeap();
            }
            long storeCalls0 = store.log().total();
            Meter meter = Meter.start();
            SyncReport report = engine.runCycle();
            Meter.Sample time = meter.stop();
            checkComplete(report);
            SyncCounts c = report.totals();
            check("engine copy: records read", fx.records, c.read());
            check("engine copy: records created", fx.records, c.created());
            check("engine copy: records in the store", fx.records, data.size(fx.type));
            return new CopyRun("engine", fx.records, time, report.crmCallsTotal(), store.log().total() - storeCalls0);
        }

        /** Runs an incremental cycle after {@code changes} records were edited (none re-read). */
        CycleRun cycle(int changes) {
            return cycle(changes, -1);
        }

        /**
         * Runs an incremental cycle after {@code changes} records were edited.
         *
         * @param reread how many unchanged records the lookback brings back, or -1 for a burst cycle (none)
         */
        CycleRun cycle(int changes, int reread) {
            Meter meter = Meter.start();
            SyncReport report = engine.runCycle();
            Meter.Sample time = meter.stop();
            checkComplete(report);
            SyncCounts c = report.totals();
            String what = "incremental cycle of " + changes + " changes";
            check(what + ": records read", changes + Math.max(0, reread), c.read());
            check(what + ": records updated", changes, c.updated());
            check(what + ": records unchanged", Math.max(0, reread), c.unchanged());
            check(what + ": records created", 0, c.created());
            return new CycleRun(reread >= 0, changes, fx.records, time, report.crmCalls(), c);
        }
    }

    private static void checkComplete(SyncReport report) {
        if (!report.isComplete()) {
            throw new IllegalStateException("cycle " + report.cycleId() + " did not complete: " + report.outcome()
                    + "\n" + report.toTable());
        }
    }

    private static void check(String what, long expected, long actual) {
        if (expected != actual) {
            throw new IllegalStateException(what + ": expected " + expected + ", was " + actual);
        }
    }

    private static long calls(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new HashMap<>(after);
        long sum = 0;
        for (Map.Entry<String, Long> e : d.entrySet()) {
            sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return sum;
    }
}
