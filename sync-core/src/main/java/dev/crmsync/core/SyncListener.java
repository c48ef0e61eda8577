package dev.crmsync.core;

import dev.crmsync.core.report.SyncAlert;
import dev.crmsync.core.report.LeadConversion;
import dev.crmsync.core.report.RecordsMerged;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.core.report.UnwrittenField;

import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Checkpoint;
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
     * A type's checkpoint: as loaded when the type starts in a cycle (the initial one of a type never
     * synced), then after every commit that moved it. Its {@link Checkpoint#crmCursor() CRM cursor}'s
     * stamp is the newest CRM modification the engine has applied for the type (the stream's end, once
     * it is read to the end), so "now minus that stamp" is the type's lag. Not called for a type
     * that did not run (blocked by a lease, not queryable, not reached).
     *
     * @param checkpoint the checkpoint, as saved in the state store
     */
    default void onCheckpoint(Checkpoint checkpoint) {
    }

    /**
     * A bidirectional type wrote records to the CRM this cycle (creates and updates the cycle sent and
     * the CRM accepted; the CRM's rejections are {@link #onRecordRejected} calls). Called once per
     * cycle per type, after its run, and only when it wrote at least one record.
     *
     * @param type the object type
     * @param records how many records the CRM accepted
     */
    default void onWrittenToCrm(ObjectType type, long records) {
    }

    /**
     * The parked failures and conflicts in the state store (see {@link SyncEngine#parkedFailures()}
     * and {@link SyncEngine#parkedConflicts()}): called once per cycle, after the last type and
     * before {@link #onCycleDone}. Not called if the state store could not list them. The engine
     * lists them for this call only when a listener other than {@link #NOOP} is set.
     *
     * @param failures how many failures are parked
     * @param conflicts how many conflicts are parked
     */
    default void onParkedCounted(long failures, long conflicts) {
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

    /**
     * A job-level problem began or ended: refused credentials, a spent API limit. Raised once when
     * a cycle first meets it and cleared once when a cycle no longer does; route it to e-mail or
     * paging. Called after {@link #onCycleDone} of that cycle.
     *
     * @param alert the alert
     */
    default void onAlert(SyncAlert alert) {
    }
}
