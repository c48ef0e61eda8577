package dev.crmsync.core.report;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.crm.CrmSource;

import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SafeText;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one cycle did: per object type counts and outcome, the CRM calls it made, how long it
 * took, and how it ended. Immutable.
 *
 * @param cycleId the cycle's id (also in the SLF4J MDC under {@link SyncEngine#MDC_CYCLE_KEY} while it ran)
 * @param startedAt when it started (by the engine's clock)
 * @param finishedAt when it ended
 * @param outcome how it ended
 * @param types one report per object type, in the order they ran (parents first)
 * @param crmCalls CRM calls made during the cycle, by operation (the difference of {@link CrmSource#callCounts()})
 */
public record SyncReport(String cycleId, Instant startedAt, Instant finishedAt, CycleOutcome outcome,
                         List<TypeReport> types, Map<String, Long> crmCalls) {

    /** Checks nulls, copies the collections. */
    public SyncReport {
        Objects.requireNonNull(cycleId, "cycleId");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(outcome, "outcome");
        types = List.copyOf(types);
        crmCalls = Map.copyOf(crmCalls);
        if (finishedAt.isBefore(startedAt)) {
            throw new IllegalArgumentException("finishedAt " + finishedAt + " is before startedAt " + startedAt);
        }
    }

    /** @return how long the cycle took */
    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }

    /** @return the counts of every type added up */
    public SyncCounts totals() {
        SyncCounts sum = SyncCounts.ZERO;
        for (TypeReport t : types) {
            sum = sum.plus(t.counts());
        }
        return sum;
    }

    /** @return the number of CRM calls made during the cycle */
    public long crmCallsTotal() {
        return crmCalls.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * @param type an object type
     * @return its report, if the type was part of the cycle
     */
    public Optional<TypeReport> type(ObjectType type) {
        Objects.requireNonNull(type, "type");
        return types.stream().filter(t -> t.type().equals(type)).findFirst();
    }

    /** @return true if the cycle ended {@link CycleOutcome.Complete} */
    public boolean isComplete() {
        return outcome instanceof CycleOutcome.Complete;
    }

    /**
     * Renders the report as a plain-text table, one row per object type and a total, followed by
     * the reasons of a partial or failed cycle and the types' notes.
     *
     * @return the table, lines separated by {@code \n}
     */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Cycle %s: %s in %s, %d CRM calls%s%n", cycleId, outcome.label(),
                formatDuration(duration()), crmCallsTotal(), crmCalls.isEmpty() ? "" : " " + new TreeMap<>(crmCalls)));
        String header = String.format(Locale.ROOT, "%-24s %-11s %9s %9s %9s %9s %9s %9s %9s",
                "Object type", "Status", "Read", "Created", "Updated", "Unchanged", "Deleted", "Failed", "Skipped");
        sb.append(header).append('\n');
        sb.append("-".repeat(header.length())).append('\n');
        for (TypeReport t : types) {
            row(sb, t.type().apiName(), t.outcome().label(), t.counts());
        }
        sb.append("-".repeat(header.length())).append('\n');
        row(sb, "Total", "", totals());
        if (outcome instanceof CycleOutcome.Partial p) {
            p.reasons().forEach(r -> sb.append("  ! ").append(r).append('\n'));
        } else if (outcome instanceof CycleOutcome.Failed f) {
            sb.append("  ! ").append(f.reason()).append('\n');
        } else if (outcome instanceof CycleOutcome.Quota q) {
            sb.append("  ! quota: ").append(q.message()).append('\n');
        }
        for (TypeReport t : types) {
            if (!(t.outcome() instanceof TypeOutcome.Synced) && !(t.outcome() instanceof TypeOutcome.Failed)) {
                sb.append("  - ").append(t.type()).append(": ").append(t.outcome().reason()).append('\n');
            }
            t.notes().forEach(n -> sb.append("  - ").append(t.type()).append(": ").append(n).append('\n'));
            if (!t.unwrittenFields().isEmpty()) {
                StringBuilder line = new StringBuilder("  - ").append(t.type())
                        .append(": marketing fields the CRM does not take, not written:");
                t.unwrittenFields().forEach((f, n) -> line.append(' ').append(f).append(" (").append(n).append(')'));
                sb.append(SafeText.bounded(line.toString())).append('\n');
            }
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, String status, SyncCounts c) {
        sb.append(String.format(Locale.ROOT, "%-24s %-11s %9d %9d %9d %9d %9d %9d %9d%n", name, status,
                c.read(), c.created(), c.updated(), c.unchanged(), c.deleted(), c.failed(), c.skipped()));
    }

    private static String formatDuration(Duration d) {
        return String.format(Locale.ROOT, "%d.%03d s", d.toSeconds(), d.toMillisPart());
    }
}
