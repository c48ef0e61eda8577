package dev.crmsync.kafka.connect;

import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.core.HostDeletes;
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
import dev.crmsync.model.QuotaExceededException;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.EngineIntent;
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
import dev.crmsync.store.ValueFingerprint;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
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
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
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
 * records written on both sides are saved under the lease. Host deletes are carried to the CRM by the connector's
 * policy, creates are recorded (or sent as upserts) so that a lost answer never makes a second record, and each put
 * first re-drives the due records of the failure book of the partition numbers the task holds.
 */
public class MergeSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(MergeSinkTask.class);

    /** The failure book's attempts before a record is parked, as the engine's default. */
    static final int MAX_ATTEMPTS = 5;

    /** Most host deletes of a type read when a batch has CRM records the store does not hold. */
    static final int HOST_DELETES_SCAN = 10_000;

    /** Longest gap between two reads of the failure book for due records (shorter when the retry interval is). */
    static final Duration MAX_SCAN_GAP = Duration.ofSeconds(10);

    /** Most failures of a side and type read per put when looking for due ones. */
    static final int RETRY_SCAN = 1_000;

    private final Clock clock;
    private final String instance = UUID.randomUUID().toString();
    private final Map<String, Org> orgs = new HashMap<>();
    private final Map<Part, Lease> leases = new HashMap<>();
    private final Set<TopicPartition> assigned = new HashSet<>();
    /** By org and type: the merge (each org has its own policy). */
    private final Map<String, RecordMerge> merges = new HashMap<>();
    private @Nullable MergeSettings settings;
    /** When the failure book was last read for due records. */
    private @Nullable Instant lastRetryScan;

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
     * @throws RetriableException if a partition's lease is held by another task (not expired yet), or a CRM call
     *     failed retriably (its quota spent, a lost answer): the batch is delivered again
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
            if (r.key() instanceof String key && partitionOf(key, s.partitions()) != partition) {
                throw new ConnectException("a record of " + r.topic() + " keyed " + key + " is on partition " + partition
                        + ", where the default partitioner over " + MergeSinkConnector.TOPIC_PARTITIONS + "="
                        + s.partitions() + " string keys puts it on " + partitionOf(key, s.partitions()) + ": set "
                        + MergeSinkConnector.TOPIC_PARTITIONS + " to the topics' partition count, and send the sources'"
                        + " keys with the StringConverter and the default partitioner");
            }
            byPart.computeIfAbsent(new Part(t.get().org(), t.get().type(), partition), k -> new ArrayList<>()).add(r);
        }
        renewIdle(byPart.keySet(), s);
        retryBooked(s);
        for (Map.Entry<Part, List<SinkRecord>> e : byPart.entrySet()) {
            Part part = e.getKey();
            Org org = org(part.org());
            Lease lease = lease(part, org, s);
            try {
                apply(part, org, lease, decode(part.type(), e.getValue()), s);
            } catch (RetriableSyncException | QuotaExceededException ex) {
                // the batch is delivered again: what was merged merges to nothing, a create sent is on record
                throw new RetriableException(part.leaseName() + ": a retriable failure (" + ex.getClass().getSimpleName()
                        + "); the batch is merged again", ex);
            }
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

    /** What one (org, type, partition number) round has to do: from a batch of records, or from the failure book. */
    private static final class Work {
        /** By CRM id: the newest CRM version the round was given. */
        final Map<CrmId, SyncRecord> crmSide = new LinkedHashMap<>();
        /** The linked records to merge. */
        final Set<CrmId> ids = new LinkedHashSet<>();
        /** Marketing ids of marketing-only records, to create in the CRM. */
        final Set<String> unlinked = new LinkedHashSet<>();
        /** The CRM's deletions. */
        final List<Deletion> crmDeleted = new ArrayList<>();
        /** The host's deletions of linked records: CRM id to the marketing id it had. */
        final Map<CrmId, String> hostDeleted = new LinkedHashMap<>();
        /** Marketing ids of marketing-only records the host deleted: a failed create of them ends. */
        final Set<String> forgotten = new LinkedHashSet<>();
        /** The linked records taken from the failure book: one that merges to nothing leaves it. */
        final Set<CrmId> retried = new LinkedHashSet<>();
    }

    /** Sorts one (org, type, partition number) batch into its work. */
    private static Work decode(ObjectType type, List<SinkRecord> batch) {
        Work w = new Work();
        for (SinkRecord r : batch) {
            if (r.value() == null) {
                continue;
            }
            if (r.topic().endsWith(MergeSettings.MARKETING_SUFFIX)) {
                MarketingCodec.Decoded d = MarketingCodec.decode(r.value());
                MarketingRecord m = d.record();
                if (d.deleted() && m.crmId() == null) {
                    w.unlinked.remove(m.marketingId());
                    w.forgotten.add(m.marketingId());
                    LOG.info("{} marketing id {}: deleted by the host before it reached the CRM; nothing to do", type,
                            m.marketingId());
                } else if (d.deleted()) {
                    w.hostDeleted.put(m.crmId(), m.marketingId());
                    w.ids.remove(m.crmId());
                } else if (m.crmId() == null) {
                    w.unlinked.add(m.marketingId());
                } else {
                    w.ids.add(m.crmId());
                }
            } else {
                SyncRecord c = RecordCodec.decode(r.value()).record();
                if (c.deleted()) {
                    w.crmDeleted.add(new Deletion(c.id(), c.modstamp()));
                    w.crmSide.remove(c.id());
                    w.ids.remove(c.id());
                    continue;
                }
                SyncRecord before = w.crmSide.get(c.id());
                if (before == null || !c.modstamp().isBefore(before.modstamp())) {
                    w.crmSide.put(c.id(), c);
                }
                w.ids.add(c.id());
            }
        }
        return w;
    }

    /** Does one (org, type, partition number) round's work. */
    private void apply(Part part, Org org, Lease lease, Work work, MergeSettings s) {
        ObjectType type = part.type();
        RecordMerge merge = merge(part.org(), type, org.policy(), s);
        Set<String> fields = merge.rules().keySet();
        Instant now = clock.instant();
        Map<CrmId, SyncRecord> crmSide = work.crmSide;
        Set<CrmId> ids = new LinkedHashSet<>(work.ids);
        ids.removeAll(work.hostDeleted.keySet());
        for (String marketingId : work.forgotten) {
            org.state().deleteFailure(type, RecordKey.marketing(marketingId), SyncSide.CRM);
        }
        hostDeletes(org, type, lease, work.hostDeleted, fields, s, now);
        List<Deletion> crmDeleted = work.crmDeleted;
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
        crmSide.putAll(fetch(org, type, fetch, fields));
        // a record the host deleted whose delete this sink carried to the CRM: an older CRM version of it must not
        // copy it back (the delete's intent lasts until the CRM's delete comes back)
        Set<RecordKey> hostDeletedEarlier = new HashSet<>();
        Map<CrmId, MarketingRecord> storedNow = stored;
        if (ids.stream().anyMatch(id -> storedNow.get(id) == null && bases.get(id) == null)) {
            for (EngineIntent i : org.state().intents(type, EngineIntent.Kind.HOST_DELETE, HOST_DELETES_SCAN)) {
                hostDeletedEarlier.add(i.key());
            }
        }
        List<SyncRecord> unknown = new ArrayList<>();
        for (CrmId id : ids) {
            SyncRecord c = crmSide.get(id);
            if (c != null && stored.get(id) == null && bases.get(id) == null
                    && !hostDeletedEarlier.contains(RecordKey.crm(id))) {
                unknown.add(c);
            }
        }
        Map<CrmId, MarketingRecord> adopted = adoptLostCreates(org, type, unknown, s);
        if (!adopted.isEmpty()) {
            stored = new LinkedHashMap<>(stored);
            stored.putAll(adopted);
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
            if (m == null && b == null && hostDeletedEarlier.contains(RecordKey.crm(id))) {
                LOG.info("{} {}: deleted by the host and in the CRM; an older CRM version is not copied back", type, id);
                continue;
            }
            if (m == null && b != null && !c.modstamp().isAfter(b.crmModstamp())) {
                // the host deleted it and it stays in the CRM: copied back when the CRM changes it, not before
                continue;
            }
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
            } else if (work.retried.contains(id)) {
                clearFailures(org, type, RecordKey.crm(id));    // both sides agree now: nothing left to retry
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
            for (Deletion d : crmDeleted) {
                // the echo of a host delete carried to the CRM: the delete is done
                org.state().deleteIntent(type, RecordKey.crm(d.crmId()), EngineIntent.Kind.HOST_DELETE);
            }
        }
        createUnlinked(org, type, lease, work.unlinked, fields, s, now);
        saveBases(org, lease, next.values());
    }

    /** Reads records by id from the CRM, 200 a call. */
    private static Map<CrmId, SyncRecord> fetch(Org org, ObjectType type, List<CrmId> ids, Set<String> fields) {
        Map<CrmId, SyncRecord> out = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i += 200) {
            for (SyncRecord c : org.crm().fetch(type, ids.subList(i, Math.min(ids.size(), i + 200)), fields)) {
                out.put(c.id(), c);
            }
        }
        return out;
    }

    /**
     * Carries the host's deletes of linked records to the CRM as the embedded engine does ({@link HostDeletes}): a
     * record the store holds again, or that was never merged (no base), is left alone; with
     * {@link HostDeletes#KEEP_IN_CRM} the CRM record and its base stay (a later CRM change copies it back). Otherwise
     * a {@link EngineIntent.HostDelete} is saved, the CRM record read by id: gone already, the delete is done; changed
     * since its base, it is kept and copied back into the store (an edit wins over a delete); else it is deleted in
     * the CRM. A delete the CRM refuses is booked on the CRM side: with a retriable code its intent stays for the
     * retry of the failure book; refused for good, the record is copied back. A delete that landed drops the base and
     * keeps the intent until the CRM's own delete of the record comes back on its topic.
     */
    private void hostDeletes(Org org, ObjectType type, Lease lease, Map<CrmId, String> deleted, Set<String> fields,
                             MergeSettings s, Instant now) {
        if (deleted.isEmpty()) {
            return;
        }
        List<CrmId> ids = List.copyOf(deleted.keySet());
        Map<CrmId, MarketingRecord> held = org.store().findByCrmIds(type, ids);
        Map<CrmId, SyncBase> bases = org.state().bases(type, ids);
        List<CrmId> check = new ArrayList<>();
        for (CrmId id : ids) {
            if (held.containsKey(id)) {
                // held again (copied back meanwhile): the CRM record stays
                org.state().deleteIntent(type, RecordKey.crm(id), EngineIntent.Kind.HOST_DELETE);
                LOG.info("{} {}: deleted by the host; the store holds it again: the CRM record stays", type, id);
            } else if (bases.get(id) == null) {
                // never merged (the CRM record stays), or deleted in the CRM already (delivered again): its intent,
                // if any, waits for the CRM's delete to come back
                LOG.info("{} {}: deleted by the host; no merge base: nothing to carry to the CRM", type, id);
            } else if (s.hostDeletes() == HostDeletes.KEEP_IN_CRM) {
                LOG.info("{} {}: deleted by the host; kept in the CRM (host.deletes=KEEP_IN_CRM)", type, id);
            } else {
                check.add(id);
            }
        }
        if (check.isEmpty()) {
            return;
        }
        requireLease(org, lease);
        for (CrmId id : check) {
            org.state().saveIntent(new EngineIntent.HostDelete(type, RecordKey.crm(id), deleted.get(id), now));
        }
        Map<CrmId, SyncRecord> crmNow = fetch(org, type, check, fields);
        List<CrmId> toDelete = new ArrayList<>();
        List<SyncRecord> keep = new ArrayList<>();
        for (CrmId id : check) {
            SyncRecord c = crmNow.get(id);
            if (c == null || c.deleted()) {
                hostDeleteDone(org, type, id);
            } else if (c.modstamp().equals(bases.get(id).crmModstamp())) {
                toDelete.add(id);
            } else {
                LOG.info("{} {}: deleted by the host but changed in the CRM since the merge; kept and copied back",
                        type, id);
                keep.add(c);
            }
        }
        List<CrmId> refused = new ArrayList<>();
        int size = Math.max(1, org.crm().maxWriteBatch());
        for (int i = 0; i < toDelete.size(); i += size) {
            List<CrmId> chunk = toDelete.subList(i, Math.min(toDelete.size(), i + size));
            requireLease(org, lease);
            List<CrmWriteResult> results = org.crm().delete(type, List.copyOf(chunk));
            if (results.size() != chunk.size()) {
                throw new ConnectException("the CRM answered " + results.size() + " results for " + chunk.size()
                        + " deletes of " + type);
            }
            for (int k = 0; k < chunk.size(); k++) {
                CrmId id = chunk.get(k);
                if (results.get(k) instanceof CrmWriteResult.Rejected rej) {
                    fail(org, type, RecordKey.crm(id), SyncSide.CRM, rej.code(), rej.retriable(), "the CRM refused to"
                            + " delete " + type + " " + id.value() + ", which the host deleted (" + rej.code() + ")", now);
                    if (!rej.retriable()) {
                        refused.add(id);
                    }
                } else {
                    hostDeleteDone(org, type, id);
                    org.state().deleteFailure(type, RecordKey.crm(id), SyncSide.CRM);
                }
            }
        }
        if (!refused.isEmpty()) {
            // refused for good (a converted lead, no permission): kept in the CRM, and copied back into the store
            keep.addAll(fetch(org, type, refused, fields).values().stream().filter(c -> !c.deleted()).toList());
        }
        copyBack(org, type, lease, keep, fields, now);
    }

    /** A host delete the CRM has done: the base goes; the intent stays until the CRM's delete comes back. */
    private static void hostDeleteDone(Org org, ObjectType type, CrmId id) {
        org.state().deleteBase(type, id);
        LOG.info("{} {}: deleted by the host, and now in the CRM", type, id);
    }

    /** Copies CRM records the host deleted back into the store, as new marketing records with new bases. */
    private void copyBack(Org org, ObjectType type, Lease lease, List<SyncRecord> records, Set<String> fields,
                          Instant now) {
        if (records.isEmpty()) {
            return;
        }
        List<SyncRecord> copies = new ArrayList<>();
        for (SyncRecord c : records) {
            copies.add(new SyncRecord(type, c.id(), only(c.fields(), fields), c.modstamp(), false));
        }
        requireLease(org, lease);
        List<SyncBase> bases = new ArrayList<>();
        List<StoreResult> results = org.store().upsert(type, copies);
        for (int i = 0; i < copies.size(); i++) {
            SyncRecord c = copies.get(i);
            StoreResult res = results.get(i);
            org.state().deleteIntent(type, RecordKey.crm(c.id()), EngineIntent.Kind.HOST_DELETE);
            if (res instanceof StoreResult.Rejected rej) {
                org.state().deleteBase(type, c.id());
                fail(org, type, RecordKey.crm(c.id()), SyncSide.MARKETING, rej.code(), rej.retriable(),
                        "the store rejected the copy back of " + type + " " + c.id().value(), now);
            } else {
                String marketingId = res instanceof StoreResult.Created cr ? cr.marketingId()
                        : res instanceof StoreResult.Updated u ? u.marketingId()
                        : res instanceof StoreResult.Unchanged u ? u.marketingId() : null;
                bases.add(new SyncBase(type, c.id(), marketingId, c.fields(), c.modstamp(), now));
            }
        }
        if (!bases.isEmpty()) {
            org.state().inTransaction(() -> {
                requireLease(org, lease);
                org.state().saveBases(bases);
                return null;
            });
        }
    }

    /**
     * Creates marketing-only records in the CRM and links them; their bases are the new id's partition's. With a
     * marketing-id field for the type ({@code marketing.id.field.<Type>}) each is an idempotent
     * {@link CrmWrite.Upsert} by it, safe to send again after a lost answer. Without one, an
     * {@link EngineIntent.UnconfirmedCreate} (the fingerprints of the values sent) is saved before the create is
     * sent, as the engine does: should its answer be lost, the record is not created again while the intent is
     * younger than {@link MergeSettings#createConfirmTimeout()} — the record the create made comes back on the CRM
     * topic and is linked ({@link #adoptLostCreates}) — and is sent again after it.
     */
    private void createUnlinked(Org org, ObjectType type, Lease lease, Set<String> unlinked,
                                Set<String> fields, MergeSettings s, Instant now) {
        if (unlinked.isEmpty()) {
            return;
        }
        Set<String> crmOwned = s.crmOwnedFields(type);
        Optional<String> idField = s.marketingIdField(type);
        List<CrmWrite> creates = new ArrayList<>();
        List<String> refs = new ArrayList<>();
        for (String marketingId : unlinked) {
            RecordKey key = RecordKey.marketing(marketingId);
            Optional<MarketingRecord> now1 = org.store().findByMarketingId(type, marketingId);
            if (now1.isEmpty() || now1.get().crmId() != null) {
                // gone, or linked meanwhile (its changes come keyed by CRM id): a failed create of it ends
                org.state().deleteFailure(type, key, SyncSide.CRM);
                org.state().deleteIntent(type, key, EngineIntent.Kind.UNCONFIRMED_CREATE);
                continue;
            }
            Optional<EngineIntent> sent = idField.isPresent() ? Optional.empty()
                    : org.state().intent(type, key, EngineIntent.Kind.UNCONFIRMED_CREATE);
            if (sent.isPresent()) {
                Instant due = sent.get().recordedAt().plus(s.createConfirmTimeout());
                if (now.isBefore(due)) {
                    LOG.info("{} {}: a create sent earlier is not confirmed yet; not sent again before {} (the record"
                            + " it made is linked when it comes back on the CRM topic)", type, key, due);
                    continue;
                }
                LOG.warn("{} {}: a create sent earlier did not come back within {}; sent again", type, key,
                        s.createConfirmTimeout());
            }
            Map<String, FieldValue> values = new LinkedHashMap<>();
            for (String f : fields) {
                FieldValue v = now1.get().get(f);
                if (!crmOwned.contains(f) && !v.isBlank() && !idField.filter(f::equals).isPresent()) {
                    values.put(f, v);
                }
            }
            creates.add(idField.isPresent() ? new CrmWrite.Upsert(marketingId, idField.get(), marketingId, values)
                    : new CrmWrite.Create(marketingId, values));
            refs.add(marketingId);
        }
        requireLease(org, lease);
        for (int i = 0; i < creates.size(); i += Math.max(1, org.crm().maxWriteBatch())) {
            int end = Math.min(creates.size(), i + Math.max(1, org.crm().maxWriteBatch()));
            if (idField.isEmpty()) {
                for (int k = i; k < end; k++) {
                    Map<String, ValueFingerprint> fp = new TreeMap<>();
                    creates.get(k).fields().forEach((f, v) -> fp.put(f, ValueFingerprint.of(v)));
                    org.state().saveIntent(new EngineIntent.UnconfirmedCreate(type, RecordKey.marketing(refs.get(k)),
                            now, fp));
                }
            }
            List<CrmWriteResult> results = org.crm().write(type, creates.subList(i, end));
            for (int k = 0; k < end - i; k++) {
                String marketingId = refs.get(i + k);
                RecordKey key = RecordKey.marketing(marketingId);
                CrmWriteResult res = results.get(k);
                if (res instanceof CrmWriteResult.Written w) {
                    org.store().link(type, marketingId, w.id());
                    org.state().deleteFailure(type, key, SyncSide.CRM);
                } else if (res instanceof CrmWriteResult.Rejected rej) {
                    fail(org, type, key, SyncSide.CRM, rej.code(), rej.retriable(), "the CRM rejected the"
                            + " create of " + type + " marketing id " + marketingId + " (" + rej.code() + ", fields "
                            + rej.fields() + ")", now);
                }
                org.state().deleteIntent(type, key, EngineIntent.Kind.UNCONFIRMED_CREATE);     // the CRM answered
            }
        }
    }

    /**
     * Links CRM records the store does not hold to the marketing-only records whose create made them but whose
     * answer was lost: by the marketing-id field when the type has one and the record carries it, else by the
     * values the create sent (an {@link EngineIntent.UnconfirmedCreate} that exactly one record matches).
     *
     * @param unknown the CRM records with neither a store record nor a base
     * @return the marketing records linked, by CRM id
     */
    private Map<CrmId, MarketingRecord> adoptLostCreates(Org org, ObjectType type, List<SyncRecord> unknown,
                                                          MergeSettings s) {
        Map<CrmId, MarketingRecord> out = new LinkedHashMap<>();
        if (unknown.isEmpty()) {
            return out;
        }
        Optional<String> idField = s.marketingIdField(type);
        List<EngineIntent.UnconfirmedCreate> sent = new ArrayList<>();
        if (idField.isEmpty()) {
            for (EngineIntent i : org.state().intents(type, EngineIntent.Kind.UNCONFIRMED_CREATE, HOST_DELETES_SCAN)) {
                if (i instanceof EngineIntent.UnconfirmedCreate u) {
                    sent.add(u);
                }
            }
            if (sent.isEmpty()) {
                return out;
            }
        }
        Set<String> taken = new HashSet<>();
        for (SyncRecord c : unknown) {
            String marketingId = null;
            if (idField.isPresent()) {
                FieldValue v = c.get(idField.get());
                marketingId = v.isBlank() ? null : v.asText();
            } else {
                List<EngineIntent.UnconfirmedCreate> matches = new ArrayList<>();
                for (EngineIntent.UnconfirmedCreate u : sent) {
                    if (!taken.contains(u.key().marketingId()) && !u.sent().isEmpty()
                            && u.sent().entrySet().stream().allMatch(e -> e.getValue().matches(c.get(e.getKey())))) {
                        matches.add(u);
                    }
                }
                if (matches.size() == 1) {
                    marketingId = matches.get(0).key().marketingId();
                } else if (matches.size() > 1) {
                    LOG.warn("{} {}: the values of {} creates whose answers were lost match it; none is linked", type,
                            c.id(), matches.size());
                }
            }
            if (marketingId == null) {
                continue;
            }
            Optional<MarketingRecord> m = org.store().findByMarketingId(type, marketingId);
            if (m.isEmpty() || m.get().crmId() != null) {
                continue;
            }
            org.store().link(type, marketingId, c.id());
            RecordKey key = RecordKey.marketing(marketingId);
            org.state().deleteIntent(type, key, EngineIntent.Kind.UNCONFIRMED_CREATE);
            org.state().deleteFailure(type, key, SyncSide.CRM);
            taken.add(marketingId);
            LOG.info("{} {}: made by the create of {} whose answer was lost; linked", type, c.id(), key);
            org.store().findByMarketingId(type, marketingId).ifPresent(linked -> out.put(c.id(), linked));
        }
        return out;
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
            clearFailures(org, b.type(), RecordKey.crm(b.crmId()));
        }
    }

    private static void clearFailures(Org org, ObjectType type, RecordKey key) {
        for (SyncSide side : SyncSide.values()) {
            if (org.state().failure(type, key, side).isPresent()) {
                org.state().deleteFailure(type, key, side);
            }
        }
    }

    /**
     * Re-drives the due records of the failure book whose partition numbers this task holds, as the engine's cycles
     * do: CRM rejections with a retriable code (a data error waits for a change of the record or a re-drive by the
     * host), the store's rejections (but rows it cannot read, which the marketing source reads again), and host
     * deletes the CRM refused retriably. A record is due once {@link MergeSettings#retryInterval()} has passed since
     * its last attempt; at most {@value MergeSinkConnector#RETRIES_PER_PUT} per put; each is merged afresh under its
     * partition's lease (read by id from the CRM, its store record as it is now). One that fails again counts one
     * more attempt and is parked after {@value #MAX_ATTEMPTS}.
     */
    private void retryBooked(MergeSettings s) {
        Instant started = clock.instant();
        Duration every = s.retryInterval().compareTo(MAX_SCAN_GAP) < 0 ? s.retryInterval() : MAX_SCAN_GAP;
        if (lastRetryScan != null && started.isBefore(lastRetryScan.plus(every))) {
            return;     // the book was read a moment ago: nothing of it is due yet that was not then
        }
        lastRetryScan = started;
        Map<String, Map<ObjectType, Set<Integer>>> held = new LinkedHashMap<>();
        for (TopicPartition tp : assigned) {
            Optional<MergeSettings.Topic> t = s.topic(tp.topic());
            if (t.isEmpty()) {
                continue;
            }
            Part p = new Part(t.get().org(), t.get().type(), tp.partition());
            if (!leases.containsKey(p)) {
                // assigned but idle since: its lease is taken for the retry unless another task still holds it
                Org org = org(p.org());
                LeaseAttempt a = org.state().tryAcquireLease(p.leaseName(), s.owner(), instance, s.leaseTtl());
                if (!(a instanceof LeaseAttempt.Granted g)) {
                    continue;
                }
                leases.put(p, g.lease());
            }
            held.computeIfAbsent(p.org(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(p.type(), k -> new HashSet<>()).add(p.partition());
        }
        int budget = MergeSinkConnector.RETRIES_PER_PUT;
        Instant now = clock.instant();
        for (Map.Entry<String, Map<ObjectType, Set<Integer>>> byOrg : held.entrySet()) {
            Org org = orgs.get(byOrg.getKey());
            if (org == null) {
                continue;
            }
            for (Map.Entry<ObjectType, Set<Integer>> byType : byOrg.getValue().entrySet()) {
                if (budget <= 0) {
                    return;
                }
                ObjectType type = byType.getKey();
                Map<Integer, Work> work = new LinkedHashMap<>();
                for (SyncSide side : SyncSide.values()) {
                    for (FailedRecord f : org.state().retryQueue(type, side, RETRY_SCAN)) {
                        if (budget <= 0) {
                            break;
                        }
                        int p = partitionOf(f.key(), s.partitions());
                        if (f.parked() || !byType.getValue().contains(p) || f.lastFailedAt().plus(s.retryInterval()).isAfter(now)
                                || (side == SyncSide.CRM && !f.retriable())
                                || f.code().equals(MarketingChangesSourceConnector.UNREADABLE_IN_STORE)) {
                            continue;
                        }
                        Work w = work.computeIfAbsent(p, k -> new Work());
                        if (f.key() instanceof RecordKey.Marketing mk) {
                            if (side == SyncSide.CRM && w.unlinked.add(mk.marketingId())) {
                                budget--;
                            }
                            continue;
                        }
                        CrmId id = ((RecordKey.Crm) f.key()).id();
                        Optional<EngineIntent> delete = org.state().intent(type, f.key(), EngineIntent.Kind.HOST_DELETE);
                        if (side == SyncSide.CRM && delete.isPresent()) {
                            w.hostDeleted.put(id, ((EngineIntent.HostDelete) delete.get()).marketingId());
                        } else {
                            w.ids.add(id);
                            w.retried.add(id);
                        }
                        budget--;
                    }
                }
                if (s.marketingIdField(type).isEmpty()) {
                    for (EngineIntent i : org.state().intents(type, EngineIntent.Kind.UNCONFIRMED_CREATE, RETRY_SCAN)) {
                        int p = partitionOf(i.key(), s.partitions());
                        if (budget > 0 && byType.getValue().contains(p)
                                && !i.recordedAt().plus(s.createConfirmTimeout()).isAfter(now)
                                && work.computeIfAbsent(p, k -> new Work()).unlinked.add(
                                        ((RecordKey.Marketing) i.key()).marketingId())) {
                            budget--;
                        }
                    }
                }
                for (Map.Entry<Integer, Work> e : work.entrySet()) {
                    Part part = new Part(byOrg.getKey(), type, e.getKey());
                    LOG.info("{}: retrying {} records of the failure book", part.leaseName(),
                            e.getValue().ids.size() + e.getValue().unlinked.size() + e.getValue().hostDeleted.size());
                    apply(part, org, lease(part, org, s), e.getValue(), s);
                }
            }
        }
    }

    /**
     * @param key a record's key: its CRM id, or a marketing-only record's marketing id (the sources' record keys)
     * @param partitions the topics' partition count
     * @return the partition the default partitioner gives a record of that key sent as a string
     */
    static int partitionOf(RecordKey key, int partitions) {
        String k = key instanceof RecordKey.Crm c ? c.id().value() : ((RecordKey.Marketing) key).marketingId();
        return partitionOf(k, partitions);
    }

    /** @param key a record key @param partitions the partition count @return the default partitioner's partition */
    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
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
