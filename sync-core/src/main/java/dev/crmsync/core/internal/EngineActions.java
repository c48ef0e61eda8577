package dev.crmsync.core.internal;

import dev.crmsync.core.report.PushResult;
import dev.crmsync.core.Resolution;
import dev.crmsync.core.SyncListener;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.store.Lease;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.ParkedConflict;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncBase;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.SyncStateStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the engine does outside a cycle, on the host's request: pushes (Marketo's "Sync Person to
 * SFDC") and manual conflict resolutions. The engine runs them while no cycle runs.
 */
public final class EngineActions {
    private static final Logger LOG = LoggerFactory.getLogger(EngineActions.class);

    private EngineActions() {
    }

    /** The code of a push refused because another engine instance holds the type's lease. */
    public static final String LEASE_HELD = "LEASE_HELD";
    /**
     * The code of a push that a whole-call failure of the marketing store or the state store (reading
     * the record, taking the lease) left without an answer: retriable, nothing was sent.
     */
    public static final String STORE_CALL_FAILED = "STORE_CALL_FAILED";

    /**
     * Creates marketing records in the CRM at once and links them, under the lease of each type it
     * writes (the lease a cycle takes for that type). While another engine instance holds it, the
     * records of that type are answered {@link PushResult.Rejected} with {@link #LEASE_HELD},
     * retriable, naming the holder, and nothing is sent.
     *
     * @param settings the engine's settings
     * @param leases the engine instance's leases
     * @param listener the guarded listener
     * @param type Lead, Contact or Campaign
     * @param marketingIds the records
     * @return one result per id, in order
     */
    public static List<PushResult> pushNow(EngineSettings settings, LeaseKeeper leases, SyncListener listener,
                                           ObjectType type, List<String> marketingIds) {
        TypeCounters counters = new TypeCounters();
        Activities activities = Activities.of(settings, null);
        SyncListener heard = ActivityListener.of(listener, activities);
        Map<ObjectType, BidiOps> opsByType = new LinkedHashMap<>();
        Map<ObjectType, List<MarketingRecord>> found = new LinkedHashMap<>();
        Map<ObjectType, List<Integer>> at = new LinkedHashMap<>();
        PushResult[] out = new PushResult[marketingIds.size()];
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < marketingIds.size(); i++) {
            String id = marketingIds.get(i);
            if (seen.containsKey(id)) {
                continue;        // asked twice: the first answer serves both
            }
            seen.put(id, i);
            Optional<MarketingRecord> r;
            try {
                r = settings.bidirectionalStore().findByMarketingId(type, id);
            } catch (SyncException failed) {
                // the store failed as a whole call: nothing was sent; a retriable answer, never a throw
                LOG.warn("pushNow {}: reading record {} from the marketing store failed ({}); not pushed", type, id,
                        failed.getClass().getSimpleName());
                out[i] = new PushResult.Rejected(id, STORE_CALL_FAILED, "the push of " + type + " record " + id
                        + " failed: reading it from the marketing store failed as a whole call ("
                        + failed.getClass().getSimpleName() + "); nothing was sent", true);
                continue;
            }
            if (r.isEmpty()) {
                out[i] = new PushResult.NotFound(id);
                continue;
            }
            // as Marketo: a person the CRM deleted, pushed again, is created as a new Lead
            ObjectType as = r.get().type().equals(ObjectType.CONTACT) && r.get().crmDeleted() ? ObjectType.LEAD : type;
            found.computeIfAbsent(as, k -> new ArrayList<>()).add(r.get());
            at.computeIfAbsent(as, k -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<ObjectType, List<MarketingRecord>> e : found.entrySet()) {
            List<Integer> idx = at.get(e.getKey());
            String leaseName = CycleRunner.LEASE_PREFIX + e.getKey().apiName();
            LeaseKeeper.Acquired granted;
            try {
                granted = leases.acquire(leaseName);
            } catch (SyncException failed) {
                // the state store failed as a whole call: nothing was sent; a retriable answer, never a throw
                LOG.warn("pushNow {}: taking lease '{}' failed ({}); {} record(s) not pushed", e.getKey(), leaseName,
                        failed.getClass().getSimpleName(), idx.size());
                for (int k = 0; k < idx.size(); k++) {
                    out[idx.get(k)] = new PushResult.Rejected(e.getValue().get(k).marketingId(), STORE_CALL_FAILED,
                            "the push of " + e.getKey() + " records failed: taking lease '" + leaseName
                            + "' failed as a whole call (" + failed.getClass().getSimpleName() + "); nothing was sent",
                            true);
                }
                continue;
            }
            LeaseKeeper.Hold hold = granted.hold();
            if (hold == null) {
                Lease holder = Objects.requireNonNull(granted.holder(), "holder");
                LOG.warn("pushNow {}: lease '{}' is held by {}; {} record(s) not pushed, push again later", e.getKey(),
                        leaseName, holder.holder(), idx.size());
                String why = "not pushed: lease '" + leaseName + "' is held by " + holder.holder()
                        + "; push again once it is free";
                for (int k = 0; k < idx.size(); k++) {
                    out[idx.get(k)] = new PushResult.Rejected(e.getValue().get(k).marketingId(), LEASE_HELD, why, true);
                }
                continue;
            }
            try {
                List<PushResult> results;
                try {
                    BidiOps ops = opsByType.computeIfAbsent(e.getKey(), k -> opsFor(settings, heard, k, counters, hold));
                    ops.recordActivities(activities);
                    results = ops.push(e.getValue(), false, true);
                } catch (SyncException failed) {
                    // the describe failed (or the type is not readable): nothing was sent, the records are
                    // still marketing-only; a retriable answer, never a throw (BidiOps.push contains the rest)
                    LOG.warn("pushNow {}: describing the type failed ({}); {} records not pushed", e.getKey(),
                            failed.getClass().getSimpleName(), e.getValue().size());
                    results = e.getValue().stream().<PushResult>map(r -> new PushResult.Rejected(r.marketingId(),
                            BidiOps.CALL_FAILED, "the push of " + e.getKey() + " records failed as a whole call ("
                            + failed.getClass().getSimpleName() + "); nothing was sent", true)).toList();
                }
                for (int k = 0; k < results.size(); k++) {
                    out[idx.get(k)] = results.get(k);
                }
            } finally {
                hold.release();
            }
        }
        for (int i = 0; i < out.length; i++) {
            if (out[i] == null) {
                out[i] = out[seen.get(marketingIds.get(i))];
            }
        }
        try {
            activities.flush();
        } catch (SyncException failed) {
            // the pushes are done and linked: a failure to write their activities is no failure of theirs
            LOG.warn("pushNow {}: writing the persons' activity history failed ({}); the pushes stand", type,
                    failed.getClass().getSimpleName());
        }
        LOG.info("pushNow {}: {} asked, {} created", type, marketingIds.size(), counters.snapshot().created());
        return List.of(out);
    }

    private static BidiOps opsFor(EngineSettings settings, SyncListener listener, ObjectType type,
                                  TypeCounters counters, LeaseKeeper.Hold hold) {
        Runnable checkLease = () -> {
            hold.check(type);
            hold.renewIfDue();
            hold.check(type);
        };
        EngineSettings fenced = FencedState.fence(settings, hold, type);
        BidiType t = BidiType.describe(settings, type).orElseThrow(() -> new SyncException(
                "the integration user cannot read " + type + " in the CRM, so nothing can be pushed", type, null, null));
        SideFailures crm = SideFailures.lazy(fenced.state(), type, SyncSide.CRM, settings.maxAttempts(),
                settings.clock(), listener, counters);
        SideFailures store = SideFailures.lazy(fenced.state(), type, SyncSide.MARKETING, settings.maxAttempts(),
                settings.clock(), listener, counters);
        return new BidiOps(fenced, t, crm, store, counters, listener, checkLease);
    }

    /**
     * Resolves a parked conflict: rewrites the field's base so that the chosen side's value is the
     * only change, and queues the record, so that the next cycle writes it to the other side.
     *
     * @param settings the engine's settings
     * @param conflict the conflict as listed
     * @param resolution {@link Resolution#CRM} or {@link Resolution#MARKETING}
     * @return false if no such conflict is parked
     */
    public static boolean resolveConflict(EngineSettings settings, ParkedConflict conflict, Resolution resolution) {
        SyncStateStore state = settings.state();
        Optional<ParkedConflict> current = state.parkedConflicts().stream()
                .filter(c -> c.type().equals(conflict.type()) && c.crmId().equals(conflict.crmId())
                        && c.field().equals(conflict.field()))
                .findFirst();
        if (current.isEmpty()) {
            return false;
        }
        ParkedConflict c = current.get();
        CrmId id = c.crmId();
        SyncBase base = state.bases(c.type(), List.of(id)).get(id);
        if (base != null) {
            FieldValue loser = resolution instanceof Resolution.TakeCrm ? c.marketingValue() : c.crmValue();
            Map<String, FieldValue> fields = new LinkedHashMap<>(base.fields());
            if (loser.isNull()) {
                fields.remove(c.field());
            } else {
                fields.put(c.field(), loser);
            }
            state.saveBases(List.of(new SyncBase(base.type(), id, base.marketingId(), fields, base.pending(),
                    base.crmModstamp(), settings.clock().instant())));
        }
        SideFailures.followUp(state, c.type(), RecordKey.crm(id), "conflict on field '" + c.field() + "' resolved for the "
                + (resolution instanceof Resolution.TakeCrm ? "CRM" : "marketing") + " side", settings.clock().instant());
        state.deleteConflict(c.type(), id, c.field());
        LOG.info("{} {}: parked conflict on field '{}' resolved for the {} side; the next cycle applies it", c.type(),
                id, c.field(), resolution instanceof Resolution.TakeCrm ? "CRM" : "marketing");
        return true;
    }
}
