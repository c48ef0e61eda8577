package dev.crmsync.core.internal;

import dev.crmsync.core.report.UnwrittenField;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncBase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Stage 1 of the bidirectional path, <b>read</b>: turns a page of the marketing change feed, a
 * page of CRM changes or a set of ids into a {@link BidiBatch.Request}, and reads what the request
 * lacks (CRM records, store records, bases) into an immutable {@link BidiBatch}.
 */
final class BidiRead {
    private final BidiContext cx;

    BidiRead(BidiContext cx) {
        this.cx = cx;
    }

    /**
     * Which of these CRM ids the store's change feed, from the type's marketing cursor on, holds a host deletion
     * of: for records the store does not hold whose base has no marketing id — a store create a crash left
     * unknown, which may have landed and then been deleted by the host (the feed tells; a re-copy would undo the
     * host's delete). Reads the feed only when there are such records (after a crash, with stores that do not
     * commit with the state store).
     *
     * @param ids the records in doubt
     * @param from the feed position to read from
     * @return those the host deleted
     */
    Set<CrmId> hostDeleted(Set<CrmId> ids, dev.crmsync.store.FeedCursor from) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        Set<CrmId> out = new java.util.HashSet<>();
        dev.crmsync.store.FeedCursor cursor = from;
        int limit = cx.settings.storeBatchSize();
        while (true) {
            cx.run.checkContinue();
            dev.crmsync.store.ChangePage page = cx.settings.bidirectionalStore().changesSince(cx.type, cursor, limit);
            if (page == null || (page.records().isEmpty() && page.deletions().isEmpty()
                    && page.nextCursor().equals(cursor))) {
                break;
            }
            for (dev.crmsync.store.HostDeletion d : page.deletions()) {
                if (d.crmId() != null && ids.contains(d.crmId())) {
                    out.add(d.crmId());
                }
            }
            cursor = page.nextCursor();
            if (!page.hasMore()) {
                break;
            }
        }
        return out;
    }

    /**
     * A page of the marketing feed, split.
     *
     * @param unlinked marketing-only records (no CRM id yet)
     * @param linked linked records the CRM has not deleted, by CRM id, in feed order
     */
    record FeedPage(List<MarketingRecord> unlinked, Map<CrmId, MarketingRecord> linked) {
        FeedPage {
            unlinked = List.copyOf(unlinked);
            linked = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(linked));
        }

        @Override
        public String toString() {
            return "FeedPage[" + unlinked.size() + " unlinked, linked " + linked.keySet() + "]";
        }
    }

    /**
     * Splits a page of the marketing feed; records flagged deleted in the CRM are counted skipped
     * (their edits stay in the store: a push revives them), records relinked to another type since
     * (a conversion) are passed over.
     */
    FeedPage split(List<MarketingRecord> records) {
        List<MarketingRecord> unlinked = new ArrayList<>();
        Map<CrmId, MarketingRecord> linked = new LinkedHashMap<>();
        for (MarketingRecord r : records) {
            if (!r.type().equals(cx.type)) {
                continue;       // relinked to another type since (a conversion)
            }
            if (r.crmId() == null) {
                unlinked.add(r);
            } else if (r.crmDeleted()) {
                cx.counters.skipped();      // deleted in the CRM: edits stay in the store (push it to revive it)
            } else {
                linked.put(r.crmId(), r);
            }
        }
        return new FeedPage(unlinked, linked);
    }

    /**
     * The linked records of a feed page that are to be reconciled: those whose values differ from
     * their base, with a failure on record, or with writes in flight. A record whose values equal
     * its base is an echo (or a change already merged): passed over, not counted. A record with no
     * base before the full copy is done is left to the full copy. The CRM side of some records is
     * known without a read: a
     * record with a base, no failure on record and no write in flight whose CRM side has not
     * changed since its base (the change stream the cycle has just read does not name it) is
     * merged against its base's values and stamp, with no by-id read.
     *
     * @param linked the linked records of a feed page, by CRM id
     * @param crmUnchangedSinceBase whether the CRM side of a record is known not to have changed since its base
     * @return the request
     */
    BidiBatch.Request changed(Map<CrmId, MarketingRecord> linked, Predicate<CrmId> crmUnchangedSinceBase) {
        Map<CrmId, SyncBase> bases = cx.bases(linked.keySet());
        Map<CrmId, SyncRecord> crm = new LinkedHashMap<>();
        Set<CrmId> fetch = new LinkedHashSet<>();
        Map<CrmId, MarketingRecord> mkt = new HashMap<>();
        Map<CrmId, SyncBase> known = new HashMap<>();
        for (MarketingRecord r : linked.values()) {
            SyncBase b = bases.get(r.crmId());
            RecordKey key = RecordKey.crm(r.crmId());
            boolean pending = cx.crmFail.hasFailure(key) || cx.storeFail.hasFailure(key);
            if (b == null && !cx.run.checkpoint().initialCopyDone()) {
                continue;            // the full copy links it
            }
            boolean inFlight = b != null && !b.pending().isEmpty();
            if (b != null && !pending && !inFlight && equalsBase(r, b)) {
                if (cx.hostChangeNoted.add(r.crmId())) {
                    noteNotInCrm(r);     // a host change of fields the CRM does not have is still said
                }
                continue;                // nothing to merge (an echo, or only such fields): not counted
            }
            if (b != null && !pending && !inFlight && crmUnchangedSinceBase.test(r.crmId())) {
                crm.put(r.crmId(), asCrmRecord(b));
            } else {
                fetch.add(r.crmId());
            }
            mkt.put(r.crmId(), r);
            if (b != null) {
                known.put(r.crmId(), b);
            }
        }
        Set<CrmId> hostChanged = new LinkedHashSet<>(crm.keySet());
        hostChanged.addAll(fetch);
        return new BidiBatch.Request(crm, fetch, mkt, known, hostChanged);
    }

    /** The CRM side of a record known unchanged since its base: the base's synced values at its stamp. */
    private SyncRecord asCrmRecord(SyncBase b) {
        Map<String, FieldValue> values = new LinkedHashMap<>();
        for (String f : cx.t.synced()) {
            FieldValue v = b.get(f);
            if (!v.isNull()) {
                values.put(f, v);
            }
        }
        return new SyncRecord(cx.type, b.crmId(), values, b.crmModstamp(), false);
    }

    /**
     * Books the fields of a host change that the CRM type does not have, for a record that needs no
     * merge (no synced field changed), so that they are reported as a merged record's are.
     */
    private void noteNotInCrm(MarketingRecord r) {
        r.fields().forEach((f, v) -> {
            if (!v.isNull() && cx.t.unwritable(f) == UnwrittenField.Reason.NOT_IN_CRM) {
                cx.run.unwritten().seen(f, UnwrittenField.Reason.NOT_IN_CRM);
            }
        });
    }

    private boolean equalsBase(MarketingRecord r, SyncBase b) {
        for (String f : cx.t.synced()) {
            if (!r.get(f).equals(b.get(f))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads what a request lacks: CRM records not read yet (ids the CRM does not return are gone
     * for good), store records and bases not loaded yet.
     *
     * @return the batch, or empty if the request names no record
     */
    Optional<BidiBatch> load(BidiBatch.Request w) {
        List<CrmId> ids = w.ids();
        if (ids.isEmpty()) {
            return Optional.empty();
        }
        Map<CrmId, SyncRecord> crm = new LinkedHashMap<>(w.crm());
        List<CrmId> toFetch = ids.stream().filter(id -> !crm.containsKey(id)).toList();
        if (!toFetch.isEmpty()) {
            crm.putAll(cx.ops.fetch(cx.type, toFetch, cx.t.read));    // ids not found are gone for good (purged)
        }
        Map<CrmId, MarketingRecord> mkt = new HashMap<>(w.mkt());
        List<CrmId> noMkt = ids.stream().filter(id -> !mkt.containsKey(id)).toList();
        if (!noMkt.isEmpty()) {
            mkt.putAll(cx.findByCrmIds(noMkt));
        }
        Map<CrmId, SyncBase> bases = new HashMap<>(w.bases());
        List<CrmId> noBase = ids.stream().filter(id -> !bases.containsKey(id)).toList();
        bases.putAll(cx.bases(noBase));
        return Optional.of(new BidiBatch(ids, crm, mkt, bases, w.hostChanged()));
    }
}
