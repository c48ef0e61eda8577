package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.CrmWrite;
import dev.crmsync.model.FieldValue;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncSide;
import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.testkit.fault.StoreOperation;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Issue 10's first generator: whole-call failures. Over random Lead histories (edits on both
 * sides, host-created persons, pushes, cycles), whole calls fail — a CRM write batch (retriably,
 * as a 5xx, or not, as a 400 whole-request refusal), the other CRM calls, the marketing store's
 * and the state store's calls — and some host edits carry a value the CRM refuses as a whole
 * request ({@code JSON_PARSER_ERROR}) that no value check can see, in any batch holding it.
 *
 * <p>Laws, once the faults stop (the host re-drives what waits): within two cycles nothing is lost
 * or duplicated (CRM leads counted by marketing id), both sides hold the values the policy
 * dictates, the type's checkpoint has passed every host change, no older value was written over a
 * newer CRM edit, and a quiet cycle writes nothing; each record still holding a refused value is
 * isolated — rejected with {@code CRM_REQUEST_REFUSED}, the value never in the CRM — while the rest
 * converge; and once its value is fixed, it converges too.
 */
class WholeCallFailureProperties {

    static final String REFUSED = "refuse";
    static final String REQUEST_REFUSED = "CRM_REQUEST_REFUSED";

    sealed interface Op {
    }

    record CrmNew() implements Op {
    }

    record MktNew(boolean refused) implements Op {
    }

    record CrmEdit(int pick, int field) implements Op {
    }

    record MktEdit(int pick, int field) implements Op {
    }

    /** The host sets a lead's Title to a value the CRM refuses as a whole request. */
    record Refuse(int pick) implements Op {
    }

    /** The host fixes a refused Title. */
    record Fix(int pick) implements Op {
    }

    record Push(int pick) implements Op {
    }

    /** The next {@code n} calls of one operation fail as a whole, before they take effect. */
    record CallFails(int target, int n, boolean retriable) implements Op {
    }

    record Cycle() implements Op {
    }

    record Advance(int seconds) implements Op {
    }

    private static final List<CrmOperation> CRM_OPS = List.of(CrmOperation.WRITE, CrmOperation.WRITE,
            CrmOperation.READ_PAGE, CrmOperation.FETCH, CrmOperation.DESCRIBE, CrmOperation.DELETED_SINCE);
    private static final List<StoreOperation> STORE_OPS = List.of(StoreOperation.UPSERT, StoreOperation.LINK,
            StoreOperation.CHANGES_SINCE, StoreOperation.FIND_BY_CRM_IDS, StoreOperation.FIND_BY_MARKETING_ID);
    private static final List<StoreOperation> STATE_OPS = List.of(StoreOperation.SAVE_CHECKPOINT,
            StoreOperation.SAVE_BASES, StoreOperation.IN_TRANSACTION, StoreOperation.SAVE_FAILURE,
            StoreOperation.BASES, StoreOperation.INTENTS);
    private static final int TARGETS = CRM_OPS.size() + STORE_OPS.size() + STATE_OPS.size();

    @Provide
    Arbitrary<List<Op>> histories() {
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 4);
        Arbitrary<Integer> field = Arbitraries.integers().between(0, 1);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(new CrmNew())),
                Tuple.of(3, Arbitraries.of(false, false, true).map(MktNew::new)),
                Tuple.of(6, Combinators.combine(pick, field).as(CrmEdit::new)),
                Tuple.of(6, Combinators.combine(pick, field).as(MktEdit::new)),
                Tuple.of(2, pick.map(Refuse::new)),
                Tuple.of(1, pick.map(Fix::new)),
                Tuple.of(2, pick.map(Push::new)),
                Tuple.of(6, Combinators.combine(Arbitraries.integers().between(0, TARGETS - 1),
                        Arbitraries.integers().between(1, 3), Arbitraries.of(true, false)).as(CallFails::new)),
                Tuple.of(5, Arbitraries.just(new Cycle())),
                Tuple.of(1, Arbitraries.integers().between(1, 120).map(Advance::new)));
        return op.list().ofMinSize(1).ofMaxSize(Integer.getInteger("crmsync.property.maxHistory", 24));
    }

    static boolean refused(FieldValue v) {
        return v instanceof FieldValue.Text t && t.value().startsWith(REFUSED);
    }

    static boolean anyRefused(List<? extends CrmWrite> writes) {
        return writes.stream().anyMatch(w -> refused(w.fields().getOrDefault("Title", FieldValue.NULL)));
    }

    static void apply(LeadWorld w, Op op) {
        if (op instanceof CrmNew) {
            w.crmNewLead();
        } else if (op instanceof MktNew n) {
            w.mktNewLead(n.refused() ? Map.of("Title", FieldValue.text(REFUSED + (++w.counter))) : Map.of());
        } else if (op instanceof CrmEdit e) {
            w.crmEdit(e.pick(), e.field());
        } else if (op instanceof MktEdit e) {
            w.mktEdit(e.pick(), e.field());
        } else if (op instanceof Refuse r) {
            MarketingRecord m = LeadWorld.pick(w.stored(), r.pick());
            if (m != null) {
                w.mktEdit(m, Map.of("Title", FieldValue.text(REFUSED + (++w.counter))));
            }
        } else if (op instanceof Fix f) {
            MarketingRecord m = LeadWorld.pick(w.stored().stream().filter(x -> refused(x.get("Title"))).toList(),
                    f.pick());
            if (m != null) {
                w.mktEdit(m, Map.of("Title", w.tag()));
            }
        } else if (op instanceof Push p) {
            w.push(w.builder(), p.pick());
        } else if (op instanceof CallFails c) {
            Fault fault = c.retriable() ? Fault.retriable() : Fault.fatal();
            int t = c.target();
            if (t < CRM_OPS.size()) {
                w.h.crm.faults().failNext(CRM_OPS.get(t), c.n(), fault);
            } else if (t < CRM_OPS.size() + STORE_OPS.size()) {
                w.h.store.faults().failNext(STORE_OPS.get(t - CRM_OPS.size()), c.n(), fault);
            } else {
                w.h.state.faults().failNext(STATE_OPS.get(t - CRM_OPS.size() - STORE_OPS.size()), c.n(), fault);
            }
        } else if (op instanceof Cycle) {
            w.cycle();
        } else if (op instanceof Advance a) {
            w.h.clock.advance(Duration.ofSeconds(a.seconds()));
        }
    }

    @Property
    void onceWholeCallFailuresStopNothingIsLostOrDuplicatedAndARefusedRecordIsIsolated(
            @ForAll("histories") List<Op> history, @ForAll @IntRange(min = 0, max = 10_000) int seed) {
        String ctx = "\nhistory: " + history;
        LeadWorld w = new LeadWorld(seed);
        w.refuseWholeRequests(WholeCallFailureProperties::anyRefused);
        for (Op op : history) {
            apply(w, op);
        }
        w.stopFaults();
        Set<String> held = new HashSet<>();
        for (MarketingRecord m : w.stored()) {
            if (refused(m.get("Title"))) {
                held.add(m.marketingId());
            }
        }
        w.pushUnlinked(held, ctx);
        w.cleanCycle();
        w.cleanCycle();

        for (MarketingRecord m : w.stored()) {
            if (held.contains(m.marketingId())) {
                RecordKey key = m.crmId() == null ? RecordKey.marketing(m.marketingId()) : RecordKey.crm(m.crmId());
                Optional<FailedRecord> f = w.h.state.failure(LeadWorld.LEAD, key, SyncSide.CRM);
                assertTrue(f.isPresent(), () -> "record " + key + " holds a refused value but no"
                        + " rejection is on record" + ctx);
                assertEquals(REQUEST_REFUSED, f.get().code(), ctx);
                if (m.crmId() != null) {
                    assertFalse(refused(w.h.crmValue(LeadWorld.LEAD, m.crmId(), "Title")),
                            () -> "the refused value reached the CRM" + ctx);
                }
            }
        }
        w.assertConverged(held, ctx);
        w.assertQuiet(ctx);

        // the host fixes every refused value: the records converge, rejections ended
        for (MarketingRecord m : w.stored()) {
            if (held.contains(m.marketingId())) {
                w.mktEdit(m, Map.of("Title", w.tag()));
            }
        }
        w.pushUnlinked(Set.of(), ctx);
        w.cleanCycle();
        w.cleanCycle();
        w.assertConverged(Set.of(), ctx);
        w.assertQuiet(ctx);
    }
}
