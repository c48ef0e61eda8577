package dev.crmsync.core.internal;

import dev.crmsync.core.report.Backlog;
import dev.crmsync.core.report.StepReport;
import dev.crmsync.core.report.SyncCounts;
import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.core.SyncListener;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.crm.Cursor;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.store.Lease;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.IdCursor;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.SyncStateStore;
import java.time.Instant;
import java.time.Duration;
import dev.crmsync.model.CallAbortedException;
import dev.crmsync.model.QuotaExceededException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One object type's run within a cycle: what a {@link TypeSync} works with. Used by the cycle's
 * thread only.
 */
public final class TypeRun {
    private static final Logger LOG = LoggerFactory.getLogger(TypeRun.class);


    private final EngineSettings settings;
    private final String cycleId;
    private final ObjectType type;
    private final ObjectSchema schema;
    private final Set<String> fields;
    private final SyncListener listener;
    /** The persons' activity history this run writes ({@link Activities#NONE} when the store keeps none). */
    private final Activities activities;
    private final Supplier<String> stopReason;
    private final TypeCounters counters = new TypeCounters();
    private final List<String> notes = new ArrayList<>();
    private final UnwrittenFields unwritten;
    private SideFailures storeFailures;
    private StoreApplier applier;
    private final LeaseKeeper.Hold lease;
    private Checkpoint checkpoint;
    private boolean noteworthy;
    /** the CRM's count of the changes the run's first read had to take, if it gave one */
    private OptionalLong crmWaiting = OptionalLong.empty();
    /** host changes found in the marketing store's feed, -1 until the feed is read */
    private long marketingWaiting = -1;
    private boolean marketingFeedRead;
    private final List<StepReport> steps = new ArrayList<>();
    /** The change of the saved resume point to make with the next checkpoint committed, or null. */
    private ResumeChange pendingResume;

    /**
     * @param settings the engine's settings
     * @param cycleId the cycle's id
     * @param type the object type
     * @param schema the type as the integration user sees it
     * @param fields the fields to sync (readable, and selected by the host)
     * @param listener the guarded listener
     * @param stopReason gives a reason when the cycle must stop, else null
     * @param lease the type's lease, renewed by its heartbeat while the type runs
     */
    public TypeRun(EngineSettings settings, String cycleId, ObjectType type, ObjectSchema schema, Set<String> fields,
                   SyncListener listener, Supplier<String> stopReason, LeaseKeeper.Hold lease) {
        this.settings = FencedState.fence(settings, lease, type);
        this.cycleId = cycleId;
        this.type = type;
        this.schema = schema;
        this.fields = Set.copyOf(fields);
        this.activities = Activities.of(settings, cycleId);
        this.listener = ActivityListener.of(listener, activities);
        this.unwritten = new UnwrittenFields(type, this.listener);
        this.stopReason = stopReason;
        this.lease = lease;
        Instant now = now();
        this.checkpoint = settings.state().checkpoint(type)
                .orElseGet(() -> Checkpoint.initial(type, now).withDeletionsCheckedUntil(now, now));
        listener.onCheckpoint(checkpoint);
    }

    /** @return the engine's settings */
    public EngineSettings settings() {
        return settings;
    }

    /** @return the cycle's id */
    public String cycleId() {
        return cycleId;
    }

    /** @return the object type */
    public ObjectType type() {
        return type;
    }

    /** @return the type as the integration user sees it */
    public ObjectSchema schema() {
        return schema;
    }

    /** @return the fields to sync */
    public Set<String> fields() {
        return fields;
    }

    /** @return the CRM */
    public CrmSource crm() {
        return settings.crm();
    }

    /** @return the marketing store */
    public MarketingStore store() {
        return settings.store();
    }

    /** @return the state store */
    public SyncStateStore state() {
        return settings.state();
    }

    /** @return the guarded listener */
    public SyncListener listener() {
        return listener;
    }

    /** @return the persons' activity history this run writes */
    Activities activities() {
        return activities;
    }

    /** @return the run's book of host fields the CRM does not take */
    UnwrittenFields unwritten() {
        return unwritten;
    }

    /** @return the type's counters */
    public TypeCounters counters() {
        return counters;
    }

    /**
     * @return failures of writes to the marketing store: the retry queue and parked entries of the
     *     type, loaded on first use (once per type run, shared by everything that writes the store)
     */
    SideFailures storeFailures() {
        if (storeFailures == null) {
            storeFailures = SideFailures.load(settings.state(), type, SyncSide.MARKETING, settings.maxAttempts(),
                    settings.clock(), listener, counters);
        }
        return storeFailures;
    }

    /** @return the CRM → marketing applier (created on first use) */
    public StoreApplier applier() {
        if (applier == null) {
            applier = new StoreApplier(settings.store(), type, fields, settings.storeBatchSize(), storeFailures(),
                    counters, settings.syncFilters().get(type), activities);
        }
        return applier;
    }

    /**
     * Where an incremental read starts: the checkpoint's cursor, rewound to the previous
     * watermark minus the lookback when that is earlier (records that became visible late carry
     * stamps before the cursor); the cursor minus the lookback when there is no watermark yet.
     *
     * @return the cursor to read changes from
     */
    public Cursor incrementalStart() {
        Instant previous = checkpoint.deletionsCheckedUntil();
        if (previous == null) {
            return checkpoint.crmCursor().rewind(settings.lookback());
        }
        Cursor lateFloor = new Cursor(previous, null).rewind(settings.lookback());
        return checkpoint.crmCursor().compareTo(lateFloor) <= 0 ? checkpoint.crmCursor() : lateFloor;
    }

    /**
     * Reads the CRM's changes of the type from a cursor, page by page, with progress. Each page
     * goes to {@code page} with the checkpoint that follows it, which {@code page} must commit
     * with the page's writes ({@link #commit}); the checkpoint's cursor never moves backwards.
     * The full copy ({@code initial}) counts records done from the checkpoint's count and is marked
     * finished at the end.
     *
     * <p><b>Resuming a full copy.</b>
     * The full copy's query is {@linkplain ChangeQuery#resumable(String) resumable}: the stream may
     * hand out pages out of order (a Bulk job's result chunks as they arrive), and says after each
     * where a later stream continues ({@link ChangeStream#resumePoint()}). While it does, the
     * checkpoint's cursor stays where it is (its records done grow) and the resume point is saved as a
     * {@link EngineIntent.ReadResume} in the same transaction as the page's writes and checkpoint; a
     * page without one (in order) moves the cursor and drops a saved resume point. A restarted copy
     * opens its stream with the saved resume point, so it continues after the last durable page
     * instead of starting its read anew. When the stream ends, the checkpoint moves to the stream's
     * {@linkplain ChangeStream#endCursor() end cursor} (if later) and the resume point is deleted in
     * the same transaction. Incremental reads are plain queries.
     *
     * @param from where to start
     * @param initial true for the first full copy
     * @param fields the fields to read
     * @param page writes one page and commits the checkpoint given
     * @throws SyncException if the CRM returns a record of another type
     */
    public void readChanges(Cursor from, boolean initial, Set<String> fields,
                            BiConsumer<List<SyncRecord>, Checkpoint> page) {
        long done = initial ? checkpoint.recordsDone() : 0;
        int pageSize = Math.min(settings.pageSize(), ChangeQuery.MAX_PAGE_SIZE);
        ChangeQuery query = new ChangeQuery(type, fields, from, pageSize);
        boolean resumeSaved = false;
        if (initial) {
            String token = savedResumePoint();
            resumeSaved = token != null;
            query = query.resumable(token);
            if (token != null) {
                LOG.info("{}: continuing the full copy from its saved read position ({} records done)", type, done);
            }
        }
        LOG.debug("{}: reading {} from {}", type, initial ? "the full copy" : "changes", from);
        Cursor end = null;
        try (ChangeStream stream = crm().openChanges(query)) {
            OptionalLong estimate = stream.estimatedTotal();
            if (crmWaiting.isEmpty() && estimate.isPresent() && estimate.getAsLong() >= 0) {
                crmWaiting = estimate;          // the backlog this run found (its first read's count)
            }
            OptionalLong total = estimate.isPresent() ? OptionalLong.of(done + estimate.getAsLong()) : estimate;
            progress(done, total);
            while (true) {
                checkContinue();
                List<SyncRecord> records = stream.nextPage();
                if (records.isEmpty()) {
                    end = stream.endCursor().orElse(null);
                    break;
                }
                counters.read(records.size());
                Cursor pageEnd = null;
                for (SyncRecord r : records) {
                    if (!r.type().equals(type)) {
                        throw new SyncException("CRM returned a " + r.type() + " record while reading " + type,
                                type, r.id(), null);
                    }
                    Cursor at = Cursor.after(r.modstamp(), r.id());
                    if (pageEnd == null || at.compareTo(pageEnd) > 0) {
                        pageEnd = at;
                    }
                }
                String resume = stream.resumePoint().orElse(null);
                Cursor next;
                if (resume != null) {
                    next = checkpoint.crmCursor();          // out of order: the token is the position
                    if (initial) {
                        pendingResume = new ResumeChange(new EngineIntent.ReadResume(type, now(), ChangeQuery.checkToken(resume)));
                        resumeSaved = true;
                    }
                } else {
                    next = pageEnd.compareTo(checkpoint.crmCursor()) > 0 ? pageEnd : checkpoint.crmCursor();
                    if (resumeSaved) {
                        pendingResume = ResumeChange.DROP;
                        resumeSaved = false;
                    }
                }
                done += records.size();
                try {
                    page.accept(records, checkpoint.withCrmCursor(next, initial ? done : 0, now()));
                } finally {
                    pendingResume = null;
                }
                progress(done, total);
            }
        }
        Checkpoint last = checkpoint;
        if (end != null && end.compareTo(last.crmCursor()) > 0) {
            last = last.withCrmCursor(end, last.recordsDone(), now());
        }
        if (initial) {
            pendingResume = resumeSaved ? ResumeChange.DROP : null;
            try {
                commit(() -> { }, last.withInitialCopyDone(now()));
            } finally {
                pendingResume = null;
            }
            LOG.info("{}: first full copy finished ({} records)", type, done);
        } else if (last != checkpoint) {
            commit(() -> { }, last);
        }
    }

    /**
     * A change of the type's saved resume point, made with the next checkpoint committed.
     *
     * @param save the resume point to save, or null to delete the saved one
     */
    private record ResumeChange(EngineIntent.ReadResume save) {
        static final ResumeChange DROP = new ResumeChange(null);
    }

    /** @return the full copy's saved resume point, if any */
    private String savedResumePoint() {
        return settings.state().intent(type, EngineIntent.ReadResume.KEY, EngineIntent.Kind.READ_RESUME)
                .map(i -> ((EngineIntent.ReadResume) i).token()).orElse(null);
    }

    /**
     * The delete log no longer reaches back to the last check, so deletions may have been missed:
     * walks every id the store holds, page by page, and hands each page's records not already
     * flagged deleted to {@code page}, which asks the CRM for them and applies what it finds.
     * Notes how many ids were reconciled and how many of them ended flagged deleted.
     *
     * @param checked when deletions were last checked, or null if never
     * @param earliest how far back the CRM's delete log reaches now
     * @param page handles one page of unflagged records, by CRM id
     */
    public void reconcileStoredIds(Instant checked, Instant earliest, Consumer<Map<CrmId, MarketingRecord>> page) {
        LOG.warn("{}: the CRM's delete log reaches back only to {} but deletions were last checked up to {};"
                + " reconciling the store's ids with the CRM", type, earliest, checked);
        long deletedBefore = counters.snapshot().deleted();
        int limit = settings.fetchSize();
        IdCursor after = IdCursor.START;
        long reconciled = 0;
        while (true) {
            checkContinue();
            List<CrmId> ids = store().crmIds(type, after, limit);
            if (ids.isEmpty()) {
                break;
            }
            after = IdCursor.after(ids.get(ids.size() - 1));
            Map<CrmId, MarketingRecord> held = store().findByCrmIds(type, ids);
            Map<CrmId, MarketingRecord> live = new LinkedHashMap<>();
            for (CrmId id : ids) {
                MarketingRecord r = held.get(id);
                if (r != null && !r.crmDeleted()) {
                    live.put(id, r);
                }
            }
            reconciled += live.size();
            page.accept(live);
            if (ids.size() < limit) {
                break;
            }
        }
        long flagged = counters.snapshot().deleted() - deletedBefore;
        String why = checked == null ? "no record of the last deletion check"
                : "delete log reaches back only to " + earliest + " (last checked up to " + checked + ")";
        note(why + ": reconciled " + reconciled + " stored ids with the CRM, " + flagged + " flagged deleted");
    }

    /** @return the engine clock's time */
    public Instant now() {
        return settings.clock().instant();
    }

    /** @return the checkpoint as last committed (or the initial one of a type never synced) */
    public Checkpoint checkpoint() {
        return checkpoint;
    }

    /** @return the notes so far */
    /**
     * Runs one step of the type's run and records how it ended ({@link StepReport}): succeeded;
     * stopped at a page boundary (quota, the engine closing, an aborted call): incomplete; any
     * other failure: cleaned up (its uncommitted page was rolled back with the transaction
     * {@link #commit} runs it in, or never written). The failure propagates unchanged.
     *
     * @param step the step
     * @param body its work
     */
    public void step(StepReport.Step step, Runnable body) {
        SyncCounts before = counters.snapshot();
        Instant t0 = now();
        StepReport.Status status = StepReport.Status.CLEANED_UP;
        try {
            body.run();
            status = StepReport.Status.SUCCEEDED;
        } catch (CycleStoppedException | CallAbortedException | QuotaExceededException e) {
            status = StepReport.Status.INCOMPLETE;
            throw e;
        } finally {
            Instant t1 = now();
            steps.add(new StepReport(step, status, counters.snapshot().minus(before),
                    t1.isBefore(t0) ? Duration.ZERO : Duration.between(t0, t1)));
        }
    }

    /** @return the steps run so far, in order */
    public List<StepReport> steps() {
        return List.copyOf(steps);
    }

    /**
     * Counts host changes the run found in the marketing store's feed, for the backlog.
     *
     * @param n changes of one feed page (records, unreadable rows and deletions)
     */
    public void marketingChangesFound(long n) {
        marketingWaiting = Math.max(0, marketingWaiting) + n;
    }

    /** Marks the marketing store's feed read to its end: the count of host changes is exact. */
    public void marketingFeedReadToEnd() {
        marketingWaiting = Math.max(0, marketingWaiting);
        marketingFeedRead = true;
    }

    /**
     * @param at when the run began
     * @return the backlog the run found, its trend unknown (the engine's history sets it)
     */
    public Backlog backlog(Instant at) {
        return new Backlog(at, crmWaiting, marketingWaiting < 0 ? OptionalLong.empty() : OptionalLong.of(marketingWaiting),
                marketingFeedRead, Backlog.Trend.UNKNOWN, OptionalLong.empty());
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }

    /** @param note a noteworthy event, shown in the type's report */
    public void note(String note) {
        notes.add(note);
    }

    /** Marks the type's run as one whose summary is logged at INFO (a conflict was decided, say). */
    public void markNoteworthy() {
        noteworthy = true;
    }

    /** @return true if something happened that the type's summary line should show at INFO */
    public boolean noteworthy() {
        return noteworthy;
    }

    /**
     * Runs store writes and saves a checkpoint in one {@link SyncStateStore#inTransaction}, fenced
     * by the type's lease ({@link FencedState}): the transaction first asks the state store whether
     * the lease is still held ({@link SyncStateStore#holdsLease}, which the JDBC store answers with
     * the lease row locked until the transaction ends); if not (this engine paused past the lease's
     * expiry and another may have taken over), it throws before anything is written, so that
     * neither the page's writes nor its checkpoint overwrite newer progress.
     *
     * @param writes the writes (failures they record are saved inside the same transaction)
     * @param next the checkpoint to save after them, or null to leave it as it is
     * @throws SyncException if the lease is no longer held
     */
    public void commit(Runnable writes, Checkpoint next) {
        try {
            commitFenced(writes, next);
        } catch (RuntimeException | Error e) {
            activities.discard();      // rolled back with the writes (or never written): a retry records them again
            throw e;
        }
        if (next != null) {
            boolean moved = !next.equals(checkpoint);
            checkpoint = next;
            pendingResume = null;
            if (moved) {
                listener.onCheckpoint(next);
            }
        }
    }

    private void commitFenced(Runnable writes, Checkpoint next) {
        settings.state().inTransaction(() -> {     // fenced: refused unless the lease is still held
            writes.run();
            // the activities of what the writes applied, in their transaction (one store call)
            activities.flush();
            boolean moves = next != null && !next.equals(checkpoint);
            if (moves) {
                // asked again before the checkpoint: a store without atomic transactions may have let
                // another instance take the lease over while the writes ran
                Lease held = lease.lease();
                if (!settings.state().holdsLease(held)) {
                    lease.markLost();
                    throw new RetriableSyncException("lease '" + held.name() + "' (fencing token "
                            + held.fencingToken() + ") is no longer held by this instance: it expired at "
                            + held.expiresAt() + " or another instance took it over; the checkpoint was not saved",
                            type, null, null);
                }
            }
            ResumeChange resume = next == null ? null : pendingResume;
            // a store without atomic transactions keeps the safer half of a torn commit: a new resume
            // point before the checkpoint (the page's writes are done), its deletion after it
            if (resume != null && resume.save() != null) {
                settings.state().saveIntent(resume.save());
            }
            if (moves) {
                settings.state().saveCheckpoint(next);
            }
            if (resume != null && resume.save() == null) {
                settings.state().deleteIntent(type, EngineIntent.ReadResume.KEY, EngineIntent.Kind.READ_RESUME);
            }
            return null;
        });
    }

    /**
     * Call between pages: stops the type if the engine is closing or the thread was interrupted
     * (the interrupt flag stays set), or if the type's lease was found lost (by its heartbeat or
     * here); renews the lease if a third of its ttl has passed since the last renewal (the
     * heartbeat normally has).
     *
     * @throws CycleStoppedException if the cycle must stop
     * @throws dev.crmsync.model.RetriableSyncException if the lease was lost
     */
    public void checkContinue() {
        String reason = stopReason.get();
        if (reason != null) {
            throw new CycleStoppedException(reason);
        }
        lease.check(type);
        lease.renewIfDue();
        lease.check(type);
    }

    /**
     * Call right before each CRM write call: renews the type's lease if a third of its ttl has
     * passed since the last renewal and throws if it is lost, so that no write goes out under a
     * lease another instance may hold (its values would overwrite that instance's newer ones).
     *
     * @throws dev.crmsync.model.RetriableSyncException if the lease was lost
     */
    public void checkLease() {
        lease.check(type);
        lease.renewIfDue();
        lease.check(type);
    }

    /** @return true once the type's lease was found lost */
    public boolean leaseLost() {
        return lease.lost();
    }

    /** @return the type's current lease */
    public Lease lease() {
        return lease.lease();
    }

    /**
     * Reports progress to the listener.
     *
     * @param done records done
     * @param estimatedTotal the estimated total, if known
     */
    public void progress(long done, OptionalLong estimatedTotal) {
        listener.onProgress(type, done, estimatedTotal);
    }
}
