package dev.crmsync.core;

import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SafeText;
import dev.crmsync.store.ChangeNotifications;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host edits in seconds, not cycles: listens to a marketing store's {@link ChangeNotifications}
 * and calls {@link SyncEngine#pushHostChangesNow} for each two-way type whose records the host
 * changed. Notifications that arrive while a push runs are folded into one more push, so a burst
 * of edits goes out in whole write calls (200 a call at Salesforce) rather than one call per edit;
 * a push waits for a running cycle. The cycle stays the completeness net: a notification lost (a
 * dropped connection) costs latency, never a change. One daemon thread runs the pushes.
 *
 * <pre>{@code
 * try (HostChangePusher pusher = HostChangePusher.start(engine, stores.marketingStore(), Duration.ofSeconds(1))) {
 *     // the application runs; host edits reach the CRM within about a second
 * }
 * }</pre>
 */
public final class HostChangePusher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostChangePusher.class);

    private final SyncEngine engine;
    private final ExecutorService pushes;
    private final Map<ObjectType, AtomicBoolean> dirty = new ConcurrentHashMap<>();
    private final Map<ObjectType, AtomicBoolean> scheduled = new ConcurrentHashMap<>();
    private final AutoCloseable listening;
    private volatile boolean closed;

    private HostChangePusher(SyncEngine engine, ChangeNotifications store, Duration pollInterval) {
        this.engine = engine;
        this.pushes = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "crmsync-host-push");
            t.setDaemon(true);
            return t;
        });
        this.listening = store.listen(this::changed, pollInterval);
    }

    /**
     * Starts listening.
     *
     * @param engine the engine whose two-way types are pushed
     * @param store the engine's marketing store, as its notifications
     * @param pollInterval how often a store that cannot be told by its database checks its feed
     * @return the running pusher; close it before the engine
     */
    public static HostChangePusher start(SyncEngine engine, ChangeNotifications store, Duration pollInterval) {
        Objects.requireNonNull(engine, "engine must not be null");
        Objects.requireNonNull(store, "store must not be null");
        Objects.requireNonNull(pollInterval, "pollInterval must not be null");
        return new HostChangePusher(engine, store, pollInterval);
    }

    private void changed(ObjectType type) {
        if (closed || !type.isBidirectional()) {
            return;
        }
        dirty.computeIfAbsent(type, t -> new AtomicBoolean()).set(true);
        schedule(type);
    }

    private void schedule(ObjectType type) {
        if (scheduled.computeIfAbsent(type, t -> new AtomicBoolean()).compareAndSet(false, true)) {
            try {
                pushes.execute(() -> drain(type));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                scheduled.get(type).set(false);     // closing
            }
        }
    }

    private void drain(ObjectType type) {
        AtomicBoolean d = dirty.get(type);
        try {
            while (!closed && d.getAndSet(false)) {
                try {
                    engine.pushHostChangesNow(type);
                } catch (IllegalArgumentException e) {
                    return;                          // not one of the engine's types: nothing to push, ever
                } catch (RuntimeException e) {
                    if (engine.isClosed()) {
                        return;
                    }
                    LOG.warn("{}: pushing host changes failed ({}); the next change or cycle takes them", type,
                            SafeText.describe(e));
                }
            }
        } finally {
            scheduled.get(type).set(false);
        }
        if (!closed && d.get()) {
            schedule(type);                          // a change came in as the last push ended
        }
    }

    /** Stops listening and waits for a push under way to end (at most 30 seconds). */
    @Override
    public void close() {
        closed = true;
        try {
            listening.close();
        } catch (Exception e) {
            LOG.debug("closing the store's listening failed", e);
        }
        pushes.shutdown();
        try {
            pushes.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
