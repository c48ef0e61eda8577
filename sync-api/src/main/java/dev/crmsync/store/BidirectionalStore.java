package dev.crmsync.store;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The capability a {@link MarketingStore} needs to hold bidirectional object types (Lead,
 * Contact, Campaign, CampaignMember): its own change feed, lookup by the store's own id, and the
 * identity changes the CRM makes (a create linking a marketing-only record, a merge, a lead
 * conversion). The engine calls these methods only for bidirectional types, and refuses, when it
 * is built, to sync one against a store without this capability. A store for one-way types alone
 * implements {@link MarketingStore} only.
 *
 * <h2>Contract</h2>
 * Everything {@link MarketingStore} says, and:
 * <ul>
 *   <li><b>Change feed.</b> The store reports its own changes ({@link #changesSince}), including
 *       records that have no CRM id yet. The feed is exact: every local change after a position
 *       is reported, a record changed several times is reported once (at its latest change, with
 *       its current values), and a record not changed since the position is not reported again.
 *       Writes the engine makes through {@link #upsert}, {@link #markDeleted}, {@link #link},
 *       {@link #merge} and {@link #relink} should not appear in the feed; if they do, the engine
 *       sees values equal to its merge base and does nothing. An engine write must never hide a
 *       host change still unread in the feed.</li>
 * </ul>
 */
public interface BidirectionalStore extends MarketingStore {

    /**
     * Looks a record up by the store's own id.
     *
     * @param type the object type
     * @param marketingId the store's id
     * @return the record, if any (an id the store could never have issued finds nothing)
     */
    Optional<MarketingRecord> findByMarketingId(ObjectType type, String marketingId);

    /**
     * Reads the store's own changes after a position, oldest first. Reading from
     * {@link FeedCursor#START} lists every record of the type a host wrote (and those the store
     * holds from before it kept a feed), so a first bidirectional cycle sees the marketing-only
     * records that existed before it. A record the engine created through {@link #upsert} (or
     * {@link #merge}, {@link #relink}) and that no host write has touched since need not be listed:
     * it equals the merge base the engine saved with it, so the engine would only compare it
     * away, and a first copy of a million records would read all of them back. A store may list
     * such records (the engine compares them away); the stores shipped here do not. A host's write
     * or delete of such a record is listed like any other. A position is opaque and belongs to the
     * store that issued it.
     *
     * @param type a bidirectional object type ({@link StoreChecks#requireBidirectional})
     * @param cursor {@link FeedCursor#START}, or a position this store returned earlier
     * @param limit the most records to return, at least 1 ({@link StoreChecks#requireLimit})
     * @return the page
     * @throws IllegalArgumentException if the type is not bidirectional or the position is not one this store issues
     */
    ChangePage changesSince(ObjectType type, FeedCursor cursor, int limit);

    /**
     * Writes CRM values into stored records like {@link #upsert} (patch semantics), but only where
     * the host has not changed them since the engine read them: a record whose fields of the write
     * no longer hold the values the engine saw ({@link GuardedUpsert#seen}), or that is gone, is
     * {@link StoreResult.Changed} and nothing of it is written — so that a host write made while a
     * cycle runs is never overwritten by that cycle's merge; the engine merges the record again
     * from the change feed. The check and the write must be atomic with respect to the host's
     * writes (the in-memory store does both under its lock; a SQL store locks the rows, e.g.
     * {@code SELECT … FOR UPDATE}, in the engine's transaction).
     *
     * <p>The default reads the records, compares and upserts the rest: correct only where nothing
     * else writes between the two calls. Stores the host writes to concurrently override it.
     *
     * @param type the object type of every record
     * @param writes the writes, at most one per CRM id
     * @return one result per write, in input order
     * @throws IllegalArgumentException as {@link #upsert}
     */
    default List<StoreResult> upsertIfUnchanged(ObjectType type, List<GuardedUpsert> writes) {
        Objects.requireNonNull(writes, "writes");
        List<SyncRecord> records = writes.stream().map(GuardedUpsert::record).toList();
        StoreChecks.requireBatch(type, records);
        Map<CrmId, MarketingRecord> now = findByCrmIds(type, records.stream().map(SyncRecord::id).toList());
        StoreResult[] out = new StoreResult[writes.size()];
        List<SyncRecord> go = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            GuardedUpsert w = writes.get(i);
            MarketingRecord current = now.get(w.record().id());
            String changed = current == null ? null : w.changedField(current);
            if (current == null || changed != null) {
                out[i] = new StoreResult.Changed(w.record().id(), changed);
            } else {
                go.add(w.record());
                at.add(i);
            }
        }
        if (!go.isEmpty()) {
            List<StoreResult> done = upsert(type, go);
            for (int k = 0; k < at.size(); k++) {
                out[at.get(k)] = done.get(k);
            }
        }
        return List.of(out);
    }

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
     * The member statuses of a marketing campaign — a Marketo program's status set — when the
     * store keeps one. Before it links a marketing campaign to an existing CRM campaign the engine
     * compares them with the CRM campaign's {@code CampaignMemberStatus} labels and refuses the link
     * when the two sets differ, as Marketo refuses to sync a program with a campaign whose statuses
     * do not match. Called from the thread that asks for the link; read-only.
     *
     * @param campaignMarketingId the store's id of a Campaign record
     * @return the status labels (compared as a set, case-sensitively), or empty — the default — when
     *     the store keeps no status set for its campaigns; a link is then not checked
     */
    default Optional<Set<String>> memberStatuses(String campaignMarketingId) {
        return Optional.empty();
    }

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
     * @throws IllegalArgumentException if the survivor is also a loser ({@link StoreChecks#requireLosers}),
     *     or a value cannot be stored ({@link StoreChecks#requireStorable})
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
     * @throws IllegalArgumentException if a value cannot be stored ({@link StoreChecks#requireStorable})
     */
    MarketingRecord relink(ObjectType fromType, CrmId fromId, ObjectType toType, CrmId toId, Map<String, FieldValue> fields);
}
