package dev.crmsync.micrometer;

import dev.crmsync.core.Conflict;
import dev.crmsync.core.Resolution;
import dev.crmsync.core.SyncListener;
import dev.crmsync.core.report.Backlog;
import dev.crmsync.core.report.CycleOutcome;
import dev.crmsync.core.report.SyncCounts;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.crm.Cursor;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.SyncSide;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SyncListener} that reports what the engine does through Micrometer: each cycle is an
 * {@link Observation} named {@value #CYCLE} (so one instrumentation gives a timer through the
 * registry's meter handler and a span through a tracing handler), and records, rejections, conflicts,
 * CRM calls, parked items, lag and leases are meters. Set it as the engine's listener:
 *
 * <pre>{@code
 * SyncMetrics metrics = SyncMetrics.builder(meterRegistry)
 *         .observationRegistry(observationRegistry)   // optional: without it no cycle timer or span
 *         .clock(clock)                               // the engine's clock, for the lag gauges
 *         .build();
 * SyncEngine engine = SyncEngine.builder()...listener(metrics).clock(clock).build();
 * }</pre>
 *
 * <p>The meters (names by Micrometer's conventions: dotted, lower case, base units):
 * <ul>
 *   <li>{@value #CYCLE}: the cycle observation; low-cardinality key {@code outcome} ({@code complete},
 *       {@code partial}, {@code failed}, {@code quota}), high-cardinality key {@code cycle.id} (spans only).</li>
 *   <li>{@value #RECORDS} counter, tags {@code type}, {@code side}, {@code result}: side {@code crm}
 *       with results {@code read}, {@code written}, {@code failed}; side {@code marketing} with
 *       {@code created}, {@code updated}, {@code unchanged}, {@code deleted}, {@code skipped},
 *       {@code failed}. A {@code failed} is one rejection as {@link #onRecordRejected} reports it (a
 *       retry that fails again counts again).</li>
 *   <li>{@value #REJECTIONS} counter, tags {@code type}, {@code side}, {@code code} (the reason
 *       code; one that is not a short upper-case token is counted as {@code OTHER}).</li>
 *   <li>{@value #CONFLICTS} counter, tags {@code type}, {@code resolution} ({@code crm},
 *       {@code marketing}, {@code parked}).</li>
 *   <li>{@value #CRM_CALLS} counter, tag {@code operation}: the CRM calls each cycle made.</li>
 *   <li>{@value #PARKED_FAILURES}, {@value #PARKED_CONFLICTS} gauges: as counted after the last cycle.</li>
 *   <li>{@value #LAG} gauge (seconds), tag {@code type}: now (by the clock) minus the newest CRM
 *       stamp applied for the type (its checkpoint's cursor); present once a type has one.</li>
 *   <li>{@value #LEASE_HELD}, {@value #LEASE_BLOCKED} gauges, tag {@code type}: 1 if in the last cycle
 *       this instance held the type's lease, or found it held by another instance; else 0.</li>
 *   <li>{@value #QUOTA_EXHAUSTED} gauge: 1 if the last cycle stopped because the API allowance or
 *       the host's budget ran out, else 0.</li>
 * </ul>
 *
 * <p>Thread-safety: the engine calls the listener methods on its cycle thread; the gauges are read
 * on whatever thread the registry publishes from. No record value, id or message reaches a tag.
 */
public final class SyncMetrics implements SyncListener {

    /** The cycle observation's name (and so its timer's and span's). */
    public static final String CYCLE = "crmsync.cycle";
    /** Records counter. */
    public static final String RECORDS = "crmsync.records";
    /** Rejections counter. */
    public static final String REJECTIONS = "crmsync.rejections";
    /** Conflicts counter. */
    public static final String CONFLICTS = "crmsync.conflicts";
    /** CRM calls counter. */
    public static final String CRM_CALLS = "crmsync.crm.calls";
    /** Parked failures gauge. */
    public static final String PARKED_FAILURES = "crmsync.parked.failures";
    /** Parked conflicts gauge. */
    public static final String PARKED_CONFLICTS = "crmsync.parked.conflicts";
    /** Lag gauge, in seconds. */
    public static final String LAG = "crmsync.lag";
    /** Lease held gauge. */
    public static final String LEASE_HELD = "crmsync.lease.held";
    /** Lease blocked gauge. */
    public static final String LEASE_BLOCKED = "crmsync.lease.blocked";
    /** Quota exhausted gauge. */
    public static final String QUOTA_EXHAUSTED = "crmsync.api.quota.exhausted";
    /** Gauge: changes waiting for a type when its latest run began; tags {@code type}, {@code direction}
     * ({@code crm_to_marketing}, {@code marketing_to_crm}). */
    public static final String BACKLOG = "crmsync.backlog";
    /** Gauge: 1 if a type's backlog is larger than six hours before, else 0; tag {@code type}. */
    public static final String BACKLOG_GROWING = "crmsync.backlog.growing";

    private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");

    private final MeterRegistry meters;
    private final ObservationRegistry observations;
    private final Clock clock;

    private final AtomicReference<@Nullable Observation> cycle = new AtomicReference<>();
    private final AtomicLong parkedFailures = new AtomicLong();
    private final AtomicLong parkedConflicts = new AtomicLong();
    private final AtomicLong quotaExhausted = new AtomicLong();
    /** Newest CRM stamp applied per type, in epoch milliseconds. */
    private final Map<ObjectType, AtomicLong> newestStamp = new ConcurrentHashMap<>();
    private final Map<ObjectType, AtomicLong> leaseHeld = new ConcurrentHashMap<>();
    private final Map<ObjectType, AtomicLong> leaseBlocked = new ConcurrentHashMap<>();
    private final Map<ObjectType, AtomicLong> backlogGrowing = new ConcurrentHashMap<>();
    /** Backlog gauges by "type|direction". */
    private final Map<String, AtomicLong> backlogs = new ConcurrentHashMap<>();

    private SyncMetrics(Builder b) {
        this.meters = b.meters;
        this.observations = b.observations;
        this.clock = b.clock;
        Gauge.builder(PARKED_FAILURES, parkedFailures, AtomicLong::doubleValue)
                .description("Failures parked in the state store (attempts used up), as counted after the last cycle")
                .register(meters);
        Gauge.builder(PARKED_CONFLICTS, parkedConflicts, AtomicLong::doubleValue)
                .description("Conflicts parked for a person to decide, as counted after the last cycle")
                .register(meters);
        Gauge.builder(QUOTA_EXHAUSTED, quotaExhausted, AtomicLong::doubleValue)
                .description("1 if the last cycle stopped because the API allowance or budget ran out, else 0")
                .register(meters);
    }

    /**
     * @param meterRegistry where the counters and gauges go
     * @return a builder
     * @throws NullPointerException if the registry is null
     */
    public static Builder builder(MeterRegistry meterRegistry) {
        return new Builder(Objects.requireNonNull(meterRegistry, "meterRegistry must not be null"));
    }

    // ---- cycle ---------------------------------------------------------------------------------------

    @Override
    public void onCycleStarted(String cycleId, List<ObjectType> types) {
        Observation o = Observation.createNotStarted(CYCLE, observations)
                .contextualName("crmsync cycle")
                .highCardinalityKeyValue("cycle.id", cycleId)
                .start();
        Observation previous = cycle.getAndSet(o);
        if (previous != null) {   // a cycle that never reported its end (cannot happen with the engine)
            previous.lowCardinalityKeyValue("outcome", "unknown").stop();
        }
    }

    @Override
    public void onCycleDone(SyncReport report) {
        Objects.requireNonNull(report, "report must not be null");
        CycleOutcome outcome = report.outcome();
        quotaExhausted.set(outcome instanceof CycleOutcome.Quota ? 1 : 0);
        report.crmCalls().forEach((operation, n) ->
                Counter.builder(CRM_CALLS).description("CRM calls made by the cycles")
                        .tag("operation", operation).register(meters).increment(n));
        Observation o = cycle.getAndSet(null);
        if (o != null) {
            o.lowCardinalityKeyValue("outcome", outcome.label().toLowerCase(Locale.ROOT)).stop();
        }
    }

    // ---- types ---------------------------------------------------------------------------------------

    @Override
    public void onTypeDone(TypeReport report) {
        Objects.requireNonNull(report, "report must not be null");
        ObjectType type = report.type();
        SyncCounts c = report.counts();
        records(type, SyncSide.CRM, "read", c.read());
        records(type, SyncSide.MARKETING, "created", c.created());
        records(type, SyncSide.MARKETING, "updated", c.updated());
        records(type, SyncSide.MARKETING, "unchanged", c.unchanged());
        records(type, SyncSide.MARKETING, "deleted", c.deleted());
        records(type, SyncSide.MARKETING, "skipped", c.skipped());
        TypeOutcome outcome = report.outcome();
        boolean blocked = outcome instanceof TypeOutcome.Blocked;
        boolean held = !blocked && !(outcome instanceof TypeOutcome.NotRun);
        flag(leaseBlocked, LEASE_BLOCKED, "1 if in the last cycle another instance held the type's lease, else 0", type)
                .set(blocked ? 1 : 0);
        flag(leaseHeld, LEASE_HELD, "1 if in the last cycle this instance held the type's lease, else 0", type)
                .set(held ? 1 : 0);
        Backlog b = report.backlog();
        if (!b.isUnknown()) {
            b.crmToMarketing().ifPresent(n -> backlog(type, "crm_to_marketing").set(n));
            b.marketingToCrm().ifPresent(n -> backlog(type, "marketing_to_crm").set(n));
            if (b.trend() != Backlog.Trend.UNKNOWN) {
                flag(backlogGrowing, BACKLOG_GROWING, "1 if the type's backlog is larger than six hours before, else 0",
                        type).set(b.trend() == Backlog.Trend.GROWING ? 1 : 0);
            }
        }
    }

    private AtomicLong backlog(ObjectType type, String direction) {
        return backlogs.computeIfAbsent(type.apiName() + "|" + direction, k -> {
            AtomicLong holder = new AtomicLong();
            Gauge.builder(BACKLOG, holder, AtomicLong::doubleValue)
                    .description("Changes waiting for the type when its latest run began, by direction")
                    .baseUnit("records").tags(Tags.of("type", type.apiName(), "direction", direction)).register(meters);
            return holder;
        });
    }

    @Override
    public void onWrittenToCrm(ObjectType type, long written) {
        records(Objects.requireNonNull(type, "type must not be null"), SyncSide.CRM, "written", written);
    }

    @Override
    public void onCheckpoint(Checkpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint must not be null");
        Cursor cursor = checkpoint.crmCursor();
        if (cursor.modstamp().equals(Instant.EPOCH)) {
            return;   // nothing applied yet: no lag to report
        }
        long stamp = cursor.modstamp().toEpochMilli();
        newestStamp.computeIfAbsent(checkpoint.type(), t -> {
            AtomicLong holder = new AtomicLong(stamp);
            Gauge.builder(LAG, holder, h -> lagSeconds(h.get()))
                    .description("Now minus the newest CRM modification applied for the type")
                    .baseUnit("seconds").tag("type", t.apiName()).register(meters);
            return holder;
        }).accumulateAndGet(stamp, Math::max);
    }

    private double lagSeconds(long stampMillis) {
        Duration lag = Duration.between(Instant.ofEpochMilli(stampMillis), clock.instant());
        return lag.isNegative() ? 0 : lag.toMillis() / 1000.0;
    }

    // ---- records -------------------------------------------------------------------------------------

    @Override
    public void onRecordRejected(FailedRecord failure) {
        Objects.requireNonNull(failure, "failure must not be null");
        String side = side(failure.target());
        records(failure.type(), failure.target(), "failed", 1);
        Counter.builder(REJECTIONS).description("Records rejected, by the side that rejected them and the reason code")
                .tags(Tags.of("type", failure.type().apiName(), "side", side, "code", code(failure.code())))
                .register(meters).increment();
    }

    @Override
    public void onConflict(Conflict conflict, Resolution resolution) {
        Objects.requireNonNull(conflict, "conflict must not be null");
        Objects.requireNonNull(resolution, "resolution must not be null");
        String decided = resolution instanceof Resolution.TakeCrm ? "crm"
                : resolution instanceof Resolution.TakeMarketing ? "marketing" : "parked";
        Counter.builder(CONFLICTS).description("Fields changed on both sides, by how they were decided")
                .tags(Tags.of("type", conflict.type().apiName(), "resolution", decided))
                .register(meters).increment();
    }

    @Override
    public void onParkedCounted(long failures, long conflicts) {
        parkedFailures.set(failures);
        parkedConflicts.set(conflicts);
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private void records(ObjectType type, SyncSide side, String result, long n) {
        if (n <= 0) {
            return;
        }
        Counter.builder(RECORDS).description("Records the cycles read, wrote, left alone or had rejected")
                .tags(Tags.of("type", type.apiName(), "side", side(side), "result", result))
                .register(meters).increment(n);
    }

    private AtomicLong flag(Map<ObjectType, AtomicLong> flags, String name, String description, ObjectType type) {
        return flags.computeIfAbsent(type, t -> {
            AtomicLong holder = new AtomicLong();
            Gauge.builder(name, holder, AtomicLong::doubleValue).description(description)
                    .tag("type", t.apiName()).register(meters);
            return holder;
        });
    }

    private static String side(SyncSide side) {
        return side.name().toLowerCase(Locale.ROOT);
    }

    /** A reason code as a tag: short upper-case tokens as they are, anything else {@code OTHER}. */
    static String code(String code) {
        return CODE.matcher(code).matches() ? code : "OTHER";
    }

    /** Builds a {@link SyncMetrics}; every setter validates its argument at once. */
    public static final class Builder {
        private final MeterRegistry meters;
        private ObservationRegistry observations = ObservationRegistry.NOOP;
        private Clock clock = Clock.systemUTC();

        private Builder(MeterRegistry meters) {
            this.meters = meters;
        }

        /**
         * @param registry where the cycle observations go; the default, {@link ObservationRegistry#NOOP},
         *     records none (no cycle timer, no span)
         * @return this builder
         * @throws NullPointerException if the registry is null
         */
        public Builder observationRegistry(ObservationRegistry registry) {
            this.observations = Objects.requireNonNull(registry, "observationRegistry must not be null");
            return this;
        }

        /**
         * @param clock the clock the lag gauges measure against: give the engine's; default the system UTC clock
         * @return this builder
         * @throws NullPointerException if the clock is null
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * Registers the gauges that exist from the start (parked failures and conflicts, quota) in the registry.
         *
         * @return the listener, to give to {@code SyncEngine.Builder#listener}
         */
        public SyncMetrics build() {
            return new SyncMetrics(this);
        }
    }
}
