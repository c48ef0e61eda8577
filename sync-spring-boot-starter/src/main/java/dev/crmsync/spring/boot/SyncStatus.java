package dev.crmsync.spring.boot;

import dev.crmsync.core.SyncListener;
import dev.crmsync.core.report.Backlog;
import dev.crmsync.core.report.CycleOutcome;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.model.CredentialsRefusedException;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Checkpoint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What the last cycles said, per object type, for the health indicator and operators: a {@link SyncListener} the
 * starter adds to the engine. It keeps codes, labels, counts and times only — never a record value, a reason text
 * or a secret. Thread-safe: the cycle thread writes, any thread reads {@link #snapshot()}.
 *
 * <p>A type's lag is now (the status's clock: give it the engine's) minus the newest CRM modification stamp the
 * engine has applied for it, as its checkpoints say; unknown until a checkpoint with a stamp is saved.
 */
public final class SyncStatus implements SyncListener {

    /** A problem code: a type has not completed for the configured number of consecutive cycles. */
    public static final String NOT_COMPLETING = "NOT_COMPLETING";
    /** A problem code: another engine instance holds a type's lease. */
    public static final String LEASE_BLOCKED = "LEASE_BLOCKED";
    /** A problem code: the API budget or Salesforce's daily limit is spent. */
    public static final String API_QUOTA_EXHAUSTED = "API_QUOTA_EXHAUSTED";
    /**
     * A problem code: Salesforce refused the credentials (the last cycle, or a type in it, failed with
     * {@link CredentialsRefusedException}: an OAuth error from the token endpoint, or a renewed session rejected).
     */
    public static final String CREDENTIALS_REFUSED = CredentialsRefusedException.CODE;

    private final int maxCyclesWithoutCompletion;
    private final Clock clock;
    private final Map<ObjectType, TypeState> types = new TreeMap<>(ObjectType.SYNC_ORDER);
    private final java.util.Set<ObjectType> reportedThisCycle = new java.util.HashSet<>();
    private long cycles;
    private String lastOutcome = "none";
    private boolean quotaExhausted;
    private boolean credentialsRefused;
    private @Nullable Instant lastCycleAt;

    /**
     * A status that measures lag against the system UTC clock.
     *
     * @param maxCyclesWithoutCompletion the consecutive cycles a type may end without completing before it is a
     *     problem; at least 1
     */
    public SyncStatus(int maxCyclesWithoutCompletion) {
        this(maxCyclesWithoutCompletion, Clock.systemUTC());
    }

    /**
     * @param maxCyclesWithoutCompletion the consecutive cycles a type may end without completing before it is a
     *     problem; at least 1
     * @param clock the clock lag is measured against: the engine's
     */
    public SyncStatus(int maxCyclesWithoutCompletion, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        if (maxCyclesWithoutCompletion < 1) {
            throw new IllegalArgumentException("maxCyclesWithoutCompletion must be at least 1, was "
                    + maxCyclesWithoutCompletion);
        }
        this.maxCyclesWithoutCompletion = maxCyclesWithoutCompletion;
    }

    @Override
    public synchronized void onCycleStarted(String cycleId, List<ObjectType> cycleTypes) {
        reportedThisCycle.clear();
    }

    @Override
    public synchronized void onTypeDone(TypeReport report) {
        reportedThisCycle.add(report.type());
        TypeState s = types.computeIfAbsent(report.type(), t -> new TypeState());
        TypeOutcome outcome = report.outcome();
        s.outcome = outcome.label();
        s.blocked = outcome instanceof TypeOutcome.Blocked;
        if (outcome instanceof TypeOutcome.Synced || outcome instanceof TypeOutcome.Skipped) {
            s.cyclesWithoutCompletion = 0;
        } else {
            s.cyclesWithoutCompletion++;
        }
        s.rejected = report.counts().failed();
        s.lastCycleAt = clock.instant();
        if (!report.backlog().isUnknown()) {
            s.backlog = report.backlog();
        }
    }

    @Override
    public synchronized void onCheckpoint(Checkpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint must not be null");
        Instant stamp = checkpoint.crmCursor().modstamp();
        if (stamp.equals(Instant.EPOCH)) {
            return;   // nothing applied yet: the lag stays unknown
        }
        TypeState s = types.computeIfAbsent(checkpoint.type(), t -> new TypeState());
        if (s.newestCrmStamp == null || stamp.isAfter(s.newestCrmStamp)) {
            s.newestCrmStamp = stamp;
        }
    }

    @Override
    public synchronized void onCycleDone(SyncReport report) {
        cycles++;
        lastCycleAt = report.finishedAt();
        CycleOutcome outcome = report.outcome();
        lastOutcome = outcome.label();
        quotaExhausted = outcome instanceof CycleOutcome.Quota;
        boolean refused = outcome instanceof CycleOutcome.Failed f && CREDENTIALS_REFUSED.equals(f.code());
        for (TypeReport t : report.types()) {
            if (t.outcome() instanceof TypeOutcome.Failed f && CREDENTIALS_REFUSED.equals(f.code())) {
                refused = true;
            }
        }
        credentialsRefused = refused;
        if (outcome instanceof CycleOutcome.Failed) {
            // the cycle failed before reaching some types: those did not complete this cycle either
            types.forEach((type, s) -> {
                if (!reportedThisCycle.contains(type)) {
                    s.cyclesWithoutCompletion++;
                    s.outcome = "not run";
                }
            });
        }
        reportedThisCycle.clear();
    }

    /** @return a consistent copy of the status */
    public synchronized Snapshot snapshot() {
        Map<String, TypeStatus> byType = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        Instant now = clock.instant();
        if (credentialsRefused) {
            problems.add(CREDENTIALS_REFUSED);
        }
        if (quotaExhausted) {
            problems.add(API_QUOTA_EXHAUSTED);
        }
        for (Map.Entry<ObjectType, TypeState> e : types.entrySet()) {
            TypeState s = e.getValue();
            List<String> codes = new ArrayList<>();
            if (s.blocked) {
                codes.add(LEASE_BLOCKED);
            }
            if (s.cyclesWithoutCompletion >= maxCyclesWithoutCompletion) {
                codes.add(NOT_COMPLETING);
            }
            Long lag = null;
            if (s.newestCrmStamp != null) {
                Duration d = Duration.between(s.newestCrmStamp, now);
                lag = d.isNegative() ? 0L : d.toSeconds();
            }
            byType.put(e.getKey().apiName(), new TypeStatus(s.outcome, s.cyclesWithoutCompletion, s.rejected, codes,
                    s.lastCycleAt, lag, s.backlog));
            for (String c : codes) {
                problems.add(c + ":" + e.getKey().apiName());
            }
        }
        return new Snapshot(cycles, lastOutcome, problems, byType, lastCycleAt);
    }

    private static final class TypeState {
        String outcome = "none";
        int cyclesWithoutCompletion;
        long rejected;
        boolean blocked;
        @Nullable Instant lastCycleAt;
        @Nullable Instant newestCrmStamp;
        @Nullable Backlog backlog;
    }

    /**
     * The status at one moment.
     *
     * @param cycles the cycles seen since the application started
     * @param lastOutcome the last cycle's outcome label ({@code complete}, {@code partial}, …), or {@code none}
     * @param problems the problem codes, a type's as {@code CODE:Type}; empty when healthy
     * @param types per object type (API name), in sync order
     * @param lastCycleAt when the last cycle finished, or null before the first
     */
    public record Snapshot(long cycles, String lastOutcome, List<String> problems, Map<String, TypeStatus> types,
                           @Nullable Instant lastCycleAt) {
        /** Checks nulls, copies. */
        public Snapshot {
            Objects.requireNonNull(lastOutcome, "lastOutcome");
            problems = List.copyOf(problems);
            types = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(types));
        }

        /** @return true when there is no problem */
        public boolean healthy() {
            return problems.isEmpty();
        }

        /**
         * @param type an API name
         * @return that type's status, if a cycle reached it
         */
        public Optional<TypeStatus> type(String type) {
            return Optional.ofNullable(types.get(type));
        }
    }

    /**
     * One type's status.
     *
     * @param outcome its last outcome label ({@code done}, {@code blocked}, {@code failed}, …)
     * @param cyclesWithoutCompletion consecutive cycles it has not completed
     * @param rejected records rejected in its last cycle
     * @param problems its problem codes
     * @param lastCycleAt when a cycle last reached it (the status's clock), or null if only a checkpoint was seen
     * @param lagSeconds now minus the newest CRM stamp applied for it, in whole seconds; null while unknown
     * @param backlog the latest counted backlog (changes waiting in each direction when its run began, and
     *     the trend against six hours before); null until one was counted
     */
    public record TypeStatus(String outcome, int cyclesWithoutCompletion, long rejected, List<String> problems,
                             @Nullable Instant lastCycleAt, @Nullable Long lagSeconds, @Nullable Backlog backlog) {
        /** Checks nulls, copies. */
        public TypeStatus {
            Objects.requireNonNull(outcome, "outcome");
            problems = List.copyOf(problems);
        }
    }
}
