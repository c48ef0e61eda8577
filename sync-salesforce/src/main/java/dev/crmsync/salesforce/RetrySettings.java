package dev.crmsync.salesforce;

import java.time.Duration;
import java.util.Objects;

/**
 * How the source retries a failed call and when it stops calling an org that keeps failing.
 *
 * <p>Retried: connection failures, timeouts, truncated or non-JSON bodies, HTTP 5xx, 406, 420,
 * 429, and 403 concurrent-request limits. Never retried: other 4xx (a bad query, a permission
 * problem) and the daily limit ({@code REQUEST_LIMIT_EXCEEDED TotalRequests}). Creates are retried
 * only when Salesforce certainly did not process them (no connection, 420/429/503). The wait before
 * attempt {@code n+1} is {@code initialBackoff * multiplier^(n-1)}, capped at {@code maxBackoff} and
 * spread by ±{@code jitter}; a {@code Retry-After} header replaces it (up to {@code maxRetryAfter};
 * longer asks end the call).
 *
 * <p>The circuit breaker opens when at least {@code failureRateThreshold} percent of the last
 * {@code circuitBreakerWindow} calls failed (after at least that many calls), and then refuses calls for
 * {@code circuitBreakerOpenDuration} with a {@link dev.crmsync.model.RetriableSyncException}.
 *
 * @param maxAttempts tries per call, including the first, at least 1
 * @param initialBackoff the first wait
 * @param maxBackoff the longest computed wait
 * @param multiplier growth per attempt, at least 1
 * @param jitter relative spread of each wait, in [0, 1)
 * @param maxRetryAfter the longest {@code Retry-After} honoured
 * @param failureRateThreshold percent of failed calls that opens the breaker, in (0, 100]
 * @param circuitBreakerWindow how many recent calls the breaker looks at, at least 1
 * @param circuitBreakerOpenDuration how long an open breaker refuses calls
 */
public record RetrySettings(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier,
                            double jitter, Duration maxRetryAfter, float failureRateThreshold,
                            int circuitBreakerWindow, Duration circuitBreakerOpenDuration) {

    /** 5 tries, 1 s doubling to at most 30 s, ±20 %; Retry-After up to 2 min; breaker at 50 % of 20 calls for 60 s. */
    public static final RetrySettings DEFAULT = new RetrySettings(5, Duration.ofSeconds(1), Duration.ofSeconds(30),
            2.0, 0.2, Duration.ofMinutes(2), 50f, 20, Duration.ofSeconds(60));

    /** One try, no retry (the breaker still works). */
    public static final RetrySettings NONE = DEFAULT.withMaxAttempts(1);

    /** Checks nulls and ranges. */
    public RetrySettings {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        positive(initialBackoff, "initialBackoff");
        positive(maxBackoff, "maxBackoff");
        positive(maxRetryAfter, "maxRetryAfter");
        positive(circuitBreakerOpenDuration, "circuitBreakerOpenDuration");
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be >= 1, was " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter < 1.0)) {
            throw new IllegalArgumentException("jitter must be in [0, 1), was " + jitter);
        }
        if (!(failureRateThreshold > 0f && failureRateThreshold <= 100f)) {
            throw new IllegalArgumentException("failureRateThreshold must be in (0, 100], was " + failureRateThreshold);
        }
        if (circuitBreakerWindow < 1) {
            throw new IllegalArgumentException("circuitBreakerWindow must be >= 1, was " + circuitBreakerWindow);
        }
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    /** @param n tries per call @return a copy */
    public RetrySettings withMaxAttempts(int n) {
        return new RetrySettings(n, initialBackoff, maxBackoff, multiplier, jitter, maxRetryAfter,
                failureRateThreshold, circuitBreakerWindow, circuitBreakerOpenDuration);
    }

    /** @param initial the first wait @param max the longest wait @return a copy */
    public RetrySettings withBackoff(Duration initial, Duration max) {
        return new RetrySettings(maxAttempts, initial, max, multiplier, jitter, maxRetryAfter,
                failureRateThreshold, circuitBreakerWindow, circuitBreakerOpenDuration);
    }

    /** @param j relative spread in [0, 1) @return a copy */
    public RetrySettings withJitter(double j) {
        return new RetrySettings(maxAttempts, initialBackoff, maxBackoff, multiplier, j, maxRetryAfter,
                failureRateThreshold, circuitBreakerWindow, circuitBreakerOpenDuration);
    }

    /** @param d the longest Retry-After honoured @return a copy */
    public RetrySettings withMaxRetryAfter(Duration d) {
        return new RetrySettings(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, d,
                failureRateThreshold, circuitBreakerWindow, circuitBreakerOpenDuration);
    }

    /**
     * @param threshold percent of failures that opens the breaker
     * @param window calls looked at
     * @param openFor how long it stays open
     * @return a copy
     */
    public RetrySettings withCircuitBreaker(float threshold, int window, Duration openFor) {
        return new RetrySettings(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, maxRetryAfter,
                threshold, window, openFor);
    }
}
