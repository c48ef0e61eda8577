package dev.crmsync.core.internal;

import dev.crmsync.core.SyncFilter;
import dev.crmsync.core.report.Backlog;
import dev.crmsync.core.report.StepReport;
import dev.crmsync.core.report.SyncAlert;
import dev.crmsync.core.report.CycleOutcome;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.core.report.SyncCounts;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.model.CallAbortedException;
import dev.crmsync.model.CredentialsRefusedException;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.QuotaExceededException;
import dev.crmsync.model.SafeText;
import dev.crmsync.model.SyncException;
import dev.crmsync.store.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one cycle: resolves the object types, visits them parents first, each under its lease and
 * through its {@link TypeSync} strategy, isolates a type's failure from the others, stops cleanly
 * on quota, and builds the {@link SyncReport}. Not thread-safe: the engine lets one cycle run at
 * a time.
 */
public final class CycleRunner {
    private static final Logger LOG = LoggerFactory.getLogger(CycleRunner.class);

    /** The MDC key holding the cycle id while a cycle runs. */
    public static final String MDC_CYCLE_KEY = "crmsync.cycle";

    /** Prefix of the per-type lease names. */
    public static final String LEASE_PREFIX = "crmsync:";

    private final EngineSettings settings;
    private final GuardedListener listener;
    private final Function<ObjectType, TypeSync> strategies;
    private final LeaseKeeper leases;
    private final BacklogHistory backlogs = new BacklogHistory();
    /** Each type's describe from its last run: what runs outside a cycle use. */
    private final Map<ObjectType, ObjectSchema> schemas = new java.util.concurrent.ConcurrentHashMap<>();
    /** Job-level alerts raised and not cleared yet. */
    private final Set<SyncAlert.Kind> activeAlerts = EnumSet.noneOf(SyncAlert.Kind.class);

    /**
     * @param settings the engine's settings
     * @param strategies the strategy per object type
     * @param leases the engine instance's leases
     */
    public CycleRunner(EngineSettings settings, Function<ObjectType, TypeSync> strategies, LeaseKeeper leases) {
        this.settings = settings;
        this.listener = new GuardedListener(settings.listener());
        this.strategies = strategies;
        this.leases = leases;
    }

    /** @return the latest counted backlog of each type this instance ran (see {@link Backlog}) */
    public Map<ObjectType, Backlog> backlogs() {
        return backlogs.latest();
    }

    /**
     * Runs one cycle. Never throws for a CRM or store failure: those end up in the report.
     *
     * @param cycleId the cycle's id
     * @param stopReason gives a reason when the cycle must stop at the next page boundary, else null
     * @return the report
     */
    public SyncReport run(String cycleId, Supplier<String> stopReason) {
        return inMdc(cycleId, () -> runInMdc(cycleId, stopReason));
    }

    /** Runs work with the run's id in the MDC (as {@link #MDC_CYCLE_KEY}), restoring what was there. */
    private static <T> T inMdc(String runId, Supplier<T> work) {
        String previousMdc = MDC.get(MDC_CYCLE_KEY);
        MDC.put(MDC_CYCLE_KEY, runId);
        try {
            return work.get();
        } finally {
            if (previousMdc == null) {
                MDC.remove(MDC_CYCLE_KEY);
            } else {
                MDC.put(MDC_CYCLE_KEY, previousMdc);
            }
        }
    }

    private SyncReport runInMdc(String cycleId, Supplier<String> stopReason) {
        Instant startedAt = settings.clock().instant();
        Map<String, Long> callsBefore = callCounts();
        List<TypeReport> reports = new ArrayList<>();
        String quota = null;
        String fatal = null;
        String fatalCode = "";
        String stopped = null;
        List<ObjectType> types = List.of();
        try {
            settings.crm().beginCycle();
            types = resolveTypes();
        } catch (QuotaExceededException e) {
            quota = message(e);
        } catch (CallAbortedException e) {
            stopped = aborted(stopReason, e);
            LOG.info("Cycle {} stopped before its first type ({})", cycleId, stopped);
        } catch (RuntimeException e) {
            fatal = "could not list the CRM's object types: " + message(e);
            fatalCode = failureCode(e);
            LOG.warn("Cycle {} could not list the CRM's object types", cycleId, SafeText.scrubbed(e));
        }
        LOG.debug("Cycle {} started: {} object types", cycleId, types.size());
        listener.onCycleStarted(cycleId, types);
        for (ObjectType type : types) {
            String halt = quota != null ? "API quota exhausted" : stopped;
            if (halt == null) {
                halt = stopReason.get();
                stopped = halt;
            }
            TypeReport report;
            if (halt != null) {
                report = new TypeReport(type, new TypeOutcome.NotRun(halt), SyncCounts.ZERO, Duration.ZERO, List.of());
            } else {
                TypeResult result = runType(cycleId, type, stopReason);
                report = result.report();
                if (result.quota() != null) {
                    quota = result.quota();
                } else if (result.stopped() != null) {
                    stopped = result.stopped();
                }
            }
            reports.add(report);
            listener.onTypeDone(report);
        }
        Instant finishedAt = settings.clock().instant();
        if (finishedAt.isBefore(startedAt)) {
            finishedAt = startedAt;
        }
        CycleOutcome outcome = outcome(reports, quota, fatal, fatalCode, stopped);
        SyncReport report = new SyncReport(cycleId, startedAt, finishedAt, outcome, reports,
                diff(callsBefore, callCounts()));
        SyncCounts t = report.totals();
        LOG.info("Cycle {} {}: read {}, created {}, updated {}, unchanged {}, deleted {}, failed {}, skipped {};"
                        + " {} CRM calls", cycleId, outcome.label(), t.read(), t.created(), t.updated(), t.unchanged(),
                t.deleted(), t.failed(), t.skipped(), report.crmCallsTotal());
        countParked();
        listener.onCycleDone(report);
        alerts(report, quota, stopped);
        return report;
    }

    /**
     * Raises the job-level alerts this cycle began and clears those it ended ({@link SyncAlert}).
     * A cycle stopped before it reached the CRM (the engine closing) neither raises nor clears.
     */
    private void alerts(SyncReport report, String quota, String stopped) {
        Map<SyncAlert.Kind, String> now = new EnumMap<>(SyncAlert.Kind.class);
        if (quota != null) {
            now.put(SyncAlert.Kind.API_LIMIT_EXHAUSTED, "the CRM's API limit, or the engine's share of it, is spent;"
                    + " the sync waits for it");
        }
        boolean refused = report.outcome() instanceof CycleOutcome.Failed f
                && CredentialsRefusedException.CODE.equals(f.code());
        List<String> refusedTypes = new ArrayList<>();
        for (TypeReport t : report.types()) {
            if (t.outcome() instanceof TypeOutcome.Failed f && CredentialsRefusedException.CODE.equals(f.code())) {
                refusedTypes.add(t.type().apiName());
            }
        }
        if (refused || !refusedTypes.isEmpty()) {
            now.put(SyncAlert.Kind.CREDENTIALS_REFUSED, "the CRM refused the integration user's credentials"
                    + (refusedTypes.isEmpty() ? "" : " (types " + String.join(", ", refusedTypes) + ")")
                    + "; renew them: nothing syncs until then");
        }
        boolean reached = report.types().stream().anyMatch(t -> !(t.outcome() instanceof TypeOutcome.NotRun))
                || report.outcome() instanceof CycleOutcome.Failed || quota != null;
        for (SyncAlert.Kind kind : SyncAlert.Kind.values()) {
            String message = now.get(kind);
            if (message != null && activeAlerts.add(kind)) {
                LOG.warn("Alert raised: {} ({})", kind.code(), message);
                listener.onAlert(new SyncAlert(kind, SyncAlert.State.RAISED, kind.code(), message, report.finishedAt(),
                        report.cycleId()));
            } else if (message == null && reached && stopped == null && activeAlerts.remove(kind)) {
                LOG.info("Alert cleared: {}", kind.code());
                listener.onAlert(new SyncAlert(kind, SyncAlert.State.CLEARED, kind.code(), "cycle " + report.cycleId()
                        + " no longer met it", report.finishedAt(), report.cycleId()));
            }
        }
    }

    /** Tells the listener how many failures and conflicts are parked (only if the host set one). */
    private void countParked() {
        if (!listener.isListening()) {
            return;
        }
        long failures;
        long conflicts;
        try {
            failures = settings.state().parkedFailures().size();
            conflicts = settings.state().parkedConflicts().size();
        } catch (RuntimeException e) {
            LOG.debug("parked failures and conflicts could not be counted", SafeText.scrubbed(e));
            return;
        }
        listener.onParkedCounted(failures, conflicts);
    }

    /** A type's report, and whether it ran out of quota or was stopped. */
    private record TypeResult(TypeReport report, String quota, String stopped) {
    }

    private TypeResult runType(String cycleId, ObjectType type, Supplier<String> stopReason) {
        return runType(cycleId, type, stopReason, run -> {
            strategies.apply(type).sync(run);
            // values of newly synced fields, for the records synced before
            run.step(StepReport.Step.BACKFILL, () -> FieldBackfill.run(run));
        }, true);
    }

    /**
     * Brings named CRM records of one type to the store now, outside a cycle, under the type's
     * lease and by the merge a cycle runs; then saves the host's position, if given, in a commit of
     * its own after the records (a crash in between re-applies them: harmless).
     *
     * @param runId the run's id (as a cycle id)
     * @param type the type
     * @param ids the records
     * @param position the host's position to save after them, or null
     * @param stopReason gives a reason when the run must stop, else null
     * @return the run's report (its backlog not counted)
     */
    public TypeReport runTargeted(String runId, ObjectType type, List<CrmId> ids, EngineIntent.Position position,
                                  Supplier<String> stopReason) {
        return runOutsideCycle(runId, type, stopReason, run -> {
            run.step(StepReport.Step.APPLY_IDS, () -> strategies.apply(type).syncIds(run, ids));
            if (position != null) {
                run.commit(() -> settings.state().saveIntent(position), null);
            }
        });
    }

    /**
     * Runs one type's incremental sync now, outside a cycle, under the type's lease: exactly the
     * type's part of a cycle (its first copy if that is not done), its checkpoints moving as a
     * cycle's would.
     *
     * @param runId the run's id (as a cycle id)
     * @param type the type
     * @param stopReason gives a reason when the run must stop, else null
     * @return the run's report (its backlog not counted)
     */
    public TypeReport runPoll(String runId, ObjectType type, Supplier<String> stopReason) {
        return runOutsideCycle(runId, type, stopReason, run -> {
            strategies.apply(type).sync(run);
            run.step(StepReport.Step.BACKFILL, () -> FieldBackfill.run(run));
        });
    }

    /**
     * Writes the host's waiting changes of one two-way type to the CRM now, outside a cycle, under
     * the type's lease and by the merge a cycle runs ({@link TypeSync#syncHostChanges}).
     *
     * @param runId the run's id (as a cycle id)
     * @param type a two-way type
     * @param stopReason gives a reason when the run must stop, else null
     * @return the run's report (its backlog not counted)
     */
    public TypeReport runHostChanges(String runId, ObjectType type, Supplier<String> stopReason) {
        return runOutsideCycle(runId, type, stopReason, run -> strategies.apply(type).syncHostChanges(run));
    }

    /** One type's run outside a cycle, its id in the MDC, its backlog not counted; the listener hears of it. */
    private TypeReport runOutsideCycle(String runId, ObjectType type, Supplier<String> stopReason,
                                       java.util.function.Consumer<TypeRun> body) {
        return inMdc(runId, () -> {
            TypeReport report = runType(runId, type, stopReason, body, false, true).report();
            listener.onTypeDone(report);
            return report;
        });
    }

    private TypeResult runType(String cycleId, ObjectType type, Supplier<String> stopReason,
                               java.util.function.Consumer<TypeRun> body, boolean countBacklog) {
        return runType(cycleId, type, stopReason, body, countBacklog, false);
    }

    /**
     * @param ownBudget whether the run is a budget window of its own ({@link dev.crmsync.crm.CrmSource#beginCycle()}
     *     first): a run outside a cycle (a change event's records, a host change pushed now) would otherwise
     *     spend the last cycle's share of the API allowance until the next cycle, and events would stop once
     *     it is spent; the CRM's overall limit (and a source's total share) still bounds them all
     */
    private TypeResult runType(String cycleId, ObjectType type, Supplier<String> stopReason,
                               java.util.function.Consumer<TypeRun> body, boolean countBacklog, boolean ownBudget) {
        Instant t0 = settings.clock().instant();
        String leaseName = LEASE_PREFIX + type.apiName();
        TypeRun run = null;
        TypeOutcome outcome;
        String quota = null;
        String stopped = null;
        List<String> notes = new ArrayList<>();
        LeaseKeeper.Hold lease = null;
        try {
            if (ownBudget) {
                settings.crm().beginCycle();
            }
            LeaseKeeper.Acquired granted = leases.acquire(leaseName);
            if (granted.hold() == null) {
                Lease holder = Objects.requireNonNull(granted.holder(), "holder");
                // INFO, not WARN: a standby instance meets this every cycle; the report says Blocked and the
                // cycle is not COMPLETE, which is what health checks and operators watch
                LOG.info("{}: lease '{}' is held by {}; this instance ('{}') skipped the type this cycle", type,
                        leaseName, holder.holder(), leases.instance());
                outcome = new TypeOutcome.Blocked(holder);
            } else {
                lease = granted.hold();
                // a run outside a cycle (a change event's records) takes the type's describe from the last run:
                // one call fewer per event; the cycles describe afresh, so a new field shows up at the next one
                ObjectSchema known = ownBudget ? schemas.get(type) : null;
                Optional<ObjectSchema> schema = known != null ? Optional.of(known) : settings.crm().describe(type);
                if (schema.isPresent()) {
                    schemas.put(type, schema.get());
                } else {
                    schemas.remove(type);
                }
                if (schema.isEmpty() || !schema.get().queryable()) {
                    LOG.info("{}: not queryable by the integration user; skipped", type);
                    outcome = new TypeOutcome.Skipped("not queryable by the integration user");
                } else {
                    Set<String> fields = effectiveFields(type, schema.get(), notes);
                    // the store gives the synced fields a typed home before the type is read or written
                    settings.store().prepareType(type, StoreFields.of(schema.get(), fields));
                    run = new TypeRun(settings, cycleId, type, schema.get(), fields, listener, stopReason, lease);
                    body.accept(run);
                    run.activities().flush();    // what was recorded after the run's last commit
                    outcome = new TypeOutcome.Synced();
                }
            }
        } catch (QuotaExceededException e) {
            LOG.warn("{}: API quota exhausted ({}); stopping the cycle, checkpoints kept", type, message(e));
            quota = message(e);
            outcome = new TypeOutcome.Stopped("API quota exhausted: " + quota);
        } catch (CycleStoppedException e) {
            stopped = message(e);
            LOG.info("{}: stopped ({}); checkpoint kept", type, stopped);
            outcome = new TypeOutcome.Stopped(stopped);
        } catch (CallAbortedException e) {
            stopped = aborted(stopReason, e);
            LOG.info("{}: stopped, its CRM call aborted ({}); checkpoint kept at the last durable page", type, stopped);
            outcome = new TypeOutcome.Stopped(stopped);
        } catch (RuntimeException e) {
            boolean retriable = e instanceof SyncException se && se.isRetriable();
            LOG.warn("{}: failed; its checkpoint stays at the last durable page", type, SafeText.scrubbed(e));
            outcome = new TypeOutcome.Failed(message(e), retriable, failureCode(e));
        } finally {
            if (lease != null) {
                lease.release();
            }
        }
        if (run != null) {
            notes.addAll(run.notes());
        }
        SyncCounts counts = run == null ? SyncCounts.ZERO : run.counters().snapshot();
        Instant t1 = settings.clock().instant();
        Duration took = t1.isBefore(t0) ? Duration.ZERO : Duration.between(t0, t1);
        if (outcome instanceof TypeOutcome.Synced) {
            // the cycle's line has the totals: a type's own line is DEBUG unless something happened to it
            // (a rejection, a conflict); a type that did not sync logged why already
            boolean noteworthy = counts.failed() > 0 || (run != null && run.noteworthy());
            String line = "{}: read {}, created {}, updated {}, unchanged {}, deleted {}, failed {}, skipped {}";
            Object[] args = {type, counts.read(), counts.created(), counts.updated(), counts.unchanged(),
                counts.deleted(), counts.failed(), counts.skipped()};
            if (noteworthy) {
                LOG.info(line, args);
            } else {
                LOG.debug(line, args);
            }
        }
        Map<String, Long> unwritten = run == null ? Map.of() : run.unwritten().snapshot();
        Backlog backlog = !countBacklog ? Backlog.unknown(t0)
                : backlogs.record(type, run == null ? Backlog.unknown(t0) : run.backlog(t0));
        List<StepReport> steps = run == null ? List.of() : run.steps();
        return new TypeResult(new TypeReport(type, outcome, counts, took, notes, unwritten, backlog, steps), quota,
                stopped);
    }

    /** The stop reason of a cycle whose CRM call was aborted: the engine's (closed, interrupted), else the call's. */
    private static String aborted(Supplier<String> stopReason, CallAbortedException e) {
        String reason = stopReason.get();
        return reason != null ? reason + "; the CRM call in flight was aborted" : message(e);
    }

    /** The fields the type syncs: the host's selection (or every readable one) and its sync filter's fields. */
    private Set<String> effectiveFields(ObjectType type, ObjectSchema schema, List<String> notes) {
        Set<String> fields = selectedFields(type, schema, notes);
        SyncFilter filter = settings.syncFilters().get(type);
        if (filter == null) {
            return fields;
        }
        Set<String> readable = schema.readableFieldNames();
        Set<String> out = new LinkedHashSet<>(fields);
        for (String f : filter.fields()) {
            if (!readable.contains(f)) {
                throw new SyncException("the sync filter of " + type + " reads field '" + SafeText.name(f)
                        + "', which the integration user cannot read (or which does not exist): nothing of " + type
                        + " syncs until it can", type, null, null);
            }
            out.add(f);
        }
        return out;
    }

    private Set<String> selectedFields(ObjectType type, ObjectSchema schema, List<String> notes) {
        Set<String> readable = schema.readableFieldNames();
        Set<String> selected = settings.fieldSelection().get(type);
        if (selected == null) {
            return settings.syncedFields(type, readable);     // Marketo's ignored fields left out (unless turned off)
        }
        Set<String> fields = new LinkedHashSet<>();
        Set<String> missing = new TreeSet<>();
        for (String f : selected) {
            if (readable.contains(f)) {
                fields.add(f);
            } else {
                missing.add(f);
            }
        }
        if (!missing.isEmpty()) {
            LOG.info("{}: selected fields not readable by the integration user (or gone), not synced: {}", type,
                    SafeText.names(missing));
            notes.add("selected fields not readable (or gone), not synced: " + SafeText.names(missing));
        }
        return fields;
    }

    private List<ObjectType> resolveTypes() {
        Set<ObjectType> types = new TreeSet<>(ObjectType.SYNC_ORDER);
        if (settings.objectTypes().isEmpty()) {
            Set<ObjectType> available = settings.crm().availableTypes();
            if (available != null) {
                types.addAll(available);
                types.remove(ObjectType.GROUP);     // queues own leads; Marketo does not sync groups
            }
        } else {
            types.addAll(settings.objectTypes());
        }
        return List.copyOf(types);
    }

    /** The stable code of a failure whose kind is known (refused credentials), else empty. */
    private static String failureCode(RuntimeException e) {
        return e instanceof CredentialsRefusedException ? CredentialsRefusedException.CODE : "";
    }

    private static CycleOutcome outcome(List<TypeReport> reports, String quota, String fatal, String fatalCode,
                                        String stopped) {
        if (quota != null) {
            return new CycleOutcome.Quota(quota);
        }
        if (fatal != null) {
            return new CycleOutcome.Failed(fatal, fatalCode);
        }
        List<String> reasons = new ArrayList<>();
        Set<String> failedCodes = new TreeSet<>();
        int failed = 0;
        int worked = 0;
        for (TypeReport r : reports) {
            TypeOutcome o = r.outcome();
            if (o instanceof TypeOutcome.Failed f) {
                failed++;
                failedCodes.add(f.code());
                reasons.add(r.type() + " failed: " + f.reason());
            } else if (o instanceof TypeOutcome.Blocked b) {
                reasons.add(r.type() + " blocked: " + b.reason());
            } else if (o instanceof TypeOutcome.Stopped s) {
                worked++;
                reasons.add(r.type() + " stopped: " + s.reason());
            } else if (o instanceof TypeOutcome.Synced) {
                worked++;
                long rejected = r.counts().failed();
                if (rejected > 0) {
                    reasons.add(r.type() + ": " + rejected + " record" + (rejected == 1 ? "" : "s")
                            + " rejected (kept for retry or parked)");
                }
            }
        }
        if (stopped != null && reasons.stream().noneMatch(x -> x.contains(stopped))) {
            reasons.add("cycle stopped: " + stopped);
        }
        if (reasons.isEmpty()) {
            return new CycleOutcome.Complete();
        }
        if (worked == 0 && failed > 0) {
            // every type failed: the cycle's code is theirs when they share one
            String code = failedCodes.size() == 1 ? failedCodes.iterator().next() : "";
            return new CycleOutcome.Failed(SafeText.bounded(String.join("; ", reasons)), code);
        }
        return new CycleOutcome.Partial(reasons);
    }

    private Map<String, Long> callCounts() {
        try {
            Map<String, Long> counts = settings.crm().callCounts();
            return counts == null ? Map.of() : Map.copyOf(counts);
        } catch (RuntimeException e) {
            LOG.debug("CRM call counts unavailable", SafeText.scrubbed(e));
            return Map.of();
        }
    }

    private static Map<String, Long> diff(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new HashMap<>();
        after.forEach((k, v) -> {
            long delta = v - before.getOrDefault(k, 0L);
            if (delta > 0) {
                d.put(k, delta);
            }
        });
        return d;
    }

    /** @return the exception's message as a report may carry it: {@link SafeText#describe} */
    private static String message(Throwable e) {
        return e instanceof CycleStoppedException ? SafeText.bounded(e.getMessage()) : SafeText.describe(e);
    }
}
