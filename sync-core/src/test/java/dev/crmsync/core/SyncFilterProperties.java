package dev.crmsync.core;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The sync filter's laws over random Lead histories (issue 14 item 1): CRM creates in and out of
 * the filter, edits on both sides, records leaving and entering the filter, cycles.
 *
 * <ul>
 *   <li>a record that was outside the filter at every cycle is never in the store;</li>
 *   <li>while a record is outside the filter at a cycle, that cycle writes nothing of it to the CRM,
 *       and changes none of its store fields but the filter's;</li>
 *   <li>no record is ever deleted or duplicated in the store;</li>
 *   <li>once every record is in the filter, two cycles later both sides agree on every synced field of
 *       every record, and a further cycle writes nothing.</li>
 * </ul>
 */
class SyncFilterProperties {

    static final String SYNC = "Sync_To_Marketing__c";
    static final List<String> FIELDS = List.of("Title", "Phone");

    sealed interface Op {
    }

    record CrmNew(boolean in) implements Op {
    }

    record CrmEdit(int pick, int field) implements Op {
    }

    record Flip(int pick) implements Op {
    }

    record MktEdit(int pick, int field) implements Op {
    }

    record Cycle() implements Op {
    }

    @Provide
    Arbitrary<List<Op>> histories() {
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 5);
        Arbitrary<Integer> field = Arbitraries.integers().between(0, FIELDS.size() - 1);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(true, false).map(CrmNew::new)),
                Tuple.of(4, Combinators.combine(pick, field).as(CrmEdit::new)),
                Tuple.of(3, pick.map(Flip::new)),
                Tuple.of(4, Combinators.combine(pick, field).as(MktEdit::new)),
                Tuple.of(4, Arbitraries.just(new Cycle())));
        return op.list().ofMinSize(1).ofMaxSize(20);
    }

    /** The world of one history. */
    static final class World {
        final BidiHarness h = new BidiHarness();
        final List<CrmId> leads = new ArrayList<>();
        final Set<CrmId> everInAtACycle = new HashSet<>();
        int counter;
        final SyncEngine engine;

        World() {
            h.crm.addField(ObjectType.LEAD, FieldSchema.of(SYNC, FieldType.BOOLEAN));
            engine = h.builder().objectTypes(ObjectType.LEAD).syncFilter(ObjectType.LEAD, SyncFilter.checkbox(SYNC))
                    .build();
        }

        CrmId pick(int i) {
            return leads.isEmpty() ? null : leads.get(i % leads.size());
        }

        boolean inFilter(CrmId id) {
            return h.crmValue(ObjectType.LEAD, id, SYNC).equals(FieldValue.bool(true));
        }

        String tag() {
            return "v" + (++counter);
        }

        void apply(Op op, String ctx) {
            if (op instanceof CrmNew n) {
                h.tick();
                leads.add(h.lead("L" + (++counter), "Acme", SYNC, n.in()));
            } else if (op instanceof CrmEdit e && pick(e.pick()) != null) {
                h.tick();
                h.crm.update(ObjectType.LEAD, pick(e.pick()), fields(FIELDS.get(e.field()), tag()));
            } else if (op instanceof Flip f && pick(f.pick()) != null) {
                h.tick();
                CrmId id = pick(f.pick());
                h.crm.update(ObjectType.LEAD, id, fields(SYNC, !inFilter(id)));
            } else if (op instanceof MktEdit e && pick(e.pick()) != null) {
                CrmId id = pick(e.pick());
                if (h.stored(ObjectType.LEAD, id).isPresent()) {
                    h.edit(ObjectType.LEAD, id, FIELDS.get(e.field()), tag());
                }
            } else if (op instanceof Cycle) {
                cycle(ctx);
            }
        }

        /** A cycle, checking the laws that hold around each one. */
        void cycle(String ctx) {
            Set<CrmId> outside = new HashSet<>();
            Map<CrmId, Map<String, FieldValue>> storeBefore = new HashMap<>();
            Map<CrmId, SyncRecord> crmBefore = new HashMap<>();
            for (CrmId id : leads) {
                if (inFilter(id)) {
                    everInAtACycle.add(id);
                } else {
                    outside.add(id);
                    h.stored(ObjectType.LEAD, id).ifPresent(m -> storeBefore.put(id, m.fields()));
                    crmBefore.put(id, h.inCrm(ObjectType.LEAD, id));
                }
            }
            int storedBefore = h.data.size(ObjectType.LEAD);
            h.cycle(engine);
            for (CrmId id : outside) {
                assertEquals(crmBefore.get(id).modstamp(), h.inCrm(ObjectType.LEAD, id).modstamp(),
                        () -> "the cycle wrote a record outside the filter to the CRM: " + id + ctx);
                Map<String, FieldValue> before = storeBefore.get(id);
                if (before != null) {
                    MarketingRecord now = h.inStore(ObjectType.LEAD, id);
                    for (String f : FIELDS) {
                        assertEquals(before.getOrDefault(f, FieldValue.NULL), now.get(f),
                                () -> "field " + f + " of " + id + " changed in the store while outside the filter" + ctx);
                    }
                    assertEquals(FieldValue.bool(false), now.get(SYNC), () -> "not flagged: " + id + ctx);
                    assertFalse(now.crmDeleted(), () -> "deleted instead of flagged: " + id + ctx);
                }
            }
            assertTrue(h.data.size(ObjectType.LEAD) >= storedBefore, () -> "a record left the store" + ctx);
            for (CrmId id : leads) {
                if (!everInAtACycle.contains(id)) {
                    assertTrue(h.stored(ObjectType.LEAD, id).isEmpty(),
                            () -> "a record never in the filter at a cycle reached the store: " + id + ctx);
                }
            }
        }
    }

    @Property(tries = 300)
    void recordsOutsideTheFilterNeverSyncAndEveryRecordConvergesOnceInside(@ForAll("histories") List<Op> history) {
        String ctx = "\nhistory: " + history;
        World w = new World();
        try (w.engine) {
            for (Op op : history) {
                w.apply(op, ctx);
            }
            for (CrmId id : w.leads) {
                if (!w.inFilter(id)) {
                    w.h.tick();
                    w.h.crm.update(ObjectType.LEAD, id, fields(SYNC, true));
                }
            }
            w.cycle(ctx);
            w.cycle(ctx);
            for (CrmId id : w.leads) {
                MarketingRecord m = w.h.inStore(ObjectType.LEAD, id);
                for (String f : FIELDS) {
                    assertEquals(w.h.crmValue(ObjectType.LEAD, id, f), m.get(f),
                            () -> "sides differ on " + f + " of " + id + ctx);
                }
                assertEquals(FieldValue.bool(true), m.get(SYNC), ctx);
            }
            assertEquals(w.leads.size(), w.h.data.size(ObjectType.LEAD), () -> "duplicated or lost" + ctx);
            w.h.assertQuiet(w.engine);
        }
    }
}
