package dev.crmsync.store;

import dev.crmsync.model.Deletion;

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
 * store, the JDBC store in {@code sync-jdbc}, and whatever integrators write; each must pass
 * {@code MarketingStoreContract} from {@code sync-testkit}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Threads.</b> The engine calls a store from one thread at a time per engine; the host's
 *       own code may call {@link #saveLocal} concurrently. Implementations must be thread-safe.</li>
 *   <li><b>Batches and partial failure.</b> Batch methods return one {@link StoreResult} per input
 *       record, in input order. A record the store cannot take is {@link StoreResult.Rejected}
 *       with a reason, and the others are still written; an exception means the store itself
 *       failed (nothing is assumed written, the engine retries the batch).</li>
 *   <li><b>Idempotence.</b> Writing the same values (and the same deleted flag) again is
 *       {@link StoreResult.Unchanged} and changes no value and no {@code localModstamp}
 *       (delivery is at least once: after a crash the engine rewrites a page). The store still
 *       records the record's {@code crmModstamp}: that is bookkeeping, not a change.</li>
 *   <li><b>Patch semantics.</b> {@link #upsert}, {@link #saveLocal}, {@link #merge} and
 *       {@link #relink} set the fields present in each record and leave other fields of the stored
 *       record as they are; {@link FieldValue#NULL} clears a field (a store may then drop it from
 *       {@link MarketingRecord#fields()}; {@link MarketingRecord#get} gives {@code NULL} either way).</li>
 *   <li><b>Values are kept exactly or rejected.</b> A value is read back equal to what was written
 *       ({@code 1.0} stays a number, {@code "1.0"} text, {@code ""} is not {@code NULL}). A value
 *       the store cannot keep exactly (too long for its column, text with an unpaired UTF-16
 *       surrogate, which has no UTF-8 form) makes the record {@link StoreResult.Rejected}, and
 *       nothing of that record is written.</li>
 *   <li><b>Deletions keep the record.</b> As Marketo does, a CRM deletion sets
 *       {@link MarketingRecord#crmDeleted()}; the record and its values stay.</li>
 *   <li><b>Change feed.</b> For bidirectional types the store reports its own changes
 *       ({@link #changesSince}), including records that have no CRM id yet. The feed is exact:
 *       every local change after a cursor is reported, a record changed several times is reported
 *       once (at its latest change, with its current values), and a record not changed since the
 *       cursor is not reported again. Writes the engine makes through {@link #upsert},
 *       {@link #markDeleted}, {@link #link}, {@link #merge} and {@link #relink} should not appear
 *       in the feed; if they do, the engine sees values equal to its merge base and does nothing.
 *       An engine write must never hide a host change still unread in the feed.</li>
 *   <li><b>Transactions.</b> A store that also implements {@link SyncStateStore} over the same
 *       database should make {@link SyncStateStore#inTransaction} cover its writes, so data and
 *       checkpoint commit together.</li>
 * </ul>
 */
public interface MarketingStore {

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
     * {@code marketingId} is null, otherwise patches it. The change enters the change feed; a
     * call that changes no value may leave the feed as it is.
     *
     * @param type a bidirectional object type
     * @param marketingId the record to change, or null to create one
     * @param fields the values to set ({@link FieldValue#NULL} clears)
     * @return the record as stored afterwards
     * @throws IllegalArgumentException if the type is not bidirectional, the record does not exist,
     *     or a value cannot be stored (the message names the field)
     */
    MarketingRecord saveLocal(ObjectType type, String marketingId, Map<String, FieldValue> fields);

    /**
     * Reads the store's own changes since a cursor, oldest first. Starting from the empty cursor
     * {@code ""} lists every record of the type (those the engine wrote too), so a first
     * bidirectional cycle sees the marketing-only records that existed before it. A cursor is
     * opaque and belongs to the store that issued it.
     *
     * @param type a bidirectional object type
     * @param cursor a cursor returned earlier, or {@code ""} for the beginning
     * @param limit the most records to return, at least 1
     * @return the page
     * @throws IllegalArgumentException if the type is not bidirectional or the cursor is not one this store issues
     */
    ChangePage changesSince(ObjectType type, String cursor, int limit);

    /**
     * Links a marketing-only record to the CRM record the engine created for it.
     *
     * @param type the object type
     * @param marketingId the store's id
     * @param crmId the new CRM id
     * @throws IllegalArgumentException if the record does not exist, is linked to another CRM id,
     *     or another record of the type is already linked to {@code crmId}; linking again to the same
     *     id does nothing
     */
    void link(ObjectType type, String marketingId, CrmId crmId);

    /**
     * Merges loser records into a survivor, as the CRM did: the survivor takes
     * {@code mergedFields}; every stored reference to a loser (e.g. a campaign member's person
     * field, an activity's {@code WhoId}: any {@link FieldValue.Ref} in any record) is repointed
     * at the survivor; the losers are removed. Idempotent: losers already gone are ignored. If the
     * survivor is not in the store, the first loser found takes its CRM id (keeping its marketing
     * id), or, when none is found either, the survivor is created from {@code mergedFields}.
     *
     * @param type the object type
     * @param survivor the surviving record's CRM id
     * @param losers the merged-away records' CRM ids
     * @param mergedFields the survivor's values after the merge (patch semantics)
     * @return the survivor as stored afterwards
     * @throws IllegalArgumentException if the survivor is also a loser, or a value cannot be stored
     */
    MarketingRecord merge(ObjectType type, CrmId survivor, Collection<CrmId> losers, Map<String, FieldValue> mergedFields);

    /**
     * Moves a record to another type and CRM id, as a lead conversion does (Lead → Contact). If a
     * record with the target id already exists, this behaves as {@link #merge} into it. References
     * to the old id are repointed. The record keeps its marketing id, and its
     * {@linkplain MarketingRecord#crmDeleted() deleted flag} (an {@link #upsert} clears it). If
     * neither record exists, the record is created under its new identity. Idempotent.
     *
     * <p>{@code fromType} may equal {@code toType}: the record then only takes a new CRM id. The
     * engine does this when a person the CRM deleted is pushed to the CRM again (a new CRM record).
     *
     * @param fromType the old type
     * @param fromId the old CRM id
     * @param toType the new type
     * @param toId the new CRM id
     * @param fields the values of the record under its new identity (patch semantics: fields of the
     *     old identity not named here are kept)
     * @return the record as stored afterwards
     */
    MarketingRecord relink(ObjectType fromType, CrmId fromId, ObjectType toType, CrmId toId, Map<String, FieldValue> fields);
}
