package dev.crmsync.core.internal;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.Cursor;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.SafeText;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.store.GuardedUpsert;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.StoreResult;
import dev.crmsync.store.SyncBase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Back-fills the fields that became synced for a type (newly readable in the CRM, or newly
 * selected by the host) once its first full copy is done: the type's records are read again from
 * the CRM, for those fields only, page by page from {@link Cursor#START} to the end of its stream,
 * and each value is written to the record the store has — the rest of the record, its CRM stamp and
 * its deleted flag untouched; records the store does not have are left to the regular read.
 *
 * <ul>
 *   <li><b>Known fields.</b> The fields synced at the end of each cycle are kept in the state store
 *       ({@link EngineIntent.SyncedFields}); a type seen for the first time (or by a release before
 *       this one) takes its current fields as known, with nothing to back-fill.</li>
 *   <li><b>Resumable.</b> A page's store writes (and, for the bidirectional types, the merge bases)
 *       commit with the back-fill's position, in one fenced transaction: a crash or a stopped cycle
 *       resumes after the last durable page at the next cycle. A field added while a back-fill runs
 *       restarts it from the start for all pending fields; a field no longer synced leaves it.</li>
 *   <li><b>No echo, no overwrite.</b> The writes are engine writes (never in the change feed). On the
 *       bidirectional types a value is written only where the store holds none, through
 *       {@code upsertIfUnchanged} (a host value written meanwhile wins, atomically), and the merge
 *       base gains the same value, so that the next merge sees both sides agree.</li>
 *   <li><b>Rejections.</b> A value the store rejects is recorded as a store failure of the record;
 *       the regular retry re-reads the whole record.</li>
 * </ul>
 */
final class FieldBackfill {
    private static final Logger LOG = LoggerFactory.getLogger(FieldBackfill.class);

    private FieldBackfill() {
    }

    /**
     * Runs (or resumes) the type's back-fill, if any, and records the fields now synced.
     *
     * @param run the type's run, after its regular sync
     */
    static void run(TypeRun run) {
        if (!run.checkpoint().initialCopyDone()) {
            return;                                    // the copy reads every field
        }
        Set<String> now = run.fields();
        Optional<EngineIntent> saved = run.state().intent(run.type(), EngineIntent.SyncedFields.KEY,
                EngineIntent.Kind.SYNCED_FIELDS);
        if (saved.isEmpty()) {
            save(run, new EngineIntent.SyncedFields(run.type(), run.now(), now, Set.of(), null));
            return;
        }
        EngineIntent.SyncedFields known = (EngineIntent.SyncedFields) saved.get();
        Set<String> added = new TreeSet<>(now);
        added.removeAll(known.fields());
        Set<String> pending = new TreeSet<>(known.backfill());
        pending.addAll(added);
        pending.retainAll(now);
        if (pending.isEmpty()) {
            if (!known.fields().equals(now) || known.backfillCursor() != null) {
                save(run, new EngineIntent.SyncedFields(run.type(), run.now(), now, Set.of(), null));
            }
            return;
        }
        Cursor from = added.isEmpty() && known.backfillCursor() != null ? known.backfillCursor() : Cursor.START;
        LOG.info("{}: back-filling {} newly synced field{} ({}) from {}", run.type(), pending.size(),
                pending.size() == 1 ? "" : "s", SafeText.names(pending), from.equals(Cursor.START) ? "the start" : "where it stopped");
        run.note("back-filled newly synced fields: " + SafeText.names(pending));
        int pageSize = Math.min(run.settings().pageSize(), ChangeQuery.MAX_PAGE_SIZE);
        long done = 0;
        try (ChangeStream stream = run.crm().openChanges(new ChangeQuery(run.type(), pending, from, pageSize))) {
            while (true) {
                run.checkContinue();
                List<SyncRecord> page = stream.nextPage();
                if (page.isEmpty()) {
                    break;
                }
                run.counters().read(page.size());
                Cursor at = from;
                for (SyncRecord r : page) {
                    Cursor c = Cursor.after(r.modstamp(), r.id());
                    if (c.compareTo(at) > 0) {
                        at = c;
                    }
                }
                Cursor next = at;
                EngineIntent.SyncedFields progress = new EngineIntent.SyncedFields(run.type(), run.now(),
                        union(known.fields(), now), pending, next);
                run.commit(() -> {
                    write(run, page, pending);
                    run.state().saveIntent(progress);
                }, null);
                from = next;
                done += page.size();
            }
        }
        save(run, new EngineIntent.SyncedFields(run.type(), run.now(), now, Set.of(), null));
        LOG.info("{}: back-fill of {} done ({} records read)", run.type(), SafeText.names(pending), done);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new LinkedHashSet<>(a);
        out.addAll(b);
        return out;
    }

    private static void save(TypeRun run, EngineIntent.SyncedFields fields) {
        run.commit(() -> run.state().saveIntent(fields), null);
    }

    /** Writes one page's values of the pending fields to the records the store has. */
    private static void write(TypeRun run, List<SyncRecord> page, Set<String> pending) {
        List<CrmId> ids = new ArrayList<>(page.size());
        for (SyncRecord r : page) {
            if (!r.deleted()) {
                ids.add(r.id());
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        Map<CrmId, MarketingRecord> stored = run.store().findByCrmIds(run.type(), ids);
        boolean bidi = run.type().isBidirectional();
        Map<CrmId, SyncBase> bases = bidi ? run.state().bases(run.type(), stored.keySet()) : Map.of();
        List<SyncRecord> patches = new ArrayList<>();
        List<GuardedUpsert> guarded = new ArrayList<>();
        for (SyncRecord r : page) {
            MarketingRecord m = stored.get(r.id());
            if (r.deleted() || m == null || m.crmDeleted()) {
                continue;
            }
            Map<String, FieldValue> values = new HashMap<>();
            Map<String, FieldValue> seen = new HashMap<>();
            for (String f : pending) {
                FieldValue v = r.get(f);
                if (v == null || v.isNull() || v.equals(m.get(f))) {
                    continue;
                }
                if (bidi && !m.get(f).isNull()) {
                    continue;                          // the host's value: the regular merge decides
                }
                values.put(f, v);
                seen.put(f, FieldValue.NULL);
            }
            if (values.isEmpty()) {
                continue;
            }
            SyncRecord patch = new SyncRecord(run.type(), r.id(), values,
                    m.crmModstamp() != null ? m.crmModstamp() : r.modstamp(), false);
            if (bidi) {
                guarded.add(new GuardedUpsert(patch, seen));
            } else {
                patches.add(patch);
            }
        }
        List<StoreResult> results = bidi
                ? (guarded.isEmpty() ? List.of() : run.settings().bidirectionalStore().upsertIfUnchanged(run.type(), guarded))
                : (patches.isEmpty() ? List.of() : run.store().upsert(run.type(), patches));
        List<SyncBase> newBases = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            StoreResult res = results.get(i);
            SyncRecord patch = bidi ? guarded.get(i).record() : patches.get(i);
            if (res instanceof StoreResult.Rejected rej) {
                run.storeFailures().rejected(RecordKey.crm(patch.id()), rej.code(), rej.message(), rej.retriable());
            } else if (res instanceof StoreResult.Updated && bidi) {
                SyncBase b = bases.get(patch.id());
                if (b != null) {
                    Map<String, FieldValue> f = new HashMap<>(b.fields());
                    f.putAll(patch.fields());
                    newBases.add(new SyncBase(b.type(), b.crmId(), b.marketingId(), f, b.pending(), b.crmModstamp(),
                            b.syncedAt()));
                }
            }
        }
        if (!newBases.isEmpty()) {
            run.state().saveBases(newBases);
        }
    }
}
