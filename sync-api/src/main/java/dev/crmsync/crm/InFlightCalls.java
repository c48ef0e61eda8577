package dev.crmsync.crm;

import dev.crmsync.model.CallAbortedException;
import dev.crmsync.model.Sleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The blocking calls a CRM source has in flight, by calling thread, so that
 * {@link CrmSource#wakeup(Thread)} can end them from another thread. A helper for source
 * implementations; thread-safe.
 *
 * <p>Two kinds of blocking are covered:
 * <ul>
 *   <li><b>I/O</b> that thread interruption does not reach (a socket read in a classic HTTP client):
 *       the source registers the call with {@link #begin(String, Runnable)} and an abort action (for
 *       example {@code request::cancel}); {@link #wakeup(Thread)} runs it. The call's I/O then fails,
 *       and the source, seeing {@link Call#aborted()}, throws {@link Call#abortedException()}
 *       instead of retrying.</li>
 *   <li><b>Waits</b> through a {@link Sleeper} (retry backoff, job polls, injected latency):
 *       {@link #sleep(Sleeper, Duration, String)} lets {@link #wakeup(Thread)} interrupt the waiting
 *       thread, only while it is inside the wait. An interrupt sent that way never leaks out of
 *       {@code sleep}: the flag is consumed before {@code sleep} throws. The sleeper must answer
 *       interruption ({@link Sleeper#SYSTEM} does).</li>
 * </ul>
 * Thread interruption is honoured too: {@link #begin} refuses to start a call on an interrupted
 * thread, and a wait that is interrupted ends; both throw {@link CallAbortedException} and leave
 * the interrupt flag set.
 *
 * <p>Wake-ups are not sticky: a call that begins after {@link #wakeup(Thread)} returned runs
 * normally (the engine refuses to start such calls itself).
 */
public final class InFlightCalls {

    private final String source;
    private final Object lock = new Object();
    private final Map<Thread, List<Call>> calls = new HashMap<>();   // guarded by lock

    /** @param source how the source is named in exception messages, e.g. {@code "Salesforce"} */
    public InFlightCalls(String source) {
        this.source = Objects.requireNonNull(source, "source must not be null");
    }

    /**
     * One call in flight on the thread that began it. Close it when the call ends, however it ends.
     */
    public final class Call implements AutoCloseable {
        private final Thread thread;
        private final String what;
        private final Runnable onAbort;
        private boolean aborted;       // guarded by lock
        private boolean waiting;       // guarded by lock: inside a Sleeper wait, interrupt reaches it
        private boolean closed;        // guarded by lock

        private Call(Thread thread, String what, Runnable onAbort) {
            this.thread = thread;
            this.what = what;
            this.onAbort = onAbort;
        }

        /** @return true once {@link InFlightCalls#wakeup(Thread)} aborted this call */
        public boolean aborted() {
            synchronized (lock) {
                return aborted;
            }
        }

        /**
         * @return the exception the source throws for this call once it was aborted (it names the
         *     call, never a value)
         */
        public CallAbortedException abortedException() {
            return abortedException(null);
        }

        private CallAbortedException abortedException(Throwable cause) {
            return new CallAbortedException(source + " " + what + " was aborted: another thread woke it up"
                    + " (the engine is closing)", cause);
        }

        /** Ends the call: a later wake-up no longer reaches it. Idempotent. */
        @Override
        public void close() {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                closed = true;
                List<Call> mine = calls.get(thread);
                if (mine != null) {
                    mine.remove(this);
                    if (mine.isEmpty()) {
                        calls.remove(thread);
                    }
                }
            }
        }
    }

    /**
     * Registers a blocking call of the current thread.
     *
     * @param what the call, as exception messages name it (e.g. {@code "GET queryAll"}); never a value
     * @param onAbort what {@link #wakeup(Thread)} runs to end the call's I/O (it runs on the waking
     *     thread and must not block), or null if the call only waits through {@link #sleep}
     * @return the call; close it when the call ends
     * @throws CallAbortedException if the current thread is interrupted (the flag stays set)
     */
    public Call begin(String what, Runnable onAbort) {
        Objects.requireNonNull(what, "what must not be null");
        Thread me = Thread.currentThread();
        if (me.isInterrupted()) {
            throw new CallAbortedException(source + " " + what + " was not started: the thread is interrupted");
        }
        Call call = new Call(me, what, onAbort);
        synchronized (lock) {
            calls.computeIfAbsent(me, t -> new ArrayList<>(2)).add(call);
        }
        return call;
    }

    /**
     * Waits through the sleeper in a way {@link #wakeup(Thread)} can end.
     *
     * @param sleeper the source's sleeper
     * @param duration how long to wait
     * @param what the wait, as exception messages name it (e.g. {@code "wait for Bulk job"})
     * @throws CallAbortedException if woken up (the flag is left clear) or interrupted (the flag is
     *     left set)
     */
    public void sleep(Sleeper sleeper, Duration duration, String what) {
        Objects.requireNonNull(sleeper, "sleeper must not be null");
        Objects.requireNonNull(duration, "duration must not be null");
        Call call = begin(what, null);
        InterruptedException interrupted = null;
        boolean aborted;
        try {
            synchronized (lock) {
                call.waiting = true;
            }
            try {
                sleeper.sleep(duration);
            } catch (InterruptedException e) {
                interrupted = e;                // the flag is clear now
            }
        } finally {
            synchronized (lock) {
                call.waiting = false;
                aborted = call.aborted;
                if (aborted && interrupted == null) {
                    Thread.interrupted();        // our interrupt arrived after the wait returned: consume it
                }
            }
            call.close();
        }
        if (aborted) {
            throw call.abortedException(interrupted);
        }
        if (interrupted != null) {
            Thread.currentThread().interrupt();
            throw new CallAbortedException(source + " " + what + " was interrupted", interrupted);
        }
    }

    /**
     * Aborts every call the thread has in flight now: runs their abort actions and interrupts a
     * {@linkplain #sleep wait}. Callable from any thread; returns without waiting for the calls
     * to end. Calls of other threads are not touched.
     *
     * @param caller the thread whose calls to abort
     * @return how many calls were aborted (zero if the thread had none in flight)
     */
    public int wakeup(Thread caller) {
        Objects.requireNonNull(caller, "caller must not be null");
        List<Runnable> actions = new ArrayList<>();
        int n = 0;
        synchronized (lock) {
            List<Call> mine = calls.get(caller);
            if (mine == null) {
                return 0;
            }
            for (Call c : mine) {
                if (c.aborted) {
                    continue;
                }
                c.aborted = true;
                n++;
                if (c.waiting) {
                    caller.interrupt();
                }
                if (c.onAbort != null) {
                    actions.add(c.onAbort);
                }
            }
        }
        for (Runnable a : actions) {
            a.run();
        }
        return n;
    }

    /** @return how many calls are in flight, over all threads (for tests and diagnostics) */
    public int inFlight() {
        synchronized (lock) {
            return calls.values().stream().mapToInt(List::size).sum();
        }
    }
}
