package dev.crmsync.store;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.Deletion;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The host's marketing database, as the engine sees it: what every store must do, enough for
 * one-way object types (CRM to marketing). A store that also holds bidirectional types
 * (Lead, Contact, Campaign, CampaignMember) implements {@link BidirectionalStore}; one that takes
 * the host's own writes implements {@link LocalWrites}. The engine refuses, when it is built, a
 * bidirectional type configured against a store that is not a {@link BidirectionalStore}.
 *
 * <p>Implementations: the in-memory store, the JDBC store in {@code sync-jdbc}, and whatever
 * integrators write; each must pass {@code MarketingStoreContract} from {@code sync-testkit}, and
 * checks its arguments and values with {@link StoreChecks}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Threads.</b> The engine calls a store from one thread at a time per engine; the host's
 *       own code may call it (and {@link LocalWrites#saveLocal}) concurrently. Implementations must
 *       be thread-safe.</li>
 *   <li><b>Batches and partial failure.</b> Batch methods return one {@link StoreResult} per input
 *       record, in input order. A record the store cannot take is {@link StoreResult.Rejected}
 *       with a reason, and the others are still written; an exception means the store itself
 *       failed (nothing is assumed written, the engine retries the batch).</li>
 *   <li><b>Idempotence.</b> Writing the same values (and the same deleted flag) again is
 *       {@link StoreResult.Unchanged} and changes no value and no {@code localModstamp}
 *       (delivery is at least once: after a crash the engine rewrites a page). The store still
 *       records the record's {@code crmModstamp}: that is bookkeeping, not a change.</li>
 *   <li><b>Patch semantics.</b> {@link #upsert}, {@link LocalWrites#saveLocal},
 *       {@link BidirectionalStore#merge} and {@link BidirectionalStore#relink} set the fields
 *       present in each record and leave other fields of the stored record as they are;
 *       {@link FieldValue#NULL} clears a field (a store may then drop it from
 *       {@link MarketingRecord#fields()}; {@link MarketingRecord#get} gives {@code NULL} either way).</li>
 *   <li><b>Values are kept exactly or rejected.</b> A value is read back equal to what was written
 *       ({@code 1.0} stays a number, {@code "1.0"} text, {@code ""} is not {@code NULL}). A value
 *       the store cannot keep exactly (too long for its column, text with an unpaired UTF-16
 *       surrogate, which has no UTF-8 form: {@link StoreChecks#valueProblem}) makes the record
 *       {@link StoreResult.Rejected}, and nothing of that record is written.</li>
 *   <li><b>Deletions keep the record.</b> As Marketo does, a CRM deletion sets
 *       {@link MarketingRecord#crmDeleted()}; the record and its values stay.</li>
 *   <li><b>Positions.</b> A listing is read from the {@code START} of its position type
 *       ({@link IdCursor#START} here, {@link FeedCursor#START} for the change feed); null never
 *       means "from the start".</li>
 *   <li><b>Transactions.</b> A store that also implements {@link SyncStateStore} over the same
 *       database should make {@link SyncStateStore#inTransaction} cover its writes, so data and
 *       checkpoint commit together.</li>
 * </ul>
 */
public interface MarketingStore {

    /**
     * Tells the store which fields of a type the engine is about to read and write, so it can give
     * them a typed home (the JDBC store: a table per type, a column per field, added as fields
     * appear). The engine calls it once per type per cycle, from the cycle's thread, before it
     * reads or writes that type, with the fields the CRM describe makes readable and that are
     * synced. It is idempotent and cheap when nothing changed; a later call may name more fields
     * (a newly readable one) or fewer (a field no longer readable: the store keeps what it holds).
     * A field written before any call named it must still be kept exactly. The default does
     * nothing (a store without a schema, such as the in-memory one).
     *
     * @param type the object type
     * @param fields the synced fields, by API name (at most one per name)
     * @throws IllegalArgumentException if a name repeats
     */
    default void prepareType(ObjectType type, List<StoreField> fields) {
        java.util.Objects.requireNonNull(type, "type");
        java.util.Objects.requireNonNull(fields, "fields");
    }

    /**
     * Creates or updates records by CRM id (patch semantics). Records with
     * {@link SyncRecord#deleted()} set are stored with {@link MarketingRecord#crmDeleted()} set;
     * a record written with it unset clears the flag (the CRM restored it from its recycle bin).
     * Each record's {@link SyncRecord#modstamp()} becomes its {@link MarketingRecord#crmModstamp()}.
     *
     * @param type the object type of every record in the batch
     * @param records the records, at most one per CRM id
     * @return one result per record, in input order
     * @throws IllegalArgumentException if a record is of another type or an id repeats
     *     ({@link StoreChecks#requireBatch})
     */
    List<StoreResult> upsert(ObjectType type, List<SyncRecord> records);

    /**
     * Flags records deleted in the CRM (the records and their values stay). An id the store does
     * not hold gives {@link StoreResult.NotFound}; flagging an already flagged record gives
     * {@link StoreResult.Unchanged}.
     *
     * @param type the object type
     * @param deletions the deletions, at most one per CRM id
     * @return one result per deletion, in input order
     * @throws IllegalArgumentException if an id repeats ({@link StoreChecks#requireDeletions})
     */
    List<StoreResult> markDeleted(ObjectType type, List<Deletion> deletions);

    /**
     * Looks records up by CRM id.
     *
     * @param type the object type
     * @param ids the CRM ids
     * @return the records found, by CRM id (ids not found are absent)
     */
    Map<CrmId, MarketingRecord> findByCrmIds(ObjectType type, Collection<CrmId> ids);

    /**
     * Lists the CRM ids the store holds for a type, in ascending order, one page at a time,
     * including records flagged deleted. Used to reconcile id sets when the CRM's delete log no
     * longer reaches back far enough.
     *
     * @param type the object type
     * @param after list ids strictly after this position: {@link IdCursor#START} for the first
     *     page, then {@link IdCursor#after(CrmId)} the last id of the page before
     * @param limit the most ids to return, at least 1 ({@link StoreChecks#requireLimit})
     * @return up to {@code limit} ids, ascending
     */
    List<CrmId> crmIds(ObjectType type, IdCursor after, int limit);
}
