package dev.crmsync.salesforce;

/**
 * The share of the org's daily API allowance the source may use. Before each call the source
 * checks the latest {@code Sforce-Limit-Info}; a call that would go over either share is not made
 * and a {@link dev.crmsync.model.QuotaExceededException} stops the cycle cleanly (checkpoints kept);
 * the next cycle resumes.
 *
 * @param perCycleShare the share of the daily limit one cycle may spend (calls made by this source
 *     since {@link SalesforceCrmSource#beginCycle()}), in (0, 1]
 * @param totalShare the share of the daily limit the org's total usage (every client's, as the
 *     header reports it) may reach before this source stops calling, in (0, 1]
 */
public record ApiBudget(double perCycleShare, double totalShare) {

    /** 25 % of the daily limit per cycle, stop at 80 % overall (the Singer tap's defaults). */
    public static final ApiBudget DEFAULT = new ApiBudget(0.25, 0.80);

    /** No budget of the host's own: only Salesforce's limit stops the source. */
    public static final ApiBudget UNLIMITED = new ApiBudget(1.0, 1.0);

    /** Checks ranges. */
    public ApiBudget {
        check(perCycleShare, "perCycleShare");
        check(totalShare, "totalShare");
    }

    private static void check(double share, String name) {
        if (!(share > 0.0 && share <= 1.0)) {
            throw new IllegalArgumentException(name + " must be in (0, 1], was " + share);
        }
    }

    /**
     * @param limit the daily limit
     * @return how many calls one cycle may make
     */
    public long perCycleCalls(long limit) {
        return (long) Math.floor(limit * perCycleShare);
    }

    /**
     * @param limit the daily limit
     * @return the org-wide usage at which the source stops
     */
    public long totalCalls(long limit) {
        return (long) Math.floor(limit * totalShare);
    }
}
