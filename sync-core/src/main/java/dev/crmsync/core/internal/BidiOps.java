package dev.crmsync.core.internal;

import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.core.report.PushResult;
import dev.crmsync.core.SyncListener;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.CallAbortedException;
import dev.crmsync.model.CredentialsRefusedException;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.QuotaExceededException;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.PendingWrites;
import dev.crmsync.store.PersonActivity;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.StoreResult;
import dev.crmsync.store.SyncBase;
import dev.crmsync.store.ValueFingerprint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CRM and store operations of one bidirectional type that both a cycle and
 * {@code SyncEngine.pushNow} use: chunked fetches and writes, the create payload of a
 * marketing-only record (required-field defaults, the marketing-id field, value checks), pushes
 * (create in the CRM, then link; what needs no create is {@link CreateRecovery}'s to say), and linking a marketing record to the CRM record created for it.
 */
final class BidiOps {
    private static final Logger LOG = LoggerFactory.getLogger(BidiOps.class);

    /** The person types, whose creates may take the configured defaults ({@link EngineSettings#personDefaults()}). */
    static final Set<ObjectType> PERSON_TYPES = Set.of(ObjectType.LEAD, ObjectType.CONTACT);

    final EngineSettings settings;
    final BidiType t;
    final SideFailures crmFailures;
    final SideFailures storeFailures;
    final TypeCounters counters;
    final SyncListener listener;
    /**
     * Runs before every CRM write call: renews the lease the writes are made under if a third of
     * its ttl has passed and throws if it is lost ({@link TypeRun#checkLease}), so that an
     * instance that lost its lease (it was frozen past the ttl; another instance took over and
     * synced newer values) never writes what it merged before.
     */
    final Runnable beforeCrmWrite;

    BidiOps(EngineSettings settings, BidiType t, SideFailures crmFailures, SideFailures storeFailures,
            TypeCounters counters, SyncListener listener, Runnable beforeCrmWrite) {
        this.settings = settings;
        this.t = t;
        this.crmFailures = crmFailures;
        this.storeFailures = storeFailures;
        this.counters = counters;
        this.listener = listener;
        this.beforeCrmWrite = beforeCrmWrite;
    }

    /** The persons' activity history the pushes write to ({@link Activities#NONE} unless set). */
    private Activities activities = Activities.NONE;

    /** @param activities where the pushes record the persons they created in the CRM */
    void recordActivities(Activities activities) {
        this.activities = activities;
    }

    ObjectType type() {
        return t.type;
    }

    Instant now() {
        return settings.clock().instant();
    }

    // ---- CRM calls ---------------------------------------------------------------------------

    /** Fetches records by id in chunks the CRM accepts; counts them as read. */
    Map<CrmId, SyncRecord> fetch(ObjectType type, Collection<CrmId> ids, Set<String> fields) {
        Map<CrmId, SyncRecord> out = new HashMap<>();
        List<CrmId> list = List.copyOf(new LinkedHashSet<>(ids));
        int size = settings.fetchSize();
        for (int from = 0; from < list.size(); from += size) {
            List<CrmId> chunk = list.subList(from, Math.min(list.size(), from + size));
            List<SyncRecord> found = settings.crm().fetch(type, chunk, fields);
            if (found == null) {
                throw new SyncException("CRM returned null from fetch", type, null, null);
            }
            counters.read(found.size());
            for (SyncRecord r : found) {
                if (!r.type().equals(type)) {
                    throw new SyncException("CRM returned a " + r.type() + " record when asked for " + type, type,
                            r.id(), null);
                }
                out.put(r.id(), r);
            }
        }
        return out;
    }

    /**
     * Writes in batches of at most the CRM's batch size; one result per write, in order. The one
     * way the engine writes to the CRM (a cycle's updates, pushes, campaign-member creates), so
     * that one record's value never stops a type: a batch the CRM refuses as a whole, with a
     * failure that is not retriable (Salesforce's {@code 400 JSON_PARSER_ERROR} for a number it
     * cannot parse), is narrowed down — split in halves, then single records — until the records
     * it refuses alone are known; each of those is rejected by itself ({@link #REQUEST_REFUSED}),
     * and the others are written. Nothing of a refused request was written (a failure that is not
     * retriable happened before the request took effect), so sending its parts again is safe.
     * Once two records were refused alone before any part was accepted, the CRM is probed with a
     * describe of the type ({@link Narrowing}): an outage stops the narrowing and the batch's
     * failure is thrown; a CRM that works goes on isolating records, however many are refused. A
     * batch with {@code k} such records costs at most {@code 1 + 2k·⌈log2 n⌉} write calls and one
     * describe; a batch of which every record is refused, {@code 2n − 1} and one describe; a CRM
     * that refuses everything (its describe too), {@code ⌈log2 n⌉ + 3} and one describe, before
     * the batch's failure is thrown. Retriable failures, quota, refused credentials and aborts are
     * not narrowed: they end the call as before.
     */
    List<CrmWriteResult> write(List<? extends CrmWrite> writes) {
        List<CrmWriteResult> out = new ArrayList<>(writes.size());
        int size = Math.max(1, settings.crm().maxWriteBatch());
        for (int from = 0; from < writes.size(); from += size) {
            List<? extends CrmWrite> chunk = writes.subList(from, Math.min(writes.size(), from + size));
            out.addAll(writeNarrowing(chunk, new Narrowing(() -> crmStillTakes(chunk))));
        }
        return out;
    }

    /**
     * Deletes records in batches of at most the CRM's batch size, the lease checked before each
     * call; one result per id, in order. A whole-call failure ends the call (the deletes are
     * recorded as intents and sent again next cycle: a delete is idempotent).
     */
    List<CrmWriteResult> delete(List<CrmId> ids) {
        List<CrmWriteResult> out = new ArrayList<>(ids.size());
        int size = Math.max(1, settings.crm().maxWriteBatch());
        for (int from = 0; from < ids.size(); from += size) {
            List<CrmId> chunk = ids.subList(from, Math.min(ids.size(), from + size));
            beforeCrmWrite.run();
            List<CrmWriteResult> results = settings.crm().delete(t.type, List.copyOf(chunk));
            if (results == null || results.size() != chunk.size()) {
                throw new SyncException("CRM returned " + (results == null ? "null" : results.size())
                        + " results for " + chunk.size() + " deletes", t.type, null, null);
            }
            out.addAll(results);
        }
        return out;
    }

    /**
     * The state of one batch's narrowing. A failure of the whole side (a permission withdrawn, the
     * API disabled) refuses every part, and so do records that each hold a value the side cannot
     * take (a batch of poison records): the write calls alone cannot tell the two apart. Once two
     * records were refused alone before any part was accepted, the side is probed once with a call
     * that does not carry the records' values ({@link Probe}; for the CRM, a describe of the type
     * that must still answer it as writable, with every field the batch writes): an outage (the
     * probe fails, or the type or a written field is gone or no longer writable) stops the
     * narrowing and the batch's first failure is thrown, as it was before narrowing existed, so
     * that an outage never turns a large batch into rejected records; a side that works lets the
     * narrowing go on to the end, so that no number of bad records at the head of a batch stops
     * the type. Without a probe (the marketing store), the next part sent after two refusals is the
     * probe: refused too, the failure is thrown; a batch whose every record was refused alone with
     * nothing left to probe is rejected record by record.
     */
    static final class Narrowing {
        /** A check of the side that carries no record's values: true if it works, false (or a throw) for an outage. */
        @FunctionalInterface
        interface Probe {
            boolean works();
        }

        private final Probe probe;
        SyncException first;
        int refusedAlone;
        boolean anyAccepted;
        /** the probe answered that the side works: refusals are the records' own from here on */
        boolean sideWorks;

        Narrowing() {
            this(null);
        }

        Narrowing(Probe probe) {
            this.probe = probe;
        }

        /** @return true if a refusal now means the whole CRM (or store) refuses: see the class documentation */
        boolean looksWhole() {
            return refusedAlone >= 2 && !anyAccepted && !sideWorks && probe == null;
        }

        /**
         * Called after each record refused alone: once two were refused before any part was
         * accepted, runs the probe (once per batch).
         *
         * @return true if the probe says the side is out, so that the batch's failure is to be thrown
         */
        boolean outageAfterRefusal() {
            if (probe == null || sideWorks || anyAccepted || refusedAlone < 2) {
                return false;
            }
            boolean works;
            try {
                works = probe.works();
            } catch (SyncException e) {
                first.addSuppressed(e);
                return true;
            }
            sideWorks = works;
            return !works;
        }
    }

    /** The code of a record the CRM refused as a whole request even when it was sent alone. */
    static final String REQUEST_REFUSED = "CRM_REQUEST_REFUSED";

    private List<CrmWriteResult> writeNarrowing(List<? extends CrmWrite> chunk, Narrowing n) {
        List<CrmWriteResult> results;
        beforeCrmWrite.run();     // the lease is checked (and renewed if due) right before each call, narrowing included
        try {
            results = settings.crm().write(t.type, chunk);
        } catch (SyncException e) {
            if (e.isRetriable() || e instanceof QuotaExceededException || e instanceof CallAbortedException
                    || e instanceof CredentialsRefusedException) {
                throw e;
            }
            if (n.first == null) {
                n.first = e;
                LOG.warn("{}: the CRM refused a whole write batch of {} ({}); narrowing it down to the records it"
                        + " refuses", t.type, chunk.size(), e.getClass().getSimpleName());
            }
            if (n.looksWhole()) {
                throw n.first;       // the probe after two records refused alone was refused too: an outage
            }
            if (chunk.size() == 1) {
                n.refusedAlone++;
                if (n.outageAfterRefusal()) {
                    LOG.warn("{}: two records refused alone and the CRM's describe does not answer the type as"
                            + " writable: an outage, not the records", t.type);
                    throw n.first;
                }
                return List.of(refusedAlone(chunk.get(0), e));
            }
            int mid = chunk.size() / 2;
            List<CrmWriteResult> out = new ArrayList<>(chunk.size());
            out.addAll(writeNarrowing(chunk.subList(0, mid), n));
            out.addAll(writeNarrowing(chunk.subList(mid, chunk.size()), n));
            return out;
        }
        if (results == null || results.size() != chunk.size()) {
            throw new SyncException("CRM returned " + (results == null ? "null" : results.size())
                    + " results for a write batch of " + chunk.size(), t.type, null, null);
        }
        n.anyAccepted = true;
        return results;
    }

    /**
     * The CRM probe of a narrowing: a describe of the type, which must answer it with every field
     * the batch writes, writable as the batch writes it (createable for creates, updateable for
     * updates). Carries no record's values, so a value the CRM refuses cannot fail it.
     */
    private boolean crmStillTakes(List<? extends CrmWrite> batch) {
        Optional<ObjectSchema> schema = settings.crm().describe(t.type);
        if (schema == null || schema.isEmpty()) {
            return false;
        }
        ObjectSchema s = schema.get();
        for (CrmWrite w : batch) {
            // an upsert may create or update: either way of writing will do
            boolean creates = !(w instanceof CrmWrite.Update);
            boolean updates = !(w instanceof CrmWrite.Create);
            if (!(creates && s.createable() || updates && s.updateable())) {
                return false;
            }
            for (String f : w.fields().keySet()) {
                Optional<FieldSchema> fs = s.field(f);
                if (fs.isEmpty() || !(creates && fs.get().createable() || updates && fs.get().updateable())) {
                    return false;
                }
            }
        }
        return true;
    }

    private CrmWriteResult refusedAlone(CrmWrite w, SyncException e) {
        // the CRM's message may quote the value: only the failure's kind goes into the reason
        String reason = e.getClass().getSimpleName();
        String what = w instanceof CrmWrite.Update u ? t.type + " " + u.id() : "a create of " + t.type;
        LOG.warn("{}: the CRM refused the write of {} as a whole request even alone; rejected", t.type,
                w instanceof CrmWrite.Update u ? u.id() : "a new record");
        return new CrmWriteResult.Rejected(REQUEST_REFUSED, "the CRM refused the write of " + what
                + " as a whole request, even sent alone (" + reason
                + "); it is retried when the record changes again", List.of(), false);
    }

    // ---- creates -----------------------------------------------------------------------------

    /** A create payload, or why there can be none. */
    record Payload(Map<String, FieldValue> fields, BidiType.Rejection rejection) {
    }

    /**
     * The values a create of this marketing-only record sends: every synced, createable field
     * that has a value, required fields left blank filled from the configured defaults (person
     * types), and the marketing id in the marketing-id field.
     */
    Payload createPayload(MarketingRecord r) {
        String what = FieldMerger.describe(t, null, r.marketingId());
        Map<String, FieldValue> payload = new LinkedHashMap<>();
        for (String f : t.synced()) {
            FieldValue v = r.get(f);
            if (!v.isNull() && t.createable(f)) {
                payload.put(f, v);
            }
        }
        for (String req : t.required()) {
            FieldValue v = payload.getOrDefault(req, FieldValue.NULL);
            if (!v.isBlank()) {
                continue;
            }
            String def = PERSON_TYPES.contains(t.type) ? settings.personDefaults().get(req) : null;
            if (def == null) {
                String hint = PERSON_TYPES.contains(t.type)
                        ? " and no default is configured (SyncEngine.Builder." + ("Company".equals(req)
                        ? "defaultCompany" : "defaultLastName") + ")" : "";
                return new Payload(null, new BidiType.Rejection("REQUIRED_FIELD_MISSING",
                        what + " cannot be created in the CRM: it has no " + req + hint));
            }
            payload.put(req, FieldValue.text(def));
        }
        if (t.filter != null) {
            // a person the host creates stays in the sync: the filter's checkbox is set where it may be
            t.filter.checkboxField().filter(f -> payload.getOrDefault(f, FieldValue.NULL).isNull() && t.createable(f))
                    .ifPresent(f -> payload.put(f, FieldValue.bool(true)));
        }
        if (t.marketingIdField != null) {
            payload.put(t.marketingIdField, FieldValue.text(r.marketingId()));
        }
        BidiType.Rejection rej = t.firstRejection(what, payload);
        return rej != null ? new Payload(null, rej) : new Payload(payload, null);
    }

    /**
     * Creates marketing-only (or CRM-deleted) records in the CRM and links them. A Lead push may
     * carry Contact records the CRM deleted: as in Marketo, a person pushed again becomes a new
     * Lead (the store record moves to the Lead type); their bookkeeping is kept under Lead.
     *
     * @param records records of this type (or deleted Contacts, for a Lead push)
     * @param repeatUnconfirmed true to send a create again although an earlier one is unconfirmed
     *     (a cycle found that it never reached the CRM)
     * @return one result per record, in order
     */
    List<PushResult> push(List<MarketingRecord> records, boolean repeatUnconfirmed) {
        return push(records, repeatUnconfirmed, false);
    }

    /**
     * As {@link #push(List, boolean)}; with {@code contain}, a whole-call failure (the CRM or a
     * store failed, retriably or not) never escapes: the records it left without an answer get a
     * retriable {@link PushResult.Rejected} ({@link #CALL_FAILED}) and stay queued — a create sent
     * keeps its unconfirmed-create intent, so the next cycle links what reached the CRM and sends
     * the rest again; a record not sent yet is still marketing-only, so the next cycle creates it.
     * {@code SyncEngine.pushNow} contains; a cycle does not (its type fails and resumes from its
     * checkpoint).
     */
    List<PushResult> push(List<MarketingRecord> records, boolean repeatUnconfirmed, boolean contain) {
        PushResult[] results = new PushResult[records.size()];
        try {
            pushInto(records, repeatUnconfirmed, results);
        } catch (SyncException e) {
            if (!contain) {
                throw e;
            }
            int open = 0;
            String why = "the push of " + t.type + " records failed as a whole call (" + e.getClass().getSimpleName()
                    + (e.isRetriable() ? ", retriable" : "") + "); the record stays queued for the next cycle";
            for (int i = 0; i < results.length; i++) {
                if (results[i] == null) {
                    open++;
                    String mid = records.get(i).marketingId();
                    results[i] = new PushResult.Rejected(mid, CALL_FAILED, why, true);
                    queue(RecordKey.marketing(mid), why);
                }
            }
            LOG.warn("pushNow {}: a whole call failed ({}); {} of {} records left queued for the next cycle", t.type,
                    e.getClass().getSimpleName(), open, records.size());
        }
        return List.of(results);
    }

    /**
     * Keeps a push a whole-call failure left unanswered queued: a create sent keeps its
     * unconfirmed-create intent (it may have reached the CRM); one not sent is queued as a
     * retriable failure, which a cycle pushes again. Best effort: the state store may be what failed.
     */
    private void queue(RecordKey.Marketing key, String why) {
        try {
            if (crmFailures.unconfirmed(key).isEmpty()) {
                crmFailures.rejected(key, CALL_FAILED, why, true);
            }
        } catch (SyncException again) {
            LOG.warn("{} {}: could not queue the push after a failed call ({}); the host may push it again", t.type,
                    key, again.getClass().getSimpleName());
        }
    }

    /** The code of a push that a whole-call failure left without an answer (retriable). */
    static final String CALL_FAILED = "CRM_CALL_FAILED";

    private void pushInto(List<MarketingRecord> records, boolean repeatUnconfirmed, PushResult[] results) {
        List<Integer> pending = new ArrayList<>();
        List<CrmWrite> creates = new ArrayList<>();
        List<Map<String, FieldValue>> sentValues = new ArrayList<>();
        CreateRecovery recovery = new CreateRecovery(this, null);
        Map<CrmId, SyncRecord> stillLive = recovery.liveDespiteFlag(records);
        for (int i = 0; i < records.size(); i++) {
            MarketingRecord r = records.get(i);
            RecordKey.Marketing key = RecordKey.marketing(r.marketingId());
            // an upsert is idempotent: one whose answer was lost is simply sent again
            Optional<PushResult> noCreate = recovery.beforeCreate(r, stillLive, repeatUnconfirmed || t.upsertCreates);
            if (noCreate.isPresent()) {
                results[i] = noCreate.get();
                continue;
            }
            Payload p = createPayload(r);
            if (p.rejection() != null) {
                crmFailures.rejected(key, p.rejection().code(), p.rejection().message(), false);
                results[i] = new PushResult.Rejected(r.marketingId(), p.rejection().code(), p.rejection().message(),
                        false);
                continue;
            }
            pending.add(i);
            creates.add(createWrite(r.marketingId(), p.fields()));
            sentValues.add(p.fields());
        }
        if (creates.isEmpty()) {
            return;
        }
        int size = Math.max(1, settings.crm().maxWriteBatch());
        for (int from = 0; from < creates.size(); from += size) {
            int to = Math.min(creates.size(), from + size);
            List<Integer> idx = pending.subList(from, to);
            for (int k = 0; k < idx.size(); k++) {
                crmFailures.pushSent(RecordKey.marketing(records.get(idx.get(k)).marketingId()),
                        sentValues.get(from + k));
            }
            List<CrmWriteResult> written = write(creates.subList(from, to));
            Map<CrmId, MarketingRecord> created = new LinkedHashMap<>();
            for (int k = 0; k < idx.size(); k++) {
                int i = idx.get(k);
                MarketingRecord r = records.get(i);
                CrmWriteResult res = written.get(k);
                if (res instanceof CrmWriteResult.Written w) {
                    // linked durably before any other call: should the follow-up read fail (or the
                    // process die), nothing is lost and nothing is created again
                    created.put(w.id(), linkSent(r, w.id(), sentValues.get(from + k)));
                    counters.created();
                    results[i] = new PushResult.Created(r.marketingId(), w.id());
                    activities.add(t.type, r.marketingId(), w.id(), PersonActivity.Kind.CREATED_IN_CRM, List.of(), null,
                            null, "m" + r.marketingId());
                    LOG.info("{} (marketing id {}) {} in the CRM as {}", t.type, r.marketingId(),
                            w.created() ? "created" : "found by its external id and updated", w.id());
                } else {
                    CrmWriteResult.Rejected rej = (CrmWriteResult.Rejected) res;
                    crmFailures.rejected(RecordKey.marketing(r.marketingId()), rej.code(), rej.reason(),
                            rej.retriable());
                    results[i] = new PushResult.Rejected(r.marketingId(), rej.code(), rej.reason(), rej.retriable());
                }
            }
            if (created.isEmpty()) {
                continue;
            }
            // the follow-up read brings what the CRM filled on create (defaults) to the store now;
            // if it fails, the next cycle merges the CRM record against the base of the values sent
            Map<CrmId, SyncRecord> fetched;
            try {
                fetched = fetch(t.type, created.keySet(), t.read);
            } catch (CallAbortedException | QuotaExceededException e) {
                throw e;
            } catch (SyncException e) {
                LOG.warn("{}: reading back {} records just created failed ({}); they are linked, and the next cycle"
                        + " reads them", t.type, created.size(), e.getClass().getSimpleName());
                continue;
            }
            for (Map.Entry<CrmId, MarketingRecord> e : created.entrySet()) {
                SyncRecord rec = fetched.get(e.getKey());
                if (rec != null) {     // gone already: the next cycle sees it deleted
                    linkAfterCreate(e.getValue(), rec, true);
                }
            }
        }
    }

    /** The write that creates a record: an upsert on the marketing-id field when it is an external id. */
    private CrmWrite createWrite(String marketingId, Map<String, FieldValue> payload) {
        if (!t.upsertCreates) {
            return new CrmWrite.Create(marketingId, payload);
        }
        Map<String, FieldValue> rest = new LinkedHashMap<>(payload);
        rest.remove(t.marketingIdField);
        return new CrmWrite.Upsert(marketingId, t.marketingIdField, marketingId, rest);
    }

    /**
     * Links a marketing record to the CRM record a push just made, from what the push sent alone
     * (no CRM call): the base is the values sent ({@link CreateRecovery#sentBase}, a default the
     * create filled left for the store to take), with a stamp no CRM record has, so the next
     * read merges the record rather than passing it over; the link; the create's intent ends.
     *
     * @return the marketing record as now linked
     */
    MarketingRecord linkSent(MarketingRecord r, CrmId id, Map<String, FieldValue> sent) {
        Map<String, ValueFingerprint> fp = new LinkedHashMap<>();
        sent.forEach((f, v) -> fp.put(f, ValueFingerprint.of(v)));
        SyncRecord asSent = new SyncRecord(t.type, id, sent, Instant.EPOCH, false);
        settings.state().saveBases(List.of(new SyncBase(t.type, id, r.marketingId(),
                CreateRecovery.sentBase(t.synced(), asSent, r, fp), Instant.EPOCH, now())));
        linkOnly(r, id);
        if (r.crmDeleted()) {
            settings.store().upsert(t.type, List.of(new SyncRecord(t.type, id, Map.of(), Instant.EPOCH, false)));
        }
        crmFailures.succeeded(RecordKey.marketing(r.marketingId()));
        return new MarketingRecord(t.type, r.marketingId(), id, r.fields(), false, r.crmModstamp(),
                r.localModstamp());
    }

    /**
     * Links a marketing record to a CRM record whose base is already saved (the process died
     * between saving it and linking): only the link; the next merge runs against that base.
     */
    void linkOnly(MarketingRecord mkt, CrmId id) {
        if (mkt.crmId() != null && !mkt.crmId().equals(id)) {
            settings.bidirectionalStore().relink(mkt.type(), mkt.crmId(), t.type, id, Map.of());
            settings.state().deleteBase(mkt.type(), mkt.crmId());
        } else if (mkt.crmId() == null) {
            settings.bidirectionalStore().link(t.type, mkt.marketingId(), id);
        }
    }

    /**
     * Links a marketing record to the CRM record created for it and makes the two agree: the
     * store takes the CRM's values where it has none (defaults the CRM filled), or — when
     * {@code trustCrm}, right after our own create — wherever they differ; the base is the CRM's
     * values. A record linked to a CRM record the CRM deleted takes the new id instead.
     *
     * @param mkt the marketing record
     * @param crm the CRM record created for it
     * @param trustCrm true if the CRM record holds exactly what was sent; false when the create's
     *     answer was lost and the host may have edited the record since (its edits then flow to the CRM)
     * @return true if the store took the record
     */
    boolean linkAfterCreate(MarketingRecord mkt, SyncRecord crm, boolean trustCrm) {
        return linkAfterCreate(mkt, crm, f -> trustCrm || mkt.get(f).isBlank());
    }

    /**
     * As {@link #linkAfterCreate(MarketingRecord, SyncRecord, boolean)}, with a per-field choice.
     *
     * @param mkt the marketing record
     * @param crm the CRM record created for it
     * @param takeCrm given a field where the two differ, true if the store takes the CRM's value,
     *     false if the store's value is a host edit that is to flow to the CRM
     * @return true if the store took the record
     */
    boolean linkAfterCreate(MarketingRecord mkt, SyncRecord crm, java.util.function.Predicate<String> takeCrm) {
        String mid = mkt.marketingId();
        CrmId id = crm.id();
        Map<String, FieldValue> storeFields = new LinkedHashMap<>();
        for (String f : t.synced()) {
            FieldValue c = crm.get(f);
            FieldValue m = mkt.get(f);
            if (!c.equals(m) && takeCrm.test(f)) {
                storeFields.put(f, c);
            }
        }
        // the base first: should the process die before the store links the record, the next cycle
        // finds the CRM record unknown to the store and links it again; after, it finds this base.
        // Values still to reach the store are in flight: agreed only once the store holds them
        Map<String, FieldValue> before = new LinkedHashMap<>();
        for (String f : t.synced()) {
            FieldValue b = storeFields.containsKey(f) ? mkt.get(f) : crm.get(f);
            if (!b.isNull()) {
                before.put(f, b);
            }
        }
        settings.state().saveBases(List.of(new SyncBase(t.type, id, mid, before,
                new PendingWrites(Map.of(), storeFields), crm.modstamp(), now())));
        if (mkt.crmId() != null && !mkt.crmId().equals(id)) {
            settings.bidirectionalStore().relink(mkt.type(), mkt.crmId(), t.type, id, Map.of());
            settings.state().deleteBase(mkt.type(), mkt.crmId());
        } else if (mkt.crmId() == null) {
            settings.bidirectionalStore().link(t.type, mid, id);
        }
        List<StoreResult> res = settings.store().upsert(t.type,
                List.of(new SyncRecord(t.type, id, storeFields, crm.modstamp(), crm.deleted())));
        if (res == null || res.size() != 1) {
            throw new SyncException("marketing store returned " + (res == null ? "null" : res.size())
                    + " results for 1 record from upsert", t.type, id, null);
        }
        if (res.get(0) instanceof StoreResult.Rejected rej) {
            settings.state().deleteBase(t.type, id);     // the store does not hold the CRM's values: no base
            storeFailures.rejected(RecordKey.crm(id), rej.code(), rej.message(), rej.retriable());
            return false;
        }
        if (!storeFields.isEmpty()) {
            Map<String, FieldValue> agreed = new LinkedHashMap<>(before);
            storeFields.forEach((f, v) -> {
                if (v.isNull()) {
                    agreed.remove(f);
                } else {
                    agreed.put(f, v);
                }
            });
            settings.state().saveBases(List.of(new SyncBase(t.type, id, mid, agreed, crm.modstamp(), now())));
        }
        storeFailures.succeeded(RecordKey.crm(id));
        return true;
    }
}
