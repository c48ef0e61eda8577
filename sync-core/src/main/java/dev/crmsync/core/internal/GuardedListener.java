package dev.crmsync.core.internal;

import dev.crmsync.model.SafeText;
import dev.crmsync.core.Conflict;
import dev.crmsync.core.report.SyncAlert;
import dev.crmsync.core.report.LeadConversion;
import dev.crmsync.core.report.RecordsMerged;
import dev.crmsync.core.Resolution;
import dev.crmsync.core.SyncListener;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.core.report.UnwrittenField;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.FailedRecord;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls the host's listener behind a guard: whatever it throws is logged and ignored. */
public final class GuardedListener implements SyncListener {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedListener.class);

    private final SyncListener delegate;

    /** @param delegate the host's listener */
    public GuardedListener(SyncListener delegate) {
        this.delegate = delegate;
    }

    private void guard(String event, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("Sync listener {} threw from {}; ignored", delegate.getClass().getName(), event, SafeText.scrubbed(e));
        }
    }

    @Override
    public void onCycleStarted(String cycleId, List<ObjectType> types) {
        guard("onCycleStarted", () -> delegate.onCycleStarted(cycleId, types));
    }

    @Override
    public void onProgress(ObjectType type, long done, OptionalLong estimatedTotal) {
        guard("onProgress", () -> delegate.onProgress(type, done, estimatedTotal));
    }

    @Override
    public void onRecordRejected(FailedRecord failure) {
        guard("onRecordRejected", () -> delegate.onRecordRejected(failure));
    }

    @Override
    public void onConflict(Conflict conflict, Resolution resolution) {
        guard("onConflict", () -> delegate.onConflict(conflict, resolution));
    }

    @Override
    public void onLeadConverted(LeadConversion conversion) {
        guard("onLeadConverted", () -> delegate.onLeadConverted(conversion));
    }

    @Override
    public void onRecordsMerged(RecordsMerged merge) {
        guard("onRecordsMerged", () -> delegate.onRecordsMerged(merge));
    }

    @Override
    public void onFieldNotWritten(UnwrittenField field) {
        guard("onFieldNotWritten", () -> delegate.onFieldNotWritten(field));
    }

    @Override
    public void onCheckpoint(Checkpoint checkpoint) {
        guard("onCheckpoint", () -> delegate.onCheckpoint(checkpoint));
    }

    @Override
    public void onWrittenToCrm(ObjectType type, long records) {
        guard("onWrittenToCrm", () -> delegate.onWrittenToCrm(type, records));
    }

    @Override
    public void onParkedCounted(long failures, long conflicts) {
        guard("onParkedCounted", () -> delegate.onParkedCounted(failures, conflicts));
    }

    /** @return true if the host set a listener (not {@link SyncListener#NOOP}) */
    public boolean isListening() {
        return delegate != SyncListener.NOOP;
    }

    @Override
    public void onTypeDone(TypeReport report) {
        guard("onTypeDone", () -> delegate.onTypeDone(report));
    }

    @Override
    public void onCycleDone(SyncReport report) {
        guard("onCycleDone", () -> delegate.onCycleDone(report));
    }

    @Override
    public void onAlert(SyncAlert alert) {
        guard("onAlert", () -> delegate.onAlert(alert));
    }
}
