package dev.crmsync.core;

import dev.crmsync.core.report.Backlog;
import dev.crmsync.core.report.PushResult;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.CrmSource;

import dev.crmsync.core.internal.AbortableCrm;
import dev.crmsync.core.internal.CycleRunner;
import dev.crmsync.core.internal.EngineActions;
import dev.crmsync.core.internal.IgnoreRules;
import dev.crmsync.core.internal.EngineSettings;
import dev.crmsync.core.internal.GuardedListener;
import dev.crmsync.core.internal.LeaseKeeper;
import dev.crmsync.core.internal.TypeSyncs;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.store.ActivityHistory;
import dev.crmsync.store.ActivityPage;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.PersonActivity;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.ParkedConflict;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.SyncStateStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.model.CrmId;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a marketing store in step with a CRM, one cycle at a time.
 *
 * <pre>{@code
 * try (SyncEngine engine = SyncEngine.builder()
 *         .crmSource(crm)
 *         .marketingStore(store)
 *         .syncStateStore(state)
 *         .build()) {
 *     SyncReport report = engine.runCycle();
 *     System.out.println(report.toTable());
 * }
 * }</pre>
 *
 * <p>A cycle visits each object type, parents first ({@link ObjectType#SYNC_ORDER}). For one-way
 * types (everything but Lead, Contact, Campaign and CampaignMember) it reads the CRM's changes
 * since the type's checkpoint — everything, the first time — and applies them to the store,
 * committing writes and checkpoint page by page, so that a crash resumes where it stopped. A
 * later cycle re-reads a {@linkplain Builder#lookback(Duration) lookback window} to catch records
 * that became visible late; records already held as read are not written again. CRM deletions
 * flag the marketing record deleted. A record the store rejects is reported, kept in the state
 * store and retried in later cycles, then parked after {@linkplain Builder#maxAttempts(int) a
 * number of attempts}; see {@link #parkedFailures()} and {@link #redrive(FailedRecord)}.
 *
 * <h2>Bidirectional types</h2>
 * Lead, Contact, Campaign and CampaignMember sync both ways, by a three-way merge per field
 * against the values both sides last agreed on (the <em>base</em>, kept in the state store): a
 * field changed on one side only reaches the other; fields changed on different sides of one
 * record both survive; the same field changed on both sides to different values is decided by
 * the {@link ConflictPolicy} ({@linkplain ConflictPolicy#marketoDefaults() by default as Marketo}:
 * for Leads the marketing side wins, for Contacts the CRM wins). The engine's own writes never
 * come back as changes: a quiet cycle writes nothing on either side. Writes to the CRM go in
 * batches of at most {@link CrmSource#maxWriteBatch()} with a result per record; a rejected record
 * is reported with the CRM's code and message and retried (a locked row in the next cycle, a data
 * error once the record changes again), then parked after the configured attempts, while the rest
 * of the batch proceeds and the checkpoint moves on.
 *
 * <p>As in Marketo, a person that exists only in the marketing store is not created in the CRM by
 * the cycle: {@link #pushNow} creates it at once (Marketo's "Sync Person to SFDC"), and so does
 * adding it to a campaign that is in the CRM (see {@link dev.crmsync.store.MarketingFields}).
 * Required fields left blank take the {@linkplain Builder#defaultLastName(String) configured
 * defaults} on create only. A person the CRM deletes stays in the store, flagged; pushing it again
 * creates a new CRM lead. A lead converted in the CRM leaves exactly one marketing person, now a
 * Contact ({@link SyncListener#onLeadConverted}); records merged in the CRM are merged in the store
 * ({@link SyncListener#onRecordsMerged}).
 *
 * <h2>Activity history</h2>
 * When the marketing store is an {@link ActivityHistory}, the engine keeps each person's history
 * as Marketo keeps its Activity Log ({@link #history}): an activity per person for what it applied
 * — created from the CRM or in it, fields updated either way (names only), conflicts decided,
 * writes rejected (the reason code), converted, merged, deleted in the CRM, and an Account field
 * change on each of the account's contacts unless more than {@link #ACCOUNT_CHANGE_ACTIVITY_LIMIT}
 * are linked. A page's activities are appended inside the transaction that writes its records and
 * checkpoint (one store call), so with the JDBC store they commit together; each has a key, so a
 * page written again after a crash adds nothing twice. With a store that keeps none, the engine
 * does no work for it.
 *
 * <h2>Threads and lifecycle</h2>
 * The engine is thread-safe. One cycle runs at a time: {@link #runCycle()} called while another
 * thread runs a cycle of the same engine is refused with an {@link IllegalStateException}, never
 * interleaved. {@link #close()} is idempotent and may come from any thread, and never hangs: no new
 * cycle starts; a running cycle stops at its next page boundary (checkpoints kept); if it has not
 * stopped within the {@linkplain Builder#closeTimeout(Duration) close timeout} (a CRM call that
 * blocks, such as a Bulk job wait), the engine aborts its CRM call
 * ({@link CrmSource#wakeup(Thread)}) and {@code close()} returns at most
 * {@link #CLOSE_ABORT_GRACE} later. The engine does not close the CRM source or the stores it was
 * given: their owner does.
 */
public final class SyncEngine implements AutoCloseable {

    /** Default records per CRM page (Salesforce's largest REST page). */
    public static final int DEFAULT_PAGE_SIZE = 2_000;
    /** Default records per marketing-store call. */
    public static final int DEFAULT_STORE_BATCH_SIZE = 500;
    /** Largest records per marketing-store call. */
    public static final int MAX_STORE_BATCH_SIZE = 10_000;
    /** Default lookback: how far each incremental read steps back behind its checkpoint. */
    public static final Duration DEFAULT_LOOKBACK = Duration.ofMinutes(5);
    /** Campaign members a cycle checks by id for hard deletes by default ({@link Builder#idSweep}). */
    public static final int DEFAULT_MEMBER_SWEEP = 2_000;
    /** Largest lookback accepted. */
    public static final Duration MAX_LOOKBACK = Duration.ofDays(1);
    /** Default failed attempts after which a rejected record is parked. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    /** Largest attempts setting accepted. */
    public static final int MAX_MAX_ATTEMPTS = 1_000;
    /**
     * Default time-to-live of a per-type lease. A running instance renews its leases every third
     * of the ttl (a heartbeat, also while a CRM call blocks), so the lease of an instance that died
     * lapses within this time and another instance — or a restart with the same engine id — takes
     * the type over.
     */
    public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(30);
    /** Shortest lease time-to-live accepted. */
    public static final Duration MIN_LEASE_TTL = Duration.ofSeconds(3);
    /** Longest lease time-to-live accepted. */
    public static final Duration MAX_LEASE_TTL = Duration.ofMinutes(10);
    /** Most marketing ids one {@link #pushNow} call takes. */
    public static final int MAX_PUSH_IDS = 10_000;
    /** Default bound on how long {@link #close()} waits for a running cycle to reach a page boundary. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** Largest close timeout accepted. */
    public static final Duration MAX_CLOSE_TIMEOUT = Duration.ofHours(1);
    /**
     * How long {@link #close()} waits, after the close timeout, for the cycle whose CRM call it
     * aborted to end; it returns then in any case.
     */
    public static final Duration CLOSE_ABORT_GRACE = Duration.ofSeconds(5);
    /** The SLF4J MDC key under which the cycle id is set while a cycle runs. */
    public static final String MDC_CYCLE_KEY = CycleRunner.MDC_CYCLE_KEY;

    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);
    /** While aborting, how often the engine wakes the cycle's CRM calls again (a call begun meanwhile). */
    private static final long REWAKE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private enum State { OPEN, CLOSED }

    private final EngineSettings settings;
    private final AbortableCrm crm;
    private final Duration closeTimeout;
    private final CycleRunner runner;
    /** Targeted runs so far ({@link #applyCrmChanges}), for their ids. */
    private final java.util.concurrent.atomic.AtomicLong applies = new java.util.concurrent.atomic.AtomicLong();
    private final SyncListener listener;
    private final LeaseKeeper leases;
    private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);
    private final AtomicReference<Thread> cycleThread = new AtomicReference<>();
    private final AtomicLong cycles = new AtomicLong();
    private final Object monitor = new Object();
    private long closeDeadline;                 // guarded by monitor: System.nanoTime() bound of the first close
    private boolean closeStarted;               // guarded by monitor

    private final Map<ObjectType, Set<String>> sumOnMerge;

    private SyncEngine(EngineSettings settings, AbortableCrm crm, Duration closeTimeout, LeaseKeeper leases,
                       Map<ObjectType, Set<String>> sumOnMerge) {
        this.sumOnMerge = sumOnMerge;
        this.settings = settings;
        this.crm = crm;
        this.closeTimeout = closeTimeout;
        this.leases = leases;
        this.runner = new CycleRunner(settings, TypeSyncs.defaults(settings), leases);
        this.listener = new GuardedListener(settings.listener());
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return this engine's id: the owner name of its leases and the prefix of its cycle ids */
    public String engineId() {
        return settings.engineId();
    }

    /**
     * This engine object's instance token: with the {@linkplain #engineId() engine id} it names
     * the holder of its leases, so that a second instance with the same engine id (another
     * process, or a restart while the dead instance's lease has not lapsed) is refused rather
     * than sharing the lease. Made when the engine is built: the engine clock's time in
     * milliseconds in base 36 (so tokens of later starts sort later), a dash and six random hex
     * digits, e.g. {@code mjx1k2ab-3fa9c1}. It appears in every cycle id, in the lease rows of a
     * database state store, in {@link dev.crmsync.core.report.TypeOutcome.Blocked} and in
     * {@link #toString()}.
     *
     * @return the instance token
     */
    public String instanceToken() {
        return leases.instance();
    }

    /**
     * Runs one cycle on the calling thread and returns its report. CRM and store failures do not
     * throw: they end the affected type (or the cycle) and show in the report's outcome.
     *
     * @return the cycle's report
     * @throws IllegalStateException if the engine is closed, or another cycle of this engine is running
     */
    public SyncReport runCycle() {
        if (state.get() == State.CLOSED) {
            throw new IllegalStateException("engine '" + engineId() + "' is closed");
        }
        Thread me = Thread.currentThread();
        if (!cycleThread.compareAndSet(null, me)) {
            throw new IllegalStateException("a cycle (or pushNow, resolveConflict) of engine '" + engineId()
                    + "' is already running on thread '"
                    + Optional.ofNullable(cycleThread.get()).map(Thread::getName).orElse("?")
                    + "'; concurrent cycles are refused");
        }
        try {
            if (state.get() == State.CLOSED) {
                throw new IllegalStateException("engine '" + engineId() + "' is closed");
            }
            String cycleId = engineId() + "-" + instanceToken() + "-" + cycles.incrementAndGet();
            return runner.run(cycleId, this::stopReason);
        } finally {
            endExclusive();
        }
    }

    private @Nullable String stopReason() {
        if (state.get() == State.CLOSED) {
            return "engine closed";
        }
        if (Thread.currentThread().isInterrupted()) {
            return "thread interrupted";
        }
        return null;
    }

    /** @return true while a cycle of this engine runs */
    public boolean isCycleRunning() {
        return cycleThread.get() != null;
    }

    /** @return true once {@link #close()} was called */
    public boolean isClosed() {
        return state.get() == State.CLOSED;
    }

    /**
     * Lists parked failures: records whose attempts are used up, and records parked at once (a
     * conflict policy that failed on them). They stay parked until
     * {@linkplain #redrive(FailedRecord) re-driven} (or, for a CRM record, until it changes again
     * and applies).
     *
     * @return every parked failure in the state store
     */
    public List<FailedRecord> parkedFailures() {
        return List.copyOf(settings.state().parkedFailures());
    }

    /**
     * Re-drives a failure: a parked one, or one that waits for its record to change again (a data
     * error the CRM reported, such as a validation rule, which retrying unchanged cannot pass).
     * It goes back to the retry queue with its attempts reset, and the next cycle retries it
     * (re-reading the record's current values on both sides).
     *
     * @param failure a failure, as {@link #parkedFailures()} listed it (or as the listener received it)
     * @return true if it is now queued for the next cycle; false if no such failure is on record, or
     *     it is queued already
     */
    public boolean redrive(FailedRecord failure) {
        Objects.requireNonNull(failure, "failure must not be null");
        Optional<FailedRecord> current = settings.state().failure(failure.type(), failure.key(), failure.target());
        if (current.isEmpty()) {
            return false;
        }
        FailedRecord f = current.get();
        boolean waiting = f.target() == SyncSide.CRM && !f.retriable();
        if (!f.parked() && !waiting) {
            return false;
        }
        settings.state().saveFailure(new FailedRecord(f.type(), f.key(), f.target(), f.code(), f.message(),
                f.retriable() || waiting, 1, f.firstFailedAt(), f.lastFailedAt(), false));
        return true;
    }

    /**
     * Re-drives every parked failure (see {@link #redrive(FailedRecord)}).
     *
     * @return how many were queued again
     */
    public int redriveAll() {
        int n = 0;
        for (FailedRecord f : parkedFailures()) {
            if (redrive(f)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Re-drives every failure of a type and side that waits for a change or is parked (see
     * {@link #redrive(FailedRecord)}), e.g. after a CRM administrator relaxed a validation rule.
     *
     * @param type an object type
     * @return how many were queued again
     */
    public int redriveAll(ObjectType type) {
        Objects.requireNonNull(type, "type must not be null");
        int n = 0;
        List<FailedRecord> candidates = new ArrayList<>(settings.state().retryQueue(type, SyncSide.CRM,
                MAX_PUSH_IDS));
        for (FailedRecord f : settings.state().parkedFailures()) {
            if (f.type().equals(type)) {
                candidates.add(f);
            }
        }
        for (FailedRecord f : candidates) {
            if (redrive(f)) {
                n++;
            }
        }
        return n;
    }

    /** The most record ids {@link #applyCrmChanges} takes in one call. */
    public static final int MAX_APPLY_IDS = 10_000;

    /**
     * Brings named CRM records to the marketing store now, without waiting for the next cycle —
     * for a host that hears of changes as they happen (Salesforce change events: each names the
     * records it changed). The records are fetched and merged exactly as a cycle merges them
     * (three-way on the two-way types, so the engine's own writes coming back merge to nothing);
     * those the CRM no longer has are merged as deleted. It runs under the type's lease, waits for
     * a running cycle to end, and moves no checkpoint: the next cycle still reads every change,
     * so a missed hint loses nothing.
     *
     * @param type the records' type
     * @param ids their CRM ids, at most {@link #MAX_APPLY_IDS} (repeats are taken once)
     * @return the run's report ({@link TypeOutcome.Blocked} when another instance holds the lease)
     * @throws IllegalArgumentException if the type is not one this engine syncs, or an id is null
     * @throws IllegalStateException if called from the engine's own cycle thread, or the engine is closed
     */
    public TypeReport applyCrmChanges(ObjectType type, Collection<CrmId> ids) {
        return apply(type, ids, null);
    }

    /**
     * As {@link #applyCrmChanges(ObjectType, Collection)}, and then — only once the records are
     * applied — saves the host's position in its stream of hints (for instance a change-event
     * subscription's replay id) in the state store, so that after a crash the host resumes from
     * a position whose records are all applied: it may hear some again (harmless), never lose
     * one. If the run does not complete, the position is not saved.
     *
     * @param type the records' type
     * @param ids their CRM ids, at most {@link #MAX_APPLY_IDS}
     * @param positionName the stream's name (see {@link EngineIntent.Position}), per type
     * @param position the position after these hints (opaque; no customer data)
     * @return the run's report
     * @throws IllegalArgumentException as above, or if the name or position is malformed
     */
    public TypeReport applyCrmChanges(ObjectType type, Collection<CrmId> ids, String positionName, String position) {
        Objects.requireNonNull(positionName, "positionName must not be null");
        Objects.requireNonNull(position, "position must not be null");
        return apply(type, ids, new EngineIntent.Position(type, positionName, position, settings.clock().instant()));
    }

    /**
     * @param type an object type
     * @param positionName a stream's name
     * @return the position {@link #applyCrmChanges(ObjectType, Collection, String, String)} saved last, if any
     */
    public Optional<String> savedPosition(ObjectType type, String positionName) {
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(positionName, "positionName must not be null");
        return settings.state().intent(type, EngineIntent.Position.key(positionName), EngineIntent.Kind.POSITION)
                .map(i -> ((EngineIntent.Position) i).position());
    }

    /**
     * Syncs one type now, without waiting for the next cycle: the type's part of a cycle — every
     * change since its checkpoint (or its first copy, if that is not done) — run under its lease,
     * its checkpoints moving as a cycle's would. For a host that learns it missed hints of changes
     * (a change-event stream that overflowed or lost its position) and must catch up at once. Waits
     * for a running cycle.
     *
     * @param type a type this engine syncs
     * @return the run's report ({@link TypeOutcome.Blocked} when another instance holds the lease)
     * @throws IllegalArgumentException if the type is not one this engine syncs
     * @throws IllegalStateException if called from the engine's own cycle thread, or the engine is closed
     */
    public TypeReport pollNow(ObjectType type) {
        Objects.requireNonNull(type, "type must not be null");
        if (!syncs(type)) {
            throw new IllegalArgumentException(type + " is not one of this engine's object types");
        }
        return exclusive("pollNow", () -> runner.runPoll(engineId() + "-" + instanceToken() + "-poll-"
                + applies.incrementAndGet(), type, this::stopReason));
    }

    /**
     * @param type an object type
     * @return whether this engine syncs it: it is among the {@linkplain Builder#objectTypes(Collection)
     *     configured types}, or no types were configured (then every type the CRM offers is synced)
     */
    public boolean syncs(ObjectType type) {
        Objects.requireNonNull(type, "type must not be null");
        return settings.objectTypes().isEmpty() || settings.objectTypes().contains(type);
    }

    /**
     * Writes the host's changes of a two-way type waiting in the marketing store's change feed to
     * the CRM now, without waiting for the next cycle — for a host that hears of its own changes as
     * they happen (the PostgreSQL store's notifications, say). The changes are merged exactly as a
     * cycle merges them (the CRM side of each read first, conflicts decided by the policy) and
     * written in batches of the CRM's write size; host deletes are carried out too; the type's
     * marketing cursor moves past them as a cycle's would. The CRM's own changes wait for the next
     * cycle. Nothing happens before the type's first copy is done. Runs under the type's lease,
     * waiting for a running cycle.
     *
     * @param type Lead, Contact, Campaign or CampaignMember, synced by this engine
     * @return the run's report
     * @throws IllegalArgumentException if the type is not two-way or not one this engine syncs
     * @throws IllegalStateException if the store is not two-way, the engine is closed, or this is the cycle's thread
     */
    public TypeReport pushHostChangesNow(ObjectType type) {
        Objects.requireNonNull(type, "type must not be null");
        if (!type.isBidirectional()) {
            throw new IllegalArgumentException("host changes are written to the CRM for two-way types only, not " + type);
        }
        if (!settings.objectTypes().isEmpty() && !settings.objectTypes().contains(type)) {
            throw new IllegalArgumentException(type + " is not one of this engine's object types");
        }
        if (!(settings.store() instanceof BidirectionalStore)) {
            throw new IllegalStateException("pushHostChangesNow needs a marketing store that implements"
                    + " BidirectionalStore");
        }
        return exclusive("pushHostChangesNow", () -> runner.runHostChanges(engineId() + "-" + instanceToken()
                + "-host-" + applies.incrementAndGet(), type, this::stopReason));
    }

    private TypeReport apply(ObjectType type, Collection<CrmId> ids, EngineIntent.Position position) {
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(ids, "ids must not be null");
        if (!settings.objectTypes().isEmpty() && !settings.objectTypes().contains(type)) {
            throw new IllegalArgumentException(type + " is not one of this engine's object types");
        }
        java.util.LinkedHashSet<CrmId> unique = new java.util.LinkedHashSet<>();
        int i = 0;
        for (CrmId id : ids) {
            if (id == null) {
                throw new IllegalArgumentException("ids[" + i + "] is null");
            }
            unique.add(id);
            i++;
        }
        if (unique.size() > MAX_APPLY_IDS) {
            throw new IllegalArgumentException("applyCrmChanges takes at most " + MAX_APPLY_IDS + " ids, got "
                    + unique.size());
        }
        List<CrmId> list = List.copyOf(unique);
        return exclusive("applyCrmChanges", () -> runner.runTargeted(engineId() + "-" + instanceToken() + "-apply-"
                + applies.incrementAndGet(), type, list, position, this::stopReason));
    }

    /**
     * The backlog of each type this instance ran: the work that waited for it when its latest run
     * began, CRM to marketing and marketing to CRM, and whether that grows against six hours
     * before ({@link Backlog}). Read from memory; no call is made.
     *
     * @return the latest counted backlog per type (types not run yet, or not counted, are absent)
     */
    public Map<ObjectType, Backlog> backlog() {
        return runner.backlogs();
    }

    /**
     * Lists conflicts parked for a person to decide: by a {@link ConflictPolicy#manual()} policy,
     * or because the policy failed on them. Each holds the base and both sides' values.
     *
     * @return every parked conflict in the state store
     */
    public List<ParkedConflict> parkedConflicts() {
        return List.copyOf(settings.state().parkedConflicts());
    }

    /**
     * Decides a parked conflict: the chosen side's value wins, and the next cycle writes it to the
     * other side (unless either side changed the field again since, which makes a new conflict).
     * Waits while a cycle runs (it never interleaves with one).
     *
     * @param conflict a conflict, as {@link #parkedConflicts()} listed it
     * @param resolution {@link Resolution#CRM} or {@link Resolution#MARKETING}
     * @return true if it was parked and is now decided; false if no such conflict is parked
     * @throws IllegalArgumentException if the resolution is a park
     * @throws IllegalStateException if the engine is closed, or called from the engine's own cycle thread
     */
    public boolean resolveConflict(ParkedConflict conflict, Resolution resolution) {
        Objects.requireNonNull(conflict, "conflict must not be null");
        Objects.requireNonNull(resolution, "resolution must not be null");
        if (resolution instanceof Resolution.Park) {
            throw new IllegalArgumentException("resolution must be Resolution.CRM or Resolution.MARKETING, not "
                    + resolution);
        }
        return exclusive("resolveConflict", () -> EngineActions.resolveConflict(settings, conflict, resolution));
    }

    /**
     * Creates marketing-only records in the CRM at once, outside the cycle, and links them:
     * Marketo's "Sync Person to SFDC". A person becomes a Lead (a marketing-only Contact record a
     * Contact); a person the CRM deleted is created again as a new Lead (a deleted Contact too: its
     * record becomes a Lead, keeping its marketing id); a record already linked to a live CRM record
     * is left alone. Required fields left blank take the configured
     * defaults ({@link Builder#defaultLastName}, {@link Builder#defaultCompany}); without one the
     * record is rejected with {@code REQUIRED_FIELD_MISSING}. Creates go in batches of at most
     * {@link CrmSource#maxWriteBatch()}; a rejected record is reported with the CRM's code and
     * message and kept in the state store (retried by later cycles if retriable, else when it
     * changes again or is re-driven), and the others proceed; a value the CRM would refuse (see
     * {@link dev.crmsync.crm.FieldChecks}) is rejected without a request. Waits while a cycle runs.
     *
     * <p>A push takes the lease of the type it writes, as a cycle does. While another engine
     * instance holds it, nothing of that type is sent and each of its records is answered
     * {@link PushResult.Rejected} with code {@code LEASE_HELD}, retriable, naming the holder: push
     * again later.
     *
     * @param type {@link ObjectType#LEAD}, {@link ObjectType#CONTACT} or {@link ObjectType#CAMPAIGN}
     * @param marketingIds the records' marketing ids, at most {@link #MAX_PUSH_IDS}
     * @return one result per id, in order
     * @throws IllegalArgumentException for another type, or a null or blank id, or too many ids
     * @throws IllegalStateException if the engine is closed, or called from the engine's own cycle
     *     thread, or its marketing store is not a {@link BidirectionalStore}
     *     (a whole-call failure of the CRM or a store is never thrown: the records it left without
     *     an answer are {@link PushResult.Rejected} with {@code retriable=true} and stay queued —
     *     a create that may have reached the CRM is linked by the next cycle, or sent again)
     */
    public List<PushResult> pushNow(ObjectType type, Collection<String> marketingIds) {
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(marketingIds, "marketingIds must not be null");
        if (!type.equals(ObjectType.LEAD) && !type.equals(ObjectType.CONTACT) && !type.equals(ObjectType.CAMPAIGN)) {
            throw new IllegalArgumentException("pushNow creates Lead, Contact or Campaign records, not " + type
                    + " (campaign members are created by the cycle)");
        }
        if (!(settings.store() instanceof BidirectionalStore)) {
            throw new IllegalStateException("pushNow needs a marketing store that implements BidirectionalStore;"
                    + " this engine's store (" + settings.store().getClass().getName() + ") holds one-way types only");
        }
        if (marketingIds.size() > MAX_PUSH_IDS) {
            throw new IllegalArgumentException("pushNow takes at most " + MAX_PUSH_IDS + " ids, got "
                    + marketingIds.size());
        }
        List<String> ids = new ArrayList<>(marketingIds.size());
        int i = 0;
        for (String id : marketingIds) {
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("marketingIds[" + i + "] is " + (id == null ? "null" : "blank"));
            }
            ids.add(id);
            i++;
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        return exclusive("pushNow", () -> EngineActions.pushNow(settings, leases, listener, type, ids));
    }

    /**
     * Pushes marketing-only persons as Leads (see {@link #pushNow(ObjectType, Collection)}).
     *
     * @param leadMarketingIds marketing ids of Lead records
     * @return one result per id, in order
     */
    public List<PushResult> pushNow(String... leadMarketingIds) {
        Objects.requireNonNull(leadMarketingIds, "leadMarketingIds must not be null");
        return pushNow(ObjectType.LEAD, Arrays.asList(leadMarketingIds));
    }

    /**
     * Links a marketing campaign (a Marketo program) that is not in the CRM yet to an existing CRM
     * campaign, as Marketo syncs a program with a Salesforce campaign — and refuses, as Marketo
     * does, when the campaign's member statuses ({@code CampaignMemberStatus} labels) differ from the
     * program's ({@link BidirectionalStore#memberStatuses}; a store that keeps no status set is not
     * checked). Linked, the store's campaign takes the CRM campaign's values and the two sync from
     * then on; the campaign's members reach the store as for any campaign. Costs a describe, a read
     * by id and a scan of the CRM's member statuses. Waits for a running cycle.
     *
     * @param campaignMarketingId the store's id of a Campaign record that is not linked yet
     * @param campaignId the CRM campaign
     * @return the answer (a refusal, with its reason, is a value, not an exception)
     * @throws IllegalArgumentException if the marketing id is blank
     * @throws IllegalStateException if the store is not a {@link BidirectionalStore} or the engine is closed
     */
    public CampaignLink linkCampaign(String campaignMarketingId, CrmId campaignId) {
        requireText(campaignMarketingId, "campaignMarketingId");
        Objects.requireNonNull(campaignId, "campaignId must not be null");
        requireBidirectionalStore("linkCampaign");
        return exclusive("linkCampaign", () -> dev.crmsync.core.internal.CampaignActions.link(settings,
                campaignMarketingId, campaignId));
    }

    /**
     * Marketo's "Convert Person" from the marketing side: converts the person's lead in the CRM into
     * a Contact with a new Account and, if asked, an Opportunity ({@link CrmSource#convertLead}; over
     * Salesforce's SOAP API). The store record moves to Contact, keeping its marketing id, at the
     * next cycle, by the same path as a conversion made in the CRM
     * ({@link SyncListener#onLeadConverted}). Waits for a running cycle.
     *
     * @param leadMarketingId the marketing id of a Lead the CRM holds
     * @param convertedStatus a lead status that converts (Salesforce's default: {@code "Closed - Converted"})
     * @param createOpportunity true to create an opportunity as Marketo does
     * @return the answer (a refusal is a value, not an exception)
     * @throws IllegalArgumentException if an argument is blank
     * @throws IllegalStateException if the store is not a {@link BidirectionalStore} or the engine is closed
     */
    public PersonConversion convertPerson(String leadMarketingId, String convertedStatus, boolean createOpportunity) {
        requireText(leadMarketingId, "leadMarketingId");
        requireText(convertedStatus, "convertedStatus");
        requireBidirectionalStore("convertPerson");
        return exclusive("convertPerson", () -> dev.crmsync.core.internal.PersonActions.convert(settings,
                leadMarketingId, convertedStatus, createOpportunity));
    }

    /**
     * A marketing-side merge of persons, as Marketo makes it: the CRM records first
     * ({@link CrmSource#mergeRecords}, two losers a call), failing with
     * {@link PersonMerge.Outcome#CRM_RECORD_MISSING} (nothing merged) if a person's CRM record is
     * missing, unless {@code skipCrmMerge}; then the store records (the survivor's values win, a
     * value beats an empty field, and the {@linkplain Builder#sumOnMerge sum-on-merge} fields are
     * summed). Waits for a running cycle of this engine, and holds the type's lease while it merges
     * ({@link PersonMerge.Outcome#LEASE_HELD}, nothing merged, while another instance syncs the type).
     *
     * @param type Lead or Contact
     * @param survivorMarketingId the surviving person
     * @param loserMarketingIds the persons merged into it: 1 to 10, distinct, not the survivor
     * @param skipCrmMerge true to merge the store records only, leaving the CRM records as they are
     * @return the answer (a refusal is a value, not an exception)
     * @throws IllegalArgumentException if the type is not Lead or Contact or the ids are not as described
     * @throws IllegalStateException if the store is not a {@link BidirectionalStore} or the engine is closed
     */
    public PersonMerge mergePersons(ObjectType type, String survivorMarketingId, List<String> loserMarketingIds,
                                    boolean skipCrmMerge) {
        Objects.requireNonNull(type, "type must not be null");
        if (!type.equals(ObjectType.LEAD) && !type.equals(ObjectType.CONTACT)) {
            throw new IllegalArgumentException("mergePersons merges Lead or Contact persons, not " + type);
        }
        requireText(survivorMarketingId, "survivorMarketingId");
        Objects.requireNonNull(loserMarketingIds, "loserMarketingIds must not be null");
        if (loserMarketingIds.isEmpty() || loserMarketingIds.size() > MAX_MERGE_LOSERS) {
            throw new IllegalArgumentException("mergePersons takes 1.." + MAX_MERGE_LOSERS + " losers, got "
                    + loserMarketingIds.size());
        }
        for (String id : loserMarketingIds) {
            requireText(id, "loserMarketingIds[]");
        }
        if (new java.util.HashSet<>(loserMarketingIds).size() != loserMarketingIds.size()
                || loserMarketingIds.contains(survivorMarketingId)) {
            throw new IllegalArgumentException("mergePersons losers must be distinct and differ from the survivor");
        }
        requireBidirectionalStore("mergePersons");
        List<String> losers = List.copyOf(loserMarketingIds);
        return exclusive("mergePersons", () -> {
            // the type's lease, as a cycle takes it: another instance syncing the type (same engine id,
            // another process) must not write these persons' store records while they are merged
            String leaseName = dev.crmsync.core.internal.CycleRunner.LEASE_PREFIX + type.apiName();
            dev.crmsync.core.internal.LeaseKeeper.Acquired granted = leases.acquire(leaseName);
            dev.crmsync.core.internal.LeaseKeeper.Hold hold = granted.hold();
            if (hold == null) {
                return new PersonMerge(type, survivorMarketingId, losers, PersonMerge.Outcome.LEASE_HELD, List.of(),
                        List.of(), List.of(), null);
            }
            try {
                return dev.crmsync.core.internal.PersonActions.merge(settings, sumOnMerge, type, survivorMarketingId,
                        losers, skipCrmMerge);
            } finally {
                hold.release();
            }
        });
    }

    /**
     * An Account field change writes an {@link PersonActivity.Kind#ACCOUNT_CHANGED} activity on each
     * linked Contact unless more than this many are linked, as Marketo does (the data still updates).
     */
    public static final int ACCOUNT_CHANGE_ACTIVITY_LIMIT = 5_000;

    /**
     * Reads a person's activity history, newest first: what the engine did to or for it (created
     * from or in the CRM, fields updated — by name —, a conflict resolved, a write rejected with its
     * reason code, converted, merged, deleted in the CRM, its account changed), kept by a store that
     * is an {@link ActivityHistory}. A merged-away person's history is the survivor's, a converted
     * lead's is its contact's, in time order. Reads the store; callable while a cycle runs.
     *
     * @param type Lead or Contact
     * @param marketingId the person's marketing id
     * @param cursor null for the newest entries, or {@link ActivityPage#next()} of the page before
     * @param limit the most entries to return, 1 to {@link ActivityHistory#MAX_BATCH}
     * @return the page
     * @throws IllegalArgumentException if the type is not Lead or Contact, or the limit is out of range
     * @throws IllegalStateException if the marketing store keeps no activity history
     */
    public ActivityPage history(ObjectType type, String marketingId, @Nullable String cursor, int limit) {
        Objects.requireNonNull(type, "type must not be null");
        if (!type.equals(ObjectType.LEAD) && !type.equals(ObjectType.CONTACT)) {
            throw new IllegalArgumentException("an activity history is kept for Lead and Contact persons, not " + type);
        }
        requireText(marketingId, "marketingId");
        if (limit < 1 || limit > ActivityHistory.MAX_BATCH) {
            throw new IllegalArgumentException("limit must be 1.." + ActivityHistory.MAX_BATCH + ", was " + limit);
        }
        if (!(settings.store() instanceof ActivityHistory h)) {
            throw new IllegalStateException("the marketing store (" + settings.store().getClass().getName()
                    + ") keeps no activity history: it is not an ActivityHistory");
        }
        return h.history(type, marketingId, cursor, limit);
    }

    /** Most persons {@link #mergePersons} merges into one at a time. */
    public static final int MAX_MERGE_LOSERS = 10;

    private static void requireText(String value, String name) {
        Objects.requireNonNull(value, name + " must not be null");
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " is blank");
        }
    }

    private void requireBidirectionalStore(String what) {
        if (!(settings.store() instanceof BidirectionalStore)) {
            throw new IllegalStateException(what + " needs a marketing store that implements BidirectionalStore");
        }
    }

    /** Runs work while no cycle runs, holding the engine's cycle slot; waits for a running cycle. */
    private <T> T exclusive(String what, Supplier<T> work) {
        Thread me = Thread.currentThread();
        if (cycleThread.get() == me) {
            throw new IllegalStateException(what + " cannot be called from the engine's own cycle thread"
                    + " (e.g. from a listener)");
        }
        synchronized (monitor) {
            while (true) {
                if (state.get() == State.CLOSED) {
                    throw new IllegalStateException("engine '" + engineId() + "' is closed");
                }
                if (cycleThread.compareAndSet(null, me)) {
                    break;
                }
                try {
                    monitor.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SyncException(what + " was interrupted while waiting for the running cycle to end", e);
                }
            }
        }
        try {
            return work.get();
        } finally {
            endExclusive();
        }
    }

    /** Frees the cycle slot; a cycle that outlived {@link #close()} shuts the lease heartbeat down itself. */
    private void endExclusive() {
        synchronized (monitor) {
            cycleThread.set(null);
            monitor.notifyAll();
        }
        if (state.get() == State.CLOSED) {
            leases.close();
        }
    }

    /**
     * Closes the engine, within a bound: like Kafka's {@code SourceTask.stop()}, it may come from
     * any thread and makes a blocked cycle return promptly.
     * <ol>
     *   <li>At once, no new cycle (nor {@link #pushNow}, {@link #resolveConflict}) starts, and the
     *       running one is asked to stop at its next page boundary, its checkpoints kept.</li>
     *   <li>{@code close()} waits for it up to the {@linkplain Builder#closeTimeout(Duration) close
     *       timeout}, counted from the first {@code close()}.</li>
     *   <li>Past that, it aborts the cycle's CRM call in flight ({@link CrmSource#wakeup(Thread)};
     *       the call throws {@link dev.crmsync.model.CallAbortedException}) and refuses the cycle's
     *       later CRM calls, so the type being synced ends {@linkplain dev.crmsync.core.report.TypeOutcome.Stopped
     *       stopped} with its checkpoint at the last durable page (a write cut short is recovered
     *       by the next cycle as after a crash: nothing is lost or written twice). It waits up to
     *       {@link #CLOSE_ABORT_GRACE} more for the cycle to end, and returns then in any case
     *       (logging a warning if the cycle still runs: a source that ignores wake-ups).</li>
     * </ol>
     * Idempotent and safe from several threads at once: each call returns once the cycle has
     * ended or the same bound has passed. Called from the cycle's own thread (a listener), it only
     * does step 1 and returns at once; the cycle stops at its next page boundary after the
     * listener returns. If the closing thread is interrupted while it waits, it aborts the CRM call
     * at once, returns, and keeps its interrupt flag.
     */
    @Override
    public void close() {
        long deadline;
        synchronized (monitor) {
            if (!closeStarted) {
                closeStarted = true;
                closeDeadline = System.nanoTime() + closeTimeout.toNanos();
            }
            deadline = closeDeadline;
            state.set(State.CLOSED);
            monitor.notifyAll();                // callers waiting for the cycle slot see the engine closed
        }
        Thread running = cycleThread.get();
        if (running == null) {
            leases.close();
            return;
        }
        if (running == Thread.currentThread()) {
            return;
        }
        try {
            if (awaitCycleEnd(deadline)) {
                leases.close();
                return;
            }
            if (!crm.aborting()) {
                LOG.warn("Engine {}: the running cycle did not stop within the close timeout of {}; aborting its CRM"
                        + " call", engineId(), closeTimeout);
            }
            long graceEnd = System.nanoTime() + CLOSE_ABORT_GRACE.toNanos();
            while (true) {
                crm.abort(running);             // again each round: reaches a call begun meanwhile
                long now = System.nanoTime();
                if (awaitCycleEnd(Math.min(graceEnd, now + REWAKE_NANOS))) {
                    leases.close();
                    return;
                }
                if (System.nanoTime() - graceEnd >= 0) {
                    break;
                }
            }
            LOG.warn("Engine {}: the cycle on thread '{}' still runs {} after its CRM call was aborted; close()"
                    + " returns, the cycle ends at its next CRM call or page boundary", engineId(), running.getName(),
                    CLOSE_ABORT_GRACE);
        } catch (InterruptedException e) {
            crm.abort(running);
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until no cycle runs or the deadline (System.nanoTime) passed. @return true if no cycle runs */
    private boolean awaitCycleEnd(long deadline) throws InterruptedException {
        synchronized (monitor) {
            while (cycleThread.get() != null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
            return true;
        }
    }

    @Override
    public String toString() {
        return "SyncEngine[" + engineId() + ", instance " + instanceToken() + (isClosed() ? ", closed" : "") + "]";
    }

    /**
     * Builds a {@link SyncEngine}. Every setter checks its argument at once and names the bad
     * value; {@link #build()} checks that the required parts (CRM source, marketing store, state
     * store) are there. Not thread-safe.
     */
    public static final class Builder {
        private @Nullable CrmSource crmSource;
        private @Nullable MarketingStore marketingStore;
        private @Nullable SyncStateStore syncStateStore;
        private ConflictPolicy conflictPolicy = ConflictPolicy.marketoDefaults();
        private final Map<String, String> personDefaults = new LinkedHashMap<>();
        private @Nullable String marketingIdField;
        private HostDeletes hostDeletes = HostDeletes.DELETE_IN_CRM;
        private final Map<ObjectType, SyncFilter> syncFilters = new java.util.LinkedHashMap<>();
        private final Map<ObjectType, Integer> calculatedRefresh = new java.util.LinkedHashMap<>();
        private final Map<ObjectType, Integer> idSweeps = new java.util.LinkedHashMap<>(
                Map.of(ObjectType.CAMPAIGN_MEMBER, DEFAULT_MEMBER_SWEEP));
        private final Set<ObjectType> objectTypes = new LinkedHashSet<>();
        private final Map<ObjectType, Set<String>> fields = new LinkedHashMap<>();
        private final Map<ObjectType, Set<String>> ignored = new LinkedHashMap<>();
        private boolean marketoIgnored = true;
        private int pageSize = DEFAULT_PAGE_SIZE;
        private int storeBatchSize = DEFAULT_STORE_BATCH_SIZE;
        private Duration lookback = DEFAULT_LOOKBACK;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration leaseTtl = DEFAULT_LEASE_TTL;
        private Clock clock = Clock.systemUTC();
        private SyncListener listener = SyncListener.NOOP;
        private @Nullable String engineId;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private @Nullable ScheduledExecutorService leaseRenewalExecutor;

        private Builder() {
        }

        /**
         * @param crmSource the CRM to read (required)
         * @return this builder
         */
        public Builder crmSource(CrmSource crmSource) {
            this.crmSource = Objects.requireNonNull(crmSource, "crmSource must not be null");
            return this;
        }

        /**
         * @param marketingStore the host's marketing database (required); to sync bidirectional types
         *     it must be a {@link BidirectionalStore}, which {@link #build()} checks
         * @return this builder
         */
        public Builder marketingStore(MarketingStore marketingStore) {
            this.marketingStore = Objects.requireNonNull(marketingStore, "marketingStore must not be null");
            return this;
        }

        /**
         * @param syncStateStore where the engine keeps checkpoints and failures (required); may be the
         *     same object as the marketing store, so that data and checkpoints commit together
         * @return this builder
         */
        public Builder syncStateStore(SyncStateStore syncStateStore) {
            this.syncStateStore = Objects.requireNonNull(syncStateStore, "syncStateStore must not be null");
            return this;
        }

        /**
         * @param conflictPolicy who wins a field changed on both sides (bidirectional types), and how
         *     each field travels ({@link ConflictPolicy#builder()} composes rules per type and field);
         *     default {@link ConflictPolicy#marketoDefaults()}: Leads marketing wins, Contacts CRM wins,
         *     Campaigns and campaign members CRM wins
         * @return this builder
         */
        public Builder conflictPolicy(ConflictPolicy conflictPolicy) {
            this.conflictPolicy = Objects.requireNonNull(conflictPolicy, "conflictPolicy must not be null");
            return this;
        }

        /**
         * The last name a person created in the CRM ({@link SyncEngine#pushNow}, or joining a synced
         * campaign) gets when its own is blank. Applied on create only, never on update (as Marketo's
         * default person last name). Without it such a create is rejected with
         * {@code REQUIRED_FIELD_MISSING}.
         *
         * @param lastName 1 to 80 characters, not blank
         * @return this builder
         */
        public Builder defaultLastName(String lastName) {
            personDefaults.put("LastName", checkDefault("defaultLastName", lastName, 80));
            return this;
        }

        /**
         * The company a Lead created in the CRM gets when its own is blank; create only, never on
         * update. Without it such a create is rejected with {@code REQUIRED_FIELD_MISSING}.
         *
         * @param company 1 to 255 characters, not blank
         * @return this builder
         */
        public Builder defaultCompany(String company) {
            personDefaults.put("Company", checkDefault("defaultCompany", company, 255));
            return this;
        }

        private static String checkDefault(String name, String value, int max) {
            Objects.requireNonNull(value, name + " must not be null");
            if (value.isBlank() || value.length() > max) {
                throw new IllegalArgumentException(name + " must be 1 to " + max + " characters and not blank, was '"
                        + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "'");
            }
            return value;
        }

        /**
         * What a host's delete of a linked Lead, Contact, Campaign or campaign member in the
         * marketing store does in the CRM, for stores whose change feed reports deletions
         * ({@link dev.crmsync.store.HostDeletion}; the JDBC stores capture a SQL {@code DELETE}).
         * Default {@link HostDeletes#DELETE_IN_CRM}. A CRM record changed since the engine last
         * merged it is kept either way (an edit wins over a delete).
         *
         * @param how what the CRM does
         * @return this builder
         */
        public Builder hostDeletes(HostDeletes how) {
            this.hostDeletes = Objects.requireNonNull(how, "how");
            return this;
        }

        /**
         * Limits the sync of a type to the CRM records a filter includes, both ways (Marketo's sync
         * filter; see {@link SyncFilter}): records outside it are not copied; a record that leaves
         * it stops syncing and is flagged (its filter fields updated in the store), not deleted; one
         * that enters it is copied in full. Default: every record syncs. A second call for the same
         * type replaces the first.
         *
         * @param type the object type
         * @param filter which of its records take part
         * @return this builder
         */
        public Builder syncFilter(ObjectType type, SyncFilter filter) {
            Objects.requireNonNull(type, "type must not be null");
            Objects.requireNonNull(filter, "filter must not be null");
            syncFilters.put(type, filter);
            return this;
        }

        /**
         * Keeps a type's calculated fields fresh. Formula and roll-up values change when what they
         * are computed from changes (another record, today's date) without moving the record's
         * {@code SystemModstamp}, so no change stream brings them and every polling copy goes stale
         * (Heroku Connect's, Fivetran's). With a refresh, each cycle re-reads the next slice of the
         * type's stored records from the CRM by id and writes only what differs: a full pass over
         * {@code n} records takes {@code ⌈n / recordsPerCycle⌉} cycles, so a calculated value is at
         * most that many cycles (plus one) old. The cost is {@code ⌈recordsPerCycle / 200⌉} CRM calls a
         * cycle at Salesforce's fetch size: choose the slice from the share of the API budget it may
         * take. Types that sync no calculated field are not re-read. Default: off (0).
         *
         * @param type the object type
         * @param recordsPerCycle the records a cycle re-reads, 0 to 1,000,000
         * @return this builder
         */
        public Builder calculatedRefresh(ObjectType type, int recordsPerCycle) {
            Objects.requireNonNull(type, "type must not be null");
            if (recordsPerCycle < 0 || recordsPerCycle > 1_000_000) {
                throw new IllegalArgumentException("recordsPerCycle must be 0 to 1000000, was " + recordsPerCycle);
            }
            calculatedRefresh.put(type, recordsPerCycle);
            return this;
        }

        /**
         * How many stored records of a two-way type each cycle checks against the CRM by id, to find
         * those the CRM removed without a trace in its delete log: Salesforce hard-deletes a campaign
         * member removed from its campaign (it never reaches the recycle bin, {@code queryAll} or
         * {@code getDeleted}). Each cycle fetches the next slice of the store's ids (in CRM calls of
         * the CRM's fetch size: 2,000 ids cost 10 calls of 200) and flags the missing ones deleted;
         * a full pass over {@code n} records takes {@code ⌈n / idsPerCycle⌉} cycles (the type's report
         * notes what it found). Default: {@link #DEFAULT_MEMBER_SWEEP} for {@code CampaignMember}, none for
         * the other types; 0 turns a type's sweep off.
         *
         * @param type a two-way object type
         * @param idsPerCycle the ids a cycle checks, 0 to 1,000,000
         * @return this builder
         */
        public Builder idSweep(ObjectType type, int idsPerCycle) {
            Objects.requireNonNull(type, "type must not be null");
            if (!type.isBidirectional()) {
                throw new IllegalArgumentException("an id sweep is for two-way types, not " + type);
            }
            if (idsPerCycle < 0 || idsPerCycle > 1_000_000) {
                throw new IllegalArgumentException("idsPerCycle must be 0 to 1000000, was " + idsPerCycle);
            }
            idSweeps.put(type, idsPerCycle);
            return this;
        }

        /**
         * Names a custom text field that exists on Lead, Contact and Campaign in the CRM (for
         * instance {@code Marketing_Id__c}) into which every create writes the record's marketing
         * id. The field itself is not synced. Default: none.
         *
         * <p><b>Recommended: make it an External ID (and Unique) field in the CRM.</b> When the
         * type's describe marks it {@code externalId}, every create is sent as an upsert on it
         * ({@link dev.crmsync.crm.CrmWrite.Upsert}; Salesforce: sObject Collections upsert), which is
         * idempotent: a push whose answer was lost (a timeout, a crash) is simply sent again and
         * finds the record the first one made. Nothing waits, and no CRM edit can make a second
         * record.
         *
         * <p><b>What a deployment without an external-id field gives up.</b> Creates are then not
         * idempotent. A create whose answer was lost is recognised in the CRM's change stream — by
         * this field's value when the field exists, else by the values the create sent — and linked;
         * it is sent again only after it has <em>settled</em>: once a change read that started
         * {@link CrmSource#maxWriteDuration()} plus the {@linkplain #lookback(Duration) lookback}
         * after the create found nothing. Until then the record stays unconfirmed ({@code pushNow}
         * answers {@code Unconfirmed}), so a lost answer delays the record by that long (Salesforce
         * defaults: about seven minutes plus five). And a CRM user's edit of the new record's sent
         * values (or a trigger's) before the engine sees it can still defeat recognition by values,
         * leading to a second create. The engine logs one WARN per such type per engine start.
         *
         * @param apiName a custom field API name ending in {@code __c}
         * @return this builder
         */
        public Builder marketingIdField(String apiName) {
            Objects.requireNonNull(apiName, "marketingIdField must not be null");
            if (!apiName.matches("[A-Za-z][A-Za-z0-9_]*__c")) {
                throw new IllegalArgumentException("marketingIdField must be a custom field API name such as"
                        + " 'Marketing_Id__c', was '" + apiName + "'");
            }
            this.marketingIdField = apiName;
            return this;
        }

        /**
         * Restricts the sync to these object types. By default every type the CRM makes available
         * ({@link CrmSource#availableTypes()}: standard types and the custom objects it lists) is
         * synced, except {@link ObjectType#GROUP} (queues), which syncs only when listed here. A
         * listed type the integration user cannot query is skipped, not failed.
         *
         * @param types the types, at least one
         * @return this builder
         */
        public Builder objectTypes(Collection<ObjectType> types) {
            Objects.requireNonNull(types, "objectTypes must not be null");
            if (types.isEmpty()) {
                throw new IllegalArgumentException("objectTypes must not be empty (omit the call to sync every available type)");
            }
            List<ObjectType> copy = new ArrayList<>(types.size());
            for (ObjectType t : types) {
                copy.add(Objects.requireNonNull(t, "objectTypes must not contain null: " + types));
            }
            objectTypes.clear();
            objectTypes.addAll(copy);
            return this;
        }

        /**
         * @param types the types, at least one (see {@link #objectTypes(Collection)})
         * @return this builder
         */
        public Builder objectTypes(ObjectType... types) {
            Objects.requireNonNull(types, "objectTypes must not be null");
            return objectTypes(Arrays.asList(types));
        }

        /**
         * Syncs only these fields of a type (those the integration user can read). By default every
         * readable field is synced except {@linkplain IgnoredFields Marketo's ignored fields}. A
         * selection wins over the ignored list: a field named here syncs even if it is on it. A
         * selected field that is hidden or gone is left out and noted in the report, never a failure.
         *
         * @param type the object type
         * @param fieldNames the field API names, at least one
         * @return this builder
         */
        public Builder fields(ObjectType type, Collection<String> fieldNames) {
            Objects.requireNonNull(type, "type must not be null");
            Objects.requireNonNull(fieldNames, "fieldNames must not be null");
            if (fieldNames.isEmpty()) {
                throw new IllegalArgumentException("fieldNames for " + type + " must not be empty");
            }
            Set<String> copy = new LinkedHashSet<>();
            for (String f : fieldNames) {
                if (f == null || f.isBlank()) {
                    throw new IllegalArgumentException("field names for " + type + " must not be null or blank: "
                            + fieldNames);
                }
                copy.add(f);
            }
            fields.put(type, Set.copyOf(copy));
            return this;
        }

        /**
         * Replaces the list of fields a type never syncs (by default {@link IgnoredFields#marketoDefault}
         * of the type). An empty list syncs every readable field of the type. A field the type's
         * {@link #fields(ObjectType, Collection) selection} names syncs whatever this list says.
         * Ignoring {@code SystemModstamp} or {@code LastModifiedDate} never affects the engine's
         * cursor, which reads the stamp of each record by itself.
         *
         * @param type the object type
         * @param fieldNames the field API names to leave out; may be empty
         * @return this builder
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if a name is null or blank
         */
        public Builder ignoredFields(ObjectType type, Collection<String> fieldNames) {
            Objects.requireNonNull(type, "type must not be null");
            Objects.requireNonNull(fieldNames, "fieldNames must not be null");
            Set<String> copy = new LinkedHashSet<>();
            for (String f : fieldNames) {
                if (f == null || f.isBlank()) {
                    throw new IllegalArgumentException("ignored field names for " + type
                            + " must not be null or blank: " + fieldNames);
                }
                copy.add(f);
            }
            ignored.put(type, Set.copyOf(copy));
            return this;
        }

        /**
         * Turns Marketo's ignored-field list off: every type without a list of its own
         * ({@link #ignoredFields(ObjectType, Collection)}) syncs every field the integration user can
         * read (or its selection).
         *
         * @return this builder
         */
        public Builder syncAllReadableFields() {
            marketoIgnored = false;
            return this;
        }

        /**
         * @param pageSize records per CRM page, 1 to {@link ChangeQuery#MAX_PAGE_SIZE}; default
         *     {@link SyncEngine#DEFAULT_PAGE_SIZE} (the source may cap it at its own maximum)
         * @return this builder
         */
        public Builder pageSize(int pageSize) {
            if (pageSize < 1 || pageSize > ChangeQuery.MAX_PAGE_SIZE) {
                throw new IllegalArgumentException("pageSize must be between 1 and " + ChangeQuery.MAX_PAGE_SIZE
                        + ", was " + pageSize);
            }
            this.pageSize = pageSize;
            return this;
        }

        /**
         * @param storeBatchSize records per marketing-store call, 1 to {@link SyncEngine#MAX_STORE_BATCH_SIZE};
         *     default {@link SyncEngine#DEFAULT_STORE_BATCH_SIZE}
         * @return this builder
         */
        public Builder storeBatchSize(int storeBatchSize) {
            if (storeBatchSize < 1 || storeBatchSize > MAX_STORE_BATCH_SIZE) {
                throw new IllegalArgumentException("storeBatchSize must be between 1 and " + MAX_STORE_BATCH_SIZE
                        + ", was " + storeBatchSize);
            }
            this.storeBatchSize = storeBatchSize;
            return this;
        }

        /**
         * @param lookback how far each incremental read steps back behind its checkpoint to catch
         *     records that became visible late; zero to {@link SyncEngine#MAX_LOOKBACK}; default
         *     {@link SyncEngine#DEFAULT_LOOKBACK}
         * @return this builder
         */
        public Builder lookback(Duration lookback) {
            Objects.requireNonNull(lookback, "lookback must not be null");
            if (lookback.isNegative() || lookback.compareTo(MAX_LOOKBACK) > 0) {
                throw new IllegalArgumentException("lookback must be between PT0S and " + MAX_LOOKBACK + ", was "
                        + lookback);
            }
            this.lookback = lookback;
            return this;
        }

        /**
         * @param maxAttempts failed attempts after which a rejected record is parked, 1 to
         *     {@link SyncEngine#MAX_MAX_ATTEMPTS}; default {@link SyncEngine#DEFAULT_MAX_ATTEMPTS}
         * @return this builder
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1 || maxAttempts > MAX_MAX_ATTEMPTS) {
                throw new IllegalArgumentException("maxAttempts must be between 1 and " + MAX_MAX_ATTEMPTS
                        + ", was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * How long a per-type lease lasts unless renewed. The engine renews every third of it while
         * it holds the lease (a heartbeat on the {@linkplain #leaseRenewalExecutor renewal executor},
         * also while a CRM call blocks, and at page boundaries), so this bounds how long a type
         * stays blocked after the instance holding it died. Expiry is judged by the state store's
         * clock (a database's own).
         *
         * @param leaseTtl {@link SyncEngine#MIN_LEASE_TTL} to {@link SyncEngine#MAX_LEASE_TTL};
         *     default {@link SyncEngine#DEFAULT_LEASE_TTL}
         * @return this builder
         */
        public Builder leaseTtl(Duration leaseTtl) {
            Objects.requireNonNull(leaseTtl, "leaseTtl must not be null");
            if (leaseTtl.compareTo(MIN_LEASE_TTL) < 0 || leaseTtl.compareTo(MAX_LEASE_TTL) > 0) {
                throw new IllegalArgumentException("leaseTtl must be between " + MIN_LEASE_TTL + " and " + MAX_LEASE_TTL
                        + ", was " + leaseTtl);
            }
            this.leaseTtl = leaseTtl;
            return this;
        }

        /**
         * Where the lease heartbeat runs: one short task per held lease every third of the
         * {@linkplain #leaseTtl lease ttl}. The engine never shuts down an executor it was given.
         * Default: a daemon thread the engine creates and shuts down in {@link SyncEngine#close()}.
         *
         * @param executor the executor for lease renewals
         * @return this builder
         */
        public Builder leaseRenewalExecutor(ScheduledExecutorService executor) {
            this.leaseRenewalExecutor = Objects.requireNonNull(executor, "leaseRenewalExecutor must not be null");
            return this;
        }

        /**
         * @param clock the engine's clock (checkpoint times, failures, report durations); default UTC system clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * @param listener hooks for progress, rejections and completion; called behind a guard
         * @return this builder
         */
        public Builder listener(SyncListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener must not be null");
            return this;
        }

        /**
         * @param engineId this engine's id: the owner of its leases and the prefix of its cycle ids;
         *     1 to 100 printable characters; default {@code crmsync-} and a random suffix. Engines
         *     that share a state store and sync the same types may share an id or not: a lease is
         *     held by one running instance (engine id plus {@linkplain SyncEngine#instanceToken()
         *     instance token}) either way
         * @return this builder
         */
        public Builder engineId(String engineId) {
            Objects.requireNonNull(engineId, "engineId must not be null");
            if (engineId.isBlank() || engineId.length() > 100
                    || engineId.chars().anyMatch(c -> Character.isISOControl(c))) {
                throw new IllegalArgumentException("engineId must be 1 to 100 printable characters, was '"
                        + engineId.replaceAll("\\p{Cntrl}", "?") + "'");
            }
            this.engineId = engineId;
            return this;
        }

        /**
         * How long {@link SyncEngine#close()} waits for a running cycle to stop at a page boundary
         * before it aborts the cycle's CRM call in flight (see {@link SyncEngine#close()}).
         *
         * @param closeTimeout zero (abort at once) to {@link SyncEngine#MAX_CLOSE_TIMEOUT}; default
         *     {@link SyncEngine#DEFAULT_CLOSE_TIMEOUT}
         * @return this builder
         */
        public Builder closeTimeout(Duration closeTimeout) {
            Objects.requireNonNull(closeTimeout, "closeTimeout must not be null");
            if (closeTimeout.isNegative() || closeTimeout.compareTo(MAX_CLOSE_TIMEOUT) > 0) {
                throw new IllegalArgumentException("closeTimeout must be between PT0S and " + MAX_CLOSE_TIMEOUT
                        + ", was " + closeTimeout);
            }
            this.closeTimeout = closeTimeout;
            return this;
        }

        // ---- marketing-side convert and merge (issue 14) --------------------------------------
        private final Map<ObjectType, Set<String>> sumOnMerge = new LinkedHashMap<>();

        /**
         * A field rule "sum on merge": when {@link SyncEngine#mergePersons} merges persons of
         * {@code type}, the survivor's {@code field} becomes the sum of the merged persons' values
         * (empty values count for nothing), e.g. a lead score.
         *
         * @param type Lead or Contact
         * @param field a numeric field's API name
         * @return this builder
         * @throws IllegalArgumentException if the type is not Lead or Contact or the field is blank
         */
        public Builder sumOnMerge(ObjectType type, String field) {
            Objects.requireNonNull(type, "type must not be null");
            Objects.requireNonNull(field, "field must not be null");
            if (!type.equals(ObjectType.LEAD) && !type.equals(ObjectType.CONTACT)) {
                throw new IllegalArgumentException("sumOnMerge applies to Lead or Contact, not " + type);
            }
            if (field.isBlank()) {
                throw new IllegalArgumentException("sumOnMerge field is blank");
            }
            sumOnMerge.computeIfAbsent(type, k -> new LinkedHashSet<>()).add(field);
            return this;
        }

        private Map<ObjectType, Set<String>> copySumOnMerge() {
            Map<ObjectType, Set<String>> out = new LinkedHashMap<>();
            sumOnMerge.forEach((t, f) -> out.put(t, Set.copyOf(f)));
            return Map.copyOf(out);
        }
        // ---- end of marketing-side convert and merge --------------------------------------------

        /**
         * Builds the engine.
         *
         * @return the engine
         * @throws IllegalStateException if the CRM source, the marketing store or the state store is
         *     missing, or the object types include bidirectional ones (the default, every type the CRM
         *     makes available, may) and the marketing store is not a {@link BidirectionalStore}
         */
        public SyncEngine build() {
            List<String> missing = new ArrayList<>();
            if (crmSource == null) {
                missing.add("crmSource");
            }
            if (marketingStore == null) {
                missing.add("marketingStore");
            }
            if (syncStateStore == null) {
                missing.add("syncStateStore");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("SyncEngine.builder() is missing " + String.join(", ", missing)
                        + ": set " + (missing.size() == 1 ? "it" : "them") + " before build()");
            }
            requireCapabilities(marketingStore, objectTypes);
            String id = engineId != null ? engineId : "crmsync-" + UUID.randomUUID().toString().substring(0, 8);
            AbortableCrm crm = new AbortableCrm(crmSource);
            String instance = Long.toString(Math.max(0, clock.millis()), 36) + "-"
                    + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
            LeaseKeeper leases = new LeaseKeeper(syncStateStore, id, instance, leaseTtl, clock, leaseRenewalExecutor);
            return new SyncEngine(new EngineSettings(id, crm, marketingStore, syncStateStore, conflictPolicy,
                    List.copyOf(objectTypes), fields, pageSize, storeBatchSize, lookback, maxAttempts, leaseTtl, clock,
                    listener, personDefaults, marketingIdField).withHostDeletes(hostDeletes).withSyncFilters(syncFilters)
                    .withIdSweeps(idSweeps).withCalculatedRefresh(calculatedRefresh)
                    .withIgnoredFields(new IgnoreRules(marketoIgnored, ignored)),
                    crm, closeTimeout, leases, copySumOnMerge());
        }

        /** Refuses bidirectional types against a store that lacks what the bidirectional path calls. */
        private static void requireCapabilities(MarketingStore store, Collection<ObjectType> types) {
            if (store instanceof BidirectionalStore) {
                return;
            }
            String which = store.getClass().getName();
            if (types.isEmpty()) {
                throw new IllegalStateException("the marketing store (" + which + ") is not a BidirectionalStore,"
                        + " so it can hold one-way object types only, and by default the engine syncs every type"
                        + " the CRM makes available, bidirectional ones included: name the one-way types with"
                        + " objectTypes(...), or give the engine a store that implements BidirectionalStore");
            }
            List<ObjectType> twoWay = types.stream().filter(ObjectType::isBidirectional).toList();
            if (!twoWay.isEmpty()) {
                throw new IllegalStateException("the marketing store (" + which + ") is not a BidirectionalStore,"
                        + " so it cannot hold the bidirectional object types " + twoWay + " (they need its change"
                        + " feed, lookup by marketing id, link, merge and relink): drop them from objectTypes(...),"
                        + " or give the engine a store that implements BidirectionalStore");
            }
        }
    }
}
