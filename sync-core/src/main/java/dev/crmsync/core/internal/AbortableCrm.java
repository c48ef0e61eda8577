package dev.crmsync.core.internal;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.crm.Cursor;
import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.CallAbortedException;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The engine's view of the host's CRM source: passes every call through until
 * {@link #abort(Thread)}, which wakes the calls the cycle thread has in flight
 * ({@link CrmSource#wakeup(Thread)}) and makes every later call of this engine throw
 * {@link CallAbortedException} before it reaches the source. Cheap calls (sizes, call counts) and
 * closing a stream always pass. Thread-safe. Never closes the source: the host owns it.
 */
public final class AbortableCrm implements CrmSource {

    private final CrmSource delegate;
    private volatile boolean aborting;

    /** @param delegate the host's source */
    public AbortableCrm(CrmSource delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * Refuses this engine's later calls and wakes those {@code thread} has in flight. Idempotent;
     * any thread; does not wait.
     *
     * @param thread the thread running the cycle (or a push)
     */
    public void abort(Thread thread) {
        aborting = true;
        delegate.wakeup(thread);
    }

    /** @return true once {@link #abort(Thread)} was called */
    public boolean aborting() {
        return aborting;
    }

    private void check(String what) {
        if (aborting) {
            throw new CallAbortedException("CRM " + what + " not started: the engine is closing and its close timeout"
                    + " has passed");
        }
    }

    @Override
    public Set<ObjectType> availableTypes() {
        check("availableTypes");
        return delegate.availableTypes();
    }

    @Override
    public Optional<ObjectSchema> describe(ObjectType type) {
        check("describe");
        return delegate.describe(type);
    }

    @Override
    public ChangeStream openChanges(ChangeQuery query) {
        check("openChanges");
        return new Stream(delegate.openChanges(query));
    }

    @Override
    public DeletedRecords deletedSince(ObjectType type, Instant start, Instant end) {
        check("deletedSince");
        return delegate.deletedSince(type, start, end);
    }

    @Override
    public List<SyncRecord> fetch(ObjectType type, Collection<CrmId> ids, Set<String> fields) {
        check("fetch");
        return queueOwnersBlanked(delegate.fetch(type, ids, fields));
    }

    @Override
    public List<CrmWriteResult> delete(ObjectType type, List<CrmId> ids) {
        check("delete");
        return delegate.delete(type, ids);
    }

    @Override
    public dev.crmsync.crm.LeadConvertResult convertLead(dev.crmsync.crm.LeadConvert request) {
        check("convertLead");
        return delegate.convertLead(request);
    }

    @Override
    public dev.crmsync.crm.MergeResult mergeRecords(ObjectType type, CrmId masterId, List<CrmId> loserIds) {
        check("mergeRecords");
        return delegate.mergeRecords(type, masterId, loserIds);
    }

    @Override
    public List<CrmWriteResult> write(ObjectType type, List<? extends CrmWrite> writes) {
        check("write");
        return delegate.write(type, writes);
    }

    @Override
    public void beginCycle() {
        check("beginCycle");
        delegate.beginCycle();
    }

    @Override
    public void wakeup(Thread caller) {
        delegate.wakeup(caller);
    }

    @Override
    public int maxPageSize() {
        return delegate.maxPageSize();
    }

    @Override
    public int maxWriteBatch() {
        return delegate.maxWriteBatch();
    }

    @Override
    public java.time.Duration maxWriteDuration() {
        return delegate.maxWriteDuration();
    }

    @Override
    public Map<String, Long> callCounts() {
        return delegate.callCounts();
    }

    /** Does nothing: the host closes its source. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return delegate.toString();
    }

    /** The key prefix of a {@code Group} id: a queue, when it owns a record. */
    static final String QUEUE_KEY_PREFIX = "00G";

    /**
     * The records as the engine sees them: a Lead owned by a queue (its {@code OwnerId} a
     * {@code Group} id, not a {@code User} one) has its owner empty, as Marketo leaves the owner
     * fields empty while a queue owns a lead. The CRM keeps the queue; the engine never writes the
     * owner back unless the host sets one (a user), and a later assignment to a user reads as a change.
     */
    static List<SyncRecord> queueOwnersBlanked(List<SyncRecord> records) {
        List<SyncRecord> out = null;
        for (int i = 0; i < records.size(); i++) {
            SyncRecord r = records.get(i);
            if (r.type().equals(ObjectType.LEAD) && !r.deleted()
                    && r.fields().get(OWNER_ID) instanceof FieldValue.Ref ref
                    && ref.id().keyPrefix().equals(QUEUE_KEY_PREFIX)) {
                if (out == null) {
                    out = new java.util.ArrayList<>(records);
                }
                Map<String, FieldValue> fields = new java.util.LinkedHashMap<>(r.fields());
                fields.put(OWNER_ID, FieldValue.NULL);
                out.set(i, r.withFields(fields));
            }
        }
        return out == null ? records : out;
    }

    private static final String OWNER_ID = "OwnerId";

    private final class Stream implements ChangeStream {
        private final ChangeStream stream;

        Stream(ChangeStream stream) {
            this.stream = stream;
        }

        @Override
        public List<SyncRecord> nextPage() {
            check("nextPage");
            return queueOwnersBlanked(stream.nextPage());
        }

        @Override
        public OptionalLong estimatedTotal() {
            check("estimatedTotal");
            return stream.estimatedTotal();
        }

        @Override
        public Optional<String> resumePoint() {
            return stream.resumePoint();        // no CRM call
        }

        @Override
        public Optional<Cursor> endCursor() {
            return stream.endCursor();          // no CRM call
        }

        @Override
        public void close() {
            stream.close();
        }
    }
}
