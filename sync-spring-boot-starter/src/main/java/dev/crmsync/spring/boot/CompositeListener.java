package dev.crmsync.spring.boot;

import dev.crmsync.core.Conflict;
import dev.crmsync.core.Resolution;
import dev.crmsync.core.SyncListener;
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
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every {@link SyncListener} bean of the context, each behind its own guard: one that throws does not stop the next. */
final class CompositeListener implements SyncListener {

    private static final Logger LOG = LoggerFactory.getLogger(CompositeListener.class);

    private final List<SyncListener> listeners;

    CompositeListener(List<SyncListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    private void each(String event, Consumer<SyncListener> call) {
        for (SyncListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                // the class only: a listener's message may quote record values
                LOG.warn("SyncListener {} threw {} from {}; ignored", l.getClass().getName(),
                        e.getClass().getName(), event);
            }
        }
    }

    @Override
    public void onCycleStarted(String cycleId, List<ObjectType> types) {
        each("onCycleStarted", l -> l.onCycleStarted(cycleId, types));
    }

    @Override
    public void onProgress(ObjectType type, long done, OptionalLong estimatedTotal) {
        each("onProgress", l -> l.onProgress(type, done, estimatedTotal));
    }

    @Override
    public void onRecordRejected(FailedRecord failure) {
        each("onRecordRejected", l -> l.onRecordRejected(failure));
    }

    @Override
    public void onConflict(Conflict conflict, Resolution resolution) {
        each("onConflict", l -> l.onConflict(conflict, resolution));
    }

    @Override
    public void onLeadConverted(LeadConversion conversion) {
        each("onLeadConverted", l -> l.onLeadConverted(conversion));
    }

    @Override
    public void onRecordsMerged(RecordsMerged merge) {
        each("onRecordsMerged", l -> l.onRecordsMerged(merge));
    }

    @Override
    public void onFieldNotWritten(UnwrittenField field) {
        each("onFieldNotWritten", l -> l.onFieldNotWritten(field));
    }

    @Override
    public void onCheckpoint(Checkpoint checkpoint) {
        each("onCheckpoint", l -> l.onCheckpoint(checkpoint));
    }

    @Override
    public void onWrittenToCrm(ObjectType type, long records) {
        each("onWrittenToCrm", l -> l.onWrittenToCrm(type, records));
    }

    @Override
    public void onParkedCounted(long failures, long conflicts) {
        each("onParkedCounted", l -> l.onParkedCounted(failures, conflicts));
    }

    @Override
    public void onTypeDone(TypeReport report) {
        each("onTypeDone", l -> l.onTypeDone(report));
    }

    @Override
    public void onCycleDone(SyncReport report) {
        each("onCycleDone", l -> l.onCycleDone(report));
    }
}
