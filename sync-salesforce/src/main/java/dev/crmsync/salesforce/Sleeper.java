package dev.crmsync.salesforce;

import java.time.Duration;

/**
 * Waits between retries and between Bulk job polls. The default really sleeps; tests inject one
 * that records the wait (and advances a fake clock) so that they never wait.
 */
@FunctionalInterface
public interface Sleeper {

    /** Sleeps on the calling thread. */
    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis());

    /**
     * @param duration how long to wait, not negative
     * @throws InterruptedException if interrupted while waiting (the source restores the flag and stops)
     */
    void sleep(Duration duration) throws InterruptedException;
}
