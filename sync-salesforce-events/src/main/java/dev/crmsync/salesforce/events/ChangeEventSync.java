package dev.crmsync.salesforce.events;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.SyncScheduler;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Seconds, not cycles: follows Salesforce Change Data Capture events for some object types and brings the
 * changed records to the marketing store as they happen, with the engine's polling as the completeness net.
 *
 * <p><b>Events are hints, not data.</b> Each event (and each gap event) names the records it changed; those
 * are fetched and merged by {@link SyncEngine#applyCrmChanges(ObjectType, Collection, String, String)} — the
 * merge a cycle runs, so the engine's own writes coming back as events merge to nothing — and the batch's
 * replay id is saved in the engine's state store only after its records are applied: after a crash the
 * subscription resumes from a position whose records are all applied, and a re-delivered event is harmless.
 * Where hints were lost — a {@link ChangeType#GAP_OVERFLOW} event (a transaction of more than 100,000
 * changes), a replay id past the org's 72-hour retention (a long outage), an event that cannot be decoded —
 * the type is {@linkplain SyncEngine#pollNow(ObjectType) polled at once} and then followed again (at the
 * topic's tip when the old position is gone). Where events are not available at all — the object is not
 * selected for CDC, the org's delivery allocation is spent, the credentials are refused — the type relies
 * on polling, and the subscription is tried again after {@link Builder#refusedBackoff(Duration)}. Each
 * type's {@link #health()} says which mode it is in.
 *
 * <p><b>Polling stays.</b> Formula and roll-up fields never produce events, and a hint can be missed while
 * a stream reconnects; the engine's cycles catch both. Run them with a {@link SyncScheduler} whose pause is
 * {@link #suggestedPause()}: {@link #DEFAULT_HEALTHY_PAUSE} while every followed type's events flow,
 * {@link SyncScheduler#DEFAULT_PAUSE} otherwise.
 * <pre>{@code
 * ChangeEventSync events = ChangeEventSync.builder(engine, pubSubClient)
 *         .objectTypes(ObjectType.LEAD, ObjectType.CONTACT).build();
 * events.start();
 * SyncScheduler polling = SyncScheduler.builder(engine).pause(events::suggestedPause).build();
 * polling.start();
 * }</pre>
 *
 * <p>With several engine instances, each may follow the events: the one holding a type's lease applies
 * them, the others find the lease held, go to {@link EventHealth.Mode#STANDBY} and try again later.
 * Thread-safe; {@link #close()} is idempotent and never waits for a fetch in flight (close the engine to
 * bound that).
 */
public final class ChangeEventSync implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeEventSync.class);

    /** The pause {@link #suggestedPause()} suggests while every followed type's events flow. */
    public static final Duration DEFAULT_HEALTHY_PAUSE = Duration.ofMinutes(30);
    /** Default wait before a failed stream, or a failed apply, is resubscribed from the saved position. */
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(5);
    /** Default wait before a type whose events are unavailable (or held by another instance) is tried again. */
    public static final Duration DEFAULT_REFUSED_BACKOFF = Duration.ofMinutes(5);
    /** The prefix of the position name under which a type's replay id is saved: {@code pubsub:} + topic. */
    public static final String POSITION_PREFIX = "pubsub:";

    private final SyncEngine engine;
    private final ChangeEventSubscriber subscriber;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final boolean ownsExecutor;
    private final Duration retryBackoff;
    private final Duration refusedBackoff;
    private final Duration healthyPause;
    private final Duration pollingPause;
    private final Map<ObjectType, Follower> followers = new LinkedHashMap<>();
    private final Object lock = new Object();
    private boolean started;        // guarded by lock
    private volatile boolean closed;

    private ChangeEventSync(Builder b) {
        this.engine = b.engine;
        this.subscriber = b.subscriber;
        this.clock = b.clock;
        this.retryBackoff = b.retryBackoff;
        this.refusedBackoff = b.refusedBackoff;
        this.healthyPause = b.healthyPause;
        this.pollingPause = b.pollingPause;
        if (b.executor != null) {
            this.executor = b.executor;
            this.ownsExecutor = false;
        } else {
            String name = "crmsync-events-" + engine.engineId();
            this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
            this.ownsExecutor = true;
        }
        for (ObjectType type : b.types) {
            followers.put(type, new Follower(type, b.topics.apply(type)));
        }
    }

    /**
     * @param engine     the engine that applies the changes (it must sync every followed type)
     * @param subscriber the Pub/Sub client ({@link PubSubClient}), or a test's own subscriber
     * @return a new builder
     */
    public static Builder builder(SyncEngine engine, ChangeEventSubscriber subscriber) {
        return new Builder(engine, subscriber);
    }

    /**
     * The change-event topic of an object type, as Salesforce names it: {@code /data/LeadChangeEvent}, and
     * for a custom object {@code Widget__c} {@code /data/Widget__ChangeEvent}.
     *
     * @param type the type
     * @return its topic
     */
    public static String topicFor(ObjectType type) {
        Objects.requireNonNull(type, "type must not be null");
        String name = type.apiName();
        if (type.isCustom() && name.endsWith("__c")) {
            return "/data/" + name.substring(0, name.length() - 1) + "ChangeEvent";
        }
        return "/data/" + name + "ChangeEvent";
    }

    /**
     * Subscribes to every followed type's topic (after the replay id saved last, or at the tip when none
     * was saved: the changes before are the engine's cycles' to bring). Calling it again does nothing.
     *
     * @throws IllegalStateException if closed
     */
    public void start() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("ChangeEventSync of engine '" + engine.engineId() + "' is closed");
            }
            if (started) {
                return;
            }
            started = true;
        }
        LOG.info("Following change events of {} for engine {}", followers.keySet(), engine.engineId());
        for (Follower f : followers.values()) {
            f.schedule(Duration.ZERO, f::subscribe);
        }
    }

    /** @return each followed type's health, in the order the types were given */
    public Map<ObjectType, EventHealth> health() {
        Map<ObjectType, EventHealth> out = new LinkedHashMap<>();
        for (Follower f : followers.values()) {
            out.put(f.type, f.health());
        }
        return out;
    }

    /** @return whether every followed type's events flow ({@link EventHealth.Mode#FOLLOWING}) */
    public boolean allHealthy() {
        for (Follower f : followers.values()) {
            if (!f.health().mode().isHealthy()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The pause a {@link SyncScheduler} should make before the next cycle: long while events flow for every
     * followed type (polling is then only the net for what events never carry), short otherwise.
     *
     * @return {@link Builder#healthyPause(Duration)} when {@link #allHealthy()}, else
     *     {@link Builder#pollingPause(Duration)}
     */
    public Duration suggestedPause() {
        return allHealthy() ? healthyPause : pollingPause;
    }

    /**
     * The replay id saved last for a type (hex), if any.
     *
     * @param type a followed type
     * @return the position its subscription resumes from
     * @throws IllegalArgumentException if the type is not followed
     */
    public Optional<ReplayId> savedPosition(ObjectType type) {
        Follower f = followers.get(Objects.requireNonNull(type, "type must not be null"));
        if (f == null) {
            throw new IllegalArgumentException(type + " is not followed");
        }
        return f.saved();
    }

    /**
     * Ends every subscription and stops trying again; a fetch in flight finishes (close the engine to
     * bound it). Idempotent; any thread; never waits.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Follower f : followers.values()) {
            f.stop();
        }
        if (ownsExecutor) {
            executor.shutdownNow();
        }
        LOG.info("Stopped following change events for engine {}", engine.engineId());
    }

    @Override
    public String toString() {
        return "ChangeEventSync[engine=" + engine.engineId() + ", types=" + followers.keySet() + "]";
    }

    /** Thrown by a handler to end a subscription whose records another instance applies. */
    private static final class StandbyException extends Exception {
        private static final long serialVersionUID = 1L;

        StandbyException(String holder) {
            super("the type's lease is held by " + holder);
        }
    }

    /** Thrown by a handler when the engine did not apply a batch (the batch is not handled). */
    private static final class NotAppliedException extends Exception {
        private static final long serialVersionUID = 1L;

        NotAppliedException(String outcome) {
            super("the batch was not applied: " + outcome);
        }
    }

    /** One type's follower: its subscription, the mode it is in, its counts. */
    private final class Follower {
        final ObjectType type;
        final String topic;
        final String positionName;
        private final Object state = new Object();
        private EventHealth.Mode mode = EventHealth.Mode.STARTING;       // guarded by state
        private Instant since;                                           // guarded by state
        private @Nullable Instant lastEventAt;                           // guarded by state
        private long events;                                             // guarded by state
        private long records;                                            // guarded by state
        private long polls;                                              // guarded by state
        private @Nullable String lastFailureCode;                        // guarded by state
        private @Nullable Subscription subscription;                     // guarded by state
        private long generation;                                         // guarded by state
        private boolean subscribedBefore;                                // guarded by state

        Follower(ObjectType type, String topic) {
            this.type = type;
            this.topic = topic;
            this.positionName = POSITION_PREFIX + topic;
            this.since = clock.instant();
        }

        EventHealth health() {
            synchronized (state) {
                return new EventHealth(type, topic, mode, since, lastEventAt, events, records, polls, lastFailureCode);
            }
        }

        Optional<ReplayId> saved() {
            return engine.savedPosition(type, positionName).map(ReplayId::fromHex);
        }

        private void mode(EventHealth.Mode next) {
            synchronized (state) {
                if (mode != next && mode != EventHealth.Mode.STOPPED) {
                    LOG.info("{} change events: {} -> {}", type, mode, next);
                    mode = next;
                    since = clock.instant();
                }
            }
        }

        void schedule(Duration delay, Runnable work) {
            if (closed) {
                return;
            }
            try {
                executor.schedule(() -> {
                    if (closed) {
                        return;
                    }
                    try {
                        work.run();
                    } catch (RuntimeException e) {
                        if (closed || engine.isClosed()) {
                            return;
                        }
                        LOG.warn("{} change events: {} failed; trying again in {}", type,
                                e.getClass().getSimpleName(), retryBackoff);
                        mode(EventHealth.Mode.RECONNECTING);
                        schedule(retryBackoff, this::subscribe);
                    } catch (Error e) {
                        // not retried (the JVM is in trouble), but never silent: a scheduled task's Error would
                        // otherwise vanish into its future and leave the type STARTING for good
                        LOG.error("{} change events: {}; the type relies on polling", type, e.getClass().getName());
                        mode(EventHealth.Mode.POLLING);
                        throw e;
                    }
                }, delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                if (!closed) {
                    LOG.warn("{} change events: the executor refused work; the type relies on polling", type);
                    mode(EventHealth.Mode.POLLING);
                }
            }
        }

        /**
         * Subscribes after the saved position, or at the tip when there is none: the first time, the changes
         * before the tip are the cycles' to bring; on a resubscription, the hints since the first one may be
         * lost, so the type is polled once the stream is open.
         */
        void subscribe() {
            Optional<ReplayId> saved = saved();
            boolean again;
            synchronized (state) {
                again = subscribedBefore;
                subscribedBefore = true;
            }
            if (saved.isPresent()) {
                subscribe(ReplayFrom.after(saved.get()), EventHealth.Mode.FOLLOWING);
            } else if (!again) {
                subscribe(ReplayFrom.latest(), EventHealth.Mode.FOLLOWING);
            } else {
                subscribe(ReplayFrom.latest(), EventHealth.Mode.CATCHING_UP);
                catchUp();
            }
        }

        void subscribe(ReplayFrom from, EventHealth.Mode then) {
            long gen;
            synchronized (state) {
                if (closed || mode == EventHealth.Mode.STOPPED) {
                    return;
                }
                gen = ++generation;
                Subscription old = subscription;
                subscription = null;
                if (old != null) {
                    old.close();
                }
            }
            Subscription s = subscriber.subscribe(topic, from, new Handler(gen));
            synchronized (state) {
                if (gen == generation && !closed) {
                    subscription = s;
                    s = null;
                }
            }
            if (s != null) {
                s.close();     // closed or superseded meanwhile
                return;
            }
            LOG.debug("{} change events: subscribed to {} from {}", type, topic, from);
            mode(then);
        }

        void stop() {
            Subscription s;
            synchronized (state) {
                mode = EventHealth.Mode.STOPPED;
                since = clock.instant();
                generation++;
                s = subscription;
                subscription = null;
            }
            if (s != null) {
                s.close();
            }
        }

        private boolean current(long gen) {
            synchronized (state) {
                return gen == generation && !closed;
            }
        }

        /** Applies records (in chunks the engine takes) and then saves the position after them. */
        void apply(Set<CrmId> ids, ReplayId position) throws Exception {
            List<CrmId> all = new ArrayList<>(ids);
            int chunk = SyncEngine.MAX_APPLY_IDS;
            int from = 0;
            do {
                int to = Math.min(all.size(), from + chunk);
                boolean last = to == all.size();
                List<CrmId> part = all.subList(from, to);
                TypeReport r = last
                        ? engine.applyCrmChanges(type, part, positionName, position.toHex())
                        : engine.applyCrmChanges(type, part);
                check(r);
                from = to;
            } while (from < all.size());
        }

        /** Polls the type now (the hints were lost), then saves the position after the lost hints. */
        void pollThenSave(@Nullable ReplayId position) throws Exception {
            synchronized (state) {
                polls++;
            }
            mode(EventHealth.Mode.CATCHING_UP);
            check(engine.pollNow(type));
            if (position != null) {
                check(engine.applyCrmChanges(type, List.of(), positionName, position.toHex()));
            }
            mode(EventHealth.Mode.FOLLOWING);
        }

        private void check(TypeReport r) throws Exception {
            TypeOutcome o = r.outcome();
            if (o instanceof TypeOutcome.Blocked b) {
                throw new StandbyException(b.holder().holder());
            }
            if (!(o instanceof TypeOutcome.Synced)) {
                throw new NotAppliedException(o.label());
            }
        }

        /** After a stream ended for good: what to do instead of waiting for events that will not come. */
        void failed(SubscriptionFailure f) {
            synchronized (state) {
                lastFailureCode = f.code();
                subscription = null;
            }
            if (closed) {
                return;
            }
            switch (f.kind()) {
                case REPLAY_ID_UNAVAILABLE -> {
                    // the saved position is past retention: events were missed. Follow from the tip first, then
                    // poll: a change after the tip arrives as an event, one before it is the poll's
                    LOG.warn("{} change events: the saved replay id is no longer retained ({}); polling the type"
                            + " and following from the tip", type, f.code());
                    mode(EventHealth.Mode.CATCHING_UP);
                    schedule(Duration.ZERO, () -> {
                        subscribe(ReplayFrom.latest(), EventHealth.Mode.CATCHING_UP);
                        catchUp();
                    });
                }
                case TOPIC_UNAVAILABLE, ALLOCATION_EXCEEDED, AUTH_REFUSED -> {
                    LOG.warn("{} change events unavailable ({} {}); the type relies on polling, subscribing again"
                            + " in {}", type, f.kind(), f.code(), refusedBackoff);
                    mode(EventHealth.Mode.POLLING);
                    // the scheduler may be in a long pause (events were healthy): catch up once now
                    schedule(Duration.ZERO, this::catchUp);
                    schedule(refusedBackoff, this::subscribe);
                }
                case HANDLER_FAILED -> {
                    if (f.cause() instanceof StandbyException) {
                        LOG.info("{} change events: another instance holds the type's lease; trying again in {}",
                                type, refusedBackoff);
                        mode(EventHealth.Mode.STANDBY);
                        schedule(refusedBackoff, this::subscribe);
                    } else {
                        LOG.warn("{} change events: a batch was not applied ({}); resubscribing from the saved"
                                + " position in {}", type, f.cause() == null ? f.code()
                                : f.cause().getClass().getSimpleName(), retryBackoff);
                        mode(EventHealth.Mode.RECONNECTING);
                        schedule(retryBackoff, this::subscribe);
                    }
                }
                default -> {
                    LOG.warn("{} change events: the stream was lost ({}); resubscribing from the saved position in {}",
                            type, f.code(), retryBackoff);
                    mode(EventHealth.Mode.RECONNECTING);
                    schedule(retryBackoff, this::subscribe);
                }
            }
        }

        /**
         * A poll now. While the type is catching up, a poll that did not complete is tried again after
         * {@link Builder#refusedBackoff(Duration)} (the cycles poll meanwhile); otherwise its failure is the
         * cycles' to retry.
         */
        private void catchUp() {
            synchronized (state) {
                polls++;
            }
            TypeReport r = engine.pollNow(type);
            boolean again = false;
            synchronized (state) {
                if (mode == EventHealth.Mode.CATCHING_UP) {
                    if (r.outcome() instanceof TypeOutcome.Synced) {
                        mode(EventHealth.Mode.FOLLOWING);
                    } else {
                        again = true;
                    }
                }
            }
            if (!(r.outcome() instanceof TypeOutcome.Synced)) {
                LOG.info("{} change events: the catch-up poll ended {}; {}", type, r.outcome().label(),
                        again ? "trying again in " + refusedBackoff : "the next cycle polls again");
            }
            if (again) {
                schedule(refusedBackoff, this::catchUp);
            }
        }

        /** One subscription's handler; calls of a superseded subscription are ignored. */
        private final class Handler implements ChangeEventHandler {
            private final long gen;

            Handler(long gen) {
                this.gen = gen;
            }

            @Override
            public void onEvents(List<ChangeEvent> batch, ReplayId latest) throws Exception {
                if (!current(gen)) {
                    throw new IllegalStateException("superseded");
                }
                Set<CrmId> ids = new LinkedHashSet<>();
                boolean overflow = false;
                for (ChangeEvent e : batch) {
                    if (!e.entityName().equalsIgnoreCase(type.apiName())) {
                        continue;      // a channel that carries several objects' events: another type's
                    }
                    if (e.changeType() == ChangeType.GAP_OVERFLOW) {
                        overflow = true;
                    }
                    for (String id : e.recordIds()) {
                        ids.add(CrmId.of(id));
                    }
                }
                ReplayId position = batch.get(batch.size() - 1).replayId();
                if (overflow) {
                    LOG.info("{} change events: an overflow event (more than 100,000 changes in one transaction);"
                            + " polling the type", type);
                    pollThenSave(position);
                } else {
                    apply(ids, position);
                }
                synchronized (state) {
                    events += batch.size();
                    records += ids.size();
                    lastEventAt = clock.instant();
                }
            }

            @Override
            public void onUndecodable(ReplayId replayId, String reason) throws Exception {
                if (!current(gen)) {
                    throw new IllegalStateException("superseded");
                }
                LOG.warn("{} change events: an event could not be decoded ({}); polling the type", type, reason);
                pollThenSave(replayId);
            }

            @Override
            public void onFailure(SubscriptionFailure failure) {
                if (current(gen)) {
                    failed(failure);
                }
            }
        }
    }

    /** Builds a {@link ChangeEventSync}; every setter checks its argument at once. Not thread-safe. */
    public static final class Builder {
        private final SyncEngine engine;
        private final ChangeEventSubscriber subscriber;
        private final Set<ObjectType> types = new LinkedHashSet<>();
        private Function<ObjectType, String> topics = ChangeEventSync::topicFor;
        private Clock clock = Clock.systemUTC();
        private @Nullable ScheduledExecutorService executor;
        private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
        private Duration refusedBackoff = DEFAULT_REFUSED_BACKOFF;
        private Duration healthyPause = DEFAULT_HEALTHY_PAUSE;
        private Duration pollingPause = SyncScheduler.DEFAULT_PAUSE;

        private Builder(SyncEngine engine, ChangeEventSubscriber subscriber) {
            this.engine = Objects.requireNonNull(engine, "engine must not be null");
            this.subscriber = Objects.requireNonNull(subscriber, "subscriber must not be null");
        }

        /**
         * @param types the types whose change events to follow (the objects selected for CDC in the org);
         *              each must be one the engine syncs; required
         * @return this builder
         */
        public Builder objectTypes(Collection<ObjectType> types) {
            Objects.requireNonNull(types, "objectTypes must not be null");
            if (types.isEmpty()) {
                throw new IllegalArgumentException("objectTypes must not be empty");
            }
            Set<ObjectType> checked = new LinkedHashSet<>();
            int i = 0;
            for (ObjectType t : types) {
                if (t == null) {
                    throw new IllegalArgumentException("objectTypes[" + i + "] is null");
                }
                if (!engine.syncs(t)) {
                    throw new IllegalArgumentException(t + " is not one of engine '" + engine.engineId()
                            + "''s object types");
                }
                checked.add(t);
                i++;
            }
            this.types.clear();
            this.types.addAll(checked);
            return this;
        }

        /**
         * @param types the types whose change events to follow (see {@link #objectTypes(Collection)})
         * @return this builder
         */
        public Builder objectTypes(ObjectType... types) {
            return objectTypes(List.of(Objects.requireNonNull(types, "objectTypes must not be null")));
        }

        /**
         * @param topics the topic of each type (default {@link ChangeEventSync#topicFor}; a custom channel
         *               such as {@code /data/Crmsync__chn} may carry several types' events — give each
         *               type its own topic here only if each has one)
         * @return this builder
         */
        public Builder topics(Function<ObjectType, String> topics) {
            this.topics = Objects.requireNonNull(topics, "topics must not be null");
            return this;
        }

        /**
         * @param clock the clock of the health's instants (default the system's)
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * @param executor runs subscriptions, catch-up polls and retries; never shut down by this. Default:
         *                 a single daemon thread created here and shut down on {@link ChangeEventSync#close()}
         * @return this builder
         */
        public Builder executor(ScheduledExecutorService executor) {
            this.executor = Objects.requireNonNull(executor, "executor must not be null");
            return this;
        }

        /**
         * @param backoff the wait before a lost stream or a batch the engine did not apply is resubscribed
         *                from the saved position; positive; default {@link ChangeEventSync#DEFAULT_RETRY_BACKOFF}
         * @return this builder
         */
        public Builder retryBackoff(Duration backoff) {
            this.retryBackoff = positive(backoff, "retryBackoff");
            return this;
        }

        /**
         * @param backoff the wait before a type whose events are unavailable, or whose lease another
         *                instance holds, is subscribed again; positive; default
         *                {@link ChangeEventSync#DEFAULT_REFUSED_BACKOFF}
         * @return this builder
         */
        public Builder refusedBackoff(Duration backoff) {
            this.refusedBackoff = positive(backoff, "refusedBackoff");
            return this;
        }

        /**
         * @param pause what {@link ChangeEventSync#suggestedPause()} gives while all types are healthy;
         *              positive; default {@link ChangeEventSync#DEFAULT_HEALTHY_PAUSE}
         * @return this builder
         */
        public Builder healthyPause(Duration pause) {
            this.healthyPause = positive(pause, "healthyPause");
            return this;
        }

        /**
         * @param pause what {@link ChangeEventSync#suggestedPause()} gives otherwise; positive; default
         *              {@link SyncScheduler#DEFAULT_PAUSE}
         * @return this builder
         */
        public Builder pollingPause(Duration pause) {
            this.pollingPause = positive(pause, "pollingPause");
            return this;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name + " must not be null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }

        /**
         * @return the follower, not started
         * @throws IllegalStateException if no object type was given
         */
        public ChangeEventSync build() {
            if (types.isEmpty()) {
                throw new IllegalStateException("objectTypes is required: the types selected for Change Data"
                        + " Capture in the org");
            }
            return new ChangeEventSync(this);
        }
    }
}
