package dev.crmsync.core.internal;

import dev.crmsync.core.ChangeQuery;
import dev.crmsync.core.ChangeStream;
import dev.crmsync.core.DeletedRecords;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.Cursor;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-way pipeline, CRM → marketing, for one object type. Three steps per cycle:
 * <ol>
 *   <li><b>Retries.</b> Records the store rejected in earlier cycles (and not parked) are
 *       re-read by id from the CRM and applied again; a record the CRM no longer has is flagged
 *       deleted.</li>
 *   <li><b>Changes.</b> The first cycle copies everything, page by page, resuming exactly from
 *       its checkpoint after a crash. Later cycles read from the checkpoint rewound by the
 *       lookback window, so records that became visible late are caught; the overlap writes
 *       nothing because {@link StoreApplier} compares with the stored record. After each page
 *       the store writes and the checkpoint (composite stamp, id cursor; never moved backwards)
 *       commit together.</li>
 *   <li><b>Deletions.</b> The CRM's delete log since the last check flags deleted records. When
 *       the log no longer reaches back to the last check (the CRM's retention was exceeded), the
 *       store's id set is reconciled with the CRM: every held id the CRM no longer has is
 *       flagged deleted.</li>
 * </ol>
 */
public final class OneWaySync implements TypeSync {
    private static final Logger LOG = LoggerFactory.getLogger(OneWaySync.class);

    @Override
    public void sync(TypeRun run) {
        retryFailures(run);
        readChanges(run);
        syncDeletions(run);
    }

    private static void retryFailures(TypeRun run) {
        List<FailedRecord> due = run.storeFailures().due();
        if (due.isEmpty()) {
            return;
        }
        LOG.info("{}: retrying {} records the store rejected earlier", run.type(), due.size());
        List<CrmId> ids = new ArrayList<>(due.size());
        for (FailedRecord f : due) {
            try {
                ids.add(CrmId.of(f.key()));
            } catch (IllegalArgumentException e) {
                LOG.warn("{}: failure key '{}' is not a CRM id; left in the queue", run.type(), f.key());
            }
        }
        fetchAndApply(run, ids);
    }

    /** Reads current values by id and applies them; ids the CRM no longer has are flagged deleted. */
    private static void fetchAndApply(TypeRun run, List<CrmId> ids) {
        int size = run.settings().fetchSize();
        for (int from = 0; from < ids.size(); from += size) {
            run.checkContinue();
            List<CrmId> chunk = ids.subList(from, Math.min(ids.size(), from + size));
            List<SyncRecord> found = run.crm().fetch(run.type(), chunk, run.fields());
            run.counters().read(found.size());
            List<SyncRecord> records = new ArrayList<>(found);
            Set<CrmId> seen = new HashSet<>();
            found.forEach(r -> seen.add(r.id()));
            Instant now = run.now();
            for (CrmId id : chunk) {
                if (!seen.contains(id)) {        // gone from the CRM for good (purged from its recycle bin)
                    records.add(new SyncRecord(run.type(), id, Map.of(), now, true));
                }
            }
            run.commit(() -> run.applier().apply(records), null);
        }
    }

    private static void readChanges(TypeRun run) {
        ObjectType type = run.type();
        Checkpoint cp = run.checkpoint();
        boolean initial = !cp.initialCopyDone();
        Cursor from = initial ? cp.crmCursor() : cp.crmCursor().rewind(run.settings().lookback());
        long done = initial ? cp.recordsDone() : 0;
        int pageSize = Math.min(run.settings().pageSize(), ChangeQuery.MAX_PAGE_SIZE);
        LOG.debug("{}: reading {} from {}", type, initial ? "the full copy" : "changes", from);
        try (ChangeStream stream = run.crm().openChanges(new ChangeQuery(type, run.fields(), from, pageSize))) {
            OptionalLong estimate = stream.estimatedTotal();
            final long startDone = done;
            OptionalLong total = estimate.isPresent() ? OptionalLong.of(startDone + estimate.getAsLong()) : estimate;
            run.progress(done, total);
            while (true) {
                run.checkContinue();
                List<SyncRecord> page = stream.nextPage();
                if (page.isEmpty()) {
                    break;
                }
                run.counters().read(page.size());
                Cursor pageEnd = null;
                for (SyncRecord r : page) {
                    Cursor at = Cursor.after(r.modstamp(), r.id());
                    if (pageEnd == null || at.compareTo(pageEnd) > 0) {
                        pageEnd = at;
                    }
                }
                Cursor next = pageEnd.compareTo(cp.crmCursor()) > 0 ? pageEnd : cp.crmCursor();
                done += page.size();
                Checkpoint nextCp = cp.withCrmCursor(next, initial ? done : 0, run.now());
                run.commit(() -> run.applier().apply(page), nextCp);
                cp = nextCp;
                run.progress(done, total);
            }
        }
        if (initial) {
            run.commit(() -> { }, cp.withInitialCopyDone(run.now()));
            LOG.info("{}: first full copy finished ({} records)", type, done);
        }
    }

    private static void syncDeletions(TypeRun run) {
        Checkpoint cp = run.checkpoint();
        Instant checked = cp.deletionsCheckedUntil();
        Instant now = run.now();
        Instant start = checked == null ? now.minus(run.settings().lookback()) : checked.minus(run.settings().lookback());
        if (!now.isAfter(start)) {
            return;
        }
        run.checkContinue();
        DeletedRecords log = run.crm().deletedSince(run.type(), start, now);
        if (log == null) {
            throw new SyncException("CRM returned no delete log", run.type(), null, null);
        }
        run.commit(() -> run.applier().applyLoggedDeletions(log.deletions()), null);
        boolean gap = checked == null || log.earliestDateAvailable().isAfter(checked);
        if (gap) {
            reconcileIds(run, checked, log.earliestDateAvailable());
        }
        Instant until = log.latestDateCovered();
        if (checked != null && checked.isAfter(until)) {
            until = checked;                     // never move backwards
        }
        Checkpoint latest = run.checkpoint();
        run.commit(() -> { }, latest.withDeletionsCheckedUntil(until, run.now()));
    }

    /**
     * The delete log no longer reaches back to the last check: deletions may have been missed.
     * Walks every id the store holds (not already flagged), asks the CRM for them by id, flags
     * the ones it no longer has (or has deleted) and refreshes the ones whose values differ.
     */
    private static void reconcileIds(TypeRun run, Instant checked, Instant earliest) {
        ObjectType type = run.type();
        LOG.warn("{}: the CRM's delete log reaches back only to {} but deletions were last checked up to {};"
                + " reconciling the store's ids with the CRM", type, earliest, checked);
        long deletedBefore = run.counters().snapshot().deleted();
        int limit = run.settings().fetchSize();
        CrmId after = null;
        long checkedIds = 0;
        while (true) {
            run.checkContinue();
            List<CrmId> ids = run.store().crmIds(type, after, limit);
            if (ids.isEmpty()) {
                break;
            }
            after = ids.get(ids.size() - 1);
            Map<CrmId, MarketingRecord> held = run.store().findByCrmIds(type, ids);
            List<CrmId> live = new ArrayList<>();
            for (CrmId id : ids) {
                MarketingRecord r = held.get(id);
                if (r != null && !r.crmDeleted()) {
                    live.add(id);
                }
            }
            checkedIds += live.size();
            fetchAndApply(run, live);
            if (ids.size() < limit) {
                break;
            }
        }
        long flagged = run.counters().snapshot().deleted() - deletedBefore;
        run.note("delete log reaches back only to " + earliest + " (last checked up to " + checked
                + "): reconciled " + checkedIds + " stored ids with the CRM, " + flagged + " flagged deleted");
    }
}
