package dev.crmsync.core;

import dev.crmsync.core.report.SyncCounts;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.SyncStateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * The one-way sync laws over random CRM histories: convergence after every cycle, and
 * resumability after a kill at any call.
 */
class SyncLawsProperties {

    private static final ObjectType ACCOUNT = ObjectType.ACCOUNT;
    private static final ObjectType OPPORTUNITY = ObjectType.OPPORTUNITY;
    private static final List<ObjectType> TYPES = List.of(ACCOUNT, OPPORTUNITY);
    private static final Duration LOOKBACK = Duration.ofMinutes(5);

    // ---- the CRM-side history ------------------------------------------------------------------

    /** One step of a history, applied to a world. */
    sealed interface Op {
    }

    record Insert(int type, String name, int number) implements Op {
    }

    record Update(int type, int pick, String name, int number) implements Op {
    }

    record Delete(int type, int pick) implements Op {
    }

    record Undelete(int type, int pick) implements Op {
    }

    /** Created or changed with a stamp up to a lookback older than now: visible late. */
    record Late(int type, int pick, boolean insert, int secondsBack, String name) implements Op {
    }

    record Advance(int seconds) implements Op {
    }

    record Purge() implements Op {
    }

    record AddField(int n) implements Op {
    }

    record Cycle() implements Op {
    }

    /** The fakes, and the ids created so far per type (same seed and history: same ids). */
    static final class World {
        final EngineHarness h;
        final Map<ObjectType, List<CrmId>> ids = new HashMap<>();
        final List<String> extraFields = new ArrayList<>();

        World(long seed) {
            h = new EngineHarness(seed);
            TYPES.forEach(t -> ids.put(t, new ArrayList<>()));
        }

        private CrmId pick(ObjectType type, int pick, boolean deleted) {
            List<CrmId> candidates = new ArrayList<>();
            for (CrmId id : ids.get(type)) {
                h.crm.get(type, id).filter(r -> r.deleted() == deleted
                        && !r.fields().containsKey(SyncRecord.MASTER_RECORD_ID)).ifPresent(r -> candidates.add(id));
            }
            return candidates.isEmpty() ? null : candidates.get(Math.floorMod(pick, candidates.size()));
        }

        private Map<String, FieldValue> values(ObjectType type, String name, int number) {
            Map<String, FieldValue> v = new HashMap<>();
            v.put("Name", FieldValue.text(name));
            if (type.equals(ACCOUNT)) {
                v.put("NumberOfEmployees", number == 0 ? FieldValue.NULL : FieldValue.number(number));
                if (!extraFields.isEmpty()) {
                    v.put(extraFields.get(Math.floorMod(number, extraFields.size())), FieldValue.text(name));
                }
            } else {
                v.put("Amount", FieldValue.number(number));
                List<CrmId> accounts = ids.get(ACCOUNT);
                if (!accounts.isEmpty()) {
                    v.put("AccountId", FieldValue.ref(accounts.get(Math.floorMod(number, accounts.size()))));
                }
            }
            return v;
        }

        /** Applies a CRM-side step; returns false for a cycle, which the caller runs. */
        boolean apply(Op op) {
            if (op instanceof Insert i) {
                ObjectType t = TYPES.get(i.type());
                ids.get(t).add(h.crm.insert(t, values(t, i.name(), i.number())));
            } else if (op instanceof Update u) {
                ObjectType t = TYPES.get(u.type());
                CrmId id = pick(t, u.pick(), false);
                if (id != null) {
                    h.crm.update(t, id, values(t, u.name(), u.number()));
                }
            } else if (op instanceof Delete d) {
                ObjectType t = TYPES.get(d.type());
                CrmId id = pick(t, d.pick(), false);
                if (id != null) {
                    h.crm.delete(t, id);
                }
            } else if (op instanceof Undelete u) {
                ObjectType t = TYPES.get(u.type());
                CrmId id = pick(t, u.pick(), true);
                if (id != null) {
                    h.crm.undelete(t, id);
                }
            } else if (op instanceof Late l) {
                ObjectType t = TYPES.get(l.type());
                var stamp = h.clock.instant().minusSeconds(l.secondsBack());
                if (l.insert()) {
                    ids.get(t).add(h.crm.insertLate(t, values(t, l.name(), l.secondsBack()), stamp));
                } else {
                    CrmId id = pick(t, l.pick(), false);
                    if (id != null) {
                        h.crm.updateLate(t, id, values(t, l.name(), l.secondsBack()), stamp);
                    }
                }
            } else if (op instanceof Advance a) {
                h.clock.advance(Duration.ofSeconds(a.seconds()));
            } else if (op instanceof Purge) {
                h.crm.purgeRecycleBin();
            } else if (op instanceof AddField f) {
                String name = "Extra" + extraFields.size() + "__c";
                h.crm.addField(ACCOUNT, FieldSchema.of(name, FieldType.STRING));
                extraFields.add(name);
            } else {
                return false;
            }
            return true;
        }

        void assertMirrors() {
            TYPES.forEach(h::assertStoreMirrorsCrm);
        }

        Map<ObjectType, Map<CrmId, EngineHarness.Content>> storeContent() {
            Map<ObjectType, Map<CrmId, EngineHarness.Content>> m = new HashMap<>();
            TYPES.forEach(t -> m.put(t, EngineHarness.content(h.store, t)));
            return m;
        }
    }

    @Provide
    Arbitrary<List<Op>> histories() {
        Arbitrary<Integer> type = Arbitraries.integers().between(0, 1);
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 50);
        Arbitrary<String> name = Arbitraries.strings().withChars("abcxyz ").ofMinLength(0).ofMaxLength(4);
        Arbitrary<Integer> number = Arbitraries.integers().between(0, 3);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Combinators.combine(type, name, number).as(Insert::new)),
                net.jqwik.api.Tuple.of(5, Combinators.combine(type, pick, name, number).as(Update::new)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(type, pick).as(Delete::new)),
                net.jqwik.api.Tuple.of(1, Combinators.combine(type, pick).as(Undelete::new)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(type, pick, Arbitraries.of(true, false),
                        Arbitraries.integers().between(0, (int) LOOKBACK.toSeconds() - 1), name).as(Late::new)),
                net.jqwik.api.Tuple.of(3, Arbitraries.oneOf(Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(60, 7_200),
                        Arbitraries.just((int) Duration.ofDays(16).toSeconds())).map(Advance::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Purge())),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 1).map(AddField::new)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(new Cycle())));
        return op.list().ofMinSize(0).ofMaxSize(30);
    }

    private static SyncEngine engine(EngineHarness h, int pageSize, int batch) {
        return h.builder().objectTypes(TYPES).pageSize(pageSize).storeBatchSize(batch).lookback(LOOKBACK).build();
    }

    // ---- law 1: convergence --------------------------------------------------------------------

    /**
     * For any history of CRM creates, updates, deletes, undeletes, late-visible writes, clock
     * jumps (past the recycle bin's retention too), bin purges and new fields, interleaved with
     * cycles: after each cycle the store holds exactly the CRM's readable data, deleted records
     * flagged.
     */
    @Property
    void afterEveryCycleTheStoreMirrorsTheCrm(@ForAll("histories") List<Op> history,
                                              @ForAll @IntRange(min = 1, max = 6) int pageSize,
                                              @ForAll @IntRange(min = 1, max = 4) int batch,
                                              @ForAll @IntRange(min = 0, max = 1_000) int seed) {
        World w = new World(seed);
        try (SyncEngine engine = engine(w.h, pageSize, batch)) {
            List<Op> withFinalCycle = new ArrayList<>(history);
            withFinalCycle.add(new Cycle());
            for (Op op : withFinalCycle) {
                if (!w.apply(op)) {
                    SyncReport report = engine.runCycle();
                    assertTrue(report.isComplete(), report::toTable);
                    w.assertMirrors();
                }
            }
            // and a quiet cycle writes nothing
            w.h.clock.advance(Duration.ofSeconds(1));
            SyncReport quiet = engine.runCycle();
            assertEquals(0, quiet.totals().moved(), quiet::toTable);
        }
    }

    // ---- law 2: resumability -------------------------------------------------------------------

    /**
     * Two identical worlds live the same history. Then both get more CRM changes; the reference
     * runs one cycle, the other is killed at a random call of that cycle (to the CRM, a change
     * stream, the marketing store or the state store: that call and all later ones fail) and runs
     * again with a fresh engine. Both stores end equal, and the two runs together created,
     * updated and deleted exactly as many records as the reference: nothing lost, nothing applied
     * twice (re-read overlap is compared and not written).
     */
    @Property
    void aCycleKilledAtAnyCallThenRunAgainEndsAsIfUninterrupted(@ForAll("histories") List<Op> before,
                                                                @ForAll("histories") List<Op> during,
                                                                @ForAll @DoubleRange(min = 0, max = 1) double killPoint,
                                                                @ForAll @IntRange(min = 1, max = 6) int pageSize,
                                                                @ForAll @IntRange(min = 1, max = 4) int batch,
                                                                @ForAll @IntRange(min = 0, max = 1_000) int seed) {
        World ref = new World(seed);
        World victim = new World(seed);
        try (SyncEngine refEngine = engine(ref.h, pageSize, batch);
             SyncEngine victimEngine = engine(victim.h, pageSize, batch)) {
            for (Op op : before) {
                if (!ref.apply(op)) {
                    refEngine.runCycle();
                }
                if (!victim.apply(op)) {
                    victimEngine.runCycle();
                }
            }
        }
        for (Op op : during) {
            ref.apply(op);
            victim.apply(op);
        }

        KillSwitch counter = new KillSwitch();
        SyncReport reference;
        try (SyncEngine e = wired(ref.h, counter, pageSize, batch)) {
            reference = e.runCycle();
        }
        assertTrue(reference.isComplete(), reference::toTable);

        KillSwitch kill = new KillSwitch().armAt(1 + (long) Math.floor(killPoint * (counter.calls() - 1)));
        SyncReport killed;
        try (SyncEngine e = wired(victim.h, kill, pageSize, batch)) {
            killed = e.runCycle();
        }
        assertTrue(kill.fired());
        // the dead process never released its lease: the restart waits until it lapses
        victim.h.clock.advance(SyncEngine.DEFAULT_LEASE_TTL);
        SyncReport rerun;
        try (SyncEngine e = engine(victim.h, pageSize, batch)) {
            rerun = e.runCycle();
        }
        assertTrue(rerun.isComplete(), rerun::toTable);

        assertEquals(ref.storeContent(), victim.storeContent());
        victim.assertMirrors();
        SyncCounts want = reference.totals();
        SyncCounts got = killed.totals().plus(rerun.totals());
        assertEquals(want.created(), got.created(), "created");
        assertEquals(want.updated(), got.updated(), "updated");
        assertEquals(want.deleted(), got.deleted(), "deleted");
    }

    private static SyncEngine wired(EngineHarness h, KillSwitch ks, int pageSize, int batch) {
        return SyncEngine.builder()
                .crmSource(ks.wrap(CrmSource.class, h.crm))
                .marketingStore(ks.wrap(BidirectionalStore.class, h.store))
                .syncStateStore(ks.wrap(SyncStateStore.class, h.state))
                .clock(h.clock).engineId("test-engine").leaseRenewalExecutor(h.renewals)
                .objectTypes(TYPES).pageSize(pageSize).storeBatchSize(batch).lookback(LOOKBACK).build();
    }
}
