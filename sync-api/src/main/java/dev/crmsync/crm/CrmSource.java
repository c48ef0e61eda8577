package dev.crmsync.crm;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the engine needs from a CRM. Implementations: {@code InMemoryCrm}
 * (the fake for test suites) and {@code SalesforceCrmSource} (module {@code sync-salesforce}).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Threads.</b> One engine calls a source from one thread at a time; a source shared by
 *       several engines must be thread-safe. {@link #callCounts()} may be read from any thread.</li>
 *   <li><b>Order and paging.</b> {@link #openChanges} yields records strictly after the query's
 *       cursor, in ascending (modification stamp, id) order, across pages: no record is skipped
 *       at a page boundary, however many records share one stamp. Deleted records (and merge
 *       losers, with {@link SyncRecord#MASTER_RECORD_ID}) are included with {@code deleted=true}
 *       for as long as the CRM keeps them (Salesforce: its recycle bin, 15 days).</li>
 *   <li><b>Late visibility.</b> A record may become visible with a stamp older than records
 *       already read (a transaction that committed late). The engine re-reads a lookback window
 *       to catch it; sources need not do anything about it.</li>
 *   <li><b>Visibility.</b> Only what the integration user can read: {@link #describe} leaves out
 *       (or marks unreadable) hidden fields, and returns empty for a type the user cannot query,
 *       which the engine skips rather than fails.</li>
 *   <li><b>Failures.</b> Infrastructure failures throw {@link dev.crmsync.model.SyncException}:
 *       {@link dev.crmsync.model.RetriableSyncException} when a later try may pass (after the
 *       source's own retries), {@link dev.crmsync.model.QuotaExceededException} when the API
 *       allowance or the host's budget is spent. A rejected record in a {@link #write} batch is a
 *       {@link CrmWriteResult.Rejected} value and never an exception.</li>
 *   <li><b>Idempotence.</b> Reads have no effect. Updates with the same values are harmless.
 *       Creates are <em>not</em> idempotent: a create whose answer was lost may have made a record,
 *       so a source never repeats one itself, and the engine records what it sent before it sends
 *       it, recognises the record in the change stream, and sends it again only after
 *       {@link #maxWriteDuration()} plus its lookback has passed with nothing found. Upserts
 *       ({@link CrmWrite.Upsert}) <em>are</em> idempotent: a source may repeat one after a timeout
 *       or a server error, and the engine sends one again whenever its answer was lost. A source
 *       supports upserts on every field its {@link #describe} marks
 *       {@link FieldSchema#externalId() externalId}; an upsert on any other field is a rejected
 *       record (Salesforce: {@code NOT_FOUND}, "Provided external ID field does not exist or is not
 *       accessible").</li>
 *   <li><b>Stopping.</b> A call may block for a long time (a Bulk job wait, a slow read). The
 *       engine, when it is closed and its close timeout has passed, calls {@link #wakeup(Thread)}
 *       from another thread; the call then throws {@link dev.crmsync.model.CallAbortedException}
 *       promptly. A call made on an interrupted thread, or interrupted while it waits, throws the
 *       same exception (the interrupt flag stays set). {@link InFlightCalls} does the bookkeeping.</li>
 * </ul>
 */
public interface CrmSource extends AutoCloseable {

    /** @return the object types the integration user can query (standard and custom) */
    Set<ObjectType> availableTypes();

    /**
     * Describes an object type as the integration user sees it.
     *
     * @param type the object type
     * @return its schema, or empty if the user cannot query the type
     */
    Optional<ObjectSchema> describe(ObjectType type);

    /**
     * Opens a read of the change stream.
     *
     * @param query what to read
     * @return the stream; the caller closes it
     */
    ChangeStream openChanges(ChangeQuery query);

    /**
     * Reads the delete log for a window.
     *
     * @param type the object type
     * @param start the window's start (inclusive)
     * @param end the window's end (exclusive), after {@code start}
     * @return the deletions and how far the log reaches
     */
    DeletedRecords deletedSince(ObjectType type, Instant start, Instant end);

    /**
     * Reads records by id, deleted ones included (flagged).
     *
     * @param type the object type
     * @param ids the ids, at most {@link #maxPageSize()}
     * @param fields the fields to read
     * @return the records found, in no particular order (ids not found are left out)
     */
    List<SyncRecord> fetch(ObjectType type, Collection<CrmId> ids, Set<String> fields);

    /**
     * Writes a batch of creates, updates and upserts (bidirectional types only).
     *
     * @param type the object type
     * @param writes at most {@link #maxWriteBatch()} writes
     * @return one result per write, in input order
     * @throws IllegalArgumentException if the batch is too large or the type is not bidirectional
     *     (an upsert on a field that is not an external id is a rejected record, not an exception)
     */
    List<CrmWriteResult> write(ObjectType type, List<? extends CrmWrite> writes);

    /**
     * Deletes records (bidirectional types only): the CRM side of a record the host deleted from
     * the marketing store. A record already deleted counts as deleted ({@link CrmWriteResult.Written}),
     * so that a delete sent again after a lost answer is harmless. Salesforce: {@code DELETE
     * /composite/sobjects?ids=…&allOrNone=false}, 200 ids a call. The default rejects every record
     * with {@link #DELETE_NOT_SUPPORTED}, not retriable.
     *
     * @param type the object type
     * @param ids at most {@link #maxWriteBatch()} distinct ids
     * @return one result per id, in input order
     * @throws IllegalArgumentException if the batch is too large, holds an id twice or the type is not bidirectional
     */
    default List<CrmWriteResult> delete(ObjectType type, List<CrmId> ids) {
        java.util.Objects.requireNonNull(type, "type");
        java.util.Objects.requireNonNull(ids, "ids");
        return ids.stream().<CrmWriteResult>map(id -> new CrmWriteResult.Rejected(DELETE_NOT_SUPPORTED,
                "this CRM source does not delete records", List.of(), false)).toList();
    }

    /** Code of a delete the source does not make ({@link #delete}'s default). */
    String DELETE_NOT_SUPPORTED = "DELETE_NOT_SUPPORTED";

    /**
     * Converts a lead into a contact, an account and (unless asked not to) an opportunity: the
     * marketing side's "Convert Person". Salesforce: SOAP {@code convertLead()} (its REST API has no
     * such call). The lead stays, read-only, with {@code IsConverted}, {@code ConvertedContactId},
     * {@code ConvertedAccountId} and {@code ConvertedOpportunityId} set, as after a conversion made
     * in the CRM. An optional capability: the default refuses with {@link #CONVERT_NOT_SUPPORTED},
     * not retriable, and makes no call.
     *
     * @param request the lead and how to convert it
     * @return the CRM's answer; a refusal (a converted or deleted lead, a status that does not
     *     convert) is a value, not an exception
     * @throws NullPointerException if {@code request} is null
     */
    default LeadConvertResult convertLead(LeadConvert request) {
        java.util.Objects.requireNonNull(request, "request");
        return LeadConvertResult.rejected(request.leadId(), new CrmWriteResult.Rejected(CONVERT_NOT_SUPPORTED,
                "this CRM source does not convert leads", List.of(), false));
    }

    /** Code of a conversion the source does not make ({@link #convertLead}'s default). */
    String CONVERT_NOT_SUPPORTED = "CONVERT_NOT_SUPPORTED";

    /**
     * Merges one or two records into a master, as Salesforce's SOAP {@code merge()} does: the losers
     * are deleted with {@link SyncRecord#MASTER_RECORD_ID} set to the master (so they appear in the
     * change stream and the delete log as the merges a salesperson makes), their related records are
     * re-pointed to the master, and the master keeps its own values. An optional capability: the
     * default refuses with {@link #MERGE_NOT_SUPPORTED}, not retriable, and makes no call.
     *
     * @param type Lead, Contact or Account (the types Salesforce merges)
     * @param masterId the surviving record
     * @param loserIds one or two other records of the type, distinct
     * @return the CRM's answer; a refusal (a record missing or deleted, a converted lead) is a value
     * @throws IllegalArgumentException if the type is not mergeable, there are no or more than two
     *     losers, a loser is repeated or is the master
     */
    default MergeResult mergeRecords(ObjectType type, CrmId masterId, List<CrmId> loserIds) {
        checkMerge(type, masterId, loserIds);
        return MergeResult.rejected(masterId, new CrmWriteResult.Rejected(MERGE_NOT_SUPPORTED,
                "this CRM source does not merge records", List.of(), false));
    }

    /** Code of a merge the source does not make ({@link #mergeRecords}'s default). */
    String MERGE_NOT_SUPPORTED = "MERGE_NOT_SUPPORTED";

    /** Most losers one merge takes (Salesforce's {@code recordToMergeIds}: two). */
    int MAX_MERGE_LOSERS = 2;

    /** The types a merge takes: Lead, Contact, Account. */
    Set<ObjectType> MERGEABLE_TYPES = Set.of(ObjectType.LEAD, ObjectType.CONTACT, ObjectType.ACCOUNT);

    /**
     * Checks a merge's arguments as {@link #mergeRecords} documents them; for implementations.
     *
     * @param type the type
     * @param masterId the master
     * @param loserIds the losers
     * @throws IllegalArgumentException if they are not a valid merge
     */
    static void checkMerge(ObjectType type, CrmId masterId, List<CrmId> loserIds) {
        java.util.Objects.requireNonNull(type, "type");
        java.util.Objects.requireNonNull(masterId, "masterId");
        java.util.Objects.requireNonNull(loserIds, "loserIds");
        if (!MERGEABLE_TYPES.contains(type)) {
            throw new IllegalArgumentException("merge takes Lead, Contact or Account, not " + type);
        }
        if (loserIds.isEmpty() || loserIds.size() > MAX_MERGE_LOSERS) {
            throw new IllegalArgumentException("merge takes 1.." + MAX_MERGE_LOSERS + " losers a call, got "
                    + loserIds.size());
        }
        for (CrmId id : loserIds) {
            java.util.Objects.requireNonNull(id, "loserIds holds null");
        }
        if (new java.util.HashSet<>(loserIds).size() != loserIds.size() || loserIds.contains(masterId)) {
            throw new IllegalArgumentException("merge losers must be distinct and differ from the master " + masterId);
        }
    }

    /**
     * Tells the source a new sync cycle starts, so that per-cycle accounting (such as a share of
     * the daily API allowance) starts afresh. The engine calls it once at the start of every
     * cycle, before any other call. The default does nothing.
     */
    default void beginCycle() {
    }

    /**
     * Makes the calls that {@code caller} has in flight on this source end promptly, by throwing
     * {@link dev.crmsync.model.CallAbortedException} on that thread: as
     * {@code KafkaConsumer.wakeup()} does, but aimed at one thread's calls, because several engines
     * may share a source. Callable from any thread, at any time; returns without waiting for the
     * calls to end. A source cancels its in-flight I/O (an HTTP request) and wakes its waits (a job
     * poll, a backoff), and never retries an aborted call. Not sticky: a call that starts after this
     * returned runs normally. The engine calls it from {@code SyncEngine.close()} once its close
     * timeout has passed. The default does nothing: a source whose calls never block for long need
     * not implement it.
     *
     * @param caller the thread whose calls to abort (the engine's cycle thread)
     */
    default void wakeup(Thread caller) {
    }

    /** @return the largest page a read returns (Salesforce: 2,000) */
    default int maxPageSize() {
        return 2_000;
    }

    /**
     * The longest a write may take to commit, counted from when the engine made the call: how long
     * after a call whose answer was lost (a timeout, a dropped connection) its effect can still
     * land. The engine waits this long, plus its lookback, before it sends a create whose outcome
     * is unknown again. The default, ten minutes, is safe for an HTTP source; a source that knows
     * its request timeout and retries says less (Salesforce: socket timeout × attempts, plus
     * backoff), one that commits within the call, zero.
     *
     * @return the longest commit delay of a write, not negative
     */
    default Duration maxWriteDuration() {
        return Duration.ofMinutes(10);
    }

    /** @return the largest write batch (Salesforce sObject Collections: 200) */
    default int maxWriteBatch() {
        return 200;
    }

    /**
     * @return calls made so far, by operation or endpoint name (cumulative since the source was
     *     created; the engine reports per-cycle differences)
     */
    Map<String, Long> callCounts();

    /** Releases the source's resources (HTTP clients, open jobs); idempotent. */
    @Override
    void close();
}
