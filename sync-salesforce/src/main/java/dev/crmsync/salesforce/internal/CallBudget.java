package dev.crmsync.salesforce.internal;

import dev.crmsync.model.QuotaExceededException;
import dev.crmsync.salesforce.ApiBudget;
import dev.crmsync.salesforce.ApiUsage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Tracks API usage from every {@code Sforce-Limit-Info} header and refuses a call that would go over
 * the host's budget or the connected app's own limit. Thread-safe.
 *
 * <p>Until the first header arrives the limit is unknown and calls are allowed. Between headers
 * the org-wide count is advanced locally for each call made, so concurrent calls cannot overshoot;
 * the next header replaces it with Salesforce's figure. The daily count is a rolling 24 hours, so
 * what a previous cycle learnt goes stale: a new cycle may make one call, whose header tells the
 * current usage, before the overall share is enforced again (an org at its cap costs one call a
 * cycle).
 */
public final class CallBudget {

    private final ApiBudget budget;
    private long used = -1;
    private long limit = -1;
    private long callsThisCycle;
    private boolean stale;
    private final Map<String, LimitInfo.Usage> perApp = new LinkedHashMap<>();

    /** @param budget the host's budget */
    public CallBudget(ApiBudget budget) {
        this.budget = Objects.requireNonNull(budget, "budget");
    }

    /**
     * Reserves one call.
     *
     * @param endpoint the endpoint about to be called, for the message
     * @throws QuotaExceededException if the call would exceed the cycle's or the overall budget, or
     *     a connected app's limit
     */
    public synchronized void beforeCall(String endpoint) {
        if (limit > 0) {
            long cycleCap = budget.perCycleCalls(limit);
            if (callsThisCycle + 1 > cycleCap) {
                throw new QuotaExceededException("API budget for this cycle is spent: " + callsThisCycle + " of "
                        + cycleCap + " calls (" + percent(budget.perCycleShare()) + " of the daily limit " + limit
                        + "); not calling " + endpoint);
            }
            long totalCap = budget.totalCalls(limit);
            if (!stale && used + 1 > totalCap) {
                throw new QuotaExceededException("API budget is spent: the org has used " + used + " of " + limit
                        + " daily calls and the host allows this source up to " + totalCap + " ("
                        + percent(budget.totalShare()) + "); not calling " + endpoint);
            }
        }
        for (Map.Entry<String, LimitInfo.Usage> app : perApp.entrySet()) {
            LimitInfo.Usage u = app.getValue();
            if (!stale && u.limit() > 0 && u.used() + 1 > u.limit()) {
                throw new QuotaExceededException("connected app '" + app.getKey() + "' has used " + u.used()
                        + " of its " + u.limit() + " daily calls; not calling " + endpoint);
            }
        }
        callsThisCycle++;
        if (used >= 0) {
            used++;
        }
        perApp.replaceAll((k, u) -> new LimitInfo.Usage(u.used() + 1, u.limit()));
    }

    /** @param info the latest header, parsed */
    public synchronized void update(LimitInfo info) {
        info.org().ifPresent(u -> {
            used = u.used();
            limit = u.limit();
            stale = false;
        });
        perApp.putAll(info.perApp());
    }

    /** Starts a new cycle: the per-cycle count restarts at zero and the usage last seen is refreshed by the next call. */
    public synchronized void beginCycle() {
        callsThisCycle = 0;
        stale = limit > 0;
    }

    /** @return the latest usage, if a header was seen */
    public synchronized java.util.Optional<ApiUsage> usage() {
        if (limit < 0) {
            return java.util.Optional.empty();
        }
        Map<String, ApiUsage> apps = new LinkedHashMap<>();
        perApp.forEach((k, u) -> apps.put(k, new ApiUsage(u.used(), u.limit(), 0, Map.of())));
        return java.util.Optional.of(new ApiUsage(Math.max(0, used), limit, callsThisCycle, apps));
    }

    private static String percent(double share) {
        return Math.round(share * 100) + " %";
    }
}
