package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.StoreChecks;
import dev.crmsync.store.SyncSide;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
 * Issue 10's poison-value generator. Over random Lead histories, host edits and host-created
 * persons carry values Salesforce rejects — a non-finite double ({@code 1E+400}), dates of year
 * -5000 or 99999, text over the field's length, numbers outside precision and scale or the 32-bit
 * range or with a fraction in an integer field, an unknown restricted-picklist value, a malformed
 * e-mail — and CRM users set values the marketing store refuses (an unpaired UTF-16 surrogate).
 *
 * <p>Laws: every other record converges (both sides equal, the policy's values, nothing lost or
 * duplicated, no stale write) and the type's checkpoint passes every host change; each poisoned
 * record is rejected on the side that refuses it with a code of its poisoned field, naming the
 * field, never silently dropped (the store keeps the host's value, the CRM never gets it), kept for
 * retry or parked only after the configured attempts; a quiet cycle writes nothing; and once the
 * values are fixed — without a re-drive — every record converges and no rejection stays.
 */
class PoisonValueProperties {

    /** A poison value: the field, the value, the code the CRM (or the engine before it) gives it. */
    record Poison(String field, FieldValue value, String code) {
        @Override
        public String toString() {
            return field + "=" + (value instanceof FieldValue.Text t && t.value().length() > 12
                    ? "<" + t.value().length() + " chars>" : value) + " (" + code + ")";
        }
    }

    static final List<Poison> POISONS = List.of(
            new Poison("AnnualRevenue", FieldValue.number(new BigDecimal("1E+400")), "NUMBER_OUTSIDE_VALID_RANGE"),
            new Poison("AnnualRevenue", FieldValue.number(new BigDecimal("1e23")), "NUMBER_OUTSIDE_VALID_RANGE"),
            new Poison("Due__c", FieldValue.date(LocalDate.of(-5000, 1, 1)), "FIELD_INTEGRITY_EXCEPTION"),
            new Poison("Due__c", FieldValue.date(LocalDate.of(99999, 12, 31)), "FIELD_INTEGRITY_EXCEPTION"),
            new Poison("Note__c", FieldValue.text("x".repeat(21)), "STRING_TOO_LONG"),
            new Poison("Score__c", FieldValue.number(new BigDecimal("12345.6")), "NUMBER_OUTSIDE_VALID_RANGE"),
            new Poison("NumberOfEmployees", FieldValue.number(2_147_483_648L), "NUMBER_OUTSIDE_VALID_RANGE"),
            new Poison("NumberOfEmployees", FieldValue.number(new BigDecimal("1.5")), "NUMBER_OUTSIDE_VALID_RANGE"),
            new Poison("Tier__c", FieldValue.text("Platinum"), "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
            new Poison("Email", FieldValue.text("not an e-mail"), "INVALID_EMAIL_ADDRESS"));

    sealed interface Op {
    }

    record CrmNew() implements Op {
    }

    /** @param poison index into POISONS, or -1 for a clean person */
    record MktNew(int poison) implements Op {
    }

    record CrmEdit(int pick, int field) implements Op {
    }

    record MktEdit(int pick, int field) implements Op {
    }

    /** The host sets a poison value on a stored lead. */
    record MktPoison(int pick, int poison) implements Op {
    }

    /** A CRM user sets a Title the store cannot keep (an unpaired surrogate). */
    record CrmPoison(int pick) implements Op {
    }

    /** The host fixes a poisoned lead (every poison field gets a good value). */
    record MktFix(int pick) implements Op {
    }

    /** A CRM user fixes a Title the store refused. */
    record CrmFix(int pick) implements Op {
    }

    record Push(int pick) implements Op {
    }

    record Cycle() implements Op {
    }

    record Advance(int seconds) implements Op {
    }

    @Provide
    Arbitrary<List<Op>> histories() {
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 4);
        Arbitrary<Integer> field = Arbitraries.integers().between(0, 1);
        Arbitrary<Integer> poison = Arbitraries.integers().between(0, POISONS.size() - 1);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(new CrmNew())),
                Tuple.of(3, Arbitraries.oneOf(Arbitraries.just(-1), poison).map(MktNew::new)),
                Tuple.of(6, Combinators.combine(pick, field).as(CrmEdit::new)),
                Tuple.of(6, Combinators.combine(pick, field).as(MktEdit::new)),
                Tuple.of(4, Combinators.combine(pick, poison).as(MktPoison::new)),
                Tuple.of(2, pick.map(CrmPoison::new)),
                Tuple.of(1, pick.map(MktFix::new)),
                Tuple.of(1, pick.map(CrmFix::new)),
                Tuple.of(2, pick.map(Push::new)),
                Tuple.of(5, Arbitraries.just(new Cycle())),
                Tuple.of(1, Arbitraries.integers().between(1, 120).map(Advance::new)));
        return op.list().ofMinSize(1).ofMaxSize(Integer.getInteger("crmsync.property.maxHistory", 24));
    }

    /** @return the poisons a stored lead holds */
    static List<Poison> poisonsOf(MarketingRecord m) {
        return POISONS.stream().filter(p -> p.value().equals(m.get(p.field()))).toList();
    }

    static boolean storeRefuses(FieldValue v) {
        return v instanceof FieldValue.Text t && StoreChecks.unpairedSurrogate(t.value()) >= 0;
    }

    static void fix(LeadWorld w, MarketingRecord m) {
        Map<String, FieldValue> fixes = new LinkedHashMap<>();
        for (Poison p : poisonsOf(m)) {
            fixes.put(p.field(), LeadWorld.FIXES.get(p.field()));
        }
        if (!fixes.isEmpty()) {
            w.mktEdit(m, fixes);
        }
    }

    List<SyncRecord> crmPoisoned(LeadWorld w) {
        return w.h.crm.records(LeadWorld.LEAD).stream().filter(r -> storeRefuses(r.get("Title"))).toList();
    }

    void apply(LeadWorld w, Op op) {
        if (op instanceof CrmNew) {
            w.crmNewLead();
        } else if (op instanceof MktNew n) {
            w.mktNewLead(n.poison() < 0 ? Map.of() : Map.of(POISONS.get(n.poison()).field(),
                    POISONS.get(n.poison()).value()));
        } else if (op instanceof CrmEdit e) {
            w.crmEdit(e.pick(), e.field());
        } else if (op instanceof MktEdit e) {
            w.mktEdit(e.pick(), e.field());
        } else if (op instanceof MktPoison p) {
            MarketingRecord m = LeadWorld.pick(w.stored(), p.pick());
            if (m != null) {
                w.mktEdit(m, Map.of(POISONS.get(p.poison()).field(), POISONS.get(p.poison()).value()));
            }
        } else if (op instanceof CrmPoison p) {
            SyncRecord r = LeadWorld.pick(w.h.crm.records(LeadWorld.LEAD), p.pick());
            if (r != null) {
                w.crmEdit(r.id(), "Title", FieldValue.text("v" + (++w.counter) + "\uD800"));
            }
        } else if (op instanceof MktFix f) {
            MarketingRecord m = LeadWorld.pick(w.stored().stream().filter(x -> !poisonsOf(x).isEmpty()).toList(),
                    f.pick());
            if (m != null) {
                fix(w, m);
            }
        } else if (op instanceof CrmFix f) {
            SyncRecord r = LeadWorld.pick(crmPoisoned(w), f.pick());
            if (r != null) {
                w.crmEdit(r.id(), "Title", null);
            }
        } else if (op instanceof Push p) {
            w.push(w.builder(), p.pick());
        } else if (op instanceof Cycle) {
            w.cycle();
        } else if (op instanceof Advance a) {
            w.h.clock.advance(Duration.ofSeconds(a.seconds()));
        }
    }

    @Property
    void poisonValuesAreRejectedPerRecordNamingTheFieldAndTheRestConverges(
            @ForAll("histories") List<Op> history, @ForAll @IntRange(min = 0, max = 10_000) int seed) {
        String ctx = "\nhistory: " + history;
        LeadWorld w = new LeadWorld(seed);
        for (Op op : history) {
            apply(w, op);
        }
        Set<String> held = new HashSet<>();
        for (MarketingRecord m : w.stored()) {
            if (!poisonsOf(m).isEmpty()) {
                held.add(m.marketingId());
            }
        }
        w.pushUnlinked(held, ctx);
        w.cleanCycle();
        w.cleanCycle();

        Map<String, MarketingRecord> byMid = new HashMap<>();
        w.stored().forEach(m -> byMid.put(m.marketingId(), m));
        for (String mid : held) {
            MarketingRecord m = byMid.get(mid);
            List<Poison> poisons = poisonsOf(m);
            assertFalse(poisons.isEmpty(), () -> "record " + mid + " lost its host value" + ctx);
            RecordKey key = m.crmId() == null ? RecordKey.marketing(mid) : RecordKey.crm(m.crmId());
            Optional<FailedRecord> f = w.h.state.failure(LeadWorld.LEAD, key, SyncSide.CRM);
            assertTrue(f.isPresent(), () -> "record " + key + " holds " + poisons + " but no rejection is on record"
                    + ctx);
            assertTrue(poisons.stream().anyMatch(p -> p.code().equals(f.get().code())
                    && f.get().message().contains(p.field())), () -> "record " + key + " holds " + poisons
                    + " but was rejected with " + f.get().code() + ": " + f.get().message() + ctx);
            assertTrue(!f.get().parked() || f.get().attempts() >= 2, () -> "parked before its attempts: " + f + ctx);
            if (m.crmId() != null) {
                SyncRecord c = w.h.inCrm(LeadWorld.LEAD, m.crmId());
                for (Poison p : poisons) {
                    assertFalse(p.value().equals(c.get(p.field())), () -> "poison " + p + " reached the CRM" + ctx);
                }
            }
        }
        Set<CrmId> heldCrm = new HashSet<>();
        for (SyncRecord c : crmPoisoned(w)) {
            heldCrm.add(c.id());
            Optional<MarketingRecord> stored = w.h.stored(LeadWorld.LEAD, c.id());
            if (stored.isPresent() && held.contains(stored.get().marketingId())) {
                continue;    // the host's poison holds the record back first (its Title edit may win the conflict)
            }
            Optional<FailedRecord> f = w.h.state.failure(LeadWorld.LEAD, RecordKey.crm(c.id()), SyncSide.MARKETING);
            assertTrue(f.isPresent(), () -> "lead " + c.id() + " holds a Title the store cannot keep but no"
                    + " rejection is on record" + ctx);
            assertEquals(StoreChecks.INVALID_TEXT, f.get().code(), ctx);
            assertTrue(f.get().message().contains("Title"), () -> f.get().message() + ctx);
            w.h.stored(LeadWorld.LEAD, c.id()).ifPresent(m -> {
                held.add(m.marketingId());
                assertFalse(storeRefuses(m.get("Title")), () -> "the store holds an unpaired surrogate" + ctx);
            });
        }
        w.assertConverged(held, heldCrm, ctx);
        w.assertQuiet(ctx);

        // the values are fixed on both sides: no re-drive, every record converges, no rejection stays
        for (MarketingRecord m : w.stored()) {
            fix(w, m);
        }
        for (SyncRecord c : crmPoisoned(w)) {
            w.crmEdit(c.id(), "Title", null);
        }
        w.pushUnlinked(Set.of(), ctx);
        w.cleanCycle();
        w.cleanCycle();
        w.assertConverged(Set.of(), ctx);
        for (SyncSide side : SyncSide.values()) {
            assertEquals(List.of(), w.h.state.retryQueue(LeadWorld.LEAD, side, 100), () -> side + " retries left" + ctx);
        }
        assertEquals(List.of(), w.h.state.parkedFailures(), () -> "parked failures left" + ctx);
        w.assertQuiet(ctx);
    }
}
