package dev.crmsync.core;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.model.SyncRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A CRM whose creates can time out and commit <em>later</em>, as over HTTP: a held write call
 * answers with a retriable failure (its answer lost) and takes effect only when the test calls
 * {@link #commitHeld()} — within {@link #maxWriteDuration()}, as a real CRM commits a request it is
 * still processing. Only calls made of creates and upserts are held; everything else passes.
 */
final class LateCommits implements CrmSource {
    private final CrmSource crm;
    private final Duration maxWriteDuration;
    private int toHold;
    private final List<Map.Entry<ObjectType, List<CrmWrite>>> held = new ArrayList<>();
    private final List<Instant> sentAt = new ArrayList<>();
    private final java.time.Clock clock;
    long heldCalls;

    LateCommits(CrmSource crm, Duration maxWriteDuration) {
        this(crm, maxWriteDuration, java.time.Clock.systemUTC());
    }

    /** @param clock when held calls were sent, for {@link #commitOlderThan} */
    LateCommits(CrmSource crm, Duration maxWriteDuration, java.time.Clock clock) {
        this.crm = crm;
        this.maxWriteDuration = maxWriteDuration;
        this.clock = clock;
    }

    /** No more calls are held (those held stay so until committed). */
    void stopHolding() {
        toHold = 0;
    }

    /** The held writes sent at least {@code age} ago take effect now. */
    void commitOlderThan(Duration age) {
        Instant cutoff = clock.instant().minus(age);
        for (int i = 0; i < held.size(); ) {
            if (!sentAt.get(i).isAfter(cutoff)) {
                Map.Entry<ObjectType, List<CrmWrite>> e = held.remove(i);
                sentAt.remove(i);
                commit(e);
            } else {
                i++;
            }
        }
    }

    /** The next {@code n} calls of creates or upserts are held. */
    LateCommits holdNext(int n) {
        toHold += n;
        return this;
    }

    /** The held writes take effect now (their answers are long lost). */
    void commitHeld() {
        for (Map.Entry<ObjectType, List<CrmWrite>> e : held) {
            commit(e);
        }
        held.clear();
        sentAt.clear();
    }

    /**
     * The CRM commits a request it accepted: faults injected into the CRM's calls (meant for the
     * engine's) do not stop it — a retriable one is drawn again.
     */
    private void commit(Map.Entry<ObjectType, List<CrmWrite>> e) {
        for (int attempt = 1; ; attempt++) {
            try {
                crm.write(e.getKey(), e.getValue());
                return;
            } catch (RetriableSyncException injected) {
                if (attempt == 100) {
                    throw injected;
                }
            }
        }
    }

    int held() {
        return held.size();
    }

    @Override
    public List<CrmWriteResult> delete(ObjectType type, List<CrmId> ids) {
        return crm.delete(type, ids);
    }

    @Override
    public List<CrmWriteResult> write(ObjectType type, List<? extends CrmWrite> writes) {
        boolean creates = !writes.isEmpty() && writes.stream().noneMatch(w -> w instanceof CrmWrite.Update);
        if (creates && toHold > 0) {
            toHold--;
            heldCalls++;
            held.add(Map.entry(type, List.copyOf(writes)));
            sentAt.add(clock.instant());
            throw new RetriableSyncException("read timed out (the CRM is still processing the request)", type, null,
                    null);
        }
        return crm.write(type, writes);
    }

    @Override
    public dev.crmsync.crm.LeadConvertResult convertLead(dev.crmsync.crm.LeadConvert request) {
        return crm.convertLead(request);
    }

    @Override
    public dev.crmsync.crm.MergeResult mergeRecords(ObjectType type, CrmId masterId, List<CrmId> loserIds) {
        return crm.mergeRecords(type, masterId, loserIds);
    }

    @Override
    public void beginCycle() {
        crm.beginCycle();
    }

    @Override
    public Duration maxWriteDuration() {
        return maxWriteDuration;
    }

    @Override
    public Set<ObjectType> availableTypes() {
        return crm.availableTypes();
    }

    @Override
    public Optional<ObjectSchema> describe(ObjectType type) {
        return crm.describe(type);
    }

    @Override
    public ChangeStream openChanges(ChangeQuery query) {
        return crm.openChanges(query);
    }

    @Override
    public DeletedRecords deletedSince(ObjectType type, Instant start, Instant end) {
        return crm.deletedSince(type, start, end);
    }

    @Override
    public List<SyncRecord> fetch(ObjectType type, Collection<CrmId> ids, Set<String> fields) {
        return crm.fetch(type, ids, fields);
    }

    @Override
    public int maxPageSize() {
        return crm.maxPageSize();
    }

    @Override
    public int maxWriteBatch() {
        return crm.maxWriteBatch();
    }

    @Override
    public Map<String, Long> callCounts() {
        return crm.callCounts();
    }

    @Override
    public void close() {
        crm.close();
    }
}
