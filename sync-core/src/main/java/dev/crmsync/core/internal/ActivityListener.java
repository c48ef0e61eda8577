package dev.crmsync.core.internal;

import dev.crmsync.core.Conflict;
import dev.crmsync.core.Resolution;
import dev.crmsync.core.SyncListener;
import dev.crmsync.core.report.LeadConversion;
import dev.crmsync.core.report.RecordsMerged;
import dev.crmsync.core.report.SyncAlert;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.core.report.UnwrittenField;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.FailedRecord;
import java.util.List;
import java.util.OptionalLong;

/**
 * The listener a type run (or a host action) hands its stages when the store keeps an activity
 * history: every event goes to the guarded host listener; a rejection is also recorded as the
 * person's {@code REJECTED} activity, at the very place the failure books tell the listener.
 */
final class ActivityListener implements SyncListener {
    private final SyncListener delegate;
    private final Activities activities;

    private ActivityListener(SyncListener delegate, Activities activities) {
        this.delegate = delegate;
        this.activities = activities;
    }

    /** @return the listener itself when the store keeps no history, else one that records rejections too */
    static SyncListener of(SyncListener delegate, Activities activities) {
        return activities.on() ? new ActivityListener(delegate, activities) : delegate;
    }

    @Override
    public void onRecordRejected(FailedRecord failure) {
        activities.rejected(failure);
        delegate.onRecordRejected(failure);
    }

    @Override
    public void onCycleStarted(String cycleId, List<ObjectType> types) {
        delegate.onCycleStarted(cycleId, types);
    }

    @Override
    public void onProgress(ObjectType type, long done, OptionalLong estimatedTotal) {
        delegate.onProgress(type, done, estimatedTotal);
    }

    @Override
    public void onConflict(Conflict conflict, Resolution resolution) {
        delegate.onConflict(conflict, resolution);
    }

    @Override
    public void onLeadConverted(LeadConversion conversion) {
        delegate.onLeadConverted(conversion);
    }

    @Override
    public void onRecordsMerged(RecordsMerged merge) {
        delegate.onRecordsMerged(merge);
    }

    @Override
    public void onFieldNotWritten(UnwrittenField field) {
        delegate.onFieldNotWritten(field);
    }

    @Override
    public void onCheckpoint(Checkpoint checkpoint) {
        delegate.onCheckpoint(checkpoint);
    }

    @Override
    public void onWrittenToCrm(ObjectType type, long records) {
        delegate.onWrittenToCrm(type, records);
    }

    @Override
    public void onParkedCounted(long failures, long conflicts) {
        delegate.onParkedCounted(failures, conflicts);
    }

    @Override
    public void onTypeDone(TypeReport report) {
        delegate.onTypeDone(report);
    }

    @Override
    public void onCycleDone(SyncReport report) {
        delegate.onCycleDone(report);
    }

    @Override
    public void onAlert(SyncAlert alert) {
        delegate.onAlert(alert);
    }
}
