package dev.crmsync.core.internal;

import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.core.report.LeadConversion;
import dev.crmsync.core.report.RecordsMerged;
import dev.crmsync.core.Resolution;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.ChangePage;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.crm.Cursor;
import dev.crmsync.model.Deletion;
import dev.crmsync.store.EngineIntent.UnconfirmedCreate;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.ParkedConflict;
import dev.crmsync.store.PendingWrites;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.StoreResult;
import dev.crmsync.store.SyncBase;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.ValueFingerprint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bidirectional strategy, for Lead, Contact, Campaign and CampaignMember: a three-way merge
 * per field against the base kept in the state store.
 *
 * <h2>One type's run</h2>
 * <ol>
 *   <li><b>Marketing changes</b> ({@link dev.crmsync.store.BidirectionalStore#changesSince}), page by
 *       page, committing the feed cursor with the page's writes. A linked record whose values still
 *       equal its base is passed over without a CRM call (an echo, or a change already merged). A
 *       marketing-only person or campaign is <em>not</em> pushed (Marketo's rule: only
 *       {@code pushNow} or a synced campaign creates it), unless an earlier push of it failed and it
 *       changed since. A marketing-only campaign member is created in the CRM, its person first
 *       if needed.</li>
 *   <li><b>CRM changes</b>, as in the one-way pipeline: the full copy first, then the change
 *       stream from the checkpoint (or the previous watermark minus the lookback), and the delete
 *       log. CRM records unknown to the store are first matched against creates whose answer was
 *       lost (by the marketing-id field, or by their values), then created in the store.</li>
 *   <li><b>Unconfirmed creates</b> not matched by the CRM's changes never reached the CRM: they are
 *       sent again.</li>
 *   <li><b>Retries and follow-ups</b>: records the CRM rejected with a retriable code (a locked
 *       row), records the store rejected, records re-driven by the host, and records whose values
 *       the engine changed itself (merge survivors, converted persons).</li>
 * </ol>
 *
 * <h2>Reconciling a batch</h2>
 * Loads both sides and the bases, applies structural changes first (CRM merges: the store merges
 * the losers into the survivor; lead conversions: the person becomes a Contact), merges each
 * linked record field by field ({@link FieldMerger}), writes the CRM in batches of at most the
 * CRM's limit (per-record results: a rejected record is reported and kept for retry while the
 * others proceed), then writes the store, the bases and the checkpoint together. A base records
 * only what both sides hold after the writes, so the next read of either side sees no change
 * (no echo) and a quiet cycle writes nothing.
 */
public final class BidirectionalSync implements TypeSync {
    private static final Logger LOG = LoggerFactory.getLogger(BidirectionalSync.class);

    private static final String CONFLICT_POLICY_FAILED = "CONFLICT_POLICY_FAILED";

    private final Map<ObjectType, Optional<BidiType>> described = new HashMap<>();
    private String describedCycle;

    @Override
    public void sync(TypeRun run) {
        new Pass(run).run();
    }

    /** A type's description for this cycle (cached per cycle). */
    private Optional<BidiType> typeOf(TypeRun run, ObjectType type) {
        if (!run.cycleId().equals(describedCycle)) {
            described.clear();
            describedCycle = run.cycleId();
        }
        return described.computeIfAbsent(type, k -> BidiType.describe(run.settings(), k));
    }

    /** One type's run. */
    private final class Pass {
        final TypeRun run;
        final EngineSettings settings;
        final ObjectType type;
        final BidiType t;
        final SideFailures crmFail;
        final SideFailures storeFail;
        final BidiOps ops;
        final TypeCounters counters;
        final Map<String, Map<String, ParkedConflict>> conflicts = new HashMap<>();
        final MemberCreates members;
        final Map<ObjectType, BidiOps> otherOps = new HashMap<>();
        long pushedToCrm;
        long conflictsDecided;
        long conflictsParked;

        Pass(TypeRun run) {
            this.run = run;
            this.settings = run.settings();
            this.type = run.type();
            this.t = BidiType.of(settings, run.schema(), run.fields());
            this.counters = run.counters();
            this.crmFail = SideFailures.load(settings.state(), type, SyncSide.CRM, settings.maxAttempts(),
                    settings.clock(), run.listener(), counters);
            this.storeFail = run.storeFailures();
            this.ops = new BidiOps(settings, t, crmFail, storeFail, counters, run.listener());
            for (ParkedConflict c : settings.state().parkedConflicts()) {
                if (c.type().equals(type)) {
                    conflicts.computeIfAbsent(c.crmId().value(), k -> new HashMap<>()).put(c.field(), c);
                }
            }
            this.members = type.equals(ObjectType.CAMPAIGN_MEMBER) ? new MemberCreates(settings, ops, this::opsOf) : null;
        }

        Instant now() {
            return run.now();
        }

        void run() {
            marketingPhase();
            crmPhase();
            repeatUnconfirmedPushes();
            retries();
            if (pushedToCrm > 0) {
                run.note(pushedToCrm + " record" + (pushedToCrm == 1 ? "" : "s") + " written to the CRM");
            }
            if (conflictsDecided + conflictsParked > 0) {
                run.note(conflictsDecided + " conflict" + (conflictsDecided == 1 ? "" : "s") + " decided by the policy, "
                        + conflictsParked + " parked for manual resolution");
            }
        }

        /** Another bidirectional type's operations, for pushes of persons and conversions. */
        Optional<BidiOps> opsOf(ObjectType other) {
            if (other.equals(type)) {
                return Optional.of(ops);
            }
            BidiOps o = otherOps.get(other);
            if (o == null) {
                Optional<BidiType> bt = typeOf(run, other);
                if (bt.isEmpty()) {
                    return Optional.empty();
                }
                o = new BidiOps(settings, bt.get(),
                        SideFailures.lazy(settings.state(), other, SyncSide.CRM, settings.maxAttempts(), settings.clock(),
                                run.listener(), counters),
                        SideFailures.lazy(settings.state(), other, SyncSide.MARKETING, settings.maxAttempts(),
                                settings.clock(), run.listener(), counters),
                        counters, run.listener());
                otherOps.put(other, o);
            }
            return Optional.of(o);
        }

        // ==== 1. marketing changes ===============================================================

        void marketingPhase() {
            FeedCursor cursor = run.checkpoint().marketingCursor();
            int limit = settings.storeBatchSize();
            while (true) {
                run.checkContinue();
                ChangePage page = settings.bidirectionalStore().changesSince(type, cursor, limit);
                if (page == null) {
                    throw new SyncException("marketing store returned no change page", type, null, null);
                }
                if (page.records().isEmpty() && page.nextCursor().equals(cursor)) {
                    break;
                }
                Checkpoint next = run.checkpoint().withMarketingCursor(page.nextCursor(), now());
                processMarketing(page.records(), next);
                cursor = page.nextCursor();
                if (!page.hasMore()) {
                    break;
                }
            }
        }

        void processMarketing(List<MarketingRecord> records, Checkpoint next) {
            List<MarketingRecord> unlinked = new ArrayList<>();
            Map<CrmId, MarketingRecord> linked = new LinkedHashMap<>();
            for (MarketingRecord r : records) {
                if (!r.type().equals(type)) {
                    continue;       // relinked to another type since (a conversion)
                }
                if (r.crmId() == null) {
                    unlinked.add(r);
                } else if (r.crmDeleted()) {
                    counters.skipped();      // deleted in the CRM: edits stay in the store (push it to revive it)
                } else {
                    linked.put(r.crmId(), r);
                }
            }
            if (!unlinked.isEmpty()) {
                pushChanged(unlinked);
            }
            Map<CrmId, SyncBase> bases = bases(linked.keySet());
            Work w = new Work();
            for (MarketingRecord r : linked.values()) {
                SyncBase b = bases.get(r.crmId());
                RecordKey key = RecordKey.crm(r.crmId());
                boolean pending = crmFail.hasFailure(key) || storeFail.hasFailure(key);
                if (b == null && !run.checkpoint().initialCopyDone()) {
                    continue;            // the full copy links it
                }
                boolean inFlight = b != null && !b.pending().isEmpty();
                if (b != null && !pending && !inFlight && equalsBase(r, b)) {
                    continue;                // nothing changed on the marketing side (an echo): not counted
                }
                w.fetch.add(r.crmId());
                w.mkt.put(r.crmId(), r);
                w.hostChanged.add(r.crmId());
                if (b != null) {
                    w.bases.put(r.crmId(), b);
                }
            }
            reconcile(w, next);
        }

        /** Marketing-only records that changed: members are created; persons and campaigns only if a push was asked for. */
        void pushChanged(List<MarketingRecord> unlinked) {
            if (members != null) {
                pushedToCrm += members.create(unlinked, false);
                return;
            }
            List<MarketingRecord> retry = new ArrayList<>();
            for (MarketingRecord r : unlinked) {
                if (crmFail.hasFailure(RecordKey.marketing(r.marketingId()))) {
                    retry.add(r);        // a push was asked for and failed; it changed since: try again
                } else {
                    counters.skipped();  // marketing-only: not pushed by the cycle (pushNow does)
                }
            }
            if (!retry.isEmpty()) {
                pushedToCrm += count(ops.push(retry, false));
            }
        }

        boolean equalsBase(MarketingRecord r, SyncBase b) {
            for (String f : t.synced()) {
                if (!r.get(f).equals(b.get(f))) {
                    return false;
                }
            }
            return true;
        }

        // ==== 2. CRM changes =====================================================================

        void crmPhase() {
            Checkpoint cp = run.checkpoint();
            if (!cp.initialCopyDone()) {
                readChanges(cp.crmCursor(), true);
                applyDeletionLog();
                return;
            }
            Instant watermark = applyDeletionLog();
            Instant previous = cp.deletionsCheckedUntil();
            readChanges(run.incrementalStart(), false);
            if (watermark != null && (previous == null || watermark.isAfter(previous))) {
                run.commit(() -> { }, run.checkpoint().withDeletionsCheckedUntil(watermark, now()));
            }
        }

        void readChanges(Cursor from, boolean initial) {
            run.readChanges(from, initial, t.read, (page, next) -> {
                Work w = new Work();
                page.forEach(r -> w.crm.put(r.id(), r));
                reconcile(w, next);
            });
        }

        /** Applies the delete log since the last check; reconciles id sets after a retention gap. */
        Instant applyDeletionLog() {
            Checkpoint cp = run.checkpoint();
            Instant checked = cp.deletionsCheckedUntil();
            Instant now = now();
            Instant start = (checked == null ? now : checked).minus(settings.lookback());
            if (!now.isAfter(start)) {
                return null;
            }
            run.checkContinue();
            DeletedRecords log = settings.crm().deletedSince(type, start, now);
            if (log == null) {
                throw new SyncException("CRM returned no delete log", type, null, null);
            }
            Map<CrmId, Deletion> byId = new LinkedHashMap<>();
            log.deletions().forEach(d -> byId.put(d.crmId(), d));
            List<Deletion> all = new ArrayList<>(byId.values());
            int size = settings.storeBatchSize();
            for (int from = 0; from < all.size(); from += size) {
                List<Deletion> batch = all.subList(from, Math.min(all.size(), from + size));
                Map<CrmId, MarketingRecord> held = settings.store().findByCrmIds(type,
                        batch.stream().map(Deletion::crmId).toList());
                List<Deletion> toFlag = new ArrayList<>();
                for (Deletion d : batch) {
                    MarketingRecord m = held.get(d.crmId());
                    if (m == null || m.crmDeleted()
                            || (m.crmModstamp() != null && m.crmModstamp().isAfter(d.deletedAt()))) {
                        continue;
                    }
                    toFlag.add(d);
                }
                run.commit(() -> markDeleted(toFlag), null);
            }
            if (checked == null || log.earliestDateAvailable().isAfter(checked)) {
                run.reconcileStoredIds(checked, log.earliestDateAvailable(), live -> {
                    Work w = new Work();
                    w.fetch.addAll(live.keySet());
                    w.mkt.putAll(live);
                    reconcile(w, null);
                });
            }
            return log.latestDateCovered();
        }

        // ==== 3. unconfirmed creates =============================================================

        void repeatUnconfirmedPushes() {
            List<MarketingRecord> again = new ArrayList<>();
            for (UnconfirmedCreate u : crmFail.unconfirmed()) {
                Optional<MarketingRecord> r = pushable(u.key().marketingId());
                if (r.isEmpty() || (r.get().crmId() != null && !r.get().crmDeleted())) {
                    crmFail.succeeded(u.key());       // gone, or linked since
                } else {
                    again.add(r.get());
                }
            }
            if (!again.isEmpty()) {
                LOG.info("{}: {} creates sent earlier never reached the CRM; sending them again", type, again.size());
                pushedToCrm += members != null ? members.create(again, true) : count(ops.push(again, true));
            }
        }

        /**
         * The record a marketing key of this type names: of this type, or, for Lead, a Contact the
         * CRM deleted (pushed again, it becomes a Lead; its bookkeeping is kept under Lead).
         */
        Optional<MarketingRecord> pushable(String marketingId) {
            Optional<MarketingRecord> r = settings.bidirectionalStore().findByMarketingId(type, marketingId);
            if (r.isEmpty() && type.equals(ObjectType.LEAD)) {
                r = settings.bidirectionalStore().findByMarketingId(ObjectType.CONTACT, marketingId).filter(MarketingRecord::crmDeleted);
            }
            return r;
        }

        // ==== 4. retries and follow-ups ==========================================================

        void retries() {
            List<SideFailures.Due> crmDue = new ArrayList<>();
            for (FailedRecord f : crmFail.due()) {
                if (f.retriable()) {
                    crmDue.add(new SideFailures.Due(f.lastFailedAt(), f.key()));   // data errors wait for a change (or a re-drive)
                }
            }
            crmFail.dueFollowUps().forEach(fu -> crmDue.add(new SideFailures.Due(fu.recordedAt(), fu.key())));
            crmDue.sort(java.util.Comparator.comparing(SideFailures.Due::at).thenComparing(SideFailures.Due::key));
            Set<RecordKey> keys = new LinkedHashSet<>();
            crmDue.forEach(d -> keys.add(d.key()));
            for (FailedRecord f : storeFail.due()) {
                keys.add(f.key());
            }
            keys.addAll(crmFail.followUpsThisRun());
            if (keys.isEmpty()) {
                return;
            }
            LOG.info("{}: retrying {} records", type, keys.size());
            List<CrmId> ids = new ArrayList<>();
            List<MarketingRecord> unlinked = new ArrayList<>();
            for (RecordKey key : keys) {
                if (key instanceof RecordKey.Marketing mk) {
                    Optional<MarketingRecord> r = pushable(mk.marketingId());
                    if (r.isEmpty()) {
                        crmFail.succeeded(key);
                    } else if (r.get().crmId() != null && !r.get().crmDeleted()) {
                        crmFail.succeeded(key);
                        ids.add(r.get().crmId());
                    } else {
                        unlinked.add(r.get());
                    }
                } else {
                    ids.add(((RecordKey.Crm) key).id());
                }
            }
            if (!unlinked.isEmpty()) {
                if (members != null) {
                    pushedToCrm += members.create(unlinked, false);
                } else {
                    pushedToCrm += count(ops.push(unlinked, false));
                }
            }
            int size = settings.fetchSize();
            for (int from = 0; from < ids.size(); from += size) {
                run.checkContinue();
                Work w = new Work();
                w.fetch.addAll(ids.subList(from, Math.min(ids.size(), from + size)));
                reconcile(w, null);
            }
        }

        // ==== reconciling a batch ================================================================

        /** A batch: CRM records already read, ids to fetch, store records and bases already loaded. */
        final class Work {
            final Map<CrmId, SyncRecord> crm = new LinkedHashMap<>();
            final Set<CrmId> fetch = new LinkedHashSet<>();
            final Map<CrmId, MarketingRecord> mkt = new HashMap<>();
            final Map<CrmId, SyncBase> bases = new HashMap<>();
            /** Records read from the marketing change feed: changed by the host. */
            final Set<CrmId> hostChanged = new HashSet<>();
        }

        /** One linked record's merge, and how its writes went. */
        final class Item {
            final SyncRecord crm;
            final MarketingRecord mkt;
            final SyncBase base;
            final SyncBase rawBase;
            final FieldMerger.Plan plan;
            boolean crmRejected;
            boolean storeRejected;
            boolean crmWritten;
            boolean storeWritten;
            boolean holdCrm;
            boolean holdStore;
            Instant stamp;

            Item(SyncRecord crm, MarketingRecord mkt, SyncBase base, SyncBase rawBase, FieldMerger.Plan plan) {
                this.crm = crm;
                this.mkt = mkt;
                this.base = base;
                this.rawBase = rawBase;
                this.plan = plan;
                this.stamp = crm.modstamp();
            }

            RecordKey key() {
                return RecordKey.crm(crm.id());
            }
        }

        void reconcile(Work w, Checkpoint next) {
            // load what is missing: CRM records, store records, bases
            Set<CrmId> ids = new LinkedHashSet<>(w.crm.keySet());
            ids.addAll(w.fetch);
            ids.addAll(w.mkt.keySet());
            if (ids.isEmpty()) {
                if (next != null) {
                    run.commit(() -> { }, next);
                }
                return;
            }
            List<CrmId> toFetch = new ArrayList<>();
            for (CrmId id : ids) {
                if (!w.crm.containsKey(id)) {
                    toFetch.add(id);
                }
            }
            if (!toFetch.isEmpty()) {
                w.crm.putAll(ops.fetch(type, toFetch, t.read));    // ids not found are gone for good (purged)
            }
            List<CrmId> noMkt = ids.stream().filter(id -> !w.mkt.containsKey(id)).toList();
            if (!noMkt.isEmpty()) {
                w.mkt.putAll(findByCrmIds(noMkt));
            }
            List<CrmId> noBase = ids.stream().filter(id -> !w.bases.containsKey(id)).toList();
            w.bases.putAll(bases(noBase));

            // CRM records unknown to the store: creates whose answer was lost are linked first; so is
            // the survivor of a merge, should it be one, before the merge gives its id to a loser
            List<SyncRecord> unknown = new ArrayList<>();
            for (CrmId id : ids) {
                SyncRecord c = w.crm.get(id);
                if (c != null && !w.mkt.containsKey(id)) {
                    unknown.add(c);
                }
            }
            Set<CrmId> masters = new LinkedHashSet<>();
            for (SyncRecord c : w.crm.values()) {
                if (c.deleted() && c.get(SyncRecord.MASTER_RECORD_ID) instanceof FieldValue.Ref master
                        && !ids.contains(master.id())) {
                    masters.add(master.id());
                }
            }
            if (!masters.isEmpty()) {
                Map<CrmId, MarketingRecord> held = findByCrmIds(List.copyOf(masters));
                masters.removeAll(held.keySet());
                if (!masters.isEmpty()) {
                    ops.fetch(type, masters, t.read).values().forEach(unknown::add);
                }
            }
            if (!unknown.isEmpty()) {
                List<CrmId> adopted = new ArrayList<>();
                run.commit(() -> {
                    for (SyncRecord c : unknown) {
                        if (adopt(c)) {
                            adopted.add(c.id());
                        }
                    }
                }, null);
                if (!adopted.isEmpty()) {
                    w.mkt.putAll(findByCrmIds(adopted));
                    w.bases.putAll(bases(adopted));
                }
            }

            // structural changes: merges and conversions
            Map<CrmId, List<CrmId>> merges = new LinkedHashMap<>();
            List<SyncRecord> conversions = new ArrayList<>();
            for (CrmId id : ids) {
                SyncRecord c = w.crm.get(id);
                if (c == null) {
                    continue;
                }
                if (c.deleted() && c.get(SyncRecord.MASTER_RECORD_ID) instanceof FieldValue.Ref master
                        && !master.id().equals(id)) {
                    merges.computeIfAbsent(master.id(), k -> new ArrayList<>()).add(id);
                } else if (!c.deleted() && type.equals(ObjectType.LEAD)
                        && c.get(SyncRecord.IS_CONVERTED) instanceof FieldValue.Bool b && b.value()
                        && c.get(SyncRecord.CONVERTED_CONTACT_ID) instanceof FieldValue.Ref) {
                    conversions.add(c);
                }
            }
            Set<CrmId> structural = new HashSet<>();
            if (!merges.isEmpty() || !conversions.isEmpty()) {
                run.commit(() -> {
                    merges.forEach((master, losers) -> applyMerge(master, losers));
                    for (SyncRecord c : conversions) {
                        applyConversion(c, w.mkt.get(c.id()), w.bases.get(c.id()));
                    }
                }, null);
                merges.values().forEach(structural::addAll);
                conversions.forEach(c -> structural.add(c.id()));
            }

            // plans
            List<Item> items = new ArrayList<>();
            List<SyncRecord> creates = new ArrayList<>();
            List<Deletion> deletions = new ArrayList<>();
            List<CrmWrite> updates = new ArrayList<>();
            List<Item> updated = new ArrayList<>();
            for (CrmId id : ids) {
                if (structural.contains(id)) {
                    continue;
                }
                SyncRecord c = w.crm.get(id);
                MarketingRecord m = w.mkt.get(id);
                SyncBase raw = w.bases.get(id);
                SyncBase b = c == null ? raw : settlePending(raw, c, m);
                RecordKey key = RecordKey.crm(id);
                if (c == null || c.deleted()) {
                    if (m != null && !m.crmDeleted()) {
                        deletions.add(new Deletion(id, c == null ? now() : c.modstamp()));
                    } else {
                        counters.unchanged();
                        forget(key);
                    }
                    continue;
                }
                if (m == null) {
                    Map<String, FieldValue> values = new LinkedHashMap<>();
                    t.synced().forEach(f -> values.put(f, c.get(f)));
                    creates.add(new SyncRecord(type, id, values, c.modstamp(), false));
                    continue;
                }
                boolean unchanged = !w.hostChanged.contains(id) && b != null && c.modstamp().equals(b.crmModstamp());
                Optional<FailedRecord> crmFailure = crmFail.find(key);
                if (unchanged && crmFailure.filter(f -> f.code().equals(CONFLICT_POLICY_FAILED) && f.parked())
                        .isPresent()) {
                    counters.skipped();      // parked whole until it changes again or is re-driven
                    continue;
                }
                FieldMerger.Plan plan = FieldMerger.merge(t, settings.conflictPolicy(), c, m, b);
                if (plan.failed()) {
                    policyFailed(c, m, plan);
                    continue;
                }
                Item item = new Item(c, m, b, raw, plan);
                // a data error waits until the record changes again; a record is written at most once per run
                item.holdCrm = crmFail.failedThisRun(key) || (unchanged
                        && crmFailure.filter(f -> f.parked() || !f.retriable()).isPresent());
                item.holdStore = storeFail.failedThisRun(key) || (unchanged
                        && storeFail.find(key).filter(FailedRecord::parked).isPresent());
                if (item.holdStore) {
                    item.storeRejected = true;
                }
                items.add(item);
                for (FieldMerger.Decided d : plan.decided) {
                    decided(d);
                }
                if (!plan.toCrm.isEmpty() && item.holdCrm) {
                    item.crmRejected = true;
                } else if (!plan.toCrm.isEmpty()) {
                    String what = FieldMerger.describe(t, id, m.marketingId());
                    BidiType.Rejection rej = null;
                    for (Map.Entry<String, FieldValue> e : plan.toCrm.entrySet()) {
                        rej = t.check(what, e.getKey(), e.getValue());
                        if (rej != null) {
                            break;
                        }
                    }
                    if (rej != null) {
                        crmFail.rejected(key, rej.code(), rej.message(), false);
                        item.crmRejected = true;
                    } else {
                        updates.add(new CrmWrite.Update(id, plan.toCrm));
                        updated.add(item);
                    }
                }
            }

            // the values about to be written are recorded in the bases first, so that should the
            // process die before the bases are saved, the next cycle does not take our own writes for
            // users' changes (a conflict, or a change to send back)
            List<SyncBase> inFlight = new ArrayList<>();
            for (Item item : items) {
                boolean toCrm = !item.plan.toCrm.isEmpty() && !item.crmRejected;
                boolean toStore = !item.plan.toStore.isEmpty() && !item.holdStore;
                if (item.base != null && (toCrm || toStore)) {
                    PendingWrites pending = new PendingWrites(toCrm ? item.plan.toCrm : Map.of(),
                            toStore ? item.plan.toStore : Map.of());
                    inFlight.add(new SyncBase(type, item.crm.id(), item.base.marketingId(), item.base.fields(), pending,
                            item.base.crmModstamp(), now()));
                }
            }
            if (!inFlight.isEmpty()) {
                settings.state().saveBases(inFlight);
            }
            // the CRM first (outside the store's transaction), per-record results
            if (!updates.isEmpty()) {
                List<CrmWriteResult> results = ops.write(updates);
                for (int i = 0; i < results.size(); i++) {
                    Item item = updated.get(i);
                    CrmWriteResult r = results.get(i);
                    if (r instanceof CrmWriteResult.Written wr) {
                        item.crmWritten = true;
                        pushedToCrm++;
                        if (wr.modstamp() != null) {
                            item.stamp = wr.modstamp();
                        }
                    } else {
                        CrmWriteResult.Rejected rej = (CrmWriteResult.Rejected) r;
                        item.crmRejected = true;
                        crmFail.rejected(item.key(), rej.code(), rej.message(), rej.retriable());
                    }
                }
            }

            // then the store, the bases and the checkpoint together
            run.commit(() -> {
                writeStore(items, creates);
                markDeleted(deletions);
                List<SyncBase> bases = new ArrayList<>();
                for (Item item : items) {
                    SyncBase nb = newBase(item);
                    if (nb != null && !sameBase(nb, item.rawBase)) {
                        bases.add(nb);
                    } else if (nb == null && item.rawBase != null && item.rawBase != item.base) {
                        bases.add(item.base);    // drop the settled in-flight entries
                    }
                    if (item.crmWritten || item.storeWritten) {
                        counters.updated();
                    } else if (!item.crmRejected && !item.storeRejected) {
                        counters.unchanged();
                    }
                    if (!item.crmRejected) {
                        crmFail.succeeded(item.key());
                    }
                    if (!item.storeRejected) {
                        storeFail.succeeded(item.key());
                    }
                    if ((item.holdCrm && !item.plan.toCrm.isEmpty()) || item.holdStore) {
                        counters.skipped();   // waits for a change or a re-drive
                    }
                    settleConflicts(item);
                }
                if (!bases.isEmpty()) {
                    settings.state().saveBases(bases);
                }
            }, next);
        }

        /** Forgets whatever is on record for a key that needs nothing more. */
        void forget(RecordKey key) {
            crmFail.succeeded(key);
            storeFail.succeeded(key);
        }

        void writeStore(List<Item> items, List<SyncRecord> creates) {
            List<SyncRecord> upserts = new ArrayList<>();
            List<Item> upserted = new ArrayList<>();
            for (Item item : items) {
                if (item.holdStore) {
                    continue;
                }
                if (!item.plan.toStore.isEmpty() || item.mkt.crmDeleted()) {
                    upserts.add(new SyncRecord(type, item.crm.id(), item.plan.toStore, item.stamp, false));
                    upserted.add(item);
                }
            }
            List<SyncRecord> all = new ArrayList<>(upserts);
            all.addAll(creates);
            if (!creates.isEmpty()) {
                // the base first: a crash between the store's create and the base would leave a linked
                // record with no base, and a host edit made before the next cycle would be lost
                List<SyncBase> pending = new ArrayList<>();
                for (SyncRecord rec : creates) {
                    pending.add(new SyncBase(type, rec.id(), null, t.syncedValues(rec.fields()), rec.modstamp(),
                            now()));
                }
                settings.state().saveBases(pending);
            }
            int size = settings.storeBatchSize();
            List<SyncBase> createdBases = new ArrayList<>();
            for (int from = 0; from < all.size(); from += size) {
                List<SyncRecord> batch = all.subList(from, Math.min(all.size(), from + size));
                List<StoreResult> results = settings.store().upsert(type, batch);
                if (results == null || results.size() != batch.size()) {
                    throw new SyncException("marketing store returned " + (results == null ? "null" : results.size())
                            + " results for " + batch.size() + " records from upsert", type, null, null);
                }
                for (int i = 0; i < results.size(); i++) {
                    int at = from + i;
                    StoreResult r = results.get(i);
                    SyncRecord rec = batch.get(i);
                    RecordKey key = RecordKey.crm(rec.id());
                    if (at < upserts.size()) {
                        Item item = upserted.get(at);
                        if (r instanceof StoreResult.Rejected rej) {
                            item.storeRejected = true;
                            storeFail.rejected(key, rej.code(), rej.message(), rej.retriable());
                        } else if (r instanceof StoreResult.NotFound) {
                            item.storeRejected = true;
                            storeFail.rejected(key, "NOT_FOUND", "the store reported the record not found on upsert",
                                    true);
                        } else {
                            item.storeWritten = !(r instanceof StoreResult.Unchanged);
                        }
                        continue;
                    }
                    if (r instanceof StoreResult.Rejected rej) {
                        storeFail.rejected(key, rej.code(), rej.message(), rej.retriable());
                    } else if (r instanceof StoreResult.NotFound) {
                        storeFail.rejected(key, "NOT_FOUND", "the store reported the record not found on upsert", true);
                    } else {
                        String mid = r instanceof StoreResult.Created cr ? cr.marketingId()
                                : r instanceof StoreResult.Updated up ? up.marketingId()
                                : ((StoreResult.Unchanged) r).marketingId();
                        if (r instanceof StoreResult.Created) {
                            counters.created();
                        } else if (r instanceof StoreResult.Updated) {
                            counters.updated();
                        } else {
                            counters.unchanged();
                        }
                        createdBases.add(new SyncBase(type, rec.id(), mid, t.syncedValues(rec.fields()), rec.modstamp(),
                                now()));
                        forget(key);
                    }
                }
            }
            if (!createdBases.isEmpty()) {
                settings.state().saveBases(createdBases);
            }
        }

        void markDeleted(List<Deletion> deletions) {
            if (deletions.isEmpty()) {
                return;
            }
            List<StoreResult> results = settings.store().markDeleted(type, deletions);
            if (results == null || results.size() != deletions.size()) {
                throw new SyncException("marketing store returned " + (results == null ? "null" : results.size())
                        + " results for " + deletions.size() + " records from markDeleted", type, null, null);
            }
            for (int i = 0; i < results.size(); i++) {
                RecordKey key = RecordKey.crm(deletions.get(i).crmId());
                StoreResult r = results.get(i);
                if (r instanceof StoreResult.Rejected rej) {
                    storeFail.rejected(key, rej.code(), rej.message(), rej.retriable());
                    continue;
                }
                if (r instanceof StoreResult.Updated || r instanceof StoreResult.Created) {
                    counters.deleted();
                } else if (r instanceof StoreResult.Unchanged) {
                    counters.unchanged();
                } else {
                    counters.skipped();
                }
                forget(key);     // deleted in the CRM: nothing more to push
            }
        }

        /** The base after the writes: only what both sides now hold. Null when there is none to save. */
        SyncBase newBase(Item item) {
            FieldMerger.Plan p = item.plan;
            Map<String, FieldValue> fields = new LinkedHashMap<>();
            if (item.base == null) {
                if (item.storeRejected) {
                    return null;     // still unlinked in substance: the next merge starts from the CRM again
                }
                p.agreed.forEach((f, v) -> {
                    if (!v.isNull()) {
                        fields.put(f, v);
                    }
                });
            } else {
                fields.putAll(item.base.fields());
                for (Map.Entry<String, FieldValue> e : p.agreed.entrySet()) {
                    String f = e.getKey();
                    if ((p.toCrm.containsKey(f) && !item.crmWritten) || (p.toStore.containsKey(f) && item.storeRejected)) {
                        continue;    // that side does not hold it: the field keeps its old base
                    }
                    if (e.getValue().isNull()) {
                        fields.remove(f);
                    } else {
                        fields.put(f, e.getValue());
                    }
                }
            }
            return new SyncBase(type, item.crm.id(), item.mkt.marketingId(), fields, item.stamp, now());
        }

        /**
         * A base whose in-flight entries are settled against the two records: a value the side
         * holds exactly was written there by the engine, and is agreed; the others never landed.
         */
        SyncBase settlePending(SyncBase raw, SyncRecord c, MarketingRecord m) {
            if (raw == null || raw.pending().isEmpty()) {
                return raw;
            }
            Map<String, FieldValue> fields = new LinkedHashMap<>(raw.fields());
            raw.pending().toCrm().forEach((f, v) -> settle(fields, f, v, c.get(f)));
            raw.pending().toStore().forEach((f, v) -> settle(fields, f, v, m == null ? null : m.get(f)));
            return new SyncBase(raw.type(), raw.crmId(), raw.marketingId(), fields, raw.crmModstamp(), raw.syncedAt());
        }

        /** A value in flight that the side holds exactly was written there by the engine: it is agreed. */
        void settle(Map<String, FieldValue> fields, String f, FieldValue sent, FieldValue there) {
            if (sent.equals(there)) {
                if (sent.isNull()) {
                    fields.remove(f);
                } else {
                    fields.put(f, sent);
                }
            }
        }

        boolean sameBase(SyncBase nb, SyncBase old) {
            return old != null && old.fields().equals(nb.fields()) && old.pending().equals(nb.pending())
                    && Objects.equals(old.marketingId(), nb.marketingId()) && old.crmModstamp().equals(nb.crmModstamp());
        }

        void decided(FieldMerger.Decided d) {
            if (d.resolution() instanceof Resolution.Park park) {
                conflictsParked++;
                LOG.info("{}: conflict on field '{}' parked for manual resolution ({})",
                        FieldMerger.describe(t, d.conflict().crmId(), d.conflict().marketingId()), d.conflict().field(),
                        park.reason());
                settings.state().parkConflict(parked(d.conflict(), park.reason()));
            } else {
                conflictsDecided++;
                LOG.debug("{}: conflict on field '{}' decided: {}", FieldMerger.describe(t, d.conflict().crmId(),
                        d.conflict().marketingId()), d.conflict().field(), d.resolution());
            }
            run.listener().onConflict(d.conflict(), d.resolution());
        }

        ParkedConflict parked(dev.crmsync.core.Conflict c, String reason) {
            ParkedConflict pc = new ParkedConflict(c.type(), c.crmId(), c.marketingId(), c.field(), c.base(),
                    c.crmValue(), c.marketingValue(), reason, now());
            conflicts.computeIfAbsent(c.crmId().value(), k -> new HashMap<>()).put(c.field(), pc);
            return pc;
        }

        /** Forgets parked conflicts of a record whose field is no longer in conflict. */
        void settleConflicts(Item item) {
            Map<String, ParkedConflict> held = conflicts.get(item.crm.id().value());
            if (held == null) {
                return;
            }
            for (String f : new ArrayList<>(held.keySet())) {
                if (!item.plan.parked.contains(f)) {
                    settings.state().deleteConflict(type, item.crm.id(), f);
                    held.remove(f);
                }
            }
        }

        void policyFailed(SyncRecord c, MarketingRecord m, FieldMerger.Plan plan) {
            LOG.warn("{}; the record is parked, nothing of it written", plan.failure);
            settings.state().parkConflict(parked(plan.failedConflict, plan.failure));
            crmFail.parked(RecordKey.crm(c.id()), CONFLICT_POLICY_FAILED, plan.failure);
        }

        // ==== structural changes =================================================================

        /** Merges the marketing losers into the survivor, as the CRM merged them. */
        void applyMerge(CrmId master, List<CrmId> losers) {
            List<CrmId> all = new ArrayList<>();
            all.add(master);
            all.addAll(losers);
            Map<CrmId, MarketingRecord> held = findByCrmIds(all);
            List<MarketingRecord> loserRecs = new ArrayList<>();
            for (CrmId l : losers) {
                MarketingRecord r = held.get(l);
                if (r != null) {
                    loserRecs.add(r);
                }
            }
            Map<CrmId, SyncBase> bases = bases(all);
            if (loserRecs.isEmpty()) {
                losers.forEach(l -> {
                    if (bases.containsKey(l)) {
                        settings.state().deleteBase(type, l);
                    }
                    forget(RecordKey.crm(l));
                });
                return;
            }
            MarketingRecord survivor = held.get(master);
            List<MarketingRecord> order = new ArrayList<>();
            if (survivor != null) {
                order.add(survivor);
            }
            order.addAll(loserRecs);
            // the survivor's values win, but a value beats an empty field (null or blank; false is a value)
            Map<String, FieldValue> first = order.get(0).fields();
            Map<String, FieldValue> filled = new LinkedHashMap<>();
            for (MarketingRecord r : order.subList(1, order.size())) {
                r.fields().forEach((f, v) -> {
                    FieldValue mine = filled.containsKey(f) ? filled.get(f) : first.getOrDefault(f, FieldValue.NULL);
                    if (mine.isBlank() && !v.isBlank()) {
                        filled.put(f, v);
                    }
                });
            }
            SyncBase base = bases.get(master);
            if (base == null) {
                for (MarketingRecord r : loserRecs) {
                    if (bases.containsKey(r.crmId())) {
                        base = bases.get(r.crmId());
                        break;
                    }
                }
            }
            crmFail.followUp(RecordKey.crm(master), "re-check after a merge filled the survivor's empty fields");
            String survivorMid = order.get(0).marketingId();
            if (base != null && (!base.crmId().equals(master) || !survivorMid.equals(base.marketingId()))) {
                // before the merge, so that a crash in between cannot leave the survivor without a base
                settings.state().saveBases(List.of(new SyncBase(type, master, survivorMid, base.fields(),
                        base.pending(), base.crmModstamp(), now())));
            }
            MarketingRecord out = settings.bidirectionalStore().merge(type, master, losers, filled);
            for (CrmId l : losers) {
                if (bases.containsKey(l)) {
                    settings.state().deleteBase(type, l);
                }
                forget(RecordKey.crm(l));
                Map<String, ParkedConflict> stale = conflicts.remove(l.value());
                if (stale != null) {
                    stale.keySet().forEach(f -> settings.state().deleteConflict(type, l, f));
                }
            }
            if (base != null && !out.marketingId().equals(survivorMid)) {
                settings.state().saveBases(List.of(new SyncBase(type, master, out.marketingId(), base.fields(),
                        base.pending(), base.crmModstamp(), now())));
            }
            LOG.info("{}: {} merged into {} in the CRM; marketing record {} survives", type, losers, master,
                    out.marketingId());
            run.listener().onRecordsMerged(new RecordsMerged(type, master, losers, out.marketingId()));
        }

        /** A converted lead: its marketing person becomes a Contact linked to the contact. */
        void applyConversion(SyncRecord lead, MarketingRecord person, SyncBase leadBase) {
            CrmId leadId = lead.id();
            CrmId contactId = ((FieldValue.Ref) lead.get(SyncRecord.CONVERTED_CONTACT_ID)).id();
            forget(RecordKey.crm(leadId));
            if (person == null) {
                if (leadBase != null) {
                    settings.state().deleteBase(type, leadId);
                }
                return;                  // never in the store: the contact syncs as any contact
            }
            Optional<BidiOps> contactOps = opsOf(ObjectType.CONTACT);
            if (contactOps.isEmpty()) {
                LOG.warn("{} {} was converted into contact {}, but the integration user cannot read contacts;"
                        + " the person stays a lead in the store", type, leadId, contactId);
                return;
            }
            BidiType ct = contactOps.get().t;
            SideFailures.followUp(settings.state(), ObjectType.CONTACT, RecordKey.crm(contactId),
                    "re-check after lead " + leadId + " was converted into it", now());
            SyncRecord contact = contactOps.get().fetch(ObjectType.CONTACT, List.of(contactId), ct.read).get(contactId);
            MarketingRecord existing = settings.store().findByCrmIds(ObjectType.CONTACT, List.of(contactId))
                    .get(contactId);
            Map<String, FieldValue> fields = new LinkedHashMap<>();
            for (String f : ct.synced()) {
                FieldValue lv = person.get(f);
                if (existing != null) {
                    if (existing.get(f).isBlank() && !lv.isBlank()) {
                        fields.put(f, lv);           // as a merge: a value beats an empty field
                    }
                } else {
                    boolean changedHere = leadBase != null && t.synced().contains(f) && !lv.equals(leadBase.get(f));
                    fields.put(f, changedHere || contact == null ? lv : contact.get(f));
                }
            }
            if (contact != null && bases(ObjectType.CONTACT, List.of(contactId)).isEmpty()) {
                // before the relink, so that a crash in between cannot leave the contact without a base
                String mid = existing != null ? existing.marketingId() : person.marketingId();
                settings.state().saveBases(List.of(new SyncBase(ObjectType.CONTACT, contactId, mid,
                        ct.syncedValues(contact.fields()), contact.modstamp(), now())));
            }
            MarketingRecord out = settings.bidirectionalStore().relink(ObjectType.LEAD, leadId, ObjectType.CONTACT, contactId, fields);
            if (leadBase != null) {
                settings.state().deleteBase(ObjectType.LEAD, leadId);
            }
            rewindMembers(lead.modstamp());
            boolean into = existing != null && !existing.marketingId().equals(person.marketingId());
            LOG.info("{} {} converted into contact {}: marketing person {} is now a Contact{}", type, leadId, contactId,
                    out.marketingId(), into ? " (merged into the contact's record)" : "");
            run.listener().onLeadConverted(new LeadConversion(leadId, contactId, out.marketingId(), into));
        }

        /**
         * A conversion gives the lead's campaign members the contact's id (in the CRM) while the
         * store repoints their lead reference: the member type re-reads the CRM from the
         * conversion on, so that both agree again.
         */
        void rewindMembers(Instant conversionStamp) {
            Optional<Checkpoint> cp = settings.state().checkpoint(ObjectType.CAMPAIGN_MEMBER);
            Cursor back = new Cursor(conversionStamp, null);
            if (cp.isPresent() && cp.get().initialCopyDone() && cp.get().crmCursor().compareTo(back) > 0) {
                settings.state().saveCheckpoint(cp.get().withCrmCursor(back, cp.get().recordsDone(), now()));
            }
        }

        // ==== adoption of creates whose answer was lost ==========================================

        /** Links a CRM record unknown to the store to the marketing record it was created for, if any. */
        boolean adopt(SyncRecord c) {
            if (c.get(SyncRecord.IS_CONVERTED) instanceof FieldValue.Bool converted && converted.value()) {
                return false;        // a converted lead is no lost create: its person follows the conversion
            }
            MarketingRecord candidate;
            boolean duplicate = false;
            if (members != null) {
                MemberCreates.Candidate mc = members.adoptionCandidate(c);
                candidate = mc == null ? null : mc.record();
                duplicate = mc != null && mc.duplicate();
            } else {
                candidate = adoptionCandidate(c);
            }
            if (candidate == null || (c.deleted() && candidate.crmId() != null)) {
                // a deleted CRM record is adopted only by a record never linked: one already linked
                // (and flagged deleted) gains nothing, and re-linking a merge loser would undo the
                // store's merge on every cycle
                return false;
            }
            LOG.info("{} {}: {} marketing record {}; linked now", type, c.id(), duplicate
                    ? "the member the CRM already had when asked to add" : "created by a push whose answer was lost, for",
                    candidate.marketingId());
            RecordKey.Marketing candidateKey = RecordKey.marketing(candidate.marketingId());
            Map<String, ValueFingerprint> sent = crmFail.unconfirmed(candidateKey).map(UnconfirmedCreate::sent)
                    .orElse(null);
            if (duplicate) {
                // a member the CRM already had: adding it again changes nothing (the CRM's values win)
                ops.linkAfterCreate(candidate, c, true);
            } else if (sent != null) {
                // a create whose answer was lost: its values are the base, rebuilt from their
                // fingerprints, and the merge that follows tells host edits, CRM users' edits and
                // conflicts apart as usual (the entry stays until the link is done)
                settings.state().saveBases(List.of(new SyncBase(type, c.id(), candidate.marketingId(),
                        sentBase(c, candidate, sent), c.modstamp(), now())));
                ops.linkOnly(candidate, c.id());
            } else {
                ops.linkAfterCreate(candidate, c, false);
            }
            crmFail.succeeded(candidateKey);
            counters.updated();
            return true;
        }

        /**
         * The base of a record whose create's answer was lost: per field, whichever side still holds
         * the value sent (by fingerprint); when neither does, a stand-in that equals neither, so that
         * the merge sees the field changed on both sides. A value the CRM holds as sent while the
         * store's field is blank was filled on create (a default such as {@code defaultCompany}):
         * the base is blank, so the store takes it rather than the CRM being asked to clear it.
         */
        Map<String, FieldValue> sentBase(SyncRecord c, MarketingRecord m, Map<String, ValueFingerprint> sent) {
            Map<String, FieldValue> base = new LinkedHashMap<>();
            for (String f : t.synced()) {
                ValueFingerprint want = sent.get(f);
                FieldValue cv = c.get(f);
                FieldValue mv = m.get(f);
                FieldValue b;
                boolean crmHoldsSent = Objects.equals(want, cv.isNull() ? null : ValueFingerprint.of(cv));
                if (crmHoldsSent && mv.isBlank() && !cv.isBlank()) {
                    b = FieldValue.NULL;     // a default the create filled (defaultCompany...): the store takes it
                } else if (crmHoldsSent) {
                    b = cv;
                } else if (Objects.equals(want, mv.isNull() ? null : ValueFingerprint.of(mv))) {
                    b = mv;
                } else {
                    b = FieldValue.text("[the value a create sent, whose answer was lost]");
                }
                if (!b.isNull()) {
                    base.put(f, b);
                }
            }
            return base;
        }

        MarketingRecord adoptionCandidate(SyncRecord c) {
            if (t.marketingIdField != null) {
                FieldValue v = c.get(t.marketingIdField);
                if (!(v instanceof FieldValue.Text text) || text.value().isBlank()) {
                    return null;
                }
                // of this type, or a Contact the CRM deleted, pushed again as a Lead
                Optional<MarketingRecord> r = pushable(text.value());
                return r.filter(x -> x.crmId() == null || (x.crmDeleted() && !x.crmId().equals(c.id()))).orElse(null);
            }
            for (UnconfirmedCreate u : crmFail.unconfirmed()) {
                Optional<MarketingRecord> r = pushable(u.key().marketingId());
                if (r.isEmpty() || (r.get().crmId() != null && !r.get().crmDeleted())) {
                    continue;
                }
                BidiOps.Payload p = ops.createPayload(r.get());
                if (p.fields() != null && p.fields().entrySet().stream()
                        .allMatch(e -> e.getValue().equals(c.get(e.getKey())))) {
                    return r.get();
                }
            }
            return null;
        }

        // ==== small helpers ======================================================================

        Map<CrmId, MarketingRecord> findByCrmIds(List<CrmId> ids) {
            Map<CrmId, MarketingRecord> out = new HashMap<>();
            int size = settings.storeBatchSize();
            for (int from = 0; from < ids.size(); from += size) {
                out.putAll(settings.store().findByCrmIds(type, ids.subList(from, Math.min(ids.size(), from + size))));
            }
            return out;
        }

        Map<CrmId, SyncBase> bases(java.util.Collection<CrmId> ids) {
            return bases(type, ids);
        }

        Map<CrmId, SyncBase> bases(ObjectType of, java.util.Collection<CrmId> ids) {
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

        long count(List<dev.crmsync.core.report.PushResult> results) {
            return results.stream().filter(r -> r instanceof dev.crmsync.core.report.PushResult.Created).count();
        }
    }
}
