package dev.crmsync.core.internal;

import dev.crmsync.core.HostDeletes;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.SafeText;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.store.HostDeletion;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncBase;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bidirectional step that carries the host's deletes to the CRM ({@link HostDeletes}).
 *
 * <p>When the change feed reports a deletion of a linked record ({@link #recorded}), a
 * {@link EngineIntent.HostDelete} is saved before the feed position moves past it. The step
 * ({@link #run}) then takes the pending deletes of the type: a record the store holds again (the
 * CRM changed it, and the CRM phase copied it back) or that was never merged is kept; one whose
 * CRM side changed since its base (known from the change stream, else read by id and compared by
 * stamp) is kept and copied back (an edit wins over a delete); the others are deleted in the CRM,
 * 200 a call. A delete that lands ends its intent and its base; one the CRM refuses with a
 * retriable code stays for the next cycle; one it refuses for good is rejected with its code and the
 * record copied back. A crash anywhere sends the delete again: a record already deleted counts
 * as deleted.
 */
final class HostDeleteStep {

    private static final Logger LOG = LoggerFactory.getLogger(HostDeleteStep.class);
    /** Pending deletes taken per run. */
    static final int MAX_PER_RUN = 10_000;

    private final BidiContext cx;
    /** True if this run found pending deletes (more may wait beyond {@link #MAX_PER_RUN}). */
    boolean sawPending;

    HostDeleteStep(BidiContext cx) {
        this.cx = cx;
    }

    /**
     * Records the deletions of a feed page: an intent per linked record (kept in the CRM at once
     * when the host's deletes are not carried there).
     *
     * @param deletions the page's host deletions
     */
    void recorded(List<HostDeletion> deletions) {
        List<HostDeletion> linked = new ArrayList<>();
        for (HostDeletion d : deletions) {
            if (d.crmId() == null) {
                cx.forget(RecordKey.marketing(d.marketingId()));      // never in the CRM: a failed push of it ends
                cx.counters.deleted();
            } else {
                linked.add(d);
            }
        }
        if (linked.isEmpty()) {
            return;
        }
        Map<CrmId, MarketingRecord> held = cx.findByCrmIds(linked.stream().map(HostDeletion::crmId).toList());
        for (HostDeletion d : linked) {
            if (held.containsKey(d.crmId())) {
                continue;       // the store holds the CRM record again (copied back): nothing to delete
            }
            if (cx.settings.hostDeletes() == HostDeletes.KEEP_IN_CRM) {
                // kept, and its base too: the base says which CRM version the store last held, so
                // that the record is copied back when the CRM changes it, not before
                cx.counters.skipped();
            } else {
                cx.settings.state().saveIntent(new EngineIntent.HostDelete(cx.type, RecordKey.crm(d.crmId()),
                        d.marketingId(), cx.now()));
            }
        }
    }

    /**
     * Carries the pending deletes out.
     *
     * @param crmUnchangedSinceBase whether a record's CRM side is known unchanged since its base
     * @param copyBack reconciles CRM records the store no longer holds (they are created in it again)
     * @return the records whose delete is still pending (retried next cycle; the retry step leaves them alone)
     */
    Set<RecordKey> run(Predicate<CrmId> crmUnchangedSinceBase, Consumer<List<SyncRecord>> copyBack) {
        List<EngineIntent> pending = cx.settings.state().intents(cx.type, EngineIntent.Kind.HOST_DELETE, MAX_PER_RUN);
        Set<RecordKey> still = new HashSet<>();
        if (pending.isEmpty()) {
            return still;
        }
        sawPending = true;
        cx.run.checkContinue();
        List<CrmId> ids = new ArrayList<>();
        pending.forEach(i -> ids.add(((RecordKey.Crm) i.key()).id()));
        Map<CrmId, MarketingRecord> held = cx.findByCrmIds(ids);
        Map<CrmId, SyncBase> bases = cx.bases(ids);
        List<CrmId> toDelete = new ArrayList<>();
        List<CrmId> toCheck = new ArrayList<>();
        for (CrmId id : ids) {
            SyncBase b = bases.get(id);
            if (cx.crmFail.find(RecordKey.crm(id)).filter(dev.crmsync.store.FailedRecord::parked).isPresent()) {
                still.add(RecordKey.crm(id));   // parked: waits for a re-drive
            } else if (held.containsKey(id) || b == null) {
                end(id, false);                 // held again, or never merged: the CRM record stays
                cx.counters.skipped();
            } else if (crmUnchangedSinceBase.test(id) && b.pending().isEmpty()) {
                toDelete.add(id);
            } else {
                toCheck.add(id);
            }
        }
        List<SyncRecord> keep = new ArrayList<>();
        if (!toCheck.isEmpty()) {
            Map<CrmId, SyncRecord> now = cx.ops.fetch(cx.type, toCheck, cx.t.read);
            for (CrmId id : toCheck) {
                SyncRecord c = now.get(id);
                if (c == null || c.deleted()) {
                    end(id, true);              // deleted in the CRM already
                    cx.counters.deleted();
                } else if (BidiMerge.unchangedSince(c, bases.get(id), cx.t.synced())) {
                    toDelete.add(id);
                } else {
                    keep.add(c);                // changed in the CRM since: an edit wins over a delete
                }
            }
        }
        if (!toDelete.isEmpty()) {
            List<CrmWriteResult> results = cx.ops.delete(toDelete);
            List<CrmId> refused = new ArrayList<>();
            for (int i = 0; i < toDelete.size(); i++) {
                CrmId id = toDelete.get(i);
                RecordKey key = RecordKey.crm(id);
                if (results.get(i) instanceof CrmWriteResult.Rejected rej) {
                    cx.crmFail.rejected(key, rej.code(), "the CRM refused to delete the record the host deleted: "
                            + SafeText.bounded(rej.reason()), rej.retriable());
                    if (rej.retriable()) {
                        still.add(key);
                    } else {
                        refused.add(id);
                    }
                } else {
                    end(id, true);
                    cx.forget(key);
                    cx.counters.deleted();
                    cx.pushed(1);
                }
            }
            if (!refused.isEmpty()) {
                keep.addAll(cx.ops.fetch(cx.type, refused, cx.t.read).values().stream()
                        .filter(c -> !c.deleted()).toList());
                // the base goes too, so that the unchanged CRM record is copied back as a new one
                refused.forEach(id -> end(id, true));
            }
        }
        if (!keep.isEmpty()) {
            LOG.debug("{}: {} records the host deleted are kept in the CRM and copied back", cx.type, keep.size());
            Map<CrmId, SyncRecord> ordered = new LinkedHashMap<>();
            keep.forEach(c -> ordered.put(c.id(), c));
            for (CrmId id : ordered.keySet()) {
                cx.settings.state().deleteIntent(cx.type, RecordKey.crm(id), EngineIntent.Kind.HOST_DELETE);
            }
            copyBack.accept(List.copyOf(ordered.values()));
        }
        return still;
    }

    /** Ends a pending delete; with {@code gone}, the base too (the CRM record is deleted). */
    private void end(CrmId id, boolean gone) {
        if (gone) {
            cx.settings.state().deleteBase(cx.type, id);
        }
        cx.settings.state().deleteIntent(cx.type, RecordKey.crm(id), EngineIntent.Kind.HOST_DELETE);
    }
}
