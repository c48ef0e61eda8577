package dev.crmsync.core.internal;

import dev.crmsync.core.Conflict;
import dev.crmsync.core.Resolution;
import dev.crmsync.model.CrmId;
import dev.crmsync.store.ParkedConflict;
import dev.crmsync.store.RecordKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conflicts of one bidirectional type's run: those parked before (loaded once), the policy's
 * decisions reported to the listener, parks recorded, parks settled when the field is no longer in
 * conflict, and a record parked whole when the policy failed on it.
 */
final class BidiConflicts {
    private static final Logger LOG = LoggerFactory.getLogger(BidiConflicts.class);

    /** The failure code of a record whose merge the policy failed (it is parked whole). */
    static final String CONFLICT_POLICY_FAILED = "CONFLICT_POLICY_FAILED";

    private final BidiContext cx;
    private final Map<String, Map<String, ParkedConflict>> parked = new HashMap<>();
    private long decided;
    private long parks;
    /** The conflicts parked in this run, so that a record met twice (host change, then CRM change) is reported once. */
    private final Set<Conflict> parkedThisRun = new java.util.HashSet<>();

    BidiConflicts(BidiContext cx) {
        this.cx = cx;
        for (ParkedConflict c : cx.settings.state().parkedConflicts()) {
            if (c.type().equals(cx.type)) {
                parked.computeIfAbsent(c.crmId().value(), k -> new HashMap<>()).put(c.field(), c);
            }
        }
    }

    /** Reports a decision of the policy; a park is recorded. */
    void decided(FieldMerger.Decided d) {
        String what = FieldMerger.describe(cx.t, d.conflict().crmId(), d.conflict().marketingId());
        if (d.resolution() instanceof Resolution.Park park) {
            if (!parkedThisRun.add(d.conflict())) {
                return;          // the same conflict, met again in this run (its record was read from both sides)
            }
            parks++;
            LOG.info("{}: conflict on field '{}' parked for manual resolution ({})", what, d.conflict().field(),
                    park.reason());
            cx.settings.state().parkConflict(park(d.conflict(), park.reason()));
        } else {
            decided++;
            LOG.debug("{}: conflict on field '{}' decided: {}", what, d.conflict().field(), d.resolution());
        }
        cx.run.markNoteworthy();
        cx.run.listener().onConflict(d.conflict(), d.resolution());
    }

    private ParkedConflict park(Conflict c, String reason) {
        ParkedConflict pc = new ParkedConflict(c.type(), c.crmId(), c.marketingId(), c.field(), c.base(),
                c.crmValue(), c.marketingValue(), reason, cx.now());
        parked.computeIfAbsent(c.crmId().value(), k -> new HashMap<>()).put(c.field(), pc);
        return pc;
    }

    /** Parks a record whose merge the policy failed: nothing of it is written. */
    void policyFailed(CrmId id, FieldMerger.Plan plan) {
        LOG.warn("{}; the record is parked, nothing of it written", plan.failure);
        cx.settings.state().parkConflict(park(plan.failedConflict, plan.failure));
        cx.crmFail.parked(RecordKey.crm(id), CONFLICT_POLICY_FAILED, plan.failure);
    }

    /** Forgets the parked conflicts of a record whose field is no longer in conflict. */
    void settle(CrmId id, Set<String> stillParked) {
        Map<String, ParkedConflict> held = parked.get(id.value());
        if (held == null) {
            return;
        }
        for (String f : new ArrayList<>(held.keySet())) {
            if (!stillParked.contains(f)) {
                cx.settings.state().deleteConflict(cx.type, id, f);
                held.remove(f);
            }
        }
    }

    /** Forgets every parked conflict of a record merged away in the CRM. */
    void dropAll(CrmId loser) {
        Map<String, ParkedConflict> stale = parked.remove(loser.value());
        if (stale != null) {
            stale.keySet().forEach(f -> cx.settings.state().deleteConflict(cx.type, loser, f));
        }
    }

    /** @return the run's note on conflicts, or null if there were none */
    String note() {
        if (decided + parks == 0) {
            return null;
        }
        return decided + " conflict" + (decided == 1 ? "" : "s") + " decided by the policy, "
                + parks + " parked for manual resolution";
    }
}
