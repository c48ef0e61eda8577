package dev.crmsync.core.internal;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.SyncBase;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One batch of the bidirectional path, read from both sides: the records' CRM ids in the order
 * they are reconciled, the CRM records (absent: purged), the store records (absent: never in the
 * store), the bases (absent: never merged), and which records the host changed (read from the
 * marketing change feed). Immutable; {@link #withLinked} gives the batch after creates whose
 * answer was lost were linked.
 *
 * @param ids the records, in order
 * @param crm CRM records by id, in the order read
 * @param mkt store records by CRM id
 * @param bases bases by CRM id
 * @param hostChanged the records read from the marketing change feed
 */
record BidiBatch(List<CrmId> ids, Map<CrmId, SyncRecord> crm, Map<CrmId, MarketingRecord> mkt,
                 Map<CrmId, SyncBase> bases, Set<CrmId> hostChanged) {

    BidiBatch {
        ids = List.copyOf(ids);
        crm = Collections.unmodifiableMap(new LinkedHashMap<>(crm));
        mkt = Collections.unmodifiableMap(new HashMap<>(mkt));
        bases = Collections.unmodifiableMap(new HashMap<>(bases));
        hostChanged = Set.copyOf(hostChanged);
    }

    /**
     * @param moreMkt store records just linked
     * @param moreBases their bases
     * @return this batch with them
     */
    BidiBatch withLinked(Map<CrmId, MarketingRecord> moreMkt, Map<CrmId, SyncBase> moreBases) {
        Map<CrmId, MarketingRecord> m = new HashMap<>(mkt);
        m.putAll(moreMkt);
        Map<CrmId, SyncBase> b = new HashMap<>(bases);
        b.putAll(moreBases);
        return new BidiBatch(ids, crm, m, b, hostChanged);
    }

    /**
     * What a batch starts from, before it is read: CRM records already read, ids to fetch, store
     * records and bases already loaded, and the records the host changed.
     *
     * @param crm CRM records already read, in order
     * @param fetch ids whose CRM records are to be fetched
     * @param mkt store records already loaded
     * @param bases bases already loaded
     * @param hostChanged records read from the marketing change feed
     */
    record Request(Map<CrmId, SyncRecord> crm, Set<CrmId> fetch, Map<CrmId, MarketingRecord> mkt,
                   Map<CrmId, SyncBase> bases, Set<CrmId> hostChanged) {

        Request {
            crm = Collections.unmodifiableMap(new LinkedHashMap<>(crm));
            fetch = Collections.unmodifiableSet(new LinkedHashSet<>(fetch));
            mkt = Collections.unmodifiableMap(new HashMap<>(mkt));
            bases = Collections.unmodifiableMap(new HashMap<>(bases));
            hostChanged = Set.copyOf(hostChanged);
        }

        /** @param page a page of CRM changes @return a request for it */
        static Request ofCrm(List<SyncRecord> page) {
            Map<CrmId, SyncRecord> crm = new LinkedHashMap<>();
            page.forEach(r -> crm.put(r.id(), r));
            return new Request(crm, Set.of(), Map.of(), Map.of(), Set.of());
        }

        /** @param ids records to fetch from the CRM @return a request for them */
        static Request ofIds(Collection<CrmId> ids) {
            return new Request(Map.of(), new LinkedHashSet<>(ids), Map.of(), Map.of(), Set.of());
        }

        /** @param held store records, by CRM id @return a request for them and their CRM records */
        static Request ofStored(Map<CrmId, MarketingRecord> held) {
            return new Request(Map.of(), new LinkedHashSet<>(held.keySet()), held, Map.of(), Set.of());
        }

        /**
         * @param parts requests naming distinct records
         * @return one request naming all their records, in order
         */
        static Request union(List<Request> parts) {
            Map<CrmId, SyncRecord> crm = new LinkedHashMap<>();
            Set<CrmId> fetch = new LinkedHashSet<>();
            Map<CrmId, MarketingRecord> mkt = new HashMap<>();
            Map<CrmId, SyncBase> bases = new HashMap<>();
            Set<CrmId> hostChanged = new HashSet<>();
            for (Request r : parts) {
                crm.putAll(r.crm);
                fetch.addAll(r.fetch);
                mkt.putAll(r.mkt);
                bases.putAll(r.bases);
                hostChanged.addAll(r.hostChanged);
            }
            return new Request(crm, fetch, mkt, bases, hostChanged);
        }

        /**
         * @param keep the ids to keep
         * @return this request for those of its records only
         */
        Request restrictedTo(Set<CrmId> keep) {
            Map<CrmId, SyncRecord> c = new LinkedHashMap<>();
            crm.forEach((id, r) -> {
                if (keep.contains(id)) {
                    c.put(id, r);
                }
            });
            Set<CrmId> f = new LinkedHashSet<>();
            fetch.forEach(id -> {
                if (keep.contains(id)) {
                    f.add(id);
                }
            });
            Map<CrmId, MarketingRecord> m = new HashMap<>();
            mkt.forEach((id, r) -> {
                if (keep.contains(id)) {
                    m.put(id, r);
                }
            });
            Map<CrmId, SyncBase> b = new HashMap<>();
            bases.forEach((id, r) -> {
                if (keep.contains(id)) {
                    b.put(id, r);
                }
            });
            Set<CrmId> h = new HashSet<>();
            hostChanged.forEach(id -> {
                if (keep.contains(id)) {
                    h.add(id);
                }
            });
            return new Request(c, f, m, b, h);
        }

        /** @return every id the request names: read, to fetch, loaded, in that order */
        List<CrmId> ids() {
            Set<CrmId> ids = new LinkedHashSet<>(crm.keySet());
            ids.addAll(fetch);
            ids.addAll(mkt.keySet());
            return List.copyOf(ids);
        }

        @Override
        public String toString() {
            return "BidiBatch.Request" + ids();      // ids only: never a value
        }
    }

    @Override
    public String toString() {
        return "BidiBatch" + ids;      // ids only: never a value
    }

}
