package dev.crmsync.core.report;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The work that waited for one object type when its latest run began, in each direction, and
 * whether it is growing against {@link #TREND_WINDOW} before — what Marketo's sync shows as its
 * backlog. A healthy sync finds a small backlog each cycle (what changed during the pause) and
 * leaves none; one that falls behind (an API budget spent, a type failing) finds more each time.
 *
 * <p>{@code crmToMarketing} is the CRM's own count of the changes the run's read had to take when
 * it began (Salesforce's {@code totalSize} of the change query; for a first copy, the records
 * still to copy); empty when the CRM gives no count or the run never read. {@code
 * marketingToCrm} is the host's changes the run found in the marketing store's change feed (two-way
 * types), counted as it read them: exact when {@link #marketingFeedRead} (the run read the feed to
 * its end), a lower bound when the run stopped before; empty for one-way types and runs that never
 * reached the feed.
 *
 * <p>The trend compares {@link #total()} with the newest backlog measured at least
 * {@link #TREND_WINDOW} before, by this engine instance (kept in memory: after a restart the trend
 * is {@link Trend#UNKNOWN} for six hours).
 *
 * @param measuredAt when the run began, by the engine's clock
 * @param crmToMarketing CRM changes waiting, if the CRM counted them
 * @param marketingToCrm host changes waiting, if the type is two-way and its feed was read
 * @param marketingFeedRead true if the run read the whole feed, so that {@code marketingToCrm} is exact
 * @param trend growing or not against {@link #TREND_WINDOW} before
 * @param windowAgo the total measured {@link #TREND_WINDOW} (or a little more) before, if any
 */
public record Backlog(Instant measuredAt, OptionalLong crmToMarketing, OptionalLong marketingToCrm,
                      boolean marketingFeedRead, Trend trend, OptionalLong windowAgo) {

    /** How far back the trend looks: six hours, as Marketo's backlog chart does. */
    public static final Duration TREND_WINDOW = Duration.ofHours(6);

    /** Whether a backlog grows. */
    public enum Trend {
        /** larger than {@link #TREND_WINDOW} before */
        GROWING,
        /** the same or smaller than {@link #TREND_WINDOW} before */
        NOT_GROWING,
        /** nothing measured that long ago (a new engine instance, or nothing counted) */
        UNKNOWN
    }

    /** Checks nulls and signs. */
    public Backlog {
        Objects.requireNonNull(measuredAt, "measuredAt");
        Objects.requireNonNull(crmToMarketing, "crmToMarketing");
        Objects.requireNonNull(marketingToCrm, "marketingToCrm");
        Objects.requireNonNull(trend, "trend");
        Objects.requireNonNull(windowAgo, "windowAgo");
        requireNotNegative(crmToMarketing, "crmToMarketing");
        requireNotNegative(marketingToCrm, "marketingToCrm");
        requireNotNegative(windowAgo, "windowAgo");
        if (trend != Trend.UNKNOWN && windowAgo.isEmpty()) {
            throw new IllegalArgumentException("a trend of " + trend + " needs the total it was measured against");
        }
    }

    /**
     * A backlog nothing was counted for (a type that did not run, or failed before it read).
     *
     * @param at when the run began
     * @return a backlog with both directions empty and an unknown trend
     */
    public static Backlog unknown(Instant at) {
        return new Backlog(at, OptionalLong.empty(), OptionalLong.empty(), false, Trend.UNKNOWN, OptionalLong.empty());
    }

    /** @return true if neither direction was counted */
    public boolean isUnknown() {
        return crmToMarketing.isEmpty() && marketingToCrm.isEmpty();
    }

    /** @return the known directions added up (0 if neither was counted) */
    public long total() {
        return crmToMarketing.orElse(0) + marketingToCrm.orElse(0);
    }

    /**
     * @param trend the trend against the window
     * @param windowAgo the total it was measured against
     * @return this backlog with its trend
     */
    public Backlog withTrend(Trend trend, OptionalLong windowAgo) {
        return new Backlog(measuredAt, crmToMarketing, marketingToCrm, marketingFeedRead, trend, windowAgo);
    }

    private static void requireNotNegative(OptionalLong v, String name) {
        if (v.isPresent() && v.getAsLong() < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + v.getAsLong());
        }
    }
}
