package dev.crmsync.core;

import dev.crmsync.core.internal.CycleRunner;
import dev.crmsync.core.internal.EngineSettings;
import dev.crmsync.core.internal.TypeSyncs;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.SyncStateStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

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
 * <h2>Threads and lifecycle</h2>
 * The engine is thread-safe. One cycle runs at a time: {@link #runCycle()} called while another
 * thread runs a cycle of the same engine is refused with an {@link IllegalStateException}, never
 * interleaved. {@link #close()} is idempotent and may come from any thread: a running cycle stops
 * at its next page boundary (checkpoints kept), and no new cycle starts. The engine does not close
 * the CRM source or the stores it was given: their owner does.
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
    /** Largest lookback accepted. */
    public static final Duration MAX_LOOKBACK = Duration.ofDays(1);
    /** Default failed attempts after which a rejected record is parked. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    /** Largest attempts setting accepted. */
    public static final int MAX_MAX_ATTEMPTS = 1_000;
    /** Default time-to-live of a per-type lease (renewed between pages while a type runs). */
    public static final Duration DEFAULT_LEASE_TTL = Duration.ofMinutes(15);
    /** The SLF4J MDC key under which the cycle id is set while a cycle runs. */
    public static final String MDC_CYCLE_KEY = CycleRunner.MDC_CYCLE_KEY;

    private enum State { OPEN, CLOSED }

    private final EngineSettings settings;
    private final CycleRunner runner;
    private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);
    private final AtomicReference<Thread> cycleThread = new AtomicReference<>();
    private final AtomicLong cycles = new AtomicLong();
    private final Object monitor = new Object();

    private SyncEngine(EngineSettings settings) {
        this.settings = settings;
        this.runner = new CycleRunner(settings, TypeSyncs.defaults(settings));
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
            throw new IllegalStateException("a cycle of engine '" + engineId() + "' is already running on thread '"
                    + Optional.ofNullable(cycleThread.get()).map(Thread::getName).orElse("?")
                    + "'; concurrent cycles are refused");
        }
        try {
            if (state.get() == State.CLOSED) {
                throw new IllegalStateException("engine '" + engineId() + "' is closed");
            }
            String cycleId = engineId() + "-" + cycles.incrementAndGet();
            return runner.run(cycleId, this::stopReason);
        } finally {
            synchronized (monitor) {
                cycleThread.set(null);
                monitor.notifyAll();
            }
        }
    }

    private String stopReason() {
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
     * Lists parked failures: records whose attempts are used up. They stay parked until
     * {@linkplain #redrive(FailedRecord) re-driven} (or, for a CRM record, until it changes again
     * and applies).
     *
     * @return every parked failure in the state store
     */
    public List<FailedRecord> parkedFailures() {
        return List.copyOf(settings.state().parkedFailures());
    }

    /**
     * Re-drives a parked failure: it goes back to the retry queue with its attempts reset, and the
     * next cycle retries it (re-reading the record's current values).
     *
     * @param failure a parked failure, as {@link #parkedFailures()} listed it
     * @return true if it was parked and is now queued again; false if no such parked failure exists
     */
    public boolean redrive(FailedRecord failure) {
        Objects.requireNonNull(failure, "failure must not be null");
        Optional<FailedRecord> current = settings.state().failure(failure.type(), failure.key(), failure.target());
        if (current.isEmpty() || !current.get().parked()) {
            return false;
        }
        settings.state().saveFailure(current.get().unparked());
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
     * Closes the engine: no new cycle starts, and a running cycle stops at its next page boundary
     * with its checkpoints kept. Waits for that cycle to stop, unless called from the cycle's own
     * thread (e.g. from a listener). Idempotent; may be called from any thread.
     */
    @Override
    public void close() {
        if (!state.compareAndSet(State.OPEN, State.CLOSED)) {
            return;
        }
        synchronized (monitor) {
            Thread running;
            while ((running = cycleThread.get()) != null && running != Thread.currentThread()) {
                try {
                    monitor.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public String toString() {
        return "SyncEngine[" + engineId() + (isClosed() ? ", closed" : "") + "]";
    }

    /**
     * Builds a {@link SyncEngine}. Every setter checks its argument at once and names the bad
     * value; {@link #build()} checks that the required parts (CRM source, marketing store, state
     * store) are there. Not thread-safe.
     */
    public static final class Builder {
        private CrmSource crmSource;
        private MarketingStore marketingStore;
        private SyncStateStore syncStateStore;
        // TODO(issue 3, bidirectional): Marketo's default is per type (Lead: marketing wins, Contact: CRM wins).
        private ConflictPolicy conflictPolicy = ConflictPolicy.crmWins();
        private final Set<ObjectType> objectTypes = new LinkedHashSet<>();
        private final Map<ObjectType, Set<String>> fields = new LinkedHashMap<>();
        private int pageSize = DEFAULT_PAGE_SIZE;
        private int storeBatchSize = DEFAULT_STORE_BATCH_SIZE;
        private Duration lookback = DEFAULT_LOOKBACK;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration leaseTtl = DEFAULT_LEASE_TTL;
        private Clock clock = Clock.systemUTC();
        private SyncListener listener = SyncListener.NOOP;
        private String engineId;

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
         * @param marketingStore the host's marketing database (required)
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
         * @param conflictPolicy who wins a field changed on both sides (bidirectional types);
         *     default {@link ConflictPolicy#crmWins()}
         * @return this builder
         */
        public Builder conflictPolicy(ConflictPolicy conflictPolicy) {
            this.conflictPolicy = Objects.requireNonNull(conflictPolicy, "conflictPolicy must not be null");
            return this;
        }

        /**
         * Restricts the sync to these object types. By default every type the CRM makes available
         * ({@link CrmSource#availableTypes()}: standard types and the custom objects it lists) is
         * synced. A listed type the integration user cannot query is skipped, not failed.
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
         * readable field is synced. A selected field that is hidden or gone is left out and noted in
         * the report, never a failure.
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
         * @param leaseTtl how long a per-type lease lasts unless renewed (it is renewed between
         *     pages); positive; default {@link SyncEngine#DEFAULT_LEASE_TTL}
         * @return this builder
         */
        public Builder leaseTtl(Duration leaseTtl) {
            Objects.requireNonNull(leaseTtl, "leaseTtl must not be null");
            if (leaseTtl.isNegative() || leaseTtl.isZero()) {
                throw new IllegalArgumentException("leaseTtl must be positive, was " + leaseTtl);
            }
            this.leaseTtl = leaseTtl;
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
         * @param engineId this engine's id: the owner of its leases (engines sharing a state store
         *     need distinct ids) and the prefix of its cycle ids; 1 to 100 printable characters;
         *     default {@code crmsync-} and a random suffix
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
         * Builds the engine.
         *
         * @return the engine
         * @throws IllegalStateException if the CRM source, the marketing store or the state store is missing
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
            String id = engineId != null ? engineId : "crmsync-" + UUID.randomUUID().toString().substring(0, 8);
            return new SyncEngine(new EngineSettings(id, crmSource, marketingStore, syncStateStore, conflictPolicy,
                    List.copyOf(objectTypes), fields, pageSize, storeBatchSize, lookback, maxAttempts, leaseTtl, clock,
                    listener));
        }
    }
}
