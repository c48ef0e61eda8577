package dev.crmsync.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A ScheduledExecutorService driven by the test: tasks run only when the test advances virtual
 * time, on the test's thread. Supports one-shot {@code schedule(Runnable, ...)} and {@code execute};
 * the periodic methods throw, so a scheduler that relied on them would fail its tests. Thread-safe
 * (one lock; {@link #advance} runs the tasks holding it), so another thread may schedule meanwhile.
 */
final class ManualScheduledExecutor extends AbstractExecutorService implements ScheduledExecutorService {

    private long nowNanos;
    private long seq;
    private boolean shutdown;
    private final PriorityQueue<Task> queue = new PriorityQueue<>(
            Comparator.comparingLong((Task t) -> t.dueNanos).thenComparingLong(t -> t.seq));
    private final List<Duration> scheduledDelays = new ArrayList<>();

    final class Task implements ScheduledFuture<Object> {
        final Runnable runnable;
        final long dueNanos;
        final long seq;
        boolean cancelled;
        boolean done;

        Task(Runnable runnable, long dueNanos, long seq) {
            this.runnable = runnable;
            this.dueNanos = dueNanos;
            this.seq = seq;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - nowNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            synchronized (ManualScheduledExecutor.this) {
                if (done) {
                    return false;
                }
                cancelled = true;
                queue.remove(this);
                return true;
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public Object get() {
            throw new UnsupportedOperationException("not needed by the tests");
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            throw new UnsupportedOperationException("not needed by the tests");
        }
    }

    /** @return virtual time elapsed since creation */
    synchronized Duration now() {
        return Duration.ofNanos(nowNanos);
    }

    /** @return tasks waiting to run */
    synchronized int pending() {
        return queue.size();
    }

    /** @return the delay of the next pending task from now, if any */
    synchronized Optional<Duration> nextDelay() {
        Task t = queue.peek();
        return t == null ? Optional.empty() : Optional.of(Duration.ofNanos(t.dueNanos - nowNanos));
    }

    /** @return every delay passed to schedule, in call order */
    synchronized List<Duration> scheduledDelays() {
        return List.copyOf(scheduledDelays);
    }

    /** Advances virtual time, running every task that falls due, in due order. */
    synchronized void advance(Duration d) {
        long target = nowNanos + d.toNanos();
        while (!queue.isEmpty() && queue.peek().dueNanos <= target) {
            Task t = queue.poll();
            nowNanos = Math.max(nowNanos, t.dueNanos);
            t.done = true;
            try {
                t.runnable.run();
            } catch (RuntimeException | Error e) {
                // as a real executor does: the failure is captured in the future, not propagated
            }
        }
        nowNanos = target;
    }

    /** Lets virtual time pass without running anything: a task that takes this long. */
    synchronized void elapse(Duration d) {
        nowNanos += d.toNanos();
    }

    /** Runs the next pending task, whatever its delay. @return false if none */
    synchronized boolean runNext() {
        Task t = queue.peek();
        if (t == null) {
            return false;
        }
        advance(Duration.ofNanos(Math.max(0, t.dueNanos - nowNanos)));
        return true;
    }

    @Override
    public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (shutdown) {
            throw new RejectedExecutionException("shut down");
        }
        scheduledDelays.add(Duration.ofNanos(unit.toNanos(delay)));
        Task t = new Task(command, nowNanos + unit.toNanos(delay), seq++);
        queue.add(t);
        return t;
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("not supported");
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("a fixed rate does not measure the pause from the end of a cycle");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("not supported");
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
    }

    @Override
    public synchronized List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> left = new ArrayList<>();
        queue.forEach(t -> left.add(t.runnable));
        queue.clear();
        return left;
    }

    @Override
    public synchronized boolean isShutdown() {
        return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
        return shutdown && queue.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }
}
