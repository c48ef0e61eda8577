package dev.crmsync.salesforce;

import java.util.Map;

/**
 * The org's API usage as the latest {@code Sforce-Limit-Info} header reported it.
 *
 * @param used calls made in the rolling 24 hours (every client of the org)
 * @param limit calls allowed in 24 hours
 * @param callsThisCycle calls this source made since {@link SalesforceCrmSource#beginCycle()}
 * @param perApp the connected app's usage, by app name, when the header carried the per-app form
 *     (values have {@code callsThisCycle = 0} and no nested apps)
 */
public record ApiUsage(long used, long limit, long callsThisCycle, Map<String, ApiUsage> perApp) {
    /** Checks ranges, copies the map. */
    public ApiUsage {
        if (used < 0 || limit < 0 || callsThisCycle < 0) {
            throw new IllegalArgumentException("usage must be >= 0: " + used + "/" + limit + ", " + callsThisCycle);
        }
        perApp = Map.copyOf(perApp);
    }

    /** @return calls left before the daily limit */
    public long remaining() {
        return Math.max(0, limit - used);
    }
}
