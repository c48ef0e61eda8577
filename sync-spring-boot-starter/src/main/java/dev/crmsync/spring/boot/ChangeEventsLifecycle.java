package dev.crmsync.spring.boot;

import dev.crmsync.salesforce.events.ChangeEventSync;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Follows change events with the application context ({@code crmsync.salesforce.events.enabled=true}): started
 * after the engine's scheduler ({@link SyncLifecycle}), stopped before it, so that no event is applied by an
 * engine that is closing. A stopped {@link ChangeEventSync} does not start again.
 */
public class ChangeEventsLifecycle implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeEventsLifecycle.class);

    private final ChangeEventSync events;
    private final boolean autoStartup;
    private boolean running;

    /**
     * @param events the follower
     * @param autoStartup whether to start with the context ({@code crmsync.auto-start})
     */
    public ChangeEventsLifecycle(ChangeEventSync events, boolean autoStartup) {
        this.events = Objects.requireNonNull(events, "events must not be null");
        this.autoStartup = autoStartup;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        events.start();
        running = true;
        LOG.info("crmsync follows change events: {}", events);
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        events.close();
    }

    @Override
    public synchronized boolean isRunning() {
        return running;
    }

    @Override
    public boolean isAutoStartup() {
        return autoStartup;
    }

    /** One phase after {@link SyncLifecycle}'s: started after it, stopped before it. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }

    /** @return the follower */
    public ChangeEventSync events() {
        return events;
    }
}
