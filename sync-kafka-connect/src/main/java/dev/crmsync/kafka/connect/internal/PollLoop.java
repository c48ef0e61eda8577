package dev.crmsync.kafka.connect.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.TransactionContext;
import org.jspecify.annotations.Nullable;

/**
 * The poll loop both source tasks share: their feeds (an (org, type) partition each) in turn, one page of the next
 * feed that is not resting per {@link #poll}; after a page, a transaction committed with its last record when the
 * connector defines the boundaries; when every feed rests, a wait for the first rest to end (at most a second a
 * call: Connect stops a task between polls, so a poll stays short), which {@link #stop()} ends. Called from the
 * task's thread, but {@link #stop()}, which may come from another.
 *
 * @param <F> the feeds
 */
public final class PollLoop<F extends PollLoop.Feed> {

    /** Longest a {@link #poll} waits. */
    static final long MAX_WAIT_MS = 1_000;

    /** One feed of the loop. */
    public interface Feed {
        /** @return until when it rests (it is read again from then on) */
        Instant restUntil();
    }

    /**
     * Reads one page of a feed that is not resting.
     *
     * @param <F> the feeds
     */
    @FunctionalInterface
    public interface PageReader<F> {
        /**
         * @param feed the feed
         * @param now the poll's time
         * @return the page's records; empty if there were none (or the feed was made to rest instead)
         */
        List<SourceRecord> read(F feed, Instant now);
    }

    private final Clock clock;
    private final List<F> feeds;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private int next;

    /**
     * @param clock the time (rests)
     * @param feeds the feeds, in the order they take turns; the list is the caller's (it may fill it after)
     */
    public PollLoop(Clock clock, List<F> feeds) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.feeds = Objects.requireNonNull(feeds, "feeds");
    }

    /**
     * Reads one page of the next feed that is not resting.
     *
     * @param pollInterval the longest wait when every feed rests (capped at a second)
     * @param transactions the task's transaction context (null unless the connector defines the boundaries)
     * @param reader reads a page
     * @return the page's records, or null when every feed rests (after the wait)
     * @throws InterruptedException if interrupted while waiting
     */
    public @Nullable List<SourceRecord> poll(Duration pollInterval, Supplier<@Nullable TransactionContext> transactions,
                                             PageReader<F> reader) throws InterruptedException {
        if (feeds.isEmpty()) {
            stopped.await(MAX_WAIT_MS, TimeUnit.MILLISECONDS);
            return null;
        }
        Instant now = clock.instant();
        for (int i = 0; i < feeds.size(); i++) {
            F feed = feeds.get(next);
            next = (next + 1) % feeds.size();
            if (now.isBefore(feed.restUntil())) {
                continue;
            }
            List<SourceRecord> page = reader.read(feed, now);
            if (!page.isEmpty()) {
                TransactionContext tx = transactions.get();
                if (tx != null) {
                    tx.commitTransaction(page.get(page.size() - 1));
                }
                return page;
            }
            if (stopped.getCount() == 0) {
                return null;
            }
        }
        // the first rest to end; a feed that had nothing without resting waits the poll interval
        Instant wake = now.plus(pollInterval);
        for (F f : feeds) {
            if (f.restUntil().isBefore(wake) && f.restUntil().isAfter(now)) {
                wake = f.restUntil();
            }
        }
        long waitMs = Math.max(0, Math.min(Duration.between(clock.instant(), wake).toMillis(), MAX_WAIT_MS));
        if (waitMs > 0) {
            stopped.await(waitMs, TimeUnit.MILLISECONDS);
        }
        return null;
    }

    /** Ends a waiting {@link #poll}, and every later one at once. */
    public void stop() {
        stopped.countDown();
    }
}
