package dev.crmsync.core.internal;

import dev.crmsync.model.CallAbortedException;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.QuotaExceededException;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.GuardedUpsert;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.StoreResult;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Store upserts that one record's value cannot stop. A store rejects a value it cannot keep per
 * record ({@link StoreResult.Rejected}); but a database may refuse a value that passed the
 * store's own checks (a host's constraint or trigger, a limit of the column) and fail the whole
 * batch without saying which record. Such a failure that is not retriable is narrowed down —
 * the batch split in halves, then single records — until the records it refuses alone are known;
 * each is rejected by itself ({@link #STORE_REFUSED}, naming its key) and the rest is written.
 * A store call that fails leaves nothing of itself behind (the JDBC store runs each call inside
 * the cycle's transaction under a savepoint), so sending its parts again is safe. Retriable
 * failures, quota and aborts are not narrowed; a failure that refuses everything (two records
 * refused alone, then the next part too, before any part was accepted: see {@link BidiOps.Narrowing})
 * is thrown as before: the store failed, not a record.
 */
final class StoreUpserts {
    private static final Logger LOG = LoggerFactory.getLogger(StoreUpserts.class);

    /** The code of a record the store refused as a whole call even when it was sent alone. */
    static final String STORE_REFUSED = "STORE_REFUSED";

    private StoreUpserts() {
    }

    /**
     * @param store the store
     * @param type the records' type
     * @param batch the records, at most the store batch size
     * @return one result per record, in order (the size is the caller's to check)
     */
    static List<StoreResult> upsert(MarketingStore store, ObjectType type, List<SyncRecord> batch) {
        return write(rest -> store.upsert(type, rest), SyncRecord::id, type, batch, new BidiOps.Narrowing());
    }

    /**
     * The same for merged records, written only where the host has not changed them since
     * ({@link BidirectionalStore#upsertIfUnchanged}).
     *
     * @param store the store
     * @param type the records' type
     * @param batch the writes, at most the store batch size
     * @return one result per write, in order (the size is the caller's to check)
     */
    static List<StoreResult> upsertIfUnchanged(BidirectionalStore store, ObjectType type, List<GuardedUpsert> batch) {
        return write(rest -> store.upsertIfUnchanged(type, rest), w -> w.record().id(), type, batch,
                new BidiOps.Narrowing());
    }

    private static <I> List<StoreResult> write(Function<List<I>, List<StoreResult>> call, Function<I, CrmId> idOf,
                                               ObjectType type, List<I> batch, BidiOps.Narrowing n) {
        try {
            List<StoreResult> out = call.apply(batch);
            n.anyAccepted = true;
            return out;
        } catch (SyncException e) {
            if (e.isRetriable() || e instanceof QuotaExceededException || e instanceof CallAbortedException) {
                throw e;
            }
            if (n.first == null) {
                n.first = e;
                LOG.warn("{}: the marketing store refused a whole upsert of {} records ({}); narrowing it down to the"
                        + " records it refuses", type, batch.size(), e.getClass().getSimpleName());
            }
            if (n.looksWhole()) {
                throw n.first;           // the store refuses everything: a failure of the store, not of a record
            }
            if (batch.size() == 1) {
                n.refusedAlone++;
                CrmId id = idOf.apply(batch.get(0));
                LOG.warn("{} {}: the marketing store refused its upsert even alone; rejected", type, id);
                // the store's message may quote the value: only the failure's kind goes into the reason
                return List.of(new StoreResult.Rejected(id, STORE_REFUSED, "the marketing store refused the upsert"
                        + " of " + type + " " + id.value() + " as a whole call, even alone ("
                        + e.getClass().getSimpleName() + "); it is retried when the record changes again", false));
            }
            int mid = batch.size() / 2;
            List<StoreResult> out = new ArrayList<>(batch.size());
            out.addAll(write(call, idOf, type, batch.subList(0, mid), n));
            out.addAll(write(call, idOf, type, batch.subList(mid, batch.size()), n));
            return out;
        }
    }
}
