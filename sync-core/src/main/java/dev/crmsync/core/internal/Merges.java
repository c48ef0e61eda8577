package dev.crmsync.core.internal;

import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.core.FieldRule;
import dev.crmsync.core.RecordMerge;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.SyncBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The engine's three-way merge ({@link FieldMerger}) behind {@link RecordMerge}: not API. */
public final class Merges {

    private Merges() {
    }

    /**
     * @param type the type
     * @param rules the synced fields and their effective rules
     * @param policy the policy
     * @param crm the CRM's record
     * @param mkt the store's record
     * @param base the base, or null
     * @return the outcome
     */
    public static RecordMerge.Outcome merge(ObjectType type, Map<String, FieldRule> rules, ConflictPolicy policy,
                                            SyncRecord crm, MarketingRecord mkt, SyncBase base) {
        FieldMerger.Plan plan = FieldMerger.merge(type, rules, policy, crm, mkt, base);
        List<RecordMerge.Decision> decisions = new ArrayList<>();
        for (FieldMerger.Decided d : plan.decided) {
            decisions.add(new RecordMerge.Decision(d.conflict(), d.resolution()));
        }
        return new RecordMerge.Outcome(plan.toCrm, plan.toStore, plan.agreed, plan.parked, decisions, plan.failure);
    }
}
