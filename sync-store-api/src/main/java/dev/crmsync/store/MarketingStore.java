package dev.crmsync.store;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host's marketing database, as the engine sees it. Implementations: the in-memory
 * store, the JDBC store in {@code sync-examples}, and whatever integrators write; each must pass
 * {@code MarketingStoreContract} from this module's test-jar.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Threads.</b> The engine calls a store from one thread at a time per engine; the host's
 *       own code may call {@link #saveLocal} concurrently. Implementations must be thread-safe.</li>
 *   <li><b>Batches and partial failure.</b> Batch methods return one {@link StoreResult} per input
 *       record, in input order. A record the store cannot take is {@link StoreResult.Rejected}
 *       with a reason, and the others are still written; an exception means the store itself
 *       failed (nothing is assumed written, the engine retries the batch).</li>
 *   <li><b>Idempotence.</b> Writing the same values again is {@link StoreResult.Unchanged} and
 *       changes nothing (delivery is at least once: after a crash the engine rewrites a page).</li>
 *   <li><b>Patch semantics.</b> {@link #upsert} sets the fields present in each record and leaves
 *       other fields of the stored record as they are; {@link FieldValue#NULL} clears a field.</li>
 *   <li><b>Deletions keep the record.</b> As Marketo does, a CRM deletion sets
 *       {@link MarketingRecord#crmDeleted()}; the record and its values stay.</li>
 *   <li><b>Change feed.</b> For bidirectional types the store reports its own changes
 *       ({@link #changesSince}), including records that have no CRM id yet. Writes the engine
 *       makes through {@link #upsert}, {@link #markDeleted}, {@link #link}, {@link #merge} and
 *       {@link #relink} should not appear in the feed; if they do, the engine sees values equal to its
 *       merge base and does nothing.</li>
 *   <li><b>Transactions.</b> A store that also implements {@link SyncStateStore} over the same
 *       database should make {@link SyncStateStore#inTransaction} cover its writes, so data and
 *       checkpoint commit together.</li>
 * </ul>
 */
public interface MarketingStore {

    /**
     * Creates or updates records by CRM id (patch semantics). Records with
     * {@link SyncRecord#deleted()} set are stored with {@link MarketingRecord#crmDeleted()} set.
     *
     * @param type the object type of every record in the batch
     * @param records the records, at most one per CRM id
     * @return one result per record, in input order
     * @throws IllegalArgumentException if a record is of another type or an id repeats
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
     * Looks a record up by the store's own id.
     *
     * @param type the object type
     * @param marketingId the store's id
     * @return the record, if any
     */
    Optional<MarketingRecord> findByMarketingId(ObjectType type, String marketingId);

    /**
     * Lists the CRM ids the store holds for a type, in ascending order, one page at a time,
     * including records flagged deleted. Used to reconcile id sets when the CRM's delete log no
     * longer reaches back far enough.
     *
     * @param type the object type
     * @param after list ids strictly after this one; null to start at the beginning
     * @param limit the most ids to return, at least 1
     * @return up to {@code limit} ids, ascending
     */
    List<CrmId> crmIds(ObjectType type, CrmId after, int limit);

    // ---- host-side writes and the change feed (bidirectional types) --------------------------

    /**
     * A write by the host application (not by the engine): creates a record when
     * {@code marketingId} is null, otherwise patches it. The change enters the change feed.
     *
     * @param type a bidirectional object type
     * @param marketingId the record to change, or null to create one
     * @param fields the values to set ({@link FieldValue#NULL} clears)
     * @return the record as stored afterwards
     * @throws IllegalArgumentException if the type is not bidirectional or the record does not exist
     */
    MarketingRecord saveLocal(ObjectType type, String marketingId, Map<String, FieldValue> fields);

    /**
     * Reads the store's own changes since a cursor, oldest first. Starting from the empty cursor
     * {@code ""} lists every record of the type.
     *
     * @param type a bidirectional object type
     * @param cursor a cursor returned earlier, or {@code ""} for the beginning
     * @param limit the most records to return, at least 1
     * @return the page
     */
    ChangePage changesSince(ObjectType type, String cursor, int limit);

    /**
     * Links a marketing-only record to the CRM record the engine created for it.
     *
     * @param type the object type
     * @param marketingId the store's id
     * @param crmId the new CRM id
     * @throws IllegalArgumentException if the record does not exist, or is linked to another CRM id
     */
    void link(ObjectType type, String marketingId, CrmId crmId);

    /**
     * Merges loser records into a survivor, as the CRM did: the survivor takes
     * {@code mergedFields}; every stored reference to a loser (e.g. a campaign member's person
     * field) is repointed at the survivor; the losers are removed. Idempotent: losers already gone
     * are ignored.
     *
     * @param type the object type
     * @param survivor the surviving record's CRM id
     * @param losers the merged-away records' CRM ids
     * @param mergedFields the survivor's values after the merge
     * @return the survivor as stored afterwards
     */
    MarketingRecord merge(ObjectType type, CrmId survivor, Collection<CrmId> losers, Map<String, FieldValue> mergedFields);

    /**
     * Moves a record to another type and CRM id, as a lead conversion does (Lead → Contact). If a
     * record with the target id already exists, this behaves as {@link #merge} into it. References
     * to the old id are repointed. Idempotent.
     *
     * @param fromType the old type
     * @param fromId the old CRM id
     * @param toType the new type
     * @param toId the new CRM id
     * @param fields the values of the record under its new identity
     * @return the record as stored afterwards
     */
    MarketingRecord relink(ObjectType fromType, CrmId fromId, ObjectType toType, CrmId toId, Map<String, FieldValue> fields);
}
