package dev.crmsync.core.internal;

import dev.crmsync.core.report.StepReport;
import dev.crmsync.crm.Cursor;
import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.SyncBase;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.Deletion;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.store.IdCursor;
import dev.crmsync.store.ChangePage;
import dev.crmsync.store.UnreadableRecord;
import dev.crmsync.model.SafeText;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bidirectional strategy, for Lead, Contact, Campaign and CampaignMember: a three-way merge
 * per field against the base kept in the state store. This class runs the phases of a type's run
 * and hands each batch through the stages; the stages do the work.
 *
 * <h2>One type's run</h2>
 * <ol>
 *   <li><b>CRM changes</b>, as in the one-way pipeline: the full copy first, then the change
 *       stream from the checkpoint (or the previous watermark minus the lookback), and the delete
 *       log. Each CRM change is merged with the store's record as it is now, host edits included
 *       (Marketo's order too: pull, then push).</li>
 *   <li><b>Marketing changes</b> ({@link dev.crmsync.store.BidirectionalStore#changesSince}), page by
 *       page, committing the feed cursor with the writes that finish its page. A linked record whose
 *       values still equal its base is passed over without a CRM call (an echo, or a change already
 *       merged in step 1). In an incremental run, a changed record the change stream of step 1 did
 *       not name has not changed in the CRM since its base: it is merged against the base, with no
 *       read by id; and the records of several pages are merged in batches that fill whole CRM
 *       write calls ({@code W} edits, {@code ceil(W / 200)} calls). A marketing-only person or
 *       campaign is <em>not</em> pushed (Marketo's rule: only {@code pushNow} or a synced campaign
 *       creates it), unless an earlier push of it failed and it changed since. A marketing-only
 *       campaign member is created in the CRM, its person first if needed.</li>
 *   <li><b>Unconfirmed creates</b> not matched by the CRM's changes: an upsert is sent again; a
 *       create only once it has settled, when this read started long enough after it was sent to
 *       have seen it ({@link CreateRecovery#toResend}).</li>
 *   <li><b>Retries and follow-ups</b>: records the CRM rejected with a retriable code (a locked
 *       row), records the store rejected, records re-driven by the host, and records whose values
 *       the engine changed itself (merge survivors, converted persons).</li>
 * </ol>
 *
 * <h2>A batch through the stages</h2>
 * {@link BidiRead} reads both sides into a {@link BidiBatch}; {@link CreateRecovery} links CRM
 * records unknown to the store to the creates whose answer was lost; {@link BidiStructure} applies
 * CRM merges and lead conversions; {@link BidiMerge} turns each other record into a
 * {@link BidiMerge.RecordPlan}; {@link BidiWrites} writes the CRM (per-record results), then the
 * store, the bases and the checkpoint together. A base records only what both sides hold after
 * the writes, so the next read of either side sees no change (no echo) and a quiet cycle writes
 * nothing.
 */
public final class BidirectionalSync implements TypeSync {

    /** Code of a store rejection for a changed row the marketing store could not read back (a host wrote it). */
    public static final String UNREADABLE_IN_STORE = "UNREADABLE_IN_STORE";
    private static final Logger LOG = LoggerFactory.getLogger(BidirectionalSync.class);
    /** The most CRM ids a run remembers having read (beyond, changed marketing records are read back by id). */
    static final int SEEN_LIMIT = 200_000;

    private final Map<ObjectType, Optional<BidiType>> described = new HashMap<>();
    private String describedCycle;

    @Override
    public void sync(TypeRun run) {
        new Pass(run).run();
    }

    @Override
    public void syncHostChanges(TypeRun run) {
        new Pass(run).hostChanges();
    }

    @Override
    public void syncIds(TypeRun run, List<CrmId> ids) {
        new Pass(run).syncIds(ids);
    }

    /** A type's description for this cycle (cached per cycle). */
    private Optional<BidiType> typeOf(TypeRun run, ObjectType type) {
        if (!run.cycleId().equals(describedCycle)) {
            described.clear();
            describedCycle = run.cycleId();
        }
        return described.computeIfAbsent(type, k -> BidiType.describe(run.settings(), k));
    }

    /** One type's run: its phases, and the stages each batch goes through. */
    private final class Pass {
        final TypeRun run;
        final BidiContext cx;
        final BidiConflicts conflicts;
        final BidiRead read;
        final CreateRecovery recovery;
        final BidiStructure structure;
        final BidiMerge merge;
        final BidiWrites writes;
        final HostDeleteStep deletes;

        Pass(TypeRun run) {
            this.run = run;
            this.cx = new BidiContext(run, other -> typeOf(run, other));
            this.conflicts = new BidiConflicts(cx);
            this.read = new BidiRead(cx);
            this.recovery = new CreateRecovery(cx.ops, cx.members);
            this.structure = new BidiStructure(cx, conflicts);
            this.merge = new BidiMerge(cx.t, cx.settings.conflictPolicy(), cx.crmFail, cx.storeFail,
                    cx.settings.clock(), cx.run.unwritten(), cx.hostChangeNoted);
            this.writes = new BidiWrites(cx, conflicts);
            this.deletes = new HostDeleteStep(cx);
        }

        void run() {
            boolean incremental = run.checkpoint().initialCopyDone();
            Instant readStartedAt = cx.now();
            crmPhase();
            // the change stream was read to its end: a linked record it did not name has not
            // changed in the CRM since its base (the premise of every incremental read)
            crmKnown = incremental && crmSeen != null;
            run.step(StepReport.Step.PUSH_UPDATES, this::marketingPhase);
            List<Set<RecordKey>> deletesPending = new ArrayList<>(1);
            run.step(StepReport.Step.PUSH_DELETES, () -> deletesPending.add(deletes.run(
                    id -> cx.deletedInStoreUnchanged.contains(id) || crmUnchangedSinceBase(id, Set.of()),
                    records -> reconcile(BidiBatch.Request.ofCrm(records), null))));
            run.step(StepReport.Step.RESEND_CREATES, () -> resendUnconfirmed(readStartedAt));
            run.step(StepReport.Step.RETRY, () -> retries(deletesPending.get(0)));
            int sweep = cx.settings.idSweeps().getOrDefault(cx.type, 0);
            if (sweep > 0 && incremental) {
                run.step(StepReport.Step.SWEEP_IDS, () -> sweepIds(sweep));
            }
            int calculated = cx.settings.calculatedRefresh().getOrDefault(cx.type, 0);
            if (calculated > 0 && incremental && CalculatedRefresh.hasCalculated(run)) {
                run.step(StepReport.Step.REFRESH_CALCULATED, () -> refreshCalculated(calculated));
            }
            long pushed = cx.pushedToCrm();
            if (pushed > 0) {
                run.note(pushed + " record" + (pushed == 1 ? "" : "s") + " written to the CRM");
                run.listener().onWrittenToCrm(run.type(), pushed);
            }
            String note = conflicts.note();
            if (note != null) {
                run.note(note);
            }
            if (merge.excluded > 0) {
                run.note(merge.excluded + " record" + (merge.excluded == 1 ? "" : "s")
                        + " outside the sync filter: flagged, not synced");
            }
            if (merge.entered > 0) {
                run.note(merge.entered + " record" + (merge.entered == 1 ? "" : "s")
                        + " entered the sync filter: copied in full");
            }
        }

        /**
         * The CRM ids the CRM phase of this run has read or reconciled, or null once there were
         * more than {@link #SEEN_LIMIT} (the marketing phase then reads the CRM side of every
         * changed record by id, as it must during a first copy).
         */
        Set<CrmId> crmSeen = new HashSet<>();
        /** True once the CRM phase read the change stream to its end, in an incremental run. */
        boolean crmKnown;
        /** True while the CRM phase runs. */
        boolean inCrmPhase;

        /** A batch through the stages: read, link lost creates, structural changes, merge, write. */
        void reconcile(BidiBatch.Request request, Checkpoint next) {
            if (inCrmPhase && crmSeen != null) {
                crmSeen.addAll(request.ids());
                if (crmSeen.size() > SEEN_LIMIT) {
                    crmSeen = null;
                }
            }
            Optional<BidiBatch> loaded = read.load(request);
            if (loaded.isEmpty()) {
                if (next != null) {
                    run.commit(() -> { }, next);
                }
                return;
            }
            BidiBatch w = recovery.linkLostCreates(cx, loaded.get());
            Set<CrmId> inDoubt = new HashSet<>();
            for (CrmId id : w.ids()) {
                SyncRecord c = w.crm().get(id);
                SyncBase b = w.bases().get(id);
                if (c != null && !c.deleted() && w.mkt().get(id) == null && b != null && b.marketingId() == null) {
                    inDoubt.add(id);
                }
            }
            merge.tombstoned(read.hostDeleted(inDoubt, run.checkpoint().marketingCursor()));
            Set<CrmId> structural = structure.apply(BidiStructure.find(w, cx.type), w);
            BidiWrites.Admitted admitted = new BidiWrites.Admitted();
            for (CrmId id : w.ids()) {
                if (!structural.contains(id)) {
                    writes.admit(admitted, merge.plan(id, w));
                }
            }
            writes.write(admitted, next);
        }

        // ==== 2. marketing changes ===============================================================

        /**
         * Whether the CRM side of a record changed on the marketing side is known without a read:
         * this run read the CRM's change stream to its end and it did not name the record, and no
         * follow-up of the engine's own is due for it.
         */
        boolean crmUnchangedSinceBase(CrmId id, Set<RecordKey> followUps) {
            return crmKnown && crmSeen != null && !crmSeen.contains(id) && !followUps.contains(RecordKey.crm(id));
        }

        void marketingPhase() {
            FeedCursor cursor = run.checkpoint().marketingCursor();
            int limit = cx.settings.storeBatchSize();
            Set<RecordKey> followUps = new HashSet<>(cx.crmFail.followUpsThisRun());
            cx.crmFail.dueFollowUps().forEach(fu -> followUps.add(fu.key()));
            LinkedChanges linked = new LinkedChanges(limit, cx.settings.crm().maxWriteBatch());
            while (true) {
                run.checkContinue();
                ChangePage page = cx.settings.bidirectionalStore().changesSince(cx.type, cursor, limit);
                if (page == null) {
                    throw new SyncException("marketing store returned no change page", cx.type, null, null);
                }
                if (page.records().isEmpty() && page.nextCursor().equals(cursor)) {
                    break;
                }
                run.marketingChangesFound(page.records().size() + page.unreadable().size() + page.deletions().size());
                Checkpoint next = run.checkpoint().withMarketingCursor(page.nextCursor(), cx.now());
                for (UnreadableRecord u : page.unreadable()) {
                    // a host row the store cannot read: that record is rejected (kept for retry), the rest proceeds
                    cx.storeFail.rejected(u.key(), UNREADABLE_IN_STORE, "the marketing store cannot read column '"
                            + SafeText.name(u.column()) + "' of " + cx.type + " record " + u.key() + ": "
                            + SafeText.bounded(u.reason()), true);
                }
                if (!page.deletions().isEmpty()) {
                    deletes.recorded(page.deletions());     // before the page's position is committed
                }
                BidiRead.FeedPage split = read.split(page.records());
                if (!split.unlinked().isEmpty()) {
                    pushChanged(split.unlinked());
                }
                linked.add(read.changed(split.linked(), id -> crmUnchangedSinceBase(id, followUps)), next);
                linked.reconcileFull();
                cursor = page.nextCursor();
                if (!page.hasMore()) {
                    break;
                }
            }
            linked.reconcileRest();
            run.marketingFeedReadToEnd();
        }

        /**
         * The linked records of consecutive feed pages, reconciled in batches that fill whole CRM
         * write calls: {@code W} changed records cost {@code ceil(W / maxWriteBatch)} write calls
         * rather than that per store page. A page's feed position is committed with the batch that
         * finishes its records; a crash in between re-reads the page, whose records already
         * merged now equal their bases and are passed over.
         */
        final class LinkedChanges {
            private final int batch;
            private final java.util.ArrayDeque<PageChanges> pages = new java.util.ArrayDeque<>();
            private int size;

            /** @param storeBatch the store's page size @param writeBatch the CRM's largest write batch */
            LinkedChanges(int storeBatch, int writeBatch) {
                int w = Math.max(1, writeBatch);
                this.batch = Math.max(w, (storeBatch + w - 1) / w * w);
            }

            void add(BidiBatch.Request request, Checkpoint next) {
                List<CrmId> ids = new ArrayList<>(request.ids());
                pages.addLast(new PageChanges(request, ids, next));
                size += ids.size();
            }

            /** Reconciles whole batches while there are enough records for one. */
            void reconcileFull() {
                while (size >= batch) {
                    take(batch);
                }
                if (size == 0 && !pages.isEmpty()) {
                    take(0);        // pages with nothing to merge: their positions are committed
                }
            }

            /** Reconciles what is left. */
            void reconcileRest() {
                if (!pages.isEmpty()) {
                    take(size);
                }
            }

            private void take(int n) {
                List<BidiBatch.Request> parts = new ArrayList<>();
                Checkpoint done = null;
                int left = n;
                while (!pages.isEmpty()) {
                    PageChanges p = pages.peekFirst();
                    if (p.ids.size() <= left) {
                        pages.removeFirst();
                        parts.add(p.request);
                        left -= p.ids.size();
                        done = p.next;
                    } else if (left > 0) {
                        Set<CrmId> head = new LinkedHashSet<>(p.ids.subList(0, left));
                        parts.add(p.request.restrictedTo(head));
                        p.ids.subList(0, left).clear();
                        p.request = p.request.restrictedTo(new LinkedHashSet<>(p.ids));
                        left = 0;
                        break;
                    } else {
                        break;
                    }
                }
                size -= n - left;
                reconcile(BidiBatch.Request.union(parts), done);
            }
        }

        /** One feed page's linked changes still to be reconciled, and its position. */
        final class PageChanges {
            BidiBatch.Request request;
            final List<CrmId> ids;
            final Checkpoint next;

            PageChanges(BidiBatch.Request request, List<CrmId> ids, Checkpoint next) {
                this.request = request;
                this.ids = ids;
                this.next = next;
            }
        }

        /** Marketing-only records that changed: members are created; persons and campaigns only if a push was asked for. */
        void pushChanged(List<MarketingRecord> unlinked) {
            if (cx.members != null) {
                cx.create(unlinked, false);
                return;
            }
            List<MarketingRecord> retry = new ArrayList<>();
            for (MarketingRecord r : unlinked) {
                if (cx.crmFail.hasFailure(RecordKey.marketing(r.marketingId()))) {
                    retry.add(r);        // a push was asked for and failed; it changed since: try again
                } else {
                    cx.counters.skipped();  // marketing-only: not pushed by the cycle (pushNow does)
                }
            }
            if (!retry.isEmpty()) {
                cx.create(retry, false);
            }
        }

        // ==== 1. CRM changes =====================================================================

        void crmPhase() {
            inCrmPhase = true;
            try {
                crmPhaseRun();
            } finally {
                inCrmPhase = false;
            }
        }

        void crmPhaseRun() {
            Checkpoint cp = run.checkpoint();
            if (!cp.initialCopyDone()) {
                run.step(StepReport.Step.PULL_UPDATES, () -> readChanges(cp.crmCursor(), true));
                run.step(StepReport.Step.PULL_DELETES, this::applyDeletionLog);
                return;
            }
            Instant[] watermark = new Instant[1];
            run.step(StepReport.Step.PULL_DELETES, () -> watermark[0] = applyDeletionLog());
            Instant previous = cp.deletionsCheckedUntil();
            run.step(StepReport.Step.PULL_UPDATES, () -> {
                readChanges(run.incrementalStart(), false);
                if (watermark[0] != null && (previous == null || watermark[0].isAfter(previous))) {
                    run.commit(() -> { }, run.checkpoint().withDeletionsCheckedUntil(watermark[0], cx.now()));
                }
            });
        }

        void readChanges(Cursor from, boolean initial) {
            run.readChanges(from, initial, cx.t.read, (page, next) -> reconcile(BidiBatch.Request.ofCrm(page), next));
        }

        /** Applies the delete log since the last check; reconciles id sets after a retention gap. */
        Instant applyDeletionLog() {
            Checkpoint cp = run.checkpoint();
            Instant checked = cp.deletionsCheckedUntil();
            Instant now = cx.now();
            Instant start = (checked == null ? now : checked).minus(cx.settings.lookback());
            if (!now.isAfter(start)) {
                return null;
            }
            run.checkContinue();
            DeletedRecords log = cx.settings.crm().deletedSince(cx.type, start, now);
            if (log == null) {
                throw new SyncException("CRM returned no delete log", cx.type, null, null);
            }
            Map<CrmId, Deletion> byId = new LinkedHashMap<>();
            log.deletions().forEach(d -> byId.put(d.crmId(), d));
            List<Deletion> all = new ArrayList<>(byId.values());
            int size = cx.settings.storeBatchSize();
            for (int from = 0; from < all.size(); from += size) {
                List<Deletion> batch = all.subList(from, Math.min(all.size(), from + size));
                Map<CrmId, MarketingRecord> held = cx.settings.store().findByCrmIds(cx.type,
                        batch.stream().map(Deletion::crmId).toList());
                if (crmSeen != null) {
                    batch.forEach(d -> crmSeen.add(d.crmId()));
                }
                List<Deletion> toFlag = BidiStructure.toFlag(batch, held);
                run.commit(() -> writes.markDeleted(toFlag), null);
            }
            if (checked == null || log.earliestDateAvailable().isAfter(checked)) {
                run.reconcileStoredIds(checked, log.earliestDateAvailable(),
                        live -> reconcile(BidiBatch.Request.ofStored(live), null));
            }
            return log.latestDateCovered();
        }

        // ==== host changes now (outside a cycle) ==================================================

        /**
         * The marketing phase and the host deletes alone: the host's changes reach the CRM without
         * waiting for the cycle; the CRM side of each is read (the CRM phase did not run, so nothing
         * is known unchanged), merged three-way as in a cycle.
         */
        void hostChanges() {
            if (!run.checkpoint().initialCopyDone()) {
                run.note("the first copy is not done: host changes wait for the cycle");
                return;
            }
            run.step(StepReport.Step.PUSH_UPDATES, this::marketingPhase);
            run.step(StepReport.Step.PUSH_DELETES, () -> deletes.run(id -> cx.deletedInStoreUnchanged.contains(id),
                    records -> reconcile(BidiBatch.Request.ofCrm(records), null)));
            long pushed = cx.pushedToCrm();
            if (pushed > 0) {
                run.note(pushed + " record" + (pushed == 1 ? "" : "s") + " written to the CRM");
                run.listener().onWrittenToCrm(run.type(), pushed);
            }
            String note = conflicts.note();
            if (note != null) {
                run.note(note);
            }
        }

        // ==== records by id (outside a cycle) =====================================================

        /**
         * Merges named CRM records now: those the CRM has, as a page of the change stream would
         * bring them; those it no longer has, that the store holds, as deleted. In store-batch chunks.
         */
        void syncIds(List<CrmId> ids) {
            int size = cx.settings.storeBatchSize();
            for (int from = 0; from < ids.size(); from += size) {
                run.checkContinue();
                List<CrmId> chunk = ids.subList(from, Math.min(ids.size(), from + size));
                Map<CrmId, SyncRecord> found = cx.ops.fetch(cx.type, chunk, cx.t.read);
                List<SyncRecord> records = new ArrayList<>();
                List<CrmId> missing = new ArrayList<>();
                for (CrmId id : chunk) {
                    SyncRecord r = found.get(id);
                    if (r != null) {
                        records.add(r);
                    } else {
                        missing.add(id);
                    }
                }
                if (!records.isEmpty()) {
                    reconcile(BidiBatch.Request.ofCrm(records), null);
                }
                if (!missing.isEmpty()) {
                    reconcileStored(missing);
                }
            }
        }

        /**
         * Merges the records the store holds live under these ids against what the CRM has now: a
         * record the CRM no longer has is flagged deleted by the merge, as any CRM deletion is.
         */
        void reconcileStored(List<CrmId> ids) {
            Map<CrmId, MarketingRecord> held = cx.settings.store().findByCrmIds(cx.type, ids);
            Map<CrmId, MarketingRecord> live = new LinkedHashMap<>();
            for (CrmId id : ids) {
                MarketingRecord m = held.get(id);
                if (m != null && !m.crmDeleted()) {
                    live.put(id, m);
                }
            }
            if (!live.isEmpty()) {
                reconcile(BidiBatch.Request.ofStored(live), null);
            }
        }

        // ==== 5. the id sweep ====================================================================

        /**
         * Checks the next slice of the store's ids against the CRM: a record the CRM no longer has
         * (a campaign member removed from its campaign is hard-deleted: never in the delete log) is
         * flagged deleted by the same merge as any record the CRM deleted. The position is saved
         * with each slice ({@link EngineIntent.IdSweep}); a pass that reaches the last id starts
         * over at the next cycle.
         */
        void sweepIds(int budget) {
            long deletedBefore = run.counters().snapshot().deleted();
            IdWalk.Slice slice = IdWalk.walk(run, EngineIntent.IdSweep.KEY, budget, this::reconcileStored);
            long gone = run.counters().snapshot().deleted() - deletedBefore;
            if (gone > 0) {
                run.note("id sweep: " + slice.checked() + " ids checked, " + gone + " removed in the CRM without a trace"
                        + (slice.passDone() ? "; pass " + slice.next().passes() + " complete" : ""));
            }
        }

        /**
         * Re-reads the next slice of stored records from the CRM and merges them: calculated fields
         * (formulas, roll-ups) change without moving the record's stamp, so the change stream never
         * brings their new values; the merge writes only what differs ({@link CalculatedRefresh}).
         */
        void refreshCalculated(int budget) {
            CalculatedRefresh.run(run, budget, records -> reconcile(BidiBatch.Request.ofCrm(records), null),
                    cx.t.read);
        }

        // ==== 3. unconfirmed creates =============================================================

        void resendUnconfirmed(Instant readStartedAt) {
            List<MarketingRecord> again = recovery.toResend(readStartedAt);
            if (!again.isEmpty()) {
                LOG.info("{}: {} creates sent earlier never reached the CRM; sending them again", cx.type, again.size());
                cx.create(again, true);
            }
        }

        // ==== 4. retries and follow-ups ==========================================================

        void retries(Set<RecordKey> deletesPending) {
            Set<RecordKey> keys = retryKeys();
            keys.removeAll(deletesPending);         // the host-delete step retries those
            if (deletes.sawPending) {
                keys.removeIf(k -> k instanceof RecordKey.Crm && cx.settings.state().intent(cx.type, k,
                        dev.crmsync.store.EngineIntent.Kind.HOST_DELETE).isPresent());
            }
            if (keys.isEmpty()) {
                return;
            }
            LOG.info("{}: retrying {} records", cx.type, keys.size());
            List<CrmId> ids = new ArrayList<>();
            List<MarketingRecord> unlinked = new ArrayList<>();
            for (RecordKey key : keys) {
                if (key instanceof RecordKey.Marketing mk) {
                    Optional<MarketingRecord> r = recovery.pushable(mk.marketingId());
                    if (r.isEmpty()) {
                        cx.crmFail.succeeded(key);
                    } else if (r.get().crmId() != null && !r.get().crmDeleted()) {
                        cx.crmFail.succeeded(key);
                        ids.add(r.get().crmId());
                    } else {
                        unlinked.add(r.get());
                    }
                } else {
                    ids.add(((RecordKey.Crm) key).id());
                }
            }
            if (!unlinked.isEmpty()) {
                cx.create(unlinked, false);
            }
            int size = cx.settings.fetchSize();
            for (int from = 0; from < ids.size(); from += size) {
                run.checkContinue();
                reconcile(BidiBatch.Request.ofIds(ids.subList(from, Math.min(ids.size(), from + size))), null);
            }
        }

        /**
         * The records due again: CRM rejections with a retriable code and follow-ups, oldest first
         * (data errors wait for a change or a re-drive), then store rejections, then follow-ups
         * recorded during this run.
         */
        Set<RecordKey> retryKeys() {
            List<SideFailures.Due> crmDue = new ArrayList<>();
            for (FailedRecord f : cx.crmFail.due()) {
                if (f.retriable()) {
                    crmDue.add(new SideFailures.Due(f.lastFailedAt(), f.key()));
                }
            }
            cx.crmFail.dueFollowUps().forEach(fu -> crmDue.add(new SideFailures.Due(fu.recordedAt(), fu.key())));
            crmDue.sort(Comparator.comparing(SideFailures.Due::at).thenComparing(SideFailures.Due::key));
            Set<RecordKey> keys = new LinkedHashSet<>();
            crmDue.forEach(d -> keys.add(d.key()));
            for (FailedRecord f : cx.storeFail.due()) {
                keys.add(f.key());
            }
            keys.addAll(cx.crmFail.followUpsThisRun());
            return keys;
        }
    }
}
