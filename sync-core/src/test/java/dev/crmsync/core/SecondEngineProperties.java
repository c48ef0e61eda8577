package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.PushResult;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.MarketingRecord;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Issue 10's generator of a second engine instance. Over random Lead histories, an engine's cycle
 * (A) is overlapped, at a random call, by a second instance of the same engine id (B, as a second
 * process would be): either while A's lease is live — B must be refused, its cycle not
 * {@code COMPLETE} or its push not made — or after A froze past its lease's ttl, so that B takes
 * the lease over and syncs while CRM users and the host go on editing, before and after B; then A
 * wakes up and carries on with what it read before.
 *
 * <p>Laws: A never writes to the CRM or the store what it merged before it lost the lease (no
 * older value over a newer CRM edit; no checkpoint saved after B took over); B is refused while
 * A's lease is live; and once both are done, within two cycles nothing is lost or duplicated, both
 * sides hold what the policy dictates, and a quiet cycle writes nothing.
 */
class SecondEngineProperties {

    sealed interface Op {
    }

    record CrmNew() implements Op {
    }

    record MktNew() implements Op {
    }

    record CrmEdit(int pick, int field) implements Op {
    }

    record MktEdit(int pick, int field) implements Op {
    }

    record Push(int pick) implements Op {
    }

    record Cycle() implements Op {
    }

    record Advance(int seconds) implements Op {
    }

    /**
     * A cycle of engine A that a second instance B overlaps before A's call {@code at}: after A froze
     * past its lease's ttl ({@code lapse}) or not; B runs a cycle, or pushes a person
     * ({@code push}); {@code before} CRM edits come before B, {@code after} CRM and host edits
     * after it.
     */
    record Overlap(int at, boolean lapse, boolean push, int before, int after, int pick) implements Op {
    }

    @Provide
    Arbitrary<List<Op>> histories() {
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 4);
        Arbitrary<Integer> field = Arbitraries.integers().between(0, 1);
        Arbitrary<Op> overlap = Combinators.combine(Arbitraries.integers().between(1, 60),
                Arbitraries.of(true, true, false), Arbitraries.of(false, false, true),
                Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 3), pick)
                .as(Overlap::new);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(new CrmNew())),
                Tuple.of(3, Arbitraries.just(new MktNew())),
                Tuple.of(6, Combinators.combine(pick, field).as(CrmEdit::new)),
                Tuple.of(6, Combinators.combine(pick, field).as(MktEdit::new)),
                Tuple.of(2, pick.map(Push::new)),
                Tuple.of(3, Arbitraries.just(new Cycle())),
                Tuple.of(6, overlap),
                Tuple.of(1, Arbitraries.integers().between(1, 120).map(Advance::new)));
        return op.list().ofMinSize(1).ofMaxSize(Integer.getInteger("crmsync.property.maxHistory", 24));
    }

    static void apply(LeadWorld w, Op op, String ctx) {
        if (op instanceof CrmNew) {
            w.crmNewLead();
        } else if (op instanceof MktNew) {
            w.mktNewLead(java.util.Map.of());
        } else if (op instanceof CrmEdit e) {
            w.crmEdit(e.pick(), e.field());
        } else if (op instanceof MktEdit e) {
            w.mktEdit(e.pick(), e.field());
        } else if (op instanceof Push p) {
            w.push(w.builder(), p.pick());
        } else if (op instanceof Cycle) {
            w.cycle();
        } else if (op instanceof Advance a) {
            w.h.clock.advance(Duration.ofSeconds(a.seconds()));
        } else if (op instanceof Overlap o) {
            overlap(w, o, ctx + "\nat " + o);
        }
    }

    private static void overlap(LeadWorld w, Overlap o, String ctx) {
        LeadWorld.Wire a = w.new Wire();
        boolean[] tookOver = {false};
        @SuppressWarnings("unchecked")
        Optional<Checkpoint>[] afterB = new Optional[] {Optional.empty()};
        a.at(o.at(), () -> {
            boolean aHeld = a.held() != null;
            if (o.lapse()) {
                w.h.clock.advance(SyncEngine.DEFAULT_LEASE_TTL.plusSeconds(1));      // A is frozen past its ttl
            }
            for (int i = 0; i < o.before(); i++) {
                w.crmEdit(o.pick() + i, i);
            }
            boolean live = aHeld && !o.lapse();
            if (o.push()) {
                MarketingRecord r = LeadWorld.pick(w.unlinked(), o.pick());
                PushResult p = w.push(w.builder(), r);
                if (live && p != null) {
                    assertFalse(p instanceof PushResult.Created, () -> "B pushed while A's lease was live: " + p + ctx);
                    assertTrue(p instanceof PushResult.Rejected rj && rj.retriable(),
                            () -> "B's push under A's live lease: " + p + ctx);
                }
            } else {
                SyncReport b = w.cycle();
                TypeOutcome out = LeadWorld.outcome(b);
                if (live) {
                    assertTrue(out instanceof TypeOutcome.Blocked, () -> "B synced while A's lease was live\n"
                            + b.toTable() + ctx);
                    LeadWorld.assertNotComplete(b, ctx);
                } else if (aHeld) {
                    tookOver[0] = !(out instanceof TypeOutcome.Blocked);
                    afterB[0] = w.h.state.checkpoint(LeadWorld.LEAD);
                }
            }
            for (int i = 0; i < o.after(); i++) {
                w.crmEdit(o.pick() + 2 + i, i + 1);
                w.mktEdit(o.pick() + 1 + i, i);    // while A runs: its store write must not overwrite it
            }
        });
        w.cycle(a.builder());
        w.epoch++;            // A ran after the edits of the overlap: edits after this are another epoch
        if (tookOver[0]) {
            assertEquals(afterB[0], w.h.state.checkpoint(LeadWorld.LEAD),
                    () -> "A saved a checkpoint after B took its lease over" + ctx);
        }
    }

    @Property
    void aSecondInstanceIsRefusedWhileTheLeaseIsLiveAndAnInstanceThatLostItWritesNothingItMergedBefore(
            @ForAll("histories") List<Op> history) {
        String ctx = "\nhistory: " + history;
        LeadWorld w = new LeadWorld(1);
        for (Op op : history) {
            apply(w, op, ctx);
        }
        assertEquals(List.of(), w.staleWrites, () -> "the engine put older values back over newer CRM edits" + ctx);
        w.pushUnlinked(Set.of(), ctx);
        w.cleanCycle();
        w.cleanCycle();
        w.assertConverged(Set.of(), ctx);
        w.assertQuiet(ctx);
    }
}
