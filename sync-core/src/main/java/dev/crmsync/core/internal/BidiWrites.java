package dev.crmsync.core.internal;

import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.model.Deletion;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.GuardedUpsert;
import dev.crmsync.store.PendingWrites;
import dev.crmsync.store.PersonActivity;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.StoreResult;
import dev.crmsync.store.SyncBase;
import dev.crmsync.core.internal.BidiMerge.CrmStep;
import dev.crmsync.core.internal.BidiMerge.RecordPlan;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The bidirectional stage that carries a batch's {@link RecordPlan}s out: the values about to be
 * written recorded in the bases first (in flight), the CRM written in batches (per-record
 * results), then — in one store transaction with the checkpoint — the store written, records the
 * CRM deleted flagged, and per record the new base, the counters and the failure books.
 */
final class BidiWrites {

    private final BidiContext cx;
    private final BidiConflicts conflicts;

    BidiWrites(BidiContext cx, BidiConflicts conflicts) {
        this.cx = cx;
        this.conflicts = conflicts;
    }

    /** How a merged record's values for the CRM went. */
    sealed interface CrmOutcome {
        /** Nothing was to be written. */
        record NotSent() implements CrmOutcome {
        }

        /** Held: an earlier rejection waits for a change or a re-drive. */
        record Held() implements CrmOutcome {
        }

        /** Refused: by the value checks, or by the CRM. */
        record Refused() implements CrmOutcome {
        }

        /** @param modstamp the CRM's stamp after the write, or null if it gave none */
        record Written(Instant modstamp) implements CrmOutcome {
        }
    }

    /** How a merged record's values for the store went. */
    enum StoreOutcome {
        /** Nothing was to be written. */
        NOT_SENT,
        /** Held: an earlier rejection waits for a change or a re-drive. */
        HELD,
        /** Refused by the store. */
        REFUSED,
        /** Not written: the host changed the record since the merge read it (merged again next cycle). */
        CHANGED,
        /** Accepted, nothing changed. */
        UNCHANGED,
        /** Written. */
        WRITTEN
    }

    /**
     * A merged record after the writes.
     *
     * @param item its plan
     * @param crm how the CRM's part went
     * @param store how the store's part went
     */
    record Done(RecordPlan.Merge item, CrmOutcome crm, StoreOutcome store) {
        boolean crmRefused() {
            return crm instanceof CrmOutcome.Held || crm instanceof CrmOutcome.Refused;
        }

        boolean storeRefused() {
            return store == StoreOutcome.HELD || store == StoreOutcome.REFUSED || store == StoreOutcome.CHANGED;
        }

        /** @return whether something was written to either side */
        boolean written() {
            return crm instanceof CrmOutcome.Written || store == StoreOutcome.WRITTEN;
        }

        /** @return the CRM stamp the record is at after the writes */
        Instant stamp() {
            return crm instanceof CrmOutcome.Written w && w.modstamp() != null ? w.modstamp() : item.crm().modstamp();
        }
    }

    /** A batch's plans as they are admitted: the writes they ask for. */
    static final class Admitted {
        private final List<RecordPlan.Merge> merged = new ArrayList<>();
        private final List<SyncRecord> creates = new ArrayList<>();
        private final List<Deletion> deletions = new ArrayList<>();
    }

    /**
     * Takes a record's plan: what needs no write is done at once (forgotten, parked, conflicts
     * reported, a value the CRM would refuse recorded), the writes are collected.
     */
    void admit(Admitted a, RecordPlan plan) {
        if (plan instanceof RecordPlan.Forget f) {
            cx.counters.unchanged();
            cx.forget(RecordKey.crm(f.id()));
        } else if (plan instanceof RecordPlan.DeletedInStore gone) {
            // the host deleted it: the host-delete step carries that out (or has, or keeps it)
            cx.deletedInStoreUnchanged.add(gone.id());
        } else if (plan instanceof RecordPlan.FlagDeleted d) {
            a.deletions.add(d.deletion());
        } else if (plan instanceof RecordPlan.CreateInStore c) {
            a.creates.add(c.record());
        } else if (plan instanceof RecordPlan.OutsideFilter) {
            cx.counters.skipped();      // outside the type's sync filter, never copied
        } else if (plan instanceof RecordPlan.StillParked) {
            cx.counters.skipped();      // parked whole until it changes again or is re-driven
        } else if (plan instanceof RecordPlan.PolicyFailed p) {
            conflicts.policyFailed(p.id(), p.plan());
        } else {
            RecordPlan.Merge item = (RecordPlan.Merge) plan;
            a.merged.add(item);
            item.plan().decided.forEach(conflicts::decided);
            if (!item.plan().decided.isEmpty() && cx.run.activities().on()) {
                cx.run.activities().add(cx.type, item.mkt().marketingId(), item.crm().id(),
                        PersonActivity.Kind.CONFLICT_RESOLVED,
                        item.plan().decided.stream().map(d -> d.conflict().field()).toList(), null, null,
                        item.crm().modstamp() + "/" + item.mkt().localModstamp());
            }
            if (item.toCrm() instanceof CrmStep.Invalid inv) {
                cx.crmFail.rejected(item.key(), inv.rejection().code(), inv.rejection().message(), false);
            }
        }
    }

    /** Writes what a batch's plans ask for, then commits the checkpoint {@code next} (if any) with the store's writes. */
    void write(Admitted a, Checkpoint next) {
        // the values about to be written are recorded in the bases first, so that should the
        // process die before the bases are saved, the next cycle does not take our own writes for
        // users' changes (a conflict, or a change to send back)
        List<SyncBase> inFlight = new ArrayList<>();
        for (RecordPlan.Merge item : a.merged) {
            boolean toCrm = item.toCrm() instanceof CrmStep.Send;
            if (item.base() != null && (toCrm || item.storeBound())) {
                PendingWrites pending = new PendingWrites(toCrm ? item.plan().toCrm : Map.of(),
                        item.storeBound() ? item.plan().toStore : Map.of());
                inFlight.add(new SyncBase(cx.type, item.crm().id(), item.base().marketingId(), item.base().fields(),
                        pending, item.base().crmModstamp(), cx.now()));
            }
        }
        if (!inFlight.isEmpty()) {
            cx.settings.state().saveBases(inFlight);
        }
        List<Runnable> rejections = new ArrayList<>();
        List<CrmOutcome> crm = writeCrm(a.merged, rejections);      // outside the store's transaction
        // what the CRM took is recorded at once: should the store's transaction fail, the next
        // cycle knows these values reached the CRM, and a CRM user's later edit of such a field is
        // a CRM change, not a write of ours that never landed (sending ours again would put an
        // older value back over the newer edit)
        List<SyncBase> crmTook = new ArrayList<>();
        for (int i = 0; i < a.merged.size(); i++) {
            RecordPlan.Merge item = a.merged.get(i);
            if (item.base() != null && crm.get(i) instanceof CrmOutcome.Written w) {
                Map<String, FieldValue> fields = new LinkedHashMap<>(item.base().fields());
                item.plan().toCrm.forEach((f, v) -> {
                    if (v.isNull()) {
                        fields.remove(f);
                    } else {
                        fields.put(f, v);
                    }
                });
                PendingWrites pending = new PendingWrites(Map.of(),
                        item.storeBound() ? item.plan().toStore : Map.of());
                crmTook.add(new SyncBase(cx.type, item.crm().id(), item.base().marketingId(), fields, pending,
                        w.modstamp() != null ? w.modstamp() : item.base().crmModstamp(), cx.now()));
            }
        }
        if (!crmTook.isEmpty()) {
            try {
                cx.settings.state().saveBases(crmTook);
            } catch (RuntimeException lost) {
                // the lease lapsed while the CRM took the write (made under it): the fact is still
                // recorded where no other instance has written the base since, else the next cycle
                // could not tell our landed write from one that never landed
                if (cx.settings.state() instanceof FencedState f && cx.run.leaseLost()) {
                    Map<CrmId, SyncBase> saved = new HashMap<>();
                    inFlight.forEach(b -> saved.put(b.crmId(), b));
                    f.recordWhereUnchanged(crmTook, saved);
                }
                throw lost;
            }
        }
        // the CRM's refusals are booked only once what it took is: should booking one fail (a
        // whole-call failure of the state store), the writes that landed are already known
        rejections.forEach(Runnable::run);
        cx.run.commit(() -> {
            List<StoreOutcome> store = writeStore(a.merged, crm, a.creates);
            markDeleted(a.deletions);
            List<SyncBase> bases = new ArrayList<>();
            for (int i = 0; i < a.merged.size(); i++) {
                settle(new Done(a.merged.get(i), crm.get(i), store.get(i)), bases);
            }
            if (!bases.isEmpty()) {
                cx.settings.state().saveBases(bases);
            }
        }, next);
    }

    /**
     * Writes the CRM's updates in batches; one outcome per merged record, in order. The CRM's
     * refusals are returned to be booked, not booked here.
     */
    private List<CrmOutcome> writeCrm(List<RecordPlan.Merge> merged, List<Runnable> rejections) {
        List<CrmOutcome> out = new ArrayList<>();
        List<CrmWrite> updates = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (RecordPlan.Merge item : merged) {
            CrmStep s = item.toCrm();
            out.add(s instanceof CrmStep.Nothing ? new CrmOutcome.NotSent()
                    : s instanceof CrmStep.Held ? new CrmOutcome.Held() : new CrmOutcome.Refused());
            if (s instanceof CrmStep.Send send) {
                updates.add(send.update());
                at.add(out.size() - 1);
            }
        }
        if (updates.isEmpty()) {
            return out;
        }
        List<CrmWriteResult> results = cx.ops.write(updates);
        for (int i = 0; i < results.size(); i++) {
            RecordPlan.Merge item = merged.get(at.get(i));
            if (results.get(i) instanceof CrmWriteResult.Written wr) {
                cx.pushed(1);
                out.set(at.get(i), new CrmOutcome.Written(wr.modstamp()));
            } else {
                CrmWriteResult.Rejected rej = (CrmWriteResult.Rejected) results.get(i);
                rejections.add(() -> cx.crmFail.rejected(item.key(), rej.code(), rej.reason(), rej.retriable()));
            }
        }
        return out;
    }

    /**
     * Writes the store: merged records' values (and the clearing of a stale deleted flag), then
     * creates of CRM records it did not hold (their bases first).
     *
     * @return one outcome per merged record, in order
     */
    private List<StoreOutcome> writeStore(List<RecordPlan.Merge> merged, List<CrmOutcome> crm, List<SyncRecord> creates) {
        List<StoreOutcome> out = new ArrayList<>();
        List<SyncRecord> all = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < merged.size(); i++) {
            RecordPlan.Merge item = merged.get(i);
            out.add(item.holdStore() ? StoreOutcome.HELD : StoreOutcome.NOT_SENT);
            if (!item.holdStore() && (!item.plan().toStore.isEmpty() || item.mkt().crmDeleted())) {
                Instant stamp = new Done(item, crm.get(i), StoreOutcome.NOT_SENT).stamp();
                all.add(new SyncRecord(cx.type, item.crm().id(), item.plan().toStore, stamp, false));
                at.add(i);
            }
        }
        int upserts = all.size();
        all.addAll(creates);
        // where the state store's transaction covers the store's writes, a created record's base is
        // written once, with its marketing id, after the create (they commit together or not at all)
        boolean atomic = !creates.isEmpty() && cx.settings.state().commitsWith(cx.settings.store());
        if (!creates.isEmpty() && !atomic) {
            // the base first: a crash between the store's create and the base would leave a linked
            // record with no base, and a host edit made before the next cycle would be lost
            cx.settings.state().saveBases(creates.stream().map(rec -> new SyncBase(cx.type, rec.id(), null,
                    cx.t.syncedValues(rec.fields()), rec.modstamp(), cx.now())).toList());
        }
        List<SyncBase> createdBases = new ArrayList<>();
        int size = cx.settings.storeBatchSize();
        for (int from = 0; from < all.size(); from += size) {
            int to = Math.min(all.size(), from + size);
            List<SyncRecord> batch = all.subList(from, to);
            // the merged records are written only where the host has not changed them since the
            // merge read them (a host write made while the cycle runs stays, and is merged next cycle)
            List<GuardedUpsert> guarded = new ArrayList<>();
            for (int i = from; i < Math.min(to, upserts); i++) {
                RecordPlan.Merge item = merged.get(at.get(i));
                Map<String, FieldValue> seen = new LinkedHashMap<>();
                all.get(i).fields().keySet().forEach(f -> seen.put(f, item.mkt().get(f)));
                guarded.add(new GuardedUpsert(all.get(i), seen));
            }
            List<StoreResult> results = new ArrayList<>();
            if (!guarded.isEmpty()) {
                results.addAll(checked(StoreUpserts.upsertIfUnchanged(cx.settings.bidirectionalStore(), cx.type,
                        guarded), guarded.size(), "upsertIfUnchanged"));
            }
            if (to > Math.max(from, upserts)) {
                List<SyncRecord> news = all.subList(Math.max(from, upserts), to);
                results.addAll(checked(StoreUpserts.upsert(cx.settings.store(), cx.type, news), news.size(), "upsert"));
            }
            for (int i = 0; i < results.size(); i++) {
                StoreResult r = results.get(i);
                if (from + i < upserts) {
                    out.set(at.get(from + i), r instanceof StoreResult.Changed ? StoreOutcome.CHANGED
                            : upserted(RecordKey.crm(batch.get(i).id()), r));
                } else {
                    created(batch.get(i), r, createdBases, atomic);
                }
            }
        }
        if (!createdBases.isEmpty()) {
            cx.settings.state().saveBases(createdBases);
        }
        return out;
    }

    private List<StoreResult> checked(List<StoreResult> results, int size, String call) {
        if (results == null || results.size() != size) {
            throw new SyncException("marketing store returned " + (results == null ? "null" : results.size())
                    + " results for " + size + " records from " + call, cx.type, null, null);
        }
        return results;
    }

    /** @return a merged record's store outcome; a refusal is recorded */
    private StoreOutcome upserted(RecordKey key, StoreResult r) {
        if (refused(key, r)) {
            return StoreOutcome.REFUSED;
        }
        return r instanceof StoreResult.Unchanged ? StoreOutcome.UNCHANGED : StoreOutcome.WRITTEN;
    }

    /** Records a refusal of the store; @return whether it refused */
    private boolean refused(RecordKey key, StoreResult r) {
        if (r instanceof StoreResult.Rejected rej) {
            cx.storeFail.rejected(key, rej.code(), rej.message(), rej.retriable());
            return true;
        } else if (r instanceof StoreResult.NotFound) {
            cx.storeFail.rejected(key, "NOT_FOUND", "the store reported the record not found on upsert", true);
            return true;
        }
        return false;
    }

    /**
     * A CRM record created in the store: counted, its base (with the store's marketing id)
     * collected. A refused create keeps the base without a marketing id that the write before the
     * create leaves; where that write was left out ({@code baseOnce}: the stores commit together),
     * it is collected here instead, so the state is the same either way.
     */
    private void created(SyncRecord rec, StoreResult r, List<SyncBase> createdBases, boolean baseOnce) {
        RecordKey key = RecordKey.crm(rec.id());
        if (refused(key, r)) {
            if (baseOnce) {
                createdBases.add(new SyncBase(cx.type, rec.id(), null, cx.t.syncedValues(rec.fields()), rec.modstamp(),
                        cx.now()));
            }
            return;
        }
        String mid = r instanceof StoreResult.Created cr ? cr.marketingId()
                : r instanceof StoreResult.Updated up ? up.marketingId()
                : ((StoreResult.Unchanged) r).marketingId();
        if (r instanceof StoreResult.Created) {
            cx.counters.created();
            cx.run.activities().add(cx.type, mid, rec.id(), PersonActivity.Kind.CREATED_FROM_CRM, List.of(), null, null,
                    rec.modstamp());
        } else if (r instanceof StoreResult.Updated) {
            cx.counters.updated();
        } else {
            cx.counters.unchanged();
        }
        createdBases.add(new SyncBase(cx.type, rec.id(), mid, cx.t.syncedValues(rec.fields()), rec.modstamp(),
                cx.now()));
        cx.forget(key);
    }

    /** Flags records the CRM deleted; each is counted and needs nothing more (unless the store refused). */
    void markDeleted(List<Deletion> deletions) {
        if (deletions.isEmpty()) {
            return;
        }
        List<StoreResult> results = checked(cx.settings.store().markDeleted(cx.type, deletions), deletions.size(),
                "markDeleted");
        for (int i = 0; i < results.size(); i++) {
            RecordKey key = RecordKey.crm(deletions.get(i).crmId());
            StoreResult r = results.get(i);
            if (r instanceof StoreResult.Rejected rej) {
                cx.storeFail.rejected(key, rej.code(), rej.message(), rej.retriable());
                continue;
            }
            if (r instanceof StoreResult.Updated || r instanceof StoreResult.Created) {
                cx.counters.deleted();
                String mid = r instanceof StoreResult.Updated up ? up.marketingId()
                        : ((StoreResult.Created) r).marketingId();
                cx.run.activities().add(cx.type, mid, deletions.get(i).crmId(), PersonActivity.Kind.DELETED, List.of(),
                        null, null, deletions.get(i).deletedAt());
            } else if (r instanceof StoreResult.Unchanged) {
                cx.counters.unchanged();
            } else {
                cx.counters.skipped();
            }
            cx.forget(key);     // deleted in the CRM: nothing more to push
        }
    }

    /** A merged record's bookkeeping after the writes: its base, counters, failure books, parked conflicts. */
    private void settle(Done d, List<SyncBase> bases) {
        RecordPlan.Merge item = d.item();
        SyncBase nb = newBase(cx.type, d, cx.now());
        if (nb != null && !sameBase(nb, item.rawBase())) {
            bases.add(nb);
        } else if (nb == null && item.rawBase() != null && item.rawBase() != item.base()) {
            bases.add(item.base());    // drop the settled in-flight entries
        }
        if (d.written()) {
            cx.counters.updated();
            Activities acts = cx.run.activities();
            if (d.store() == StoreOutcome.WRITTEN) {
                acts.add(cx.type, item.mkt().marketingId(), item.crm().id(), PersonActivity.Kind.UPDATED_FROM_CRM,
                        List.copyOf(item.plan().toStore.keySet()), null, null, d.stamp());
            }
            if (d.crm() instanceof CrmOutcome.Written) {
                acts.add(cx.type, item.mkt().marketingId(), item.crm().id(), PersonActivity.Kind.UPDATED_IN_CRM,
                        List.copyOf(item.plan().toCrm.keySet()), null, null, d.stamp());
            }
        } else if (!d.crmRefused() && !d.storeRefused()) {
            if (hiddenOnlyChange(item)) {
                cx.counters.skipped();     // the CRM changed only fields that are not synced, as one-way types count it
            } else {
                cx.counters.unchanged();
            }
        }
        if (!d.crmRefused()) {
            cx.crmFail.succeeded(item.key());
        }
        if (!d.storeRefused()) {
            cx.storeFail.succeeded(item.key());
        }
        if (d.crm() instanceof CrmOutcome.Held || d.store() == StoreOutcome.HELD || d.store() == StoreOutcome.CHANGED) {
            cx.counters.skipped();   // waits for a change or a re-drive
        }
        conflicts.settle(item.crm().id(), item.plan().parked);
    }

    /**
     * Whether a merged record needing no write is a CRM change only in fields that are not synced
     * (hidden from the integration user, ignored or left out of the selection): its stamp moved past
     * its base's while every synced field still holds the base's value. Counted skipped, as
     * {@code StoreApplier} counts it on one-way types (Marketo counts such updates "skipped"); an
     * overlap re-read of the very version the base holds, or the engine's own write read back,
     * stays unchanged.
     */
    private boolean hiddenOnlyChange(RecordPlan.Merge item) {
        SyncBase b = item.base();
        if (b == null || !item.plan().toCrm.isEmpty() || !item.plan().toStore.isEmpty()
                || item.crm().modstamp().equals(b.crmModstamp())
                // the engine's own create or in-flight write read back: its stamp was never recorded
                || b.crmModstamp().equals(java.time.Instant.EPOCH)
                || (item.rawBase() != null && !item.rawBase().pending().isEmpty())) {
            return false;
        }
        for (String f : cx.t.synced()) {
            if (!item.crm().get(f).equals(b.get(f))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The base after the writes: only what both sides now hold — a field sent to a side that did
     * not take it keeps its old base. A record never merged whose store write was refused has none.
     *
     * @param type the type
     * @param d the record after the writes
     * @param now the time
     * @return the new base, or null when there is none to save
     */
    static SyncBase newBase(ObjectType type, Done d, Instant now) {
        RecordPlan.Merge item = d.item();
        FieldMerger.Plan p = item.plan();
        Map<String, FieldValue> fields = new LinkedHashMap<>();
        if (item.base() == null) {
            if (d.storeRefused()) {
                return null;     // still unlinked in substance: the next merge starts from the CRM again
            }
            p.agreed.forEach((f, v) -> {
                if (!v.isNull()) {
                    fields.put(f, v);
                }
            });
        } else {
            fields.putAll(item.base().fields());
            boolean crmWritten = d.crm() instanceof CrmOutcome.Written;
            for (Map.Entry<String, FieldValue> e : p.agreed.entrySet()) {
                String f = e.getKey();
                if ((p.toCrm.containsKey(f) && !crmWritten) || (p.toStore.containsKey(f) && d.storeRefused())) {
                    continue;    // that side does not hold it: the field keeps its old base
                }
                if (e.getValue().isNull()) {
                    fields.remove(f);
                } else {
                    fields.put(f, e.getValue());
                }
            }
        }
        return new SyncBase(type, item.crm().id(), item.mkt().marketingId(), fields, d.stamp(), now);
    }

    private static boolean sameBase(SyncBase nb, SyncBase old) {
        return old != null && old.fields().equals(nb.fields()) && old.pending().equals(nb.pending())
                && Objects.equals(old.marketingId(), nb.marketingId()) && old.crmModstamp().equals(nb.crmModstamp());
    }
}
