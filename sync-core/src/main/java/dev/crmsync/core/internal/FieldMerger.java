package dev.crmsync.core.internal;

import dev.crmsync.model.SafeText;
import dev.crmsync.core.Conflict;
import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.core.FieldRule;
import dev.crmsync.core.Resolution;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.SyncBase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The three-way merge of one linked record, field by field, against its base: a pure function
 * of the CRM's values, the store's values, the base and the policy.
 *
 * <ul>
 *   <li>Both sides equal: agreed, nothing to write.</li>
 *   <li>{@link FieldRule#ALWAYS_CRM} (and every field the CRM does not let the integration user
 *       update): the CRM's value goes to the store.</li>
 *   <li>{@link FieldRule#ALWAYS_MARKETING}: the marketing value goes to the CRM; a blank one only if
 *       the base holds a value (else the CRM's value goes to the store).</li>
 *   <li>{@link FieldRule#PREFER_CRM_UNLESS_BLANK}: the CRM's value, unless it is blank and the
 *       marketing value is not.</li>
 *   <li>{@link FieldRule#MERGE}, {@link FieldRule#TWO_WAY}: no base (a record linked for the first
 *       time) — the CRM's value; only the CRM changed — to the store; only the store changed — to
 *       the CRM; both changed, to different values — a conflict, decided by the policy
 *       ({@code MERGE}) or by the last writer ({@code TWO_WAY}).</li>
 * </ul>
 * A policy that throws or returns null aborts the record's merge (nothing of it is written).
 */
final class FieldMerger {

    private FieldMerger() {
    }

    /** One conflict and its decision. */
    record Decided(Conflict conflict, Resolution resolution) {
    }

    /** What to write where, and what both sides hold afterwards. */
    static final class Plan {
        /** Values to write to the CRM. */
        final Map<String, FieldValue> toCrm = new LinkedHashMap<>();
        /** Values to write to the store. */
        final Map<String, FieldValue> toStore = new LinkedHashMap<>();
        /** Per synced field not parked: the value both sides hold once the writes are done. */
        final Map<String, FieldValue> agreed = new LinkedHashMap<>();
        /** Fields left as they are on both sides, their conflicts parked. */
        final Set<String> parked = new LinkedHashSet<>();
        /** Conflicts and their decisions, parks included. */
        final List<Decided> decided = new ArrayList<>();
        /** Why the policy failed (the record must not be written), or null. */
        String failure;
        /** The conflict the policy failed on, or null. */
        Conflict failedConflict;

        boolean failed() {
            return failure != null;
        }
    }

    /**
     * @param t the type
     * @param policy the host's policy
     * @param crm the CRM's record (live)
     * @param mkt the store's record, linked to it
     * @param base the base, or null if the two were never merged
     * @return the plan
     */
    static Plan merge(BidiType t, ConflictPolicy policy, SyncRecord crm, MarketingRecord mkt, SyncBase base) {
        return merge(t.type, t.rules, policy, crm, mkt, base);
    }

    /**
     * The same merge, from a type and its fields' effective rules (the {@link dev.crmsync.core.RecordMerge} API).
     *
     * @param type the type
     * @param rules the synced fields and their effective rules
     * @param policy the host's policy
     * @param crm the CRM's record
     * @param mkt the store's record, linked to it
     * @param base the base, or null if the two were never merged
     * @return the plan
     */
    static Plan merge(ObjectType type, Map<String, FieldRule> rules, ConflictPolicy policy, SyncRecord crm,
                      MarketingRecord mkt, SyncBase base) {
        Plan plan = new Plan();
        CrmId crmId = crm.id();
        for (Map.Entry<String, FieldRule> e : rules.entrySet()) {
            String f = e.getKey();
            FieldValue c = crm.get(f);
            FieldValue m = mkt.get(f);
            if (c.equals(m)) {
                plan.agreed.put(f, c);
                continue;
            }
            FieldRule rule = e.getValue();
            if (rule == FieldRule.ALWAYS_CRM) {
                toStore(plan, f, c);
            } else if (rule == FieldRule.ALWAYS_MARKETING) {
                // a blank marketing value never erases a CRM value the two sides have not agreed on
                // (a record linked before the field was synced, or whose field was agreed empty)
                if (m.isBlank() && (base == null || base.get(f).isBlank())) {
                    toStore(plan, f, c);
                } else {
                    toCrm(plan, f, m);
                }
            } else if (rule == FieldRule.PREFER_CRM_UNLESS_BLANK) {
                if (c.isBlank() && !m.isBlank()) {
                    toCrm(plan, f, m);
                } else {
                    toStore(plan, f, c);
                }
            } else if (base == null) {
                toStore(plan, f, c);
            } else {
                FieldValue b = base.get(f);
                if (c.equals(b)) {
                    toCrm(plan, f, m);
                } else if (m.equals(b)) {
                    toStore(plan, f, c);
                } else {
                    Conflict conflict = new Conflict(type, crmId, mkt.marketingId(), f, b, c, m, crm.modstamp(),
                            mkt.localModstamp());
                    Resolution r;
                    if (rule == FieldRule.TWO_WAY) {
                        r = Policies.lastWriter(conflict);
                    } else {
                        try {
                            r = policy.resolve(conflict);
                        } catch (RuntimeException ex) {
                            plan.failure = "conflict policy threw " + SafeText.describe(ex)
                                    + " while resolving field '" + f + "' of " + describe(type, crmId, mkt.marketingId());
                            plan.failedConflict = conflict;
                            return plan;
                        }
                        if (r == null) {
                            plan.failure = "conflict policy returned null (no decision) for field '" + f + "' of "
                                    + describe(type, crmId, mkt.marketingId());
                            plan.failedConflict = conflict;
                            return plan;
                        }
                    }
                    plan.decided.add(new Decided(conflict, r));
                    if (r instanceof Resolution.TakeCrm) {
                        toStore(plan, f, c);
                    } else if (r instanceof Resolution.TakeMarketing) {
                        toCrm(plan, f, m);
                    } else {
                        plan.parked.add(f);
                    }
                }
            }
        }
        return plan;
    }

    private static void toStore(Plan plan, String f, FieldValue c) {
        plan.toStore.put(f, c);
        plan.agreed.put(f, c);
    }

    private static void toCrm(Plan plan, String f, FieldValue m) {
        plan.toCrm.put(f, m);
        plan.agreed.put(f, m);
    }

    /** @return e.g. {@code Lead 00Q… (marketing id 17)} */
    static String describe(BidiType t, CrmId crmId, String marketingId) {
        return describe(t.type, crmId, marketingId);
    }

    /** @return e.g. {@code Lead 00Q… (marketing id 17)} */
    static String describe(ObjectType type, CrmId crmId, String marketingId) {
        return type + " " + (crmId == null ? "(not in the CRM)" : crmId.value())
                + (marketingId == null ? "" : " (marketing id " + marketingId + ")");
    }
}
