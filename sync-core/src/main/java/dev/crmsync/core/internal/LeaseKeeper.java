package dev.crmsync.core.internal;

import dev.crmsync.model.SafeText;

import dev.crmsync.model.ObjectType;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.store.Lease;
import dev.crmsync.store.LeaseAttempt;
import dev.crmsync.store.SyncStateStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An engine instance's leases: takes them for its owner (the engine id) and its instance token,
 * keeps them alive while they are held, and gives them back.
 *
 * <p>A held lease is renewed by a <b>heartbeat</b>: a task on the executor, every third of the
 * ttl, which runs whatever the cycle's thread is doing — also while it blocks in a long CRM call —
 * so that the lease of a live instance never lapses and that of a dead one (killed, frozen) lapses
 * within one ttl. The cycle also renews at its page boundaries when a third of the ttl has passed
 * by the engine's clock ({@link Hold#renewIfDue()}), in case the heartbeat's executor is starved. A
 * renewal that finds the lease gone marks the hold lost; the cycle stops the type at its next
 * boundary ({@link Hold#check}) and its commit refuses to save a checkpoint
 * ({@link SyncStateStore#holdsLease}). The executor is the host's, or one this keeper creates (a
 * daemon thread), which only it shuts down, in {@link #close()}. Thread-safe.
 */
public final class LeaseKeeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

    private final SyncStateStore state;
    private final String owner;
    private final String instance;
    private final Duration ttl;
    private final Duration interval;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final boolean ownsExecutor;

    /**
     * @param state the state store that grants the leases
     * @param owner the engine id
     * @param instance this engine object's instance token
     * @param ttl how long a lease lasts unless renewed
     * @param clock the engine's clock (for boundary renewals only; expiry is the store's)
     * @param executor where the heartbeat runs, or null to create (and own) a daemon thread
     */
    public LeaseKeeper(SyncStateStore state, String owner, String instance, Duration ttl, Clock clock,
                       @Nullable ScheduledExecutorService executor) {
        this.state = Objects.requireNonNull(state, "state");
        this.owner = Objects.requireNonNull(owner, "owner");
        this.instance = Objects.requireNonNull(instance, "instance");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.interval = renewalInterval(ttl);
        this.clock = Objects.requireNonNull(clock, "clock");
        if (executor != null) {
            this.executor = executor;
            this.ownsExecutor = false;
        } else {
            this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "crmsync-lease-" + owner);
                t.setDaemon(true);
                return t;
            });
            this.ownsExecutor = true;
        }
    }

    /**
     * @param ttl a lease's time-to-live
     * @return how often a held lease is renewed: a third of the ttl
     */
    public static Duration renewalInterval(Duration ttl) {
        return ttl.dividedBy(3);
    }

    /** @return the instance token this keeper takes leases for */
    public String instance() {
        return instance;
    }

    /**
     * What {@link #acquire} got: a hold, or the lease of the instance that holds it instead.
     *
     * @param hold the hold, or null if refused
     * @param holder the other holder's lease, or null if granted
     */
    public record Acquired(@Nullable Hold hold, @Nullable Lease holder) {
    }

    /**
     * Asks the store for a lease and, if granted, starts its heartbeat.
     *
     * @param name the lease name
     * @return the hold, or who holds the lease
     */
    public Acquired acquire(String name) {
        LeaseAttempt attempt = state.tryAcquireLease(name, owner, instance, ttl);
        if (attempt instanceof LeaseAttempt.Refused r) {
            return new Acquired(null, r.holder());
        }
        Hold hold = new Hold(((LeaseAttempt.Granted) attempt).lease());
        hold.schedule();
        return new Acquired(hold, null);
    }

    /** Shuts down the heartbeat's executor if this keeper created it (held leases are released by their holds). */
    @Override
    public void close() {
        if (ownsExecutor) {
            executor.shutdownNow();
        }
    }

    /** A lease this instance holds, kept alive until {@link #release()}. */
    public final class Hold {
        private volatile Lease lease;
        private volatile boolean lost;
        private volatile boolean released;
        private volatile long lastRenewedMillis;
        private @Nullable ScheduledFuture<?> next;          // guarded by this

        private Hold(Lease lease) {
            this.lease = lease;
            this.lastRenewedMillis = clock.millis();
        }

        /** @return the lease as last granted or renewed */
        public Lease lease() {
            return lease;
        }

        /** @return true once a renewal found the lease gone */
        public boolean lost() {
            return lost;
        }

        private void schedule() {
            if (released || lost) {
                return;
            }
            ScheduledFuture<?> f;
            try {
                f = executor.schedule(this::beat, interval.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                LOG.warn("Lease '{}': the renewal executor refused the heartbeat; the lease is renewed at page"
                        + " boundaries only", lease.name());
                return;
            }
            boolean cancel;
            synchronized (this) {
                next = f;
                cancel = released;
            }
            if (cancel) {
                f.cancel(false);
            }
        }

        private void beat() {
            try {
                renew();
            } catch (RuntimeException e) {
                LOG.warn("Lease '{}': renewal failed; trying again in {}", lease.name(), interval, SafeText.scrubbed(e));
            }
            schedule();
        }

        /** Renews now, unless released or lost. @throws RuntimeException if the store fails */
        private synchronized void renew() {
            if (released || lost) {
                return;
            }
            Optional<Lease> renewed = state.renewLease(lease, ttl);
            if (renewed.isPresent()) {
                lease = renewed.get();
                lastRenewedMillis = clock.millis();
            } else {
                lost = true;
                LOG.warn("Lease '{}' (fencing token {}) is no longer held by instance '{}' of engine '{}': it lapsed"
                        + " or another instance took it; the type stops at its next boundary", lease.name(),
                        lease.fencingToken(), instance, owner);
            }
        }

        /** Marks the lease lost: the state store said this instance no longer holds it. */
        public void markLost() {
            if (!lost) {
                lost = true;
                LOG.warn("Lease '{}' (fencing token {}) is no longer held by instance '{}' of engine '{}': it lapsed"
                        + " or another instance took it; the type stops", lease.name(), lease.fencingToken(),
                        instance, owner);
            }
        }

        /**
         * @return true if a third of the ttl has passed since the last renewal by the engine's
         *     clock: the heartbeat is late (starved, or this process was frozen), so the lease may
         *     have lapsed by the store's clock
         */
        public boolean due() {
            return clock.millis() - lastRenewedMillis >= interval.toMillis();
        }

        /**
         * At a page boundary: renews if a third of the ttl has passed since the last renewal by
         * the engine's clock (the heartbeat normally has).
         *
         * @throws RuntimeException if the store fails
         */
        public void renewIfDue() {
            if (due()) {
                renew();
            }
        }

        /**
         * @param type the type the lease covers, for the exception
         * @throws RetriableSyncException if a renewal found the lease gone
         */
        public void check(ObjectType type) {
            if (lost) {
                Lease l = lease;
                throw new RetriableSyncException("lease '" + l.name() + "' (fencing token " + l.fencingToken()
                        + ") was lost by instance '" + instance + "': it is no longer held (it lapsed or another"
                        + " instance took it over); the type stopped", type, null, null);
            }
        }

        /** Stops the heartbeat and gives the lease back (a failure is logged: the lease then lapses by itself). */
        public void release() {
            ScheduledFuture<?> f;
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
                f = next;
            }
            if (f != null) {
                f.cancel(false);
            }
            if (lost) {
                return;
            }
            try {
                state.releaseLease(lease);
            } catch (RuntimeException e) {
                LOG.warn("Could not release lease '{}'; it lapses at {}", lease.name(), lease.expiresAt(), SafeText.scrubbed(e));
            }
        }
    }
}
