package dev.crmsync.testkit.salesforce.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The org's daily API request counter. The window is 24 hours from its start (the first counted
 * call, or the last reset); when the clock passes its end the counter starts again at zero.
 * Optionally tracks a connected app's own allowance for the {@code per-app-api-usage} form of the
 * {@code Sforce-Limit-Info} header (reported, not enforced).
 */
public final class ApiUsage {

    private static final Duration WINDOW = Duration.ofHours(24);

    private final Clock clock;
    private final String appName;
    private final long appMax;
    private long max;
    private long used;
    private long appUsed;
    private Instant windowStart;

    /**
     * A usage reading.
     *
     * @param used calls counted in the window
     * @param max the daily limit
     * @param appUsed the app's calls, when tracked
     * @param appMax the app's limit, or 0 when not tracked
     * @param appName the app's name, or null
     */
    public record Snapshot(long used, long max, long appUsed, long appMax, String appName) {
        /** @return the {@code Sforce-Limit-Info} header value */
        public String header() {
            String h = "api-usage=" + used + "/" + max;
            return appName == null ? h : h + "; per-app-api-usage=" + appUsed + "/" + appMax + "(appName=" + appName + ")";
        }

        /** @return calls left today, never negative */
        public long remaining() {
            return Math.max(0, max - used);
        }
    }

    /**
     * @param clock the clock that moves the window
     * @param max the daily limit
     * @param appName a connected app's name, or null
     * @param appMax that app's limit
     */
    public ApiUsage(Clock clock, long max, String appName, long appMax) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.max = max;
        this.appName = appName;
        this.appMax = appMax;
    }

    /**
     * Counts one call unless the limit is reached.
     *
     * @return the reading after counting, or null if the limit was already reached (nothing counted)
     */
    public synchronized Snapshot tryAcquire() {
        roll();
        if (used >= max) {
            return null;
        }
        used++;
        appUsed++;
        return snapshotLocked();
    }

    /** @return the current reading */
    public synchronized Snapshot snapshot() {
        roll();
        return snapshotLocked();
    }

    /** @param value calls to consider used in the current window (and by the app) */
    public synchronized void setUsed(long value) {
        roll();
        used = value;
        appUsed = Math.min(appUsed, value);
    }

    private Snapshot snapshotLocked() {
        return new Snapshot(used, max, appUsed, appMax, appName);
    }

    private void roll() {
        Instant now = clock.instant();
        if (windowStart == null) {
            windowStart = now;
        } else if (!now.isBefore(windowStart.plus(WINDOW))) {
            windowStart = now;
            used = 0;
            appUsed = 0;
        }
    }
}
