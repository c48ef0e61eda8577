package dev.crmsync.salesforce;

import java.time.Duration;
import java.util.Objects;

/**
 * How the source retries a failed call and when it stops calling an org that keeps failing.
 * Immutable; built as Resilience4j's {@code RetryConfig} is:
 *
 * <pre>{@code
 * RetrySettings retry = RetrySettings.custom()
 *     .maxAttempts(3)
 *     .backoff(Duration.ofMillis(500), Duration.ofSeconds(10))
 *     .build();
 * RetrySettings defaults = RetrySettings.ofDefaults();
 * }</pre>
 *
 * <p>Retried: connection failures, timeouts, truncated or non-JSON bodies, HTTP 5xx, 406, 420,
 * 429, and 403 concurrent-request limits. Never retried: other 4xx (a bad query, a permission
 * problem), the daily limit ({@code REQUEST_LIMIT_EXCEEDED TotalRequests}), and a call aborted by
 * {@link SalesforceCrmSource#wakeup(Thread)} or an interrupt. Creates are retried only when
 * Salesforce certainly did not process them (no connection, 420/429/503). The wait before attempt
 * {@code n+1} is {@code initialBackoff * multiplier^(n-1)}, capped at {@code maxBackoff} and spread
 * by ±{@code jitter}; a {@code Retry-After} header replaces it (up to {@code maxRetryAfter}; longer
 * asks end the call).
 *
 * <p>The circuit breaker opens when at least {@code failureRateThreshold} percent of the last
 * {@code circuitBreakerWindow} calls failed (after at least that many calls), and then refuses calls
 * for {@code circuitBreakerOpenDuration} with a {@link dev.crmsync.model.RetriableSyncException}.
 */
public final class RetrySettings {

    /** Default tries per call, the first included. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    /** Default first wait between tries. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);
    /** Default longest computed wait between tries. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    /** Default growth of the wait per try. */
    public static final double DEFAULT_MULTIPLIER = 2.0;
    /** Default relative spread of each wait (±20 %). */
    public static final double DEFAULT_JITTER = 0.2;
    /** Default longest {@code Retry-After} honoured. */
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofMinutes(2);
    /** Default percent of failed calls that opens the circuit breaker. */
    public static final float DEFAULT_FAILURE_RATE_THRESHOLD = 50f;
    /** Default number of recent calls the breaker looks at. */
    public static final int DEFAULT_CIRCUIT_BREAKER_WINDOW = 20;
    /** Default time an open breaker refuses calls. */
    public static final Duration DEFAULT_CIRCUIT_BREAKER_OPEN_DURATION = Duration.ofSeconds(60);

    private static final RetrySettings DEFAULTS = new Builder().build();

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final double multiplier;
    private final double jitter;
    private final Duration maxRetryAfter;
    private final float failureRateThreshold;
    private final int circuitBreakerWindow;
    private final Duration circuitBreakerOpenDuration;

    private RetrySettings(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.multiplier = b.multiplier;
        this.jitter = b.jitter;
        this.maxRetryAfter = b.maxRetryAfter;
        this.failureRateThreshold = b.failureRateThreshold;
        this.circuitBreakerWindow = b.circuitBreakerWindow;
        this.circuitBreakerOpenDuration = b.circuitBreakerOpenDuration;
    }

    /**
     * @return the defaults: 5 tries, 1 s doubling to at most 30 s, ±20 %; Retry-After up to 2 min;
     *     breaker at 50 % of 20 calls, open for 60 s (the {@code DEFAULT_*} constants)
     */
    public static RetrySettings ofDefaults() {
        return DEFAULTS;
    }

    /** @return a builder starting from the defaults */
    public static Builder custom() {
        return new Builder();
    }

    /**
     * @param base settings to start from
     * @return a builder starting from {@code base}
     */
    public static Builder from(RetrySettings base) {
        Objects.requireNonNull(base, "base must not be null");
        return new Builder(base);
    }

    /** @return tries per call, the first included */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** @return the first wait */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /** @return the longest computed wait */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /** @return growth of the wait per try */
    public double multiplier() {
        return multiplier;
    }

    /** @return relative spread of each wait, in [0, 1) */
    public double jitter() {
        return jitter;
    }

    /** @return the longest {@code Retry-After} honoured */
    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    /** @return percent of failed calls that opens the breaker, in (0, 100] */
    public float failureRateThreshold() {
        return failureRateThreshold;
    }

    /** @return how many recent calls the breaker looks at */
    public int circuitBreakerWindow() {
        return circuitBreakerWindow;
    }

    /** @return how long an open breaker refuses calls */
    public Duration circuitBreakerOpenDuration() {
        return circuitBreakerOpenDuration;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetrySettings r && r.maxAttempts == maxAttempts && r.initialBackoff.equals(initialBackoff)
                && r.maxBackoff.equals(maxBackoff) && Double.compare(r.multiplier, multiplier) == 0
                && Double.compare(r.jitter, jitter) == 0 && r.maxRetryAfter.equals(maxRetryAfter)
                && Float.compare(r.failureRateThreshold, failureRateThreshold) == 0
                && r.circuitBreakerWindow == circuitBreakerWindow
                && r.circuitBreakerOpenDuration.equals(circuitBreakerOpenDuration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, maxRetryAfter,
                failureRateThreshold, circuitBreakerWindow, circuitBreakerOpenDuration);
    }

    @Override
    public String toString() {
        return "RetrySettings[maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff + ", maxBackoff="
                + maxBackoff + ", multiplier=" + multiplier + ", jitter=" + jitter + ", maxRetryAfter=" + maxRetryAfter
                + ", failureRateThreshold=" + failureRateThreshold + ", circuitBreakerWindow=" + circuitBreakerWindow
                + ", circuitBreakerOpenDuration=" + circuitBreakerOpenDuration + "]";
    }

    /**
     * Builds {@link RetrySettings}, starting from the defaults (or from given settings). Every setter
     * checks its argument at once and names the bad value, so {@link #build()} cannot fail. Not
     * thread-safe.
     */
    public static final class Builder {
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private double multiplier = DEFAULT_MULTIPLIER;
        private double jitter = DEFAULT_JITTER;
        private Duration maxRetryAfter = DEFAULT_MAX_RETRY_AFTER;
        private float failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;
        private int circuitBreakerWindow = DEFAULT_CIRCUIT_BREAKER_WINDOW;
        private Duration circuitBreakerOpenDuration = DEFAULT_CIRCUIT_BREAKER_OPEN_DURATION;

        private Builder() {
        }

        private Builder(RetrySettings base) {
            this.maxAttempts = base.maxAttempts;
            this.initialBackoff = base.initialBackoff;
            this.maxBackoff = base.maxBackoff;
            this.multiplier = base.multiplier;
            this.jitter = base.jitter;
            this.maxRetryAfter = base.maxRetryAfter;
            this.failureRateThreshold = base.failureRateThreshold;
            this.circuitBreakerWindow = base.circuitBreakerWindow;
            this.circuitBreakerOpenDuration = base.circuitBreakerOpenDuration;
        }

        /**
         * @param maxAttempts tries per call, the first included, at least 1 (1: no retry); default
         *     {@value RetrySettings#DEFAULT_MAX_ATTEMPTS}
         * @return this builder
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * @param initial the first wait, positive; default {@link RetrySettings#DEFAULT_INITIAL_BACKOFF}
         * @param max the longest computed wait, positive and not shorter than {@code initial}; default
         *     {@link RetrySettings#DEFAULT_MAX_BACKOFF}
         * @return this builder
         */
        public Builder backoff(Duration initial, Duration max) {
            positive(initial, "initialBackoff");
            positive(max, "maxBackoff");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("maxBackoff must not be shorter than initialBackoff " + initial
                        + ", was " + max);
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /**
         * @param multiplier growth of the wait per try, at least 1 and finite; default
         *     {@value RetrySettings#DEFAULT_MULTIPLIER}
         * @return this builder
         */
        public Builder multiplier(double multiplier) {
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("multiplier must be at least 1 and finite, was " + multiplier);
            }
            this.multiplier = multiplier;
            return this;
        }

        /**
         * @param jitter relative spread of each wait, in [0, 1); default {@value RetrySettings#DEFAULT_JITTER}
         * @return this builder
         */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0.0 && jitter < 1.0)) {
                throw new IllegalArgumentException("jitter must be in [0, 1), was " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /**
         * @param maxRetryAfter the longest {@code Retry-After} honoured (a longer ask ends the call),
         *     positive; default {@link RetrySettings#DEFAULT_MAX_RETRY_AFTER}
         * @return this builder
         */
        public Builder maxRetryAfter(Duration maxRetryAfter) {
            this.maxRetryAfter = positive(maxRetryAfter, "maxRetryAfter");
            return this;
        }

        /**
         * @param threshold percent of failed calls that opens the breaker, in (0, 100]; default
         *     {@value RetrySettings#DEFAULT_FAILURE_RATE_THRESHOLD}
         * @return this builder
         */
        public Builder failureRateThreshold(float threshold) {
            if (!(threshold > 0f && threshold <= 100f)) {
                throw new IllegalArgumentException("failureRateThreshold must be in (0, 100], was " + threshold);
            }
            this.failureRateThreshold = threshold;
            return this;
        }

        /**
         * @param calls how many recent calls the breaker looks at, at least 1; default
         *     {@value RetrySettings#DEFAULT_CIRCUIT_BREAKER_WINDOW}
         * @return this builder
         */
        public Builder circuitBreakerWindow(int calls) {
            if (calls < 1) {
                throw new IllegalArgumentException("circuitBreakerWindow must be at least 1, was " + calls);
            }
            this.circuitBreakerWindow = calls;
            return this;
        }

        /**
         * @param openFor how long an open breaker refuses calls, positive; default
         *     {@link RetrySettings#DEFAULT_CIRCUIT_BREAKER_OPEN_DURATION}
         * @return this builder
         */
        public Builder circuitBreakerOpenDuration(Duration openFor) {
            this.circuitBreakerOpenDuration = positive(openFor, "circuitBreakerOpenDuration");
            return this;
        }

        /** @return the settings */
        public RetrySettings build() {
            return new RetrySettings(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name + " must not be null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }
}
