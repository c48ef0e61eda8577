package dev.crmsync.spring.boot;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.SyncScheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the engine's {@link SyncScheduler} with the application context: started once every other bean is ready
 * (the last phase), stopped first on shutdown — the scheduler starts no new cycle, and the engine is closed,
 * so a running cycle stops at its next page boundary with its checkpoint kept, within the engine's close
 * timeout (see {@link SyncEngine#close()}), before the context destroys the {@code DataSource}.
 *
 * <p>A closed engine does not run again: starting this lifecycle after a stop fails. Replace the bean to run
 * cycles another way (the host's scheduler calling {@link SyncEngine#runCycle()}), or set
 * {@code crmsync.auto-start=false} and call {@link #start()} yourself.
 */
public class SyncLifecycle implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(SyncLifecycle.class);

    private final SyncEngine engine;
    private final java.util.function.Supplier<Duration> pause;
    private final Duration initialDelay;
    private final boolean autoStartup;
    private @Nullable SyncScheduler scheduler;

    /**
     * @param engine the engine to schedule
     * @param pause the pause between cycles (positive)
     * @param initialDelay the delay before the first cycle (zero or more)
     * @param autoStartup whether to start with the context
     */
    public SyncLifecycle(SyncEngine engine, Duration pause, Duration initialDelay, boolean autoStartup) {
        this(engine, constant(Objects.requireNonNull(pause, "pause must not be null")), initialDelay, autoStartup);
    }

    /**
     * @param engine the engine to schedule
     * @param pause gives the pause before each next cycle ({@code ChangeEventSync#suggestedPause()} when change
     *     events are followed)
     * @param initialDelay the delay before the first cycle (zero or more)
     * @param autoStartup whether to start with the context
     */
    public SyncLifecycle(SyncEngine engine, java.util.function.Supplier<Duration> pause, Duration initialDelay,
                         boolean autoStartup) {
        this.engine = Objects.requireNonNull(engine, "engine must not be null");
        this.pause = Objects.requireNonNull(pause, "pause must not be null");
        this.initialDelay = Objects.requireNonNull(initialDelay, "initialDelay must not be null");
        this.autoStartup = autoStartup;
    }

    @Override
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        if (engine.isClosed()) {
            throw new IllegalStateException("engine '" + engine.engineId() + "' is closed; a stopped crmsync engine "
                    + "does not run again (restart the application)");
        }
        SyncScheduler s = SyncScheduler.builder(engine).pause(pause).initialDelay(initialDelay).build();
        s.start();
        scheduler = s;
        LOG.info("crmsync engine '{}' scheduled: first cycle in {}, then a pause of {} after each", engine.engineId(),
                initialDelay, pause.get());
    }

    @Override
    public synchronized void stop() {
        SyncScheduler s = scheduler;
        if (s == null) {
            return;
        }
        scheduler = null;
        s.close();        // no new cycle starts
        engine.close();   // a running cycle stops at its next page boundary; bounded by the close timeout
        LOG.info("crmsync engine '{}' stopped with the application context", engine.engineId());
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }

    @Override
    public boolean isAutoStartup() {
        return autoStartup;
    }

    /**
     * The last phase but one: after every other bean is ready, stopped before them; only
     * {@link ChangeEventsLifecycle} (change events) starts after it and stops before it.
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1;
    }

    /** @return the running scheduler, empty before start and after stop */
    public synchronized Optional<SyncScheduler> scheduler() {
        return Optional.ofNullable(scheduler);
    }

    /** @return the engine it schedules */
    public SyncEngine engine() {
        return engine;
    }

    private static java.util.function.Supplier<Duration> constant(Duration pause) {
        return () -> pause;
    }
}
