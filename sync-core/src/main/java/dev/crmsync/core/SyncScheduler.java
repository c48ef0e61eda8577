package dev.crmsync.core;

import dev.crmsync.model.SafeText;
import dev.crmsync.core.report.SyncReport;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Runs an engine's cycles in a loop, as Marketo does: a cycle, a pause measured from the
 * <em>end</em> of that cycle (default {@link #DEFAULT_PAUSE}), the next cycle, and so on.
 *
 * <pre>{@code
 * SyncScheduler scheduler = SyncScheduler.builder(engine).pause(Duration.ofMinutes(5)).build();
 * scheduler.start();
 * ...
 * scheduler.close();   // no further cycle starts; returns at once
 * engine.close();      // a running cycle stops at its next page boundary, or has its CRM call
 *                      // aborted after the engine's close timeout
 * }</pre>
 *
 * <p>Only one cycle of the engine runs at a time: the next cycle is scheduled only once the
 * previous one has ended. A cycle that fails (or throws) is logged and the loop goes on at the next
 * tick. The loop ends when the scheduler is closed, when the engine is closed (as soon as the cycle
 * it stopped ends: a clean stop, logged at INFO), or when the executor refuses work or interrupts the
 * cycle's thread.
 *
 * <p>Pass your own {@link ScheduledExecutorService} to control threads (tests pass a manual one and
 * need no sleeps); the scheduler never shuts down an executor it did not create. Without one, it
 * creates a single daemon thread and shuts it down on {@link #close()}. Thread-safe; {@link #close()}
 * is idempotent, may come from any thread, including from within a cycle, and never waits.
 */
public final class SyncScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncScheduler.class);

    /** Default pause between the end of one cycle and the start of the next (Marketo's 5 minutes). */
    public static final Duration DEFAULT_PAUSE = Duration.ofMinutes(5);

    private enum State { NEW, RUNNING, CLOSED }

    private final SyncEngine engine;
    private final java.util.function.Supplier<Duration> pause;
    private final @Nullable Duration fixedPause;
    private final Duration initialDelay;
    private final ScheduledExecutorService executor;
    private final boolean ownsExecutor;
    private final Object lock = new Object();
    private final AtomicLong cyclesRun = new AtomicLong();
    private State state = State.NEW;            // guarded by lock
    private @Nullable ScheduledFuture<?> next;            // guarded by lock
    private volatile @Nullable SyncReport lastReport;

    private SyncScheduler(Builder b) {
        this.engine = b.engine;
        this.pause = b.pause;
        this.fixedPause = b.fixedPause;
        this.initialDelay = b.initialDelay;
        if (b.executor != null) {
            this.executor = b.executor;
            this.ownsExecutor = false;
        } else {
            String name = "crmsync-scheduler-" + engine.engineId();
            this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
            this.ownsExecutor = true;
        }
    }

    /**
     * @param engine the engine whose cycles to run
     * @return a new builder
     */
    public static Builder builder(SyncEngine engine) {
        return new Builder(engine);
    }

    /**
     * Starts the loop: the first cycle runs after the initial delay. Calling it again while running
     * does nothing.
     *
     * @throws IllegalStateException if the scheduler is closed
     */
    public void start() {
        synchronized (lock) {
            if (state == State.CLOSED) {
                throw new IllegalStateException("scheduler of engine '" + engine.engineId() + "' is closed");
            }
            if (state == State.RUNNING) {
                return;
            }
            state = State.RUNNING;
            scheduleNext(initialDelay);
        }
        LOG.info("Scheduler started for engine {}: pause {} between cycles", engine.engineId(),
                fixedPause != null ? fixedPause : "supplied per cycle");
    }

    /** @return true between {@link #start()} and the end of the loop */
    public boolean isRunning() {
        synchronized (lock) {
            return state == State.RUNNING;
        }
    }

    /** @return the report of the last cycle the scheduler ran, if any */
    public Optional<SyncReport> lastReport() {
        return Optional.ofNullable(lastReport);
    }

    /** @return how many cycles the scheduler has run to a report */
    public long cyclesRun() {
        return cyclesRun.get();
    }

    /**
     * @return the pause between the end of a cycle and the start of the next — with a
     *     {@linkplain Builder#pause(java.util.function.Supplier) supplied pause}, what it gives now
     *     ({@link #DEFAULT_PAUSE} if it gives nothing usable)
     */
    public Duration pause() {
        Duration d;
        try {
            d = pause.get();
        } catch (RuntimeException e) {
            LOG.warn("Scheduler of engine {}: the pause supplier threw; pausing {}", engine.engineId(), DEFAULT_PAUSE,
                    SafeText.scrubbed(e));
            return DEFAULT_PAUSE;
        }
        if (d == null || d.isNegative() || d.isZero()) {
            LOG.warn("Scheduler of engine {}: the pause supplier gave {}; pausing {}", engine.engineId(), d,
                    DEFAULT_PAUSE);
            return DEFAULT_PAUSE;
        }
        return d;
    }

    private void scheduleNext(Duration delay) {
        // lock held
        try {
            next = executor.schedule(this::tick, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            LOG.warn("Scheduler of engine {} stops: its executor refused the next cycle", engine.engineId());
            state = State.CLOSED;
            next = null;
        }
    }

    private void tick() {
        synchronized (lock) {
            if (state != State.RUNNING) {
                return;
            }
        }
        try {
            if (engine.isClosed()) {
                stopBecause("its engine is closed");
                return;
            }
            SyncReport report = engine.runCycle();
            lastReport = report;
            cyclesRun.incrementAndGet();
            if (engine.isClosed()) {
                // a clean stop: the engine was closed during the cycle, which stopped at a page boundary
                stopBecause("its engine was closed during cycle " + report.cycleId() + ", which ended "
                        + report.outcome().label());
                return;
            }
            if (!report.isComplete()) {
                LOG.warn("Cycle {} ended {}; the next cycle runs after the pause", report.cycleId(),
                        report.outcome().label());
            }
        } catch (IllegalStateException e) {
            if (engine.isClosed()) {
                stopBecause("its engine is closed");
                return;
            }
            LOG.warn("Cycle of engine {} refused ({}); trying again after the pause", engine.engineId(), SafeText.describe(e));
        } catch (RuntimeException e) {
            LOG.error("Cycle of engine {} threw; trying again after the pause", engine.engineId(), SafeText.scrubbed(e));
        } finally {
            Duration nextPause = pause();   // asked outside the lock: the supplier is the host's code
            synchronized (lock) {
                if (state == State.RUNNING) {
                    if (Thread.currentThread().isInterrupted()) {
                        LOG.info("Scheduler of engine {} stops: its thread was interrupted", engine.engineId());
                        state = State.CLOSED;
                        next = null;
                    } else {
                        scheduleNext(nextPause);
                    }
                }
            }
        }
    }

    private void stopBecause(String why) {
        LOG.info("Scheduler of engine {} stops: {}", engine.engineId(), why);
        close();
    }

    /**
     * Stops the loop: no further cycle starts. Never waits, so it cannot hang: it cancels the next
     * tick and, if the scheduler created its executor, shuts it down without waiting for (or
     * interrupting) its thread. A cycle already running goes on; close the engine afterwards to stop
     * it within a bound ({@link SyncEngine#close()}: at its next page boundary, or by aborting its
     * CRM call once the engine's close timeout has passed). Idempotent; any thread.
     */
    @Override
    public void close() {
        @Nullable ScheduledFuture<?> pending;
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            pending = next;
            next = null;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        if (ownsExecutor) {
            executor.shutdown();
        }
    }

    /** Builds a {@link SyncScheduler}; every setter checks its argument at once. Not thread-safe. */
    public static final class Builder {
        private final SyncEngine engine;
        private java.util.function.Supplier<Duration> pause = () -> DEFAULT_PAUSE;
        private @Nullable Duration fixedPause = DEFAULT_PAUSE;
        private Duration initialDelay = Duration.ZERO;
        private @Nullable ScheduledExecutorService executor;

        private Builder(SyncEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine must not be null");
        }

        /**
         * @param pause the pause between the end of one cycle and the start of the next; positive;
         *     default {@link SyncScheduler#DEFAULT_PAUSE}
         * @return this builder
         */
        public Builder pause(Duration pause) {
            Objects.requireNonNull(pause, "pause must not be null");
            if (pause.isNegative() || pause.isZero()) {
                throw new IllegalArgumentException("pause must be positive, was " + pause);
            }
            this.pause = () -> pause;
            this.fixedPause = pause;
            return this;
        }

        /**
         * A pause that changes: asked after each cycle for the pause before the next — for a host
         * whose need for polling changes, such as one following change events that polls rarely
         * while they flow and often when they do not ({@code ChangeEventSync#suggestedPause()}).
         * Where it throws or gives a pause that is not positive, {@link SyncScheduler#DEFAULT_PAUSE}
         * is used (and a warning logged).
         *
         * @param pause gives the pause before the next cycle
         * @return this builder
         */
        public Builder pause(java.util.function.Supplier<Duration> pause) {
            this.pause = Objects.requireNonNull(pause, "pause must not be null");
            this.fixedPause = null;
            return this;
        }

        /**
         * @param initialDelay the wait before the first cycle; zero or more; default zero
         * @return this builder
         */
        public Builder initialDelay(Duration initialDelay) {
            Objects.requireNonNull(initialDelay, "initialDelay must not be null");
            if (initialDelay.isNegative()) {
                throw new IllegalArgumentException("initialDelay must not be negative, was " + initialDelay);
            }
            this.initialDelay = initialDelay;
            return this;
        }

        /**
         * @param executor the executor to run cycles on; the scheduler never shuts it down. Default:
         *     a single daemon thread the scheduler creates and shuts down on close
         * @return this builder
         */
        public Builder executor(ScheduledExecutorService executor) {
            this.executor = Objects.requireNonNull(executor, "executor must not be null");
            return this;
        }

        /** @return the scheduler, not yet started */
        public SyncScheduler build() {
            return new SyncScheduler(this);
        }
    }
}
