package dev.crmsync.core.internal;

import dev.crmsync.core.SyncFilter;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.model.Deletion;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.PersonActivity;
import dev.crmsync.store.StoreResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Applies CRM records to the marketing store, CRM → marketing, for one object type: compares
 * each record with what the store holds and writes only what differs, so re-reading an overlap
 * or replaying a page after a crash writes nothing. Rejections go to the {@link SideFailures}.
 *
 * <p>Only the type's synced fields reach the store: whatever else a record carries is dropped here.
 */
public final class StoreApplier {

    private final MarketingStore store;
    private final ObjectType type;
    private final Set<String> fields;
    private final int batchSize;
    private final SideFailures failures;
    private final TypeCounters counters;
    /** Which CRM records take part, or null for all. */
    private final SyncFilter filter;
    /** The persons' activity history ({@link Activities#NONE} when the store keeps none). */
    private final Activities activities;

    /**
     * @param store the marketing store
     * @param type the object type
     * @param fields the fields to sync (others never reach the store)
     * @param batchSize the most records per store call
     * @param failures the type's failures (store side)
     * @param counters the type's counters
     */
    public StoreApplier(MarketingStore store, ObjectType type, Set<String> fields, int batchSize,
                        SideFailures failures, TypeCounters counters) {
        this(store, type, fields, batchSize, failures, counters, null);
    }

    /**
     * @param store the marketing store
     * @param type the object type
     * @param fields the fields to sync (others never reach the store)
     * @param batchSize the most records per store call
     * @param failures the type's failures (store side)
     * @param counters the type's counters
     * @param filter which CRM records take part ({@link SyncFilter}), or null for all
     */
    public StoreApplier(MarketingStore store, ObjectType type, Set<String> fields, int batchSize,
                        SideFailures failures, TypeCounters counters, SyncFilter filter) {
        this(store, type, fields, batchSize, failures, counters, filter, Activities.NONE);
    }

    /**
     * @param store the marketing store
     * @param type the object type
     * @param fields the fields to sync (others never reach the store)
     * @param batchSize the most records per store call
     * @param failures the type's failures (store side)
     * @param counters the type's counters
     * @param filter which CRM records take part ({@link SyncFilter}), or null for all
     * @param activities the persons' activity history the run writes
     */
    StoreApplier(MarketingStore store, ObjectType type, Set<String> fields, int batchSize,
                 SideFailures failures, TypeCounters counters, SyncFilter filter, Activities activities) {
        this.activities = activities;
        this.filter = filter;
        this.store = store;
        this.type = type;
        this.fields = Set.copyOf(fields);
        this.batchSize = batchSize;
        this.failures = failures;
        this.counters = counters;
    }

    /**
     * Applies records as read from the CRM: live ones are created or updated where they differ,
     * deleted ones flag the stored record deleted.
     *
     * @param records records of this applier's type
     */
    public void apply(List<SyncRecord> records) {
        // at most one record per id per store call: keep the last one read (the newest)
        Map<CrmId, SyncRecord> byId = new LinkedHashMap<>();
        for (SyncRecord r : records) {
            if (!r.type().equals(type)) {
                throw new SyncException("CRM returned a " + r.type() + " record while reading " + type, type, r.id(), null);
            }
            byId.remove(r.id());
            byId.put(r.id(), r);
        }
        List<SyncRecord> unique = new ArrayList<>(byId.values());
        for (int from = 0; from < unique.size(); from += batchSize) {
            applyBatch(unique.subList(from, Math.min(unique.size(), from + batchSize)));
        }
    }

    private void applyBatch(List<SyncRecord> batch) {
        List<CrmId> ids = batch.stream().map(SyncRecord::id).toList();
        Map<CrmId, MarketingRecord> stored = store.findByCrmIds(type, ids);
        List<SyncRecord> upserts = new ArrayList<>();
        List<Deletion> deletions = new ArrayList<>();
        for (SyncRecord r : batch) {
            MarketingRecord held = stored.get(r.id());
            RecordKey key = RecordKey.crm(r.id());
            if (r.deleted()) {
                if (held == null) {
                    counters.skipped();          // deleted before it ever reached the store
                    failures.succeeded(key);
                } else if (held.crmDeleted()) {
                    counters.unchanged();
                    failures.succeeded(key);
                } else {
                    deletions.add(new Deletion(r.id(), r.modstamp()));
                }
                continue;
            }
            SyncRecord projected = project(r);
            if (filter != null && !filter.includes(r::get)) {
                if (held == null) {
                    counters.skipped();          // outside the sync filter: never copied
                    failures.succeeded(key);
                    continue;
                }
                // left the filter: flagged (its filter fields), the rest stops changing
                Map<String, FieldValue> flag = new LinkedHashMap<>();
                filter.fields().forEach(f -> flag.put(f, r.get(f)));
                projected = new SyncRecord(type, r.id(), flag, r.modstamp(), false);
            }
            if (held == null || needsWrite(held, projected)) {
                upserts.add(projected);
            } else {
                if (r.modstamp().equals(held.crmModstamp())) {
                    counters.unchanged();        // this very version is already held
                } else {
                    counters.skipped();          // only fields that are not synced changed
                }
                failures.succeeded(key);
            }
        }
        // what changed, by field name, for the activity history (persons, and the contacts of an account)
        boolean logged = activities.on() && (Activities.person(type) || type.equals(ObjectType.ACCOUNT));
        Map<CrmId, List<String>> changed = logged ? new LinkedHashMap<>() : Map.of();
        if (logged) {
            for (SyncRecord u : upserts) {
                changed.put(u.id(), changedFields(stored.get(u.id()), u));
            }
        }
        Map<CrmId, List<String>> accounts = new LinkedHashMap<>();
        Map<CrmId, Instant> versions = new LinkedHashMap<>();
        if (!upserts.isEmpty()) {
            List<StoreResult> results = StoreUpserts.upsert(store, type, upserts);
            checkSize("upsert", upserts.size(), results);
            for (int i = 0; i < results.size(); i++) {
                StoreResult result = results.get(i);
                RecordKey key = RecordKey.crm(upserts.get(i).id());
                if (result instanceof StoreResult.Rejected rej) {
                    failures.rejected(key, rej.code(), rej.message(), rej.retriable());
                } else if (result instanceof StoreResult.NotFound) {
                    failures.rejected(key, "NOT_FOUND", "the store reported the record not found on upsert", true);
                } else {
                    if (result instanceof StoreResult.Created cr) {
                        counters.created();
                        if (logged) {
                            activities.add(type, cr.marketingId(), cr.crmId(), PersonActivity.Kind.CREATED_FROM_CRM,
                                    List.of(), null, null, upserts.get(i).modstamp());
                        }
                    } else if (result instanceof StoreResult.Updated up) {
                        counters.updated();
                        if (logged && type.equals(ObjectType.ACCOUNT)) {
                            accounts.put(up.crmId(), changed.get(up.crmId()));
                            versions.put(up.crmId(), upserts.get(i).modstamp());
                        } else if (logged) {
                            activities.add(type, up.marketingId(), up.crmId(), PersonActivity.Kind.UPDATED_FROM_CRM,
                                    changed.get(up.crmId()), null, null, upserts.get(i).modstamp());
                        }
                    } else {
                        counters.unchanged();
                    }
                    failures.succeeded(key);
                }
            }
        }
        accounts.values().removeIf(List::isEmpty);     // only the deleted flag changed
        activities.accountsChanged(accounts, versions);
        markDeleted(deletions);
    }

    /** @return the names of the fields a write changes (all it carries for a record not held yet) */
    private static List<String> changedFields(MarketingRecord held, SyncRecord r) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, FieldValue> e : r.fields().entrySet()) {
            if (held == null || !Objects.equals(held.get(e.getKey()), e.getValue())) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /**
     * Applies deletions from the CRM's delete log: flags a stored record deleted unless it is
     * already flagged, or the store holds a version newer than the deletion (it was undeleted).
     *
     * @param logged the deletions, of this applier's type
     */
    public void applyLoggedDeletions(List<Deletion> logged) {
        Map<CrmId, Deletion> byId = new LinkedHashMap<>();
        logged.forEach(d -> byId.put(d.crmId(), d));
        List<Deletion> unique = new ArrayList<>(byId.values());
        for (int from = 0; from < unique.size(); from += batchSize) {
            List<Deletion> batch = unique.subList(from, Math.min(unique.size(), from + batchSize));
            Map<CrmId, MarketingRecord> stored = store.findByCrmIds(type, batch.stream().map(Deletion::crmId).toList());
            List<Deletion> toFlag = new ArrayList<>();
            for (Deletion d : batch) {
                MarketingRecord held = stored.get(d.crmId());
                if (held == null || held.crmDeleted()) {
                    continue;                    // the change stream saw it first, or it never reached the store
                }
                Instant heldStamp = held.crmModstamp();
                if (heldStamp != null && heldStamp.isAfter(d.deletedAt())) {
                    continue;                    // the store holds a newer version: undeleted since
                }
                toFlag.add(d);
            }
            markDeleted(toFlag);
        }
    }

    private void markDeleted(List<Deletion> deletions) {
        if (deletions.isEmpty()) {
            return;
        }
        List<StoreResult> results = store.markDeleted(type, deletions);
        checkSize("markDeleted", deletions.size(), results);
        for (int i = 0; i < results.size(); i++) {
            RecordKey key = RecordKey.crm(deletions.get(i).crmId());
            StoreResult result = results.get(i);
            if (result instanceof StoreResult.Rejected rej) {
                failures.rejected(key, rej.code(), rej.message(), rej.retriable());
                continue;
            }
            if (result instanceof StoreResult.Created || result instanceof StoreResult.Updated) {
                counters.deleted();
                String mid = result instanceof StoreResult.Updated up ? up.marketingId()
                        : ((StoreResult.Created) result).marketingId();
                activities.add(type, mid, deletions.get(i).crmId(), PersonActivity.Kind.DELETED, List.of(), null, null,
                        deletions.get(i).deletedAt());
            } else if (result instanceof StoreResult.Unchanged) {
                counters.unchanged();
            } else {
                counters.skipped();              // NotFound: nothing held under that id
            }
            failures.succeeded(key);
        }
    }

    private SyncRecord project(SyncRecord r) {
        if (fields.containsAll(r.fields().keySet())) {
            return r;
        }
        Map<String, FieldValue> kept = new LinkedHashMap<>();
        r.fields().forEach((name, value) -> {
            if (fields.contains(name)) {
                kept.put(name, value);
            }
        });
        return new SyncRecord(type, r.id(), kept, r.modstamp(), false);
    }

    private static boolean needsWrite(MarketingRecord held, SyncRecord r) {
        if (held.crmDeleted()) {
            return true;                         // undeleted in the CRM
        }
        for (Map.Entry<String, FieldValue> e : r.fields().entrySet()) {
            if (!Objects.equals(held.get(e.getKey()), e.getValue())) {
                return true;
            }
        }
        return false;
    }

    private void checkSize(String call, int expected, List<StoreResult> results) {
        if (results == null || results.size() != expected) {
            throw new SyncException("marketing store returned " + (results == null ? "null" : results.size())
                    + " results for " + expected + " records from " + call, type, null, null);
        }
    }
}
