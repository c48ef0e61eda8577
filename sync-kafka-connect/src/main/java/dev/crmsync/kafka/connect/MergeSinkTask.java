package dev.crmsync.kafka.connect;

import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.core.RecordMerge;
import dev.crmsync.core.Resolution;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.kafka.connect.internal.MarketingCodec;
import dev.crmsync.kafka.connect.internal.MergeSettings;
import dev.crmsync.kafka.connect.internal.RecordCodec;
import dev.crmsync.kafka.connect.internal.Settings;
import dev.crmsync.kafka.connect.internal.Versions;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.Deletion;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.GuardedUpsert;
import dev.crmsync.store.Lease;
import dev.crmsync.store.LeaseAttempt;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.ParkedConflict;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.StoreResult;
import dev.crmsync.store.SyncBase;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.SyncStateStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task of {@link MergeSinkConnector}: merges the records of the partition numbers it holds on both topics of a
 * type, under a lease per partition number in the org's state store (see the connector for why two tasks can never
 * race on one record's base). Each {@link #put} merges a batch per (org, type, partition number): the store's current
 * records are read, the CRM side is the newest CRM record of the batch (read by id from the CRM when the batch has
 * none, or only one older than the base), each record is merged by {@link RecordMerge}, the CRM updates go in
 * batches of {@link CrmSource#maxWriteBatch()}, the store writes as one guarded upsert, and the new bases of the
 * records written on both sides are saved under the lease.
 */
public class MergeSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(MergeSinkTask.class);

    /** The failure book's attempts before a record is parked, as the engine's default. */
    static final int MAX_ATTEMPTS = 5;

    private final Clock clock;
    private final String instance = UUID.randomUUID().toString();
    private final Map<String, Org> orgs = new HashMap<>();
    private final Map<Part, Lease> leases = new HashMap<>();
    private final Set<TopicPartition> assigned = new HashSet<>();
    /** By org and type: the merge (each org has its own policy). */
    private final Map<String, RecordMerge> merges = new HashMap<>();
    private @Nullable MergeSettings settings;

    /** One org's sides and state. */
    private record Org(CrmSource crm, BidirectionalStore store, SyncStateStore state, ConflictPolicy policy) {
    }

    /** A partition number of one org's type: what a lease covers. */
    private record Part(String org, ObjectType type, int partition) {
        String leaseName() {
            return "crmsync-merge:" + org + ":" + type.apiName() + ":" + partition;
        }
    }

    /** Creates the task; Connect calls {@link #initialize} and {@link #start} next. */
    public MergeSinkTask() {
        this(Clock.systemUTC());
    }

    /** @param clock the time (bases' and failures' times) */
    MergeSinkTask(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String version() {
        return Versions.version();
    }

    @Override
    public void start(Map<String, String> props) {
        this.settings = MergeSettings.parse(props);
    }

    /**
     * Takes the partitions and checks that every partition number is held on both topics of its type.
     *
     * @param partitions the partitions newly assigned
     * @throws ConnectException if a partition number of a type is assigned on one of its topics only
     */
    @Override
    public void open(Collection<TopicPartition> partitions) {
        assigned.addAll(partitions);
        MergeSettings s = settings();
        Set<String> topics = new HashSet<>();
        for (TopicPartition tp : assigned) {
            topics.add(tp.topic());
        }
        for (TopicPartition tp : assigned) {
            Optional<MergeSettings.Topic> t = s.topic(tp.topic());
            if (t.isEmpty()) {
                continue;
            }
            String twin = t.get().marketing()
                    ? tp.topic().substring(0, tp.topic().length() - MergeSettings.MARKETING_SUFFIX.length())
                    : tp.topic() + MergeSettings.MARKETING_SUFFIX;
            if (topics.contains(twin) && !assigned.contains(new TopicPartition(twin, tp.partition()))) {
                throw new ConnectException("partition " + tp.partition() + " of " + tp.topic() + " is assigned to this"
                        + " task without the same partition of " + twin + ": the two topics of a type must have the same"
                        + " partition count and a range assignment (consumer.override.partition.assignment.strategy="
                        + "org.apache.kafka.clients.consumer.RangeAssignor)");
            }
        }
    }

    /**
     * Gives back the leases of the partition numbers no longer held on either topic.
     *
     * @param partitions the partitions revoked
     */
    @Override
    public void close(Collection<TopicPartition> partitions) {
        assigned.removeAll(partitions);
        MergeSettings s = settings;
        if (s == null) {
            return;
        }
        Set<Part> still = new HashSet<>();
        for (TopicPartition tp : assigned) {
            s.topic(tp.topic()).ifPresent(t -> still.add(new Part(t.org(), t.type(), tp.partition())));
        }
        for (Part p : new ArrayList<>(leases.keySet())) {
            if (!still.contains(p)) {
                Lease lease = leases.remove(p);
                Org org = orgs.get(p.org());
                if (org != null && lease != null) {
                    org.state().releaseLease(lease);
                }
            }
        }
    }

    /**
     * Merges the records, a batch per (org, type, partition number).
     *
     * @param records the records
     * @throws RetriableException if a partition's lease is held by another task (not expired yet): the batch is
     *     delivered again
     * @throws ConnectException if this task lost a lease (a zombie): nothing more of that partition is written
     */
    @Override
    public void put(Collection<SinkRecord> records) {
        MergeSettings s = settings();
        Map<Part, List<SinkRecord>> byPart = new LinkedHashMap<>();
        for (SinkRecord r : records) {
            Optional<MergeSettings.Topic> t = s.topic(r.topic());
            if (t.isEmpty()) {
                throw new ConnectException("topic " + r.topic() + " is not <prefix>.<org>.<two-way type>[.marketing]"
                        + " for the prefix " + s.topicPrefix());
            }
            int partition = r.kafkaPartition() == null ? 0 : r.kafkaPartition();
            byPart.computeIfAbsent(new Part(t.get().org(), t.get().type(), partition), k -> new ArrayList<>()).add(r);
        }
        renewIdle(byPart.keySet(), s);
        for (Map.Entry<Part, List<SinkRecord>> e : byPart.entrySet()) {
            Part part = e.getKey();
            Org org = org(part.org());
            Lease lease = lease(part, org, s);
            merge(part, org, lease, e.getValue(), s);
        }
    }

    private Lease lease(Part part, Org org, MergeSettings s) {
        Lease held = leases.get(part);
        if (held != null) {
            Optional<Lease> renewed = org.state().renewLease(held, s.leaseTtl());
            if (renewed.isPresent()) {
                leases.put(part, renewed.get());
                return renewed.get();
            }
            leases.remove(part);
        }
        LeaseAttempt a = org.state().tryAcquireLease(part.leaseName(), s.owner(), instance, s.leaseTtl());
        if (a instanceof LeaseAttempt.Refused r) {
            if (held != null) {
                // this task held it, it lapsed and another task took it: this task is a zombie
                throw new ConnectException("lost the lease " + part.leaseName() + " (fencing token "
                        + held.fencingToken() + ") to " + r.holder().holder() + ": another task owns partition "
                        + part.partition() + " now; this task writes nothing more of it");
            }
            throw new RetriableException("the lease " + part.leaseName() + " is held by " + r.holder().holder()
                    + "; retrying once it is released or expires");
        }
        Lease lease = ((LeaseAttempt.Granted) a).lease();
        if (held != null) {
            // it lapsed (an idle spell past the ttl) and nobody took it: a new grant, and this batch reads afresh
            LOG.info("{}: lapsed and taken again (fencing token {} → {})", part.leaseName(), held.fencingToken(),
                    lease.fencingToken());
        }
        leases.put(part, lease);
        return lease;
    }

    /** Renews the leases of partition numbers not in this put, so that an idle spell does not lapse them. */
    private void renewIdle(Set<Part> busy, MergeSettings s) {
        for (Map.Entry<Part, Lease> e : new ArrayList<>(leases.entrySet())) {
            if (busy.contains(e.getKey())) {
                continue;
            }
            Org org = orgs.get(e.getKey().org());
            if (org != null) {
                org.state().renewLease(e.getValue(), s.leaseTtl()).ifPresentOrElse(l -> leases.put(e.getKey(), l),
                        () -> LOG.info("{}: lapsed while idle; taken again with the next record",
                                e.getKey().leaseName()));
            }
        }
    }

    private RecordMerge merge(String orgId, ObjectType type, ConflictPolicy policy, MergeSettings s) {
        return merges.computeIfAbsent(orgId + ":" + type.apiName(),
                k -> RecordMerge.of(type, policy, s.mergeFields(type), s.crmOwnedFields(type)));
    }

    /** Merges one (org, type, partition number) batch. */
    private void merge(Part part, Org org, Lease lease, List<SinkRecord> batch, MergeSettings s) {
        ObjectType type = part.type();
        RecordMerge merge = merge(part.org(), type, org.policy(), s);
        Set<String> fields = merge.rules().keySet();
        Instant now = clock.instant();
        Map<CrmId, SyncRecord> crmSide = new LinkedHashMap<>();
        Set<CrmId> ids = new LinkedHashSet<>();
        Map<String, MarketingRecord> unlinked = new LinkedHashMap<>();
        List<Deletion> crmDeleted = new ArrayList<>();
        for (SinkRecord r : batch) {
            if (r.value() == null) {
                continue;
            }
            if (r.topic().endsWith(MergeSettings.MARKETING_SUFFIX)) {
                MarketingCodec.Decoded d = MarketingCodec.decode(r.value());
                if (d.deleted()) {
                    LOG.info("{} marketing id {}: deleted by the host; the merge sink leaves host deletions to the store",
                            type, d.record().marketingId());
                } else if (d.record().crmId() == null) {
                    unlinked.put(d.record().marketingId(), d.record());
                } else {
                    ids.add(d.record().crmId());
                }
            } else {
                SyncRecord c = RecordCodec.decode(r.value()).record();
                if (c.deleted()) {
                    crmDeleted.add(new Deletion(c.id(), c.modstamp()));
                    crmSide.remove(c.id());
                    ids.remove(c.id());
                    continue;
                }
                SyncRecord before = crmSide.get(c.id());
                if (before == null || !c.modstamp().isBefore(before.modstamp())) {
                    crmSide.put(c.id(), c);
                }
                ids.add(c.id());
            }
        }
        Map<CrmId, SyncBase> bases = ids.isEmpty() ? Map.of() : org.state().bases(type, ids);
        Map<CrmId, MarketingRecord> stored = ids.isEmpty() ? Map.of() : org.store().findByCrmIds(type, ids);
        // the CRM side: the batch's newest version unless it is older than the base; else read by id
        List<CrmId> fetch = new ArrayList<>();
        for (CrmId id : ids) {
            SyncRecord c = crmSide.get(id);
            SyncBase b = bases.get(id);
            if (c == null || (b != null && c.modstamp().isBefore(b.crmModstamp()))) {
                fetch.add(id);
            }
        }
        for (int i = 0; i < fetch.size(); i += 200) {
            for (SyncRecord c : org.crm().fetch(type, fetch.subList(i, Math.min(fetch.size(), i + 200)), fields)) {
                crmSide.put(c.id(), c);
            }
        }
        List<CrmWrite> crmWrites = new ArrayList<>();
        List<GuardedUpsert> storeWrites = new ArrayList<>();
        List<SyncRecord> firstCopies = new ArrayList<>();
        Map<CrmId, SyncBase> next = new LinkedHashMap<>();
        for (CrmId id : ids) {
            SyncRecord c = crmSide.get(id);
            if (c == null) {
                LOG.info("{} {}: not found in the CRM; nothing merged", type, id);
                continue;
            }
            MarketingRecord m = stored.get(id);
            SyncBase b = bases.get(id);
            if (m == null) {
                Map<String, FieldValue> values = only(c.fields(), fields);
                firstCopies.add(new SyncRecord(type, id, values, c.modstamp(), false));
                next.put(id, new SyncBase(type, id, null, values, c.modstamp(), now));
                continue;
            }
            RecordMerge.Outcome o = merge.merge(c, m, b);
            if (o.failed().isPresent()) {
                fail(org, type, RecordKey.crm(id), SyncSide.MARKETING, "CONFLICT_POLICY_FAILED", false,
                        "the conflict policy failed on " + type + " " + id.value(), now);
                continue;
            }
            for (RecordMerge.Decision d : o.decisions()) {
                if (d.resolution() instanceof Resolution.Park park) {
                    org.state().parkConflict(new ParkedConflict(type, id, m.marketingId(), d.conflict().field(),
                            d.conflict().base(), d.conflict().crmValue(), d.conflict().marketingValue(), park.reason(), now));
                }
                LOG.info("{} {}: conflict on field {} decided {}", type, id, d.conflict().field(),
                        d.resolution().getClass().getSimpleName());
            }
            if (!o.toCrm().isEmpty()) {
                crmWrites.add(new CrmWrite.Update(id, o.toCrm()));
            }
            if (!o.toStore().isEmpty()) {
                Map<String, FieldValue> seen = new LinkedHashMap<>();
                for (String f : o.toStore().keySet()) {
                    seen.put(f, m.get(f));
                }
                storeWrites.add(new GuardedUpsert(new SyncRecord(type, id, o.toStore(), c.modstamp(), false), seen));
            }
            Map<String, FieldValue> agreed = new LinkedHashMap<>(b == null ? Map.of() : b.fields());
            agreed.putAll(o.agreed());
            if (b == null || !o.nothingToWrite() || !agreed.equals(b.fields())) {
                next.put(id, new SyncBase(type, id, m.marketingId(), agreed, c.modstamp(), now));
            }
        }
        requireLease(org, lease);
        // the store side first, one guarded upsert: a host write since the read wins (its feed brings it again), and
        // that record's CRM write waits for the merge of that change
        Set<CrmId> held = new HashSet<>();
        if (!storeWrites.isEmpty()) {
            List<StoreResult> results = org.store().upsertIfUnchanged(type, storeWrites);
            for (StoreResult res : results) {
                if (res instanceof StoreResult.Changed) {
                    next.remove(res.crmId());
                    held.add(res.crmId());
                } else if (res instanceof StoreResult.Rejected rej) {
                    next.remove(res.crmId());
                    held.add(res.crmId());
                    fail(org, type, RecordKey.crm(res.crmId()), SyncSide.MARKETING, rej.code(), rej.retriable(),
                            "the store rejected the merge's write of " + type + " " + res.crmId().value(), now);
                }
            }
        }
        // the CRM side, in batches
        crmWrites.removeIf(w -> held.contains(((CrmWrite.Update) w).id()));
        for (int i = 0; i < crmWrites.size(); i += Math.max(1, org.crm().maxWriteBatch())) {
            List<CrmWrite> chunk = crmWrites.subList(i, Math.min(crmWrites.size(), i + Math.max(1, org.crm().maxWriteBatch())));
            List<CrmWriteResult> results = org.crm().write(type, chunk);
            for (int k = 0; k < chunk.size(); k++) {
                CrmId id = ((CrmWrite.Update) chunk.get(k)).id();
                CrmWriteResult res = results.get(k);
                if (res instanceof CrmWriteResult.Rejected rej) {
                    next.remove(id);
                    fail(org, type, RecordKey.crm(id), SyncSide.CRM, rej.code(), rej.retriable(), "the CRM rejected the merge's update"
                            + " of " + type + " " + id.value() + " (" + rej.code() + ", fields " + rej.fields() + ")", now);
                } else if (res instanceof CrmWriteResult.Written w && w.modstamp() != null && next.containsKey(id)) {
                    SyncBase nb = next.get(id);
                    next.put(id, new SyncBase(type, id, nb.marketingId(), nb.fields(), w.modstamp(), now));
                }
            }
        }
        if (!firstCopies.isEmpty()) {
            for (StoreResult res : org.store().upsert(type, firstCopies)) {
                SyncBase nb = next.get(res.crmId());
                if (res instanceof StoreResult.Created cr && nb != null) {
                    next.put(res.crmId(), new SyncBase(type, res.crmId(), cr.marketingId(), nb.fields(), nb.crmModstamp(), now));
                } else if (res instanceof StoreResult.Rejected rej) {
                    next.remove(res.crmId());
                    fail(org, type, RecordKey.crm(res.crmId()), SyncSide.MARKETING, rej.code(), rej.retriable(),
                            "the store rejected " + type + " " + res.crmId().value(), now);
                }
            }
        }
        if (!crmDeleted.isEmpty()) {
            org.store().markDeleted(type, crmDeleted);
        }
        createUnlinked(org, type, lease, unlinked, fields, s, now);
        saveBases(org, lease, next.values());
    }

    /** Creates marketing-only records in the CRM and links them; their bases are the new id's partition's. */
    private void createUnlinked(Org org, ObjectType type, Lease lease, Map<String, MarketingRecord> unlinked,
                                Set<String> fields, MergeSettings s, Instant now) {
        if (unlinked.isEmpty()) {
            return;
        }
        Set<String> crmOwned = s.crmOwnedFields(type);
        List<CrmWrite> creates = new ArrayList<>();
        List<String> refs = new ArrayList<>();
        for (MarketingRecord announced : unlinked.values()) {
            Optional<MarketingRecord> now1 = org.store().findByMarketingId(type, announced.marketingId());
            if (now1.isEmpty() || now1.get().crmId() != null) {
                continue;   // gone, or linked meanwhile (its changes come keyed by CRM id)
            }
            Map<String, FieldValue> values = new LinkedHashMap<>();
            for (String f : fields) {
                FieldValue v = now1.get().get(f);
                if (!crmOwned.contains(f) && !v.isBlank()) {
                    values.put(f, v);
                }
            }
            creates.add(new CrmWrite.Create(announced.marketingId(), values));
            refs.add(announced.marketingId());
        }
        requireLease(org, lease);
        for (int i = 0; i < creates.size(); i += Math.max(1, org.crm().maxWriteBatch())) {
            int end = Math.min(creates.size(), i + Math.max(1, org.crm().maxWriteBatch()));
            List<CrmWriteResult> results = org.crm().write(type, creates.subList(i, end));
            for (int k = 0; k < end - i; k++) {
                String marketingId = refs.get(i + k);
                CrmWriteResult res = results.get(k);
                if (res instanceof CrmWriteResult.Written w) {
                    org.store().link(type, marketingId, w.id());
                    org.state().deleteFailure(type, RecordKey.marketing(marketingId), SyncSide.CRM);
                } else if (res instanceof CrmWriteResult.Rejected rej) {
                    fail(org, type, RecordKey.marketing(marketingId), SyncSide.CRM, rej.code(), rej.retriable(), "the CRM rejected the"
                            + " create of " + type + " marketing id " + marketingId + " (" + rej.code() + ", fields "
                            + rej.fields() + ")", now);
                }
            }
        }
    }

    private void requireLease(Org org, Lease lease) {
        if (!org.state().holdsLease(lease)) {
            leases.values().remove(lease);
            throw new ConnectException("the lease " + lease.name() + " (fencing token " + lease.fencingToken()
                    + ") is no longer this task's: another task owns the partition now; nothing more is written");
        }
    }

    /** Saves the bases in one transaction that first checks the lease: a zombie's bases are refused. */
    private void saveBases(Org org, Lease lease, Collection<SyncBase> bases) {
        if (bases.isEmpty()) {
            return;
        }
        List<SyncBase> copy = List.copyOf(bases);
        org.state().inTransaction(() -> {
            requireLease(org, lease);
            org.state().saveBases(copy);
            return null;
        });
        // a record merged and written on both sides leaves the failure book
        for (SyncBase b : copy) {
            for (SyncSide side : SyncSide.values()) {
                RecordKey key = RecordKey.crm(b.crmId());
                if (org.state().failure(b.type(), key, side).isPresent()) {
                    org.state().deleteFailure(b.type(), key, side);
                }
            }
        }
    }

    private static void fail(Org org, ObjectType type, RecordKey key, SyncSide side, String code, boolean retriable,
                             String message, Instant now) {
        Optional<FailedRecord> previous = org.state().failure(type, key, side);
        FailedRecord f = previous.isEmpty()
                ? new FailedRecord(type, key, side, code, message, retriable, 1, now, now, false)
                : previous.get().failedAgain(code, message, retriable, now, MAX_ATTEMPTS);
        org.state().saveFailure(f);
        LOG.warn("{} {}: {} refused the merge's write ({}); kept in the failure book", type, key, side, code);
    }

    private static Map<String, FieldValue> only(Map<String, FieldValue> values, Set<String> fields) {
        Map<String, FieldValue> out = new LinkedHashMap<>();
        for (String f : fields) {
            FieldValue v = values.get(f);
            if (v != null) {
                out.put(f, v);
            }
        }
        return out;
    }

    private Org org(String orgId) {
        Org org = orgs.get(orgId);
        if (org != null) {
            return org;
        }
        MergeSettings s = settings();
        Map<String, String> own = Settings.orgSettings(orgId, s.originals(), null);
        CrmSource crm = Settings.instantiate(CrmSourceFactory.class, s.crmFactory()).open(orgId, own);
        MarketingStore store = Settings.instantiate(MarketingStoreFactory.class, s.storeFactory()).open(orgId,
                Settings.orgSettings(orgId, s.originals(), "store."));
        if (!(store instanceof BidirectionalStore bidi)) {
            throw new ConnectException("org " + orgId + ": the marketing store factory gave a "
                    + store.getClass().getSimpleName() + ", which cannot hold two-way types (not a BidirectionalStore)");
        }
        SyncStateStore state = Settings.instantiate(SyncStateStoreFactory.class, s.stateFactory()).open(orgId,
                Settings.orgSettings(orgId, s.originals(), "state."));
        ConflictPolicy policy = Settings.instantiate(ConflictPolicyFactory.class, s.policyFactory()).open(orgId, own);
        org = new Org(crm, bidi, state, policy);
        orgs.put(orgId, org);
        return org;
    }

    private MergeSettings settings() {
        MergeSettings s = settings;
        if (s == null) {
            throw new IllegalStateException("not started");
        }
        return s;
    }

    /** Gives back the leases and closes the CRM sources and the stores that are {@link AutoCloseable}. */
    @Override
    public void stop() {
        for (Map.Entry<Part, Lease> e : leases.entrySet()) {
            Org org = orgs.get(e.getKey().org());
            if (org != null) {
                try {
                    org.state().releaseLease(e.getValue());
                } catch (RuntimeException ex) {
                    LOG.warn("giving back {} failed ({})", e.getKey().leaseName(), ex.getClass().getSimpleName());
                }
            }
        }
        leases.clear();
        for (Org org : orgs.values()) {
            try {
                org.crm().close();
            } catch (RuntimeException e) {
                LOG.warn("closing a CRM source failed ({})", e.getClass().getSimpleName());
            }
            for (Object o : List.of(org.store(), org.state())) {
                if (o instanceof AutoCloseable c) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        LOG.warn("closing a store failed ({})", e.getClass().getSimpleName());
                    }
                }
            }
        }
        orgs.clear();
    }
}
