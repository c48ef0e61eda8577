package dev.crmsync.core.internal;

import dev.crmsync.core.report.StepReport;
import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.crm.Cursor;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.RecordKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-way pipeline, CRM → marketing, for one object type.
 *
 * <h2>First cycle: the full copy</h2>
 * Retries aside, the first cycle copies every record page by page from {@link Cursor#START}; the
 * store writes of a page and the checkpoint (composite stamp, id cursor) commit together, so a
 * crash resumes exactly after the last durable page. When the stream is exhausted the copy is
 * marked done and the CRM's delete log is applied.
 *
 * <h2>Later cycles</h2>
 * <ol>
 *   <li><b>Retries.</b> Records the store rejected earlier (and not parked) are re-read by id and
 *       applied again; a record the CRM no longer has is flagged deleted.</li>
 *   <li><b>Deletions.</b> The delete log since the last check (rewound by the lookback) flags
 *       deleted records. When the log no longer reaches back to the last check (the CRM's
 *       retention was exceeded) the store's id set is reconciled with the CRM. The call also
 *       yields the CRM's current time (the log's {@code latestDateCovered}), the watermark of
 *       this cycle's read.</li>
 *   <li><b>Changes.</b> Read from the checkpoint cursor, or from the previous watermark minus
 *       the lookback if that is earlier: a record that became visible late (a commit that
 *       landed after a read had passed its stamp) is stamped at most a lookback before it became
 *       visible, hence after the watermark minus the lookback. A quiet type thus re-reads nothing,
 *       and a busy one re-reads one lookback window. Re-read records are compared with the store
 *       ({@link StoreApplier}) and not written again. The checkpoint cursor never moves
 *       backwards; the new watermark is saved only once the read is complete.</li>
 * </ol>
 */
public final class OneWaySync implements TypeSync {
    private static final Logger LOG = LoggerFactory.getLogger(OneWaySync.class);

    @Override
    public void sync(TypeRun run) {
        run.step(StepReport.Step.RETRY_FAILED, () -> retryFailures(run));
        Checkpoint cp = run.checkpoint();
        if (!cp.initialCopyDone()) {
            run.step(StepReport.Step.PULL_UPDATES, () -> readChanges(run, cp.crmCursor(), true));
            // the watermark stays at the copy's start: records that became visible late during the
            // copy are stamped after it minus the lookback, and the next cycle re-reads from there
            run.step(StepReport.Step.PULL_DELETES, () -> applyDeletionLog(run, readDeletionLog(run)));
            return;
        }
        // read the delete log before the changes: its latestDateCovered is the CRM's time before
        // this read, the watermark saved once the read is complete
        DeletedRecords[] log = new DeletedRecords[1];
        Instant previous = cp.deletionsCheckedUntil();
        run.step(StepReport.Step.PULL_UPDATES, () -> {
            log[0] = readDeletionLog(run);
            readChanges(run, run.incrementalStart(), false);
        });
        // most deletions came with the change stream; the log adds those it no longer shows
        run.step(StepReport.Step.PULL_DELETES, () -> {
            applyDeletionLog(run, log[0]);
            Instant watermark = log[0] == null ? null : log[0].latestDateCovered();
            if (watermark != null && (previous == null || watermark.isAfter(previous))) {
                run.commit(() -> { }, run.checkpoint().withDeletionsCheckedUntil(watermark, run.now()));
            }
        });
        int calculated = run.settings().calculatedRefresh().getOrDefault(run.type(), 0);
        if (calculated > 0 && CalculatedRefresh.hasCalculated(run)) {
            run.step(StepReport.Step.REFRESH_CALCULATED, () -> CalculatedRefresh.run(run, calculated,
                    records -> run.commit(() -> run.applier().apply(records), null), run.fields()));
        }
    }

    @Override
    public void syncIds(TypeRun run, List<CrmId> ids) {
        fetchAndApply(run, ids);
    }

    private static void retryFailures(TypeRun run) {
        List<FailedRecord> due = run.storeFailures().due();
        if (due.isEmpty()) {
            return;
        }
        LOG.info("{}: retrying {} records the store rejected earlier", run.type(), due.size());
        List<CrmId> ids = new ArrayList<>(due.size());
        for (FailedRecord f : due) {
            if (f.key() instanceof RecordKey.Crm k) {
                ids.add(k.id());
            } else {
                LOG.warn("{}: failure of {} has no CRM id; left in the queue", run.type(), f.key());
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

    private static void readChanges(TypeRun run, Cursor from, boolean initial) {
        run.readChanges(from, initial, run.fields(), (page, next) -> run.commit(() -> run.applier().apply(page), next));
    }

    /**
     * Reads the CRM's delete log since the last check, rewound by the lookback.
     *
     * @return the log, or null when the window is empty
     */
    private static DeletedRecords readDeletionLog(TypeRun run) {
        Instant checked = run.checkpoint().deletionsCheckedUntil();
        Instant now = run.now();
        Instant start = (checked == null ? now : checked).minus(run.settings().lookback());
        if (!now.isAfter(start)) {
            return null;
        }
        run.checkContinue();
        DeletedRecords log = run.crm().deletedSince(run.type(), start, now);
        if (log == null) {
            throw new SyncException("CRM returned no delete log", run.type(), null, null);
        }
        return log;
    }

    /**
     * Flags the logged deletions the store has not flagged yet, and reconciles id sets if the log
     * no longer reaches back to the last check. Does not move the checkpoint.
     */
    private static void applyDeletionLog(TypeRun run, DeletedRecords log) {
        Instant checked = run.checkpoint().deletionsCheckedUntil();
        if (log != null) {
            run.commit(() -> run.applier().applyLoggedDeletions(log.deletions()), null);
        }
        if (checked == null || (log != null && log.earliestDateAvailable().isAfter(checked))) {
            run.reconcileStoredIds(checked, log == null ? null : log.earliestDateAvailable(),
                    live -> fetchAndApply(run, List.copyOf(live.keySet())));
        }
    }

}
