package dev.crmsync.core.internal;

/**
 * The per-type work of a cycle: a strategy the cycle runner calls once per object type, after it
 * has taken the type's lease and described the type. {@link OneWaySync} moves CRM changes to the
 * marketing store; the bidirectional strategy (Lead, Contact, Campaign, CampaignMember) plugs in
 * through {@link TypeSyncs#defaults}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Called on the cycle's thread; one type at a time.</li>
 *   <li>Commit writes and checkpoint together through {@link TypeRun#commit}, and only move the
 *       checkpoint past what is durable.</li>
 *   <li>Call {@link TypeRun#checkContinue()} between pages, so that closing the engine or
 *       interrupting the thread stops the type at a page boundary (and the lease is renewed).</li>
 *   <li>A rejected record is a value: record it in a {@link SideFailures}. An infrastructure
 *       failure is an exception: the type ends failed, the cycle goes on with the next type;
 *       {@link dev.crmsync.model.QuotaExceededException} stops the cycle.</li>
 *   <li>Count into {@link TypeRun#counters()}; the runner builds the type's report from them.</li>
 * </ul>
 */
@FunctionalInterface
public interface TypeSync {

    /**
     * Runs one object type's part of a cycle.
     *
     * @param run the type's context: settings, schema, fields, checkpoint, counters, failures
     */
    void sync(TypeRun run);

    /**
     * Brings named CRM records to the store now, outside a cycle, by the same merge a cycle runs
     * (a change event's hint: the record changed). Records the CRM no longer has are merged as
     * deleted. Moves no checkpoint.
     *
     * @param run the type's context
     * @param ids the records, at most {@code SyncEngine.MAX_APPLY_IDS}, no repeats
     */
    default void syncIds(TypeRun run, java.util.List<dev.crmsync.model.CrmId> ids) {
        throw new UnsupportedOperationException("this strategy does not sync records by id");
    }

    /**
     * Writes the host's changes waiting in the marketing store's change feed to the CRM now,
     * outside a cycle, by the merge a cycle runs (a two-way type's marketing phase and its host
     * deletes); the CRM's own changes wait for the next cycle. Moves the type's marketing cursor
     * as a cycle does; does nothing before the type's first copy is done.
     *
     * @param run the type's context
     */
    default void syncHostChanges(TypeRun run) {
        throw new UnsupportedOperationException("this strategy has no host changes to write");
    }
}
