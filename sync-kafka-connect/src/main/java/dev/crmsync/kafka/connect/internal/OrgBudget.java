package dev.crmsync.kafka.connect.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * One org's daily API budget inside a source task: the CRM calls the task made for the org since the start of the
 * current UTC day, against the calls allowed. Connect has no per-tenant quota, so the task keeps this one. Not
 * thread-safe: the task's thread.
 */
public final class OrgBudget {

    private final long limit;
    private LocalDate day = LocalDate.MIN;
    private long used;

    /** @param limit the calls allowed per UTC day, at least 1 */
    public OrgBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a daily budget must allow at least one call, was " + limit);
        }
        this.limit = limit;
    }

    private void roll(Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (!today.equals(day)) {
            day = today;
            used = 0;
        }
    }

    /** @param now the time @return true if the org may make another call today */
    public boolean allows(Instant now) {
        roll(now);
        return used < limit;
    }

    /** @param calls calls just made for the org @param now the time */
    public void spend(long calls, Instant now) {
        roll(now);
        used += Math.max(0, calls);
    }

    /** @return the calls counted in the current day */
    public long used() {
        return used;
    }

    /** @return the calls allowed per day */
    public long limit() {
        return limit;
    }

    /** @param now the time @return when the budget is whole again: the next UTC midnight */
    public Instant resetAt(Instant now) {
        return LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
