package dev.crmsync.model;

import java.time.Duration;

/**
 * Waits: between retries and Bulk job polls in a CRM adapter, and for injected latency in the
 * test kits' fakes. The default really sleeps; tests inject one that advances a manual clock
 * instead ({@code clock::advance}), so that they never wait. One interface for the whole
 * project, like Caffeine's {@code Ticker}.
 */
@FunctionalInterface
public interface Sleeper {

    /** Sleeps on the calling thread ({@link Thread#sleep(long, int)}). */
    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);

    /**
     * @param duration how long to wait, not negative
     * @throws InterruptedException if interrupted while waiting (the caller restores the flag and stops)
     */
    void sleep(Duration duration) throws InterruptedException;
}
