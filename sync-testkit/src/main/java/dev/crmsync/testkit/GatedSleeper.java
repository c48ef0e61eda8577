package dev.crmsync.testkit;

import dev.crmsync.model.Sleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Sleeper} that holds every wait until the test {@linkplain #release() releases} it: it
 * puts a call in flight for as long as a test needs, with no real sleeping. Give it to a fake's
 * injected latency ({@link InMemoryCrm.Builder#sleeper}, {@code FakeSalesforceServer}'s slow
 * requests) or to a source's waits, {@linkplain #awaitWaiting wait} until a thread is inside it,
 * then act (close the engine, wake the source) and see how the wait ended. A wait ends early only
 * by interruption, which it reports as {@link InterruptedException} and counts. Thread-safe.
 */
public final class GatedSleeper implements Sleeper {

    private final Object lock = new Object();
    private final List<Duration> asked = new ArrayList<>();   // guarded by lock
    private int waiting;                                       // guarded by lock
    private int interrupted;                                   // guarded by lock
    private boolean released;                                  // guarded by lock

    /** A closed gate: every wait blocks until {@link #release()}. */
    public GatedSleeper() {
    }

    /**
     * Holds the calling thread until {@link #release()} or until it is interrupted.
     *
     * @param duration recorded, not waited
     * @throws InterruptedException if the thread was interrupted while held (or before)
     */
    @Override
    public void sleep(Duration duration) throws InterruptedException {
        Objects.requireNonNull(duration, "duration must not be null");
        synchronized (lock) {
            asked.add(duration);
            waiting++;
            lock.notifyAll();
            try {
                while (!released) {
                    lock.wait();
                }
            } catch (InterruptedException e) {
                interrupted++;
                throw e;
            } finally {
                waiting--;
                lock.notifyAll();
            }
        }
    }

    /**
     * Waits (really, up to the timeout) until at least {@code n} threads are held in the gate.
     *
     * @param n how many threads, at least 1
     * @param timeout the longest wait: a generous bound, for a loaded machine
     * @return true if they were, false on timeout
     * @throws InterruptedException if the waiting thread was interrupted
     */
    public boolean awaitWaiting(int n, Duration timeout) throws InterruptedException {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, was " + n);
        }
        Objects.requireNonNull(timeout, "timeout must not be null");
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (waiting < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    /** Opens the gate: held waits return, later waits do not block. Idempotent. */
    public void release() {
        synchronized (lock) {
            released = true;
            lock.notifyAll();
        }
    }

    /** @return how many threads are held now */
    public int waiting() {
        synchronized (lock) {
            return waiting;
        }
    }

    /** @return how many waits ended by interruption */
    public int interrupted() {
        synchronized (lock) {
            return interrupted;
        }
    }

    /** @return the durations asked for, in order */
    public List<Duration> asked() {
        synchronized (lock) {
            return List.copyOf(asked);
        }
    }
}
