package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.Cursor;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.testkit.fault.InstrumentedStores;
import dev.crmsync.testkit.fault.SimulatedCrash;
import dev.crmsync.testkit.fault.StoreOperation;
import dev.crmsync.testkit.salesforce.HttpFault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A first copy through Bulk API 2.0 that dies again and again, in-process, over real HTTP against the
 * fake server: every restart continues the same job from its last durable chunk (one job in all),
 * progress only grows, no job is left open, and the store ends equal to the CRM. When the job is gone
 * or was abandoned between restarts, a new one is read and nothing is lost.
 */
class SalesforceBulkResumeTest {

    private static final ObjectType ACCOUNT = ObjectType.ACCOUNT;
    private static final int ACCOUNTS = 3_000;
    private static final int PAGE = 250;
    private static final int CHUNK = 500;

    private final FakeOrg org = new FakeOrg();
    private final InMemoryMarketingStore store = new InMemoryMarketingStore(org.clock);
    private final InMemorySyncStateStore state = new InMemorySyncStateStore(org.clock);
    private final List<SalesforceCrmSource> sources = new ArrayList<>();

    @AfterEach
    void close() {
        sources.forEach(SalesforceCrmSource::close);
        org.close();
    }

    /** Accounts spread over several stamps, many sharing one. */
    private void accounts() {
        for (int i = 0; i < ACCOUNTS; i++) {
            if (i % 400 == 0) {
                org.clock.advance(Duration.ofSeconds(1));
            }
            org.crm.insert(ACCOUNT, Map.of("Name", FieldValue.text("Account " + i),
                    "NumberOfEmployees", FieldValue.number(i % 97)));
        }
        org.clock.advance(Duration.ofMinutes(1));
    }

    /** A fresh process's source: Bulk above 1,000 records, results in chunks of {@value #CHUNK}. */
    private SalesforceCrmSource source(SalesforceCrmSource.Builder b) {
        SalesforceCrmSource s = org.open(b.bulkThreshold(1_000).bulkMaxRecordsPerResult(CHUNK));
        sources.add(s);
        return s;
    }

    private SyncEngine engine(SalesforceCrmSource sf, InstrumentedStores kit) {
        return SyncEngine.builder().crmSource(sf).marketingStore(kit.marketing(store)).syncStateStore(kit.state(state))
                .clock(org.clock).engineId("bulk-resume").objectTypes(ACCOUNT).pageSize(PAGE).build();
    }

    private long created() {
        return sources.stream().mapToLong(s -> s.callCounts().getOrDefault("bulk.create", 0L)).sum();
    }

    private long calls(String name) {
        return sources.stream().mapToLong(s -> s.callCounts().getOrDefault(name, 0L)).sum();
    }

    private Optional<Checkpoint> checkpoint() {
        return state.checkpoint(ACCOUNT);
    }

    private Optional<EngineIntent> resumePoint() {
        return state.intent(ACCOUNT, EngineIntent.ReadResume.KEY, EngineIntent.Kind.READ_RESUME);
    }

    /** The dead process's lease lapses before the restart takes it. */
    private void restartLater() {
        org.clock.advance(SyncEngine.DEFAULT_LEASE_TTL.plusSeconds(1));
    }

    private void assertStoreEqualsCrm() {
        List<SyncRecord> crm = org.crm.records(ACCOUNT);
        assertEquals(crm.size(), store.size(ACCOUNT), "store holds every account");
        Map<CrmId, MarketingRecord> held = store.findByCrmIds(ACCOUNT, crm.stream().map(SyncRecord::id).toList());
        for (SyncRecord r : crm) {
            MarketingRecord m = held.get(r.id());
            assertTrue(m != null, "store holds " + r.id());
            assertEquals(new TreeMap<>(Map.of("Name", r.get("Name"), "NumberOfEmployees", r.get("NumberOfEmployees"))),
                    new TreeMap<>(Map.of("Name", m.get("Name"), "NumberOfEmployees", m.get("NumberOfEmployees"))),
                    "values of " + r.id());
        }
    }

    /** @return a predicate true on the {@code n}-th operation {@code op} it is asked about */
    private static Predicate<StoreOperation> nth(StoreOperation op, int n) {
        AtomicInteger seen = new AtomicInteger();
        return o -> o == op && seen.incrementAndGet() == n;
    }

    /** Runs restarts until one completes; each before the last dies as {@code arm} arranges. */
    private int restartUntilDone(java.util.function.Consumer<InstrumentedStores> arm,
                                 java.util.function.Supplier<SalesforceCrmSource.Builder> builder,
                                 java.util.function.IntToLongFunction jobsAfterRun) {
        long lastDone = -1;
        int lastSize = -1;
        for (int run = 1; run <= 40; run++) {
            InstrumentedStores kit = InstrumentedStores.create();
            arm.accept(kit);
            SalesforceCrmSource sf = source(builder.get());
            SyncEngine engine = engine(sf, kit);
            SyncReport report = engine.runCycle();
            if (!report.isComplete()) {
                // the process died (the engine reports the crash as the type's failure; nothing else
                // is closed, and its lease lapses)
                assertTrue(report.toTable().contains("ACCOUNT") || report.toTable().contains("Account"),
                        report::toTable);
                Checkpoint cp = checkpoint().orElseThrow();
                assertFalse(cp.initialCopyDone());
                assertTrue(cp.recordsDone() > lastDone, "run " + run + " made progress: " + cp.recordsDone()
                        + " records done after " + lastDone);
                assertTrue(store.size(ACCOUNT) > lastSize, "run " + run + ": the store holds more: "
                        + store.size(ACCOUNT) + " after " + lastSize);
                lastDone = cp.recordsDone();
                lastSize = store.size(ACCOUNT);
                assertEquals(jobsAfterRun.applyAsLong(run), created(), "run " + run + " continued the job: "
                        + org.server.bulkJobStates());
                restartLater();
                continue;
            }
            assertTrue(report.isComplete(), report::toTable);
            engine.close();
            return run;
        }
        throw new AssertionError("the first copy never finished");
    }

    @Test
    void aFirstCopyCrashedAfterEachChunkContinuesItsOneBulkJobAndProgressesAtEveryRestart() {
        accounts();
        // each process dies in its third page commit (the resume point of that page is saved before the
        // checkpoint, as a store without atomic transactions keeps it): three pages are durable per run
        int runs = restartUntilDone(kit -> kit.faults().failNextWhere(nth(StoreOperation.SAVE_CHECKPOINT, 3), 1,
                Fault.crash()), org::source, run -> 1);
        // 250 through REST, then 2,750 in 11 Bulk pages of 250: 12 pages, three per run, then the end
        assertEquals(5, runs, "runs");
        assertEquals(1, created(), "one job for the whole copy");
        assertEquals(Map.of(), openOrAborted(), "no job left open or abandoned");
        // 6 chunks, and a chunk again where a run had died in its middle (runs 3 and 5: chunks 3 and 6)
        assertEquals(8, calls("bulk.results"), "results downloads: " + sumCalls());
        Checkpoint done = checkpoint().orElseThrow();
        assertTrue(done.initialCopyDone());
        assertTrue(resumePoint().isEmpty(), "the resume point is deleted with the copy's last checkpoint");
        assertStoreEqualsCrm();

        // the incremental phase starts at the job's creation (and, as after any first copy, re-reads the
        // lookback window before the copy's start, here through a plain Bulk job): a quiet cycle moves nothing
        SalesforceCrmSource sf = source(org.source());
        org.clock.advance(Duration.ofMinutes(5));
        try (SyncEngine e = engine(sf, InstrumentedStores.create())) {
            SyncReport quiet = e.runCycle();
            assertTrue(quiet.isComplete(), quiet::toTable);
            assertEquals(0, quiet.totals().moved(), quiet::toTable);
        }
        assertEquals(0, org.server.openBulkJobs());
        Instant newest = org.crm.records(ACCOUNT).stream().map(SyncRecord::modstamp).max(Instant::compareTo)
                .orElseThrow();
        assertEquals(null, done.crmCursor().lastId(), "the copy ends at the job's creation time");
        assertTrue(done.crmCursor().modstamp().isAfter(newest), "the job was created after the newest account");
    }

    @Test
    void aCopyKilledWhileDownloadingAChunkStillProgressesAtEveryRestart() {
        accounts();
        // each process dies while it downloads its third chunk (the connection drops, and it dies in the
        // retry's wait): before the fix nothing of a job was applied before every chunk was downloaded
        AtomicBoolean dying = new AtomicBoolean();
        AtomicInteger results = new AtomicInteger();
        Predicate<String> thirdResults = p -> p.contains("/results") && results.incrementAndGet() == 3;
        int runs = restartUntilDone(kit -> {
            dying.set(false);
            results.set(0);
            org.server.faults().plan().clear().failNextWhere(thirdResults, 1, new HttpFault.DropConnection());
        }, () -> org.source().sleeper(d -> {
            if (results.get() >= 3 && !dying.getAndSet(true)) {
                throw new SimulatedCrash("killed while downloading Bulk results");
            }
            org.clock.advance(d);
        }), run -> 1);
        assertTrue(runs > 1 && runs <= 4, "runs: " + runs);
        assertEquals(1, created(), "one job for the whole copy");
        assertEquals(Map.of(), openOrAborted());
        assertStoreEqualsCrm();
        assertTrue(resumePoint().isEmpty());
    }

    @Test
    void aJobGoneBetweenRestartsIsReadAgainThroughANewJobAndNothingIsLost() {
        accounts();
        AtomicInteger run = new AtomicInteger();
        int runs = restartUntilDone(kit -> {
            int r = run.incrementAndGet();
            if (r == 2) {
                // the org deleted the job (seven days after its creation) while the engine was down
                org.clock.advance(Duration.ofDays(8));
                assertEquals(Map.of(), org.server.bulkJobStates());
            }
            if (r <= 2) {   // the second run reads anew: it has one page more to do before it holds more
                kit.faults().failNextWhere(nth(StoreOperation.SAVE_CHECKPOINT, 3 + r), 1, Fault.crash());
            }
        }, org::source, r -> r == 1 ? 1 : 2);
        assertEquals(3, runs);
        assertEquals(2, created(), "a new job once the first was gone");
        assertEquals(Map.of(), openOrAborted());
        assertStoreEqualsCrm();
        assertTrue(resumePoint().isEmpty());
    }

    @Test
    void aRunningJobIsWaitedForAfterARestartAndOneThatFailsThereIsReadThroughRest() {
        accounts();
        // the first process dies in its first page's commit: the job, created with that page, still runs
        InstrumentedStores kit = InstrumentedStores.create();
        kit.faults().failNextWhere(nth(StoreOperation.SAVE_CHECKPOINT, 1), 1, Fault.crash());
        assertFalse(engine(source(org.source()), kit).runCycle().isComplete(), "the process died");
        assertTrue(resumePoint().isPresent(), "the resume point is saved before the checkpoint");
        assertEquals(List.of("UploadComplete"), List.copyOf(org.server.bulkJobStates().values()));
        restartLater();
        // the restart waits for that job, which fails: the rest is read through REST, no second job
        org.server.faults().bulkJobsFail("InternalServerError: the query failed");
        try (SyncEngine e = engine(source(org.source()), InstrumentedStores.create())) {
            assertTrue(e.runCycle().isComplete());
        }
        org.server.faults().bulkJobsFail(null);
        assertEquals(1, created());
        assertEquals(List.of("Failed"), List.copyOf(org.server.bulkJobStates().values()));
        assertStoreEqualsCrm();
        assertTrue(resumePoint().isEmpty());
        assertTrue(checkpoint().orElseThrow().initialCopyDone());
    }

    @Test
    void aResumeTokenOfAnotherQueryAbortsItsJobAndTheReadStartsAnew() {
        accounts();
        SalesforceCrmSource first = source(org.source());
        ChangeQuery names = new ChangeQuery(ACCOUNT, Set.of("Name"), Cursor.START, PAGE).resumable(null);
        ChangeStream dying = first.openChanges(names);
        assertEquals(PAGE, dying.nextPage().size());
        String token = dying.resumePoint().orElseThrow();       // the job was created with the first page
        assertTrue(token.length() <= ChangeQuery.MAX_RESUME_TOKEN_LENGTH && !token.contains("Account"), token);
        // the process dies (the stream is never closed); the restart reads more fields
        SalesforceCrmSource second = source(org.source());
        ChangeQuery more = new ChangeQuery(ACCOUNT, Set.of("Name", "NumberOfEmployees"), Cursor.START, PAGE)
                .resumable(token);
        Set<CrmId> seen = new java.util.HashSet<>();
        try (ChangeStream s = second.openChanges(more)) {
            for (List<SyncRecord> page = s.nextPage(); !page.isEmpty(); page = s.nextPage()) {
                page.forEach(r -> {
                    assertTrue(r.fields().containsKey("NumberOfEmployees"));
                    assertTrue(seen.add(r.id()), "once: " + r.id());
                });
                assertTrue(s.resumePoint().isPresent());
            }
            assertTrue(s.endCursor().isPresent());
        }
        assertEquals(ACCOUNTS, seen.size());
        assertEquals(List.of("Aborted", "JobComplete"), List.copyOf(org.server.bulkJobStates().values()));
        assertEquals(1L, second.callCounts().get("bulk.abort"));
    }

    @Test
    void aResumedStreamContinuesMidChunkWithEveryRecordOnce() {
        accounts();
        ChangeQuery q = new ChangeQuery(ACCOUNT, Set.of("Name"), Cursor.START, PAGE).resumable(null);
        Set<CrmId> seen = new java.util.HashSet<>();
        String token = null;
        int opened = 0;
        while (true) {
            opened++;
            ChangeStream s = source(org.source()).openChanges(token == null ? q : q.resumable(token));
            List<SyncRecord> page = s.nextPage();
            if (page.isEmpty()) {
                assertTrue(s.endCursor().isPresent());
                s.close();
                break;
            }
            page.forEach(r -> assertTrue(seen.add(r.id()), "once: " + r.id()));
            token = s.resumePoint().orElseThrow();
            // one page per process: it dies without closing the stream
        }
        assertEquals(ACCOUNTS, seen.size());
        assertEquals(13, opened, "12 pages, then the end");
        assertEquals(1, created());
        assertEquals(12, calls("bulk.results"), "one download per process (each reads one page; the last"
                + " one finds the last chunk handed out): " + sumCalls());
    }

    private Map<String, String> openOrAborted() {
        Map<String, String> out = new TreeMap<>();
        org.server.bulkJobStates().forEach((id, st) -> {
            if (!st.equals("JobComplete") && !st.equals("Failed")) {
                out.put(id, st);
            }
        });
        return out;
    }

    private String sumCalls() {
        Map<String, Long> out = new TreeMap<>();
        sources.forEach(s -> s.callCounts().forEach((k, v) -> out.merge(k, v, Long::sum)));
        return out.toString();
    }
}
