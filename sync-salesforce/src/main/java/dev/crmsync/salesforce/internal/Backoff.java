package dev.crmsync.salesforce.internal;

import dev.crmsync.salesforce.RetrySettings;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * Exponential backoff with jitter from a seeded {@link Random}: attempt {@code n} (1-based) waits
 * {@code initial * multiplier^(n-1)}, capped at the maximum, times a factor drawn uniformly from
 * {@code [1 - jitter, 1 + jitter]} (and capped again). Thread-safe ({@link Random} is).
 */
public final class Backoff {

    private final RetrySettings settings;
    private final Random random;

    /** @param settings the retry settings @param random the jitter source (seed it for reproducible waits) */
    public Backoff(RetrySettings settings, Random random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * @param attempt the attempt that just failed, 1-based
     * @return how long to wait before the next one
     */
    public Duration delay(int attempt) {
        double base = settings.initialBackoff().toMillis() * Math.pow(settings.multiplier(), Math.max(0, attempt - 1));
        double max = settings.maxBackoff().toMillis();
        base = Math.min(base, max);
        double factor = 1.0 + settings.jitter() * (2.0 * random.nextDouble() - 1.0);
        long millis = (long) Math.min(max, Math.max(0.0, base * factor));
        return Duration.ofMillis(millis);
    }
}
