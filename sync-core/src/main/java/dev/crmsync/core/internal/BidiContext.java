package dev.crmsync.core.internal;

import dev.crmsync.core.report.PushResult;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncBase;
import dev.crmsync.store.SyncSide;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What the stages of one bidirectional type's run share: the type run, the type's description,
 * its two failure books, its operations, and the batched look-ups every stage makes. Built once
 * per type run by {@link BidirectionalSync}; the stages take it and pass values between them.
 */
final class BidiContext {
    final TypeRun run;
    final EngineSettings settings;
    final ObjectType type;
    final BidiType t;
    final SideFailures crmFail;
    final SideFailures storeFail;
    final BidiOps ops;
    final TypeCounters counters;
    /** Campaign-member creates, or null for the other types. */
    final MemberCreates members;
    /**
     * Records whose host change this run has already checked for fields the CRM will not take
     * ({@link UnwrittenFields}): a host change merged in the CRM phase is not reported again when
     * the marketing feed brings it.
     */
    final Set<CrmId> hostChangeNoted = new HashSet<>();
    /**
     * Records this run found deleted from the store by the host while the CRM had not changed them
     * since their base ({@code RecordPlan.DeletedInStore}): the host-delete step needs no read of them.
     */
    final Set<CrmId> deletedInStoreUnchanged = new HashSet<>();
    private final Function<ObjectType, Optional<BidiType>> describe;
    private final Map<ObjectType, BidiOps> otherOps = new HashMap<>();
    /** Records written to the CRM in this run (creates and updates), for the run's note. */
    private long pushedToCrm;

    BidiContext(TypeRun run, Function<ObjectType, Optional<BidiType>> describe) {
        this.run = run;
        this.settings = run.settings();
        this.type = run.type();
        this.t = BidiType.of(settings, run.schema(), run.fields());
        this.counters = run.counters();
        this.describe = describe;
        this.crmFail = SideFailures.load(settings.state(), type, SyncSide.CRM, settings.maxAttempts(),
                settings.clock(), run.listener(), counters);
        this.storeFail = run.storeFailures();
        this.ops = new BidiOps(settings, t, crmFail, storeFail, counters, run.listener(), run::checkLease);
        ops.recordActivities(run.activities());
        this.members = type.equals(ObjectType.CAMPAIGN_MEMBER) ? new MemberCreates(settings, ops, this::opsOf) : null;
    }

    Instant now() {
        return run.now();
    }

    void pushed(long n) {
        pushedToCrm += n;
    }

    long pushedToCrm() {
        return pushedToCrm;
    }

    /** Another bidirectional type's operations, for pushes of persons and conversions. */
    Optional<BidiOps> opsOf(ObjectType other) {
        if (other.equals(type)) {
            return Optional.of(ops);
        }
        BidiOps o = otherOps.get(other);
        if (o == null) {
            Optional<BidiType> bt = describe.apply(other);
            if (bt.isEmpty()) {
                return Optional.empty();
            }
            o = new BidiOps(settings, bt.get(),
                    SideFailures.lazy(settings.state(), other, SyncSide.CRM, settings.maxAttempts(), settings.clock(),
                            run.listener(), counters),
                    SideFailures.lazy(settings.state(), other, SyncSide.MARKETING, settings.maxAttempts(),
                            settings.clock(), run.listener(), counters),
                    counters, run.listener(), run::checkLease);
            o.recordActivities(run.activities());
            otherOps.put(other, o);
        }
        return Optional.of(o);
    }

    /** Forgets whatever is on record for a key that needs nothing more. */
    void forget(RecordKey key) {
        crmFail.succeeded(key);
        storeFail.succeeded(key);
    }

    /**
     * Creates marketing-only records in the CRM: members (their persons first), or persons and
     * campaigns.
     *
     * @param records marketing-only records of this type
     * @param repeatUnconfirmed true to send a create again although an earlier one is unconfirmed
     */
    void create(List<MarketingRecord> records, boolean repeatUnconfirmed) {
        pushedToCrm += members != null ? members.create(records, repeatUnconfirmed)
                : count(ops.push(records, repeatUnconfirmed));
    }

    private static long count(List<PushResult> results) {
        return results.stream().filter(r -> r instanceof PushResult.Created).count();
    }

    /** Store records of this type by CRM id, in batches of the store's size. */
    Map<CrmId, MarketingRecord> findByCrmIds(List<CrmId> ids) {
        Map<CrmId, MarketingRecord> out = new HashMap<>();
        int size = settings.storeBatchSize();
        for (int from = 0; from < ids.size(); from += size) {
            out.putAll(settings.store().findByCrmIds(type, ids.subList(from, Math.min(ids.size(), from + size))));
        }
        return out;
    }

    /** Bases of this type by CRM id, in batches of the store's size. */
    Map<CrmId, SyncBase> bases(Collection<CrmId> ids) {
        return bases(type, ids);
    }

    /** Bases of a type by CRM id, in batches of the store's size; no call for no ids. */
    Map<CrmId, SyncBase> bases(ObjectType of, Collection<CrmId> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        List<CrmId> list = List.copyOf(ids);
        Map<CrmId, SyncBase> out = new HashMap<>();
        int size = settings.storeBatchSize();
        for (int from = 0; from < list.size(); from += size) {
            out.putAll(settings.state().bases(of, list.subList(from, Math.min(list.size(), from + size))));
        }
        return out;
    }
}
