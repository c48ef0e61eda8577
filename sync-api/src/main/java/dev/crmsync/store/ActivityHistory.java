package dev.crmsync.store;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The optional capability of a {@link MarketingStore} that keeps each person's activity history:
 * what the engine did to or for a Lead or Contact ({@link PersonActivity}: created from or in the
 * CRM, fields updated, a conflict resolved, a write rejected, converted, merged, deleted, its
 * account changed), as Marketo keeps a person's Activity Log. The engine finds it by type: when the
 * store it is built with implements this interface it appends activities for what it applied;
 * otherwise it does no work for them at all. The host reads a history through
 * {@code SyncEngine.history} or this interface.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Threads.</b> The engine calls these methods from one thread at a time; the host may
 *       read concurrently. Implementations must be thread-safe.</li>
 *   <li><b>Idempotence.</b> {@link #append} ignores an activity whose {@link PersonActivity#key()}
 *       the store holds already (under any person: a moved history keeps its keys), so the
 *       engine may write a batch's activities again after a crash.</li>
 *   <li><b>Transactions.</b> A store that also implements {@link SyncStateStore} over the same
 *       database should make {@link SyncStateStore#inTransaction} cover {@link #append} and
 *       {@link #moveHistory}: the engine appends a batch's activities inside the transaction that
 *       writes the batch's records and checkpoint, so all commit together or not at all.</li>
 *   <li><b>Order.</b> A history reads newest first: by {@link PersonActivity#at()}, and among
 *       activities of the same instant the later appended first. A history moved into another
 *       person's ({@link #moveHistory}) keeps its instants, so the two are concatenated in time
 *       order.</li>
 *   <li><b>No values.</b> Activities hold field names and codes only; a store keeps them as given.</li>
 * </ul>
 */
public interface ActivityHistory {

    /** The most activities {@link #append} takes in one call. */
    int MAX_BATCH = 10_000;

    /**
     * Appends activities, skipping those whose key the store holds already (and repeats within
     * the call: the first one counts).
     *
     * @param activities the activities, at most {@link #MAX_BATCH}
     * @throws IllegalArgumentException if there are more than {@link #MAX_BATCH}, or one is null
     */
    void append(List<PersonActivity> activities);

    /**
     * Reads a person's history, newest first, one page at a time.
     *
     * @param type {@link ObjectType#LEAD} or {@link ObjectType#CONTACT}
     * @param marketingId the person's marketing id
     * @param cursor null for the newest entries, or {@link ActivityPage#next()} of the page before
     * @param limit the most entries to return, at least 1 ({@link StoreChecks#requireLimit})
     * @return the page (empty for a person with no history, or one the store does not know)
     * @throws IllegalArgumentException if the cursor is not one this store issued
     */
    ActivityPage history(ObjectType type, String marketingId, @Nullable String cursor, int limit);

    /**
     * Moves one person's whole history to another person (a merged-away person's to the survivor,
     * a converted lead's to its contact), keeping each activity's instant and key. Moving a history
     * that is empty, or onto itself, does nothing. Idempotent.
     *
     * @param fromType the type the history is kept under now
     * @param fromMarketingId the marketing id it is kept under now
     * @param toType the type to keep it under
     * @param toMarketingId the marketing id to keep it under
     */
    void moveHistory(ObjectType fromType, String fromMarketingId, ObjectType toType, String toMarketingId);

    /**
     * The records of a type whose reference field points at each of some records: the contacts of
     * changed accounts, for the activity an Account change writes on each of them. Bounded: at
     * most {@code limit} records per target, so an account with a million contacts costs no more
     * than one with {@code limit}.
     *
     * @param type the referencing type (e.g. {@link ObjectType#CONTACT})
     * @param field the reference field (e.g. {@code AccountId})
     * @param targets the referenced records' CRM ids
     * @param limit the most marketing ids per target, at least 1
     * @return per target, the marketing ids of up to {@code limit} records whose {@code field}
     *     holds a reference to it, in no particular order; a target referenced by none is absent
     */
    Map<CrmId, List<String>> referencing(ObjectType type, String field, Collection<CrmId> targets, int limit);
}
