package dev.crmsync.core;

import dev.crmsync.core.report.LeadConversion;
import dev.crmsync.core.report.RecordsMerged;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.core.report.UnwrittenField;

import dev.crmsync.model.ObjectType;
import dev.crmsync.store.FailedRecord;
import java.util.List;
import java.util.OptionalLong;

/**
 * Hooks into a running engine: progress, rejected records, conflicts, lead conversions, merges,
 * type and cycle completion. Every method is a no-op by default; override what you need.
 *
 * <p>Methods are called on the thread running the cycle, in cycle order. They should return
 * quickly. The engine calls them behind a guard: a listener that throws is logged and ignored,
 * and never stops a cycle.
 */
public interface SyncListener {

    /** A listener that does nothing. */
    SyncListener NOOP = new SyncListener() {
    };

    /**
     * A cycle started.
     *
     * @param cycleId its id
     * @param types the object types it will visit, in order
     */
    default void onCycleStarted(String cycleId, List<ObjectType> types) {
    }

    /**
     * Progress of one object type: called when the type starts and after each page. During the
     * first full copy, {@code done} counts records copied since the copy began (across cycles
     * and restarts); afterwards it counts changes read in this cycle.
     *
     * @param type the object type
     * @param done records done so far
     * @param estimatedTotal the CRM's estimate of the total, if it gave one
     */
    default void onProgress(ObjectType type, long done, OptionalLong estimatedTotal) {
    }

    /**
     * A record was rejected: by the marketing store ({@link FailedRecord#target()} {@code MARKETING}),
     * or by the CRM or the engine's checks before a CRM write ({@code CRM}), with the reason code
     * and message. It is kept in the state store for retry, or parked once its attempts are used
     * up ({@link FailedRecord#parked()}). Also called for {@link SyncEngine#pushNow} rejections.
     *
     * @param failure the failure as saved, with the reason
     */
    default void onRecordRejected(FailedRecord failure) {
    }

    /**
     * A field changed on both sides was decided (bidirectional types): by the policy, or parked
     * for manual resolution ({@link Resolution.Park}), in which case the conflict is in
     * {@link SyncEngine#parkedConflicts()}.
     *
     * @param conflict the conflict, with both values and the base
     * @param resolution what was decided
     */
    default void onConflict(Conflict conflict, Resolution resolution) {
    }

    /**
     * A lead converted in the CRM was applied to the store: one marketing person, now a Contact.
     *
     * @param conversion the conversion
     */
    default void onLeadConverted(LeadConversion conversion) {
    }

    /**
     * Records merged in the CRM were merged in the store.
     *
     * @param merge the merge
     */
    default void onRecordsMerged(RecordsMerged merge) {
    }

    /**
     * A field of the host's records the CRM will not take (unknown to it, hidden, or read-only for
     * the integration user) was left out of the CRM write; the rest of the record was written.
     * Called once per cycle per type and field, the first time a host change carrying it is
     * merged; {@link TypeReport#unwrittenFields()} counts the records.
     *
     * @param field the type, the field's (sanitised) name and why
     */
    default void onFieldNotWritten(UnwrittenField field) {
    }

    /**
     * An object type is done for this cycle (whatever its outcome).
     *
     * @param report what the cycle did for it
     */
    default void onTypeDone(TypeReport report) {
    }

    /**
     * A cycle ended (whatever its outcome).
     *
     * @param report the cycle's report, as {@link SyncEngine#runCycle()} returns it
     */
    default void onCycleDone(SyncReport report) {
    }
}
