package dev.crmsync.core.internal;

import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.core.report.UnwrittenField;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.Deletion;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncBase;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The bidirectional stage that <b>merges</b> one record of a batch into a {@link RecordPlan}: the
 * CRM deleted it, the store lacks it, it is parked, the policy failed on it, or a three-way
 * merge ({@link FieldMerger}) says what goes to the CRM and to the store and what both sides hold
 * afterwards. Writes nothing; {@link BidiWrites} carries the plans out.
 */
final class BidiMerge {

    private final BidiType t;
    private final ConflictPolicy policy;
    private final SideFailures crmFail;
    private final SideFailures storeFail;
    private final Clock clock;
    private final UnwrittenFields unwritten;

    /** Records whose host change was checked for unwritable fields this run. */
    private final Set<CrmId> noted;
    /**
     * CRM ids the store's change feed holds a host deletion of, among the batch's records whose store create's
     * outcome was unknown (see {@link #tombstoned(Set)}).
     */
    private Set<CrmId> tombstoned = Set.of();

    BidiMerge(BidiType t, ConflictPolicy policy, SideFailures crmFail, SideFailures storeFail, Clock clock,
              UnwrittenFields unwritten) {
        this(t, policy, crmFail, storeFail, clock, unwritten, new java.util.HashSet<>());
    }

    BidiMerge(BidiType t, ConflictPolicy policy, SideFailures crmFail, SideFailures storeFail, Clock clock,
              UnwrittenFields unwritten, Set<CrmId> noted) {
        this.noted = noted;
        this.t = t;
        this.unwritten = unwritten;
        this.policy = policy;
        this.crmFail = crmFail;
        this.storeFail = storeFail;
        this.clock = clock;
    }

    /** What becomes of one record of a batch. */
    sealed interface RecordPlan {
        /** @param id deleted or purged in the CRM, and not (or no longer) held live by the store: nothing to do */
        record Forget(CrmId id) implements RecordPlan {
        }

        /** @param deletion deleted or purged in the CRM: the store's record is flagged deleted */
        record FlagDeleted(Deletion deletion) implements RecordPlan {
        }

        /**
         * @param id a record the store held (its base knows the marketing id) and no longer holds —
         *     the host deleted it — while the CRM has not changed it since: left to the host-delete
         *     step (an edit in the CRM would copy it back instead)
         */
        record DeletedInStore(CrmId id) implements RecordPlan {
        }

        /** @param id a CRM record outside the type's sync filter that the store does not hold: not copied */
        record OutsideFilter(CrmId id) implements RecordPlan {
        }

        /** @param record a CRM record the store does not hold (its synced values): created in the store */
        record CreateInStore(SyncRecord record) implements RecordPlan {
            @Override
            public String toString() {
                return "CreateInStore[" + record.id() + "]";
            }
        }

        /** @param id parked whole (the policy failed on it) and unchanged since: skipped */
        record StillParked(CrmId id) implements RecordPlan {
        }

        /** @param id the record @param plan the merge the policy failed: the record is parked, nothing written */
        record PolicyFailed(CrmId id, FieldMerger.Plan plan) implements RecordPlan {
            @Override
            public String toString() {
                return "PolicyFailed[" + id + "]";
            }
        }

        /**
         * A linked record, merged.
         *
         * @param crm the CRM record
         * @param mkt the store record
         * @param base the base with its in-flight values settled, or null if never merged
         * @param rawBase the base as stored, or null
         * @param plan the merge
         * @param toCrm what becomes of the values for the CRM
         * @param holdStore true if the store is not written (a rejection waits for a change)
         */
        record Merge(SyncRecord crm, MarketingRecord mkt, SyncBase base, SyncBase rawBase, FieldMerger.Plan plan,
                     CrmStep toCrm, boolean holdStore) implements RecordPlan {
            RecordKey key() {
                return RecordKey.crm(crm.id());
            }

            /** @return whether values are to be written to the store */
            boolean storeBound() {
                return !plan.toStore.isEmpty() && !holdStore;
            }

            @Override
            public String toString() {
                return "Merge[" + crm.id() + ", " + toCrm.getClass().getSimpleName() + (holdStore ? ", store held]" : "]");
            }
        }
    }

    /** What becomes of a merged record's values for the CRM, before the CRM is written. */
    sealed interface CrmStep {
        /** Nothing to write to the CRM. */
        record Nothing() implements CrmStep {
        }

        /** Values to write, held: an earlier rejection waits for a change or a re-drive. */
        record Held() implements CrmStep {
        }

        /** @param rejection a value the CRM would refuse: nothing is sent */
        record Invalid(BidiType.Rejection rejection) implements CrmStep {
        }

        /** @param update the update to send */
        record Send(CrmWrite.Update update) implements CrmStep {
            @Override
            public String toString() {
                return "Send[" + update.id() + "]";
            }
        }
    }

    /**
     * Sets, for the next batch's plans, the records whose store copy the host deleted although their base has no
     * marketing id yet (a create the store committed before a crash, then deleted by the host).
     *
     * @param ids those records' CRM ids
     */
    void tombstoned(Set<CrmId> ids) {
        this.tombstoned = Set.copyOf(ids);
    }

    /**
     * @param id a record of the batch
     * @param w the batch
     * @return what becomes of it
     */
    RecordPlan plan(CrmId id, BidiBatch w) {
        SyncRecord c = w.crm().get(id);
        MarketingRecord m = w.mkt().get(id);
        SyncBase raw = w.bases().get(id);
        if (c == null || c.deleted()) {
            return m != null && !m.crmDeleted()
                    ? new RecordPlan.FlagDeleted(new Deletion(id, c == null ? clock.instant() : c.modstamp()))
                    : new RecordPlan.Forget(id);
        }
        if (t.filter != null && !t.filter.includes(c::get)) {
            if (m == null) {
                return new RecordPlan.OutsideFilter(id);
            }
            excluded++;
            return merged(t, c, m, b(raw, c, m), raw, outsideFilter(c, m, b(raw, c, m)), true,
                    storeFail.failedThisRun(RecordKey.crm(id)));
        }
        if (m == null && raw != null && (raw.marketingId() != null || tombstoned.contains(id))
                && unchangedSince(c, raw, t.synced())) {
            // the host deleted it, and the CRM has not changed it since; a base without a marketing id is one
            // written before a store create whose outcome a crash left unknown: the feed's deletion says it landed
            return new RecordPlan.DeletedInStore(id);
        }
        if (m == null) {
            Map<String, FieldValue> values = new LinkedHashMap<>();
            t.synced().forEach(f -> values.put(f, c.get(f)));
            return new RecordPlan.CreateInStore(new SyncRecord(t.type, id, values, c.modstamp(), false));
        }
        SyncBase b = settlePending(raw, c, m);
        if (t.filter != null && b != null && b.fields().keySet().containsAll(t.filter.fields())
                && !t.filter.includes(b::get)) {
            entered++;     // back in the filter: copied in full, as a record new to the sync
            return merged(t, c, m, b, raw, copiedInFull(c, m), false, storeFail.failedThisRun(RecordKey.crm(id)));
        }
        // a host change: read from the feed, or merged when the CRM's change brought the record first
        if ((w.hostChanged().contains(id) || changedSince(m, b)) && noted.add(id)) {
            noteUnwritable(c, m, b);
        }
        RecordKey key = RecordKey.crm(id);
        boolean unchanged = !w.hostChanged().contains(id) && b != null && seenVersion(c, b);
        Optional<FailedRecord> crmFailure = crmFail.find(key);
        if (unchanged && crmFailure.filter(f -> f.code().equals(BidiConflicts.CONFLICT_POLICY_FAILED) && f.parked())
                .isPresent()) {
            return new RecordPlan.StillParked(id);     // parked whole until it changes again or is re-driven
        }
        FieldMerger.Plan plan = FieldMerger.merge(t, policy, c, m, b);
        if (plan.failed()) {
            return new RecordPlan.PolicyFailed(id, plan);
        }
        // a data error waits until the record changes again; a record is written at most once per run
        boolean holdCrm = crmFail.failedThisRun(key) || (unchanged
                && crmFailure.filter(f -> f.parked() || !f.retriable()).isPresent());
        boolean holdStore = storeFail.failedThisRun(key) || (unchanged
                && storeFail.find(key).filter(FailedRecord::parked).isPresent());
        return merged(t, c, m, b, raw, plan, holdCrm, holdStore);
    }

    /** Records of this pass that were outside the sync filter, and that entered it. */
    int excluded;
    int entered;

    private SyncBase b(SyncBase raw, SyncRecord c, MarketingRecord m) {
        return raw == null ? null : settlePending(raw, c, m);
    }

    /**
     * The plan of a held record outside the sync filter: the filter's fields take the CRM's values
     * (the store shows why it no longer syncs), every other field stays as it is on both sides, its
     * base unchanged: nothing else is copied either way while it is outside.
     */
    private FieldMerger.Plan outsideFilter(SyncRecord c, MarketingRecord m, SyncBase b) {
        FieldMerger.Plan plan = new FieldMerger.Plan();
        for (String f : t.synced()) {
            if (t.filter.fields().contains(f)) {
                FieldValue cv = c.get(f);
                if (!cv.equals(m.get(f))) {
                    plan.toStore.put(f, cv);
                }
                plan.agreed.put(f, cv);
            } else if (b != null && b.fields().containsKey(f)) {
                plan.agreed.put(f, b.get(f));
            }
        }
        return plan;
    }

    /** The plan of a record that entered the sync filter: every synced field takes the CRM's value. */
    private FieldMerger.Plan copiedInFull(SyncRecord c, MarketingRecord m) {
        FieldMerger.Plan plan = new FieldMerger.Plan();
        for (String f : t.synced()) {
            FieldValue cv = c.get(f);
            if (!cv.equals(m.get(f))) {
                plan.toStore.put(f, cv);
            }
            plan.agreed.put(f, cv);
        }
        return plan;
    }

    /** @return whether the store's record differs from its base in a synced field */
    private boolean changedSince(MarketingRecord m, SyncBase b) {
        if (b == null) {
            return false;
        }
        for (String f : t.synced()) {
            if (!m.get(f).equals(b.get(f))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Books the fields of a record the host changed that the CRM will not take: unknown to it,
     * or read-only with a value other than the agreed one (the base's, else the CRM's). The merge
     * leaves them out of the CRM write as before; this makes it said ({@link UnwrittenFields}).
     */
    private void noteUnwritable(SyncRecord c, MarketingRecord m, SyncBase b) {
        for (Map.Entry<String, FieldValue> e : m.fields().entrySet()) {
            if (e.getValue().isNull()) {
                continue;
            }
            UnwrittenField.Reason why = t.unwritable(e.getKey());
            if (why == UnwrittenField.Reason.READ_ONLY) {
                FieldValue agreed = b != null && t.synced().contains(e.getKey()) ? b.get(e.getKey()) : c.get(e.getKey());
                if (e.getValue().equals(agreed)) {
                    continue;
                }
            }
            if (why != null) {
                unwritten.seen(e.getKey(), why);
            }
        }
    }

    /**
     * A merged record's plan: what becomes of the values for the CRM — nothing to send, held, a
     * value the CRM would refuse (checked before any call), or an update to send.
     *
     * @param holdCrm true if values for the CRM are held (an earlier rejection waits for a change)
     * @param holdStore true if the store is not written
     */
    static RecordPlan.Merge merged(BidiType t, SyncRecord c, MarketingRecord m, SyncBase base, SyncBase rawBase,
                                   FieldMerger.Plan plan, boolean holdCrm, boolean holdStore) {
        CrmStep step;
        if (plan.toCrm.isEmpty()) {
            step = new CrmStep.Nothing();
        } else if (holdCrm) {
            step = new CrmStep.Held();
        } else {
            BidiType.Rejection rej = t.firstRejection(FieldMerger.describe(t, c.id(), m.marketingId()), plan.toCrm, c);
            step = rej != null ? new CrmStep.Invalid(rej) : new CrmStep.Send(new CrmWrite.Update(c.id(), plan.toCrm));
        }
        return new RecordPlan.Merge(c, m, base, rawBase, plan, step, holdStore);
    }

    /**
     * A base whose in-flight entries are settled against the two records: a value the side
     * holds exactly was written there by the engine, and is agreed; the others never landed. (A
     * write that landed, then a CRM user's edit of the same field before the engine recorded the
     * answer — the engine died, froze or lost its lease in between — looks like a write that never
     * landed; the edit then meets the marketing value as a conflict. Nothing in the CRM's answer
     * tells the two apart; see the README's reliability section.)
     *
     * @param raw the base as stored, or null
     * @param c the CRM record
     * @param m the store record, or null
     * @return the settled base (the same instance when nothing was in flight)
     */
    static SyncBase settlePending(SyncBase raw, SyncRecord c, MarketingRecord m) {
        if (raw == null || raw.pending().isEmpty()) {
            return raw;
        }
        Map<String, FieldValue> fields = new LinkedHashMap<>(raw.fields());
        raw.pending().toCrm().forEach((f, v) -> settle(fields, f, v, c.get(f)));
        raw.pending().toStore().forEach((f, v) -> settle(fields, f, v, m == null ? null : m.get(f)));
        return new SyncBase(raw.type(), raw.crmId(), raw.marketingId(), fields, raw.crmModstamp(), raw.syncedAt());
    }

    private static void settle(Map<String, FieldValue> fields, String f, FieldValue sent, FieldValue there) {
        if (sent.equals(there)) {
            if (sent.isNull()) {
                fields.remove(f);
            } else {
                fields.put(f, sent);
            }
        }
    }

    /**
     * Whether the CRM has not changed a record since its base: the very version the base was made
     * from ({@link #seenVersion}), or one with the base's stamp and values (a base saved within the
     * stamp's second), or one holding the base's values after writes in flight when the engine
     * stopped (the stamp of its own write is unknown), or — for a record the engine created and has not read back yet
     * (its base carries the stamp {@link java.time.Instant#EPOCH}) — one that still holds the values
     * sent (the fields the create left to the CRM's defaults are not compared).
     *
     * @param c the CRM record
     * @param raw its base as stored (in-flight writes not settled)
     * @param synced the type's synced fields
     * @return true if the CRM side is as the base says
     */
    static boolean unchangedSince(SyncRecord c, SyncBase raw, java.util.Collection<String> synced) {
        if (raw.pending().isEmpty() && seenVersion(c, raw)) {
            return true;
        }
        // writes in flight when the engine last stopped: what the CRM holds of them was ours, and
        // its stamp is one the engine never recorded (only the values can tell)
        boolean inFlight = !raw.pending().isEmpty();
        SyncBase b = settlePending(raw, c, null);
        boolean sent = b.crmModstamp().equals(java.time.Instant.EPOCH);
        if (!sent && !inFlight && !c.modstamp().equals(b.crmModstamp())) {
            return false;       // a later stamp: changed
        }
        // the same stamp, saved within its second (an edit in that second would show in the values),
        // or the values sent, where a field the base leaves out is one the create left to a default
        // values on their way to the store came from the CRM: they are what it held then
        Map<String, FieldValue> toStore = raw.pending().toStore();
        for (String f : synced) {
            boolean known = b.fields().containsKey(f) || toStore.containsKey(f);
            FieldValue expected = toStore.containsKey(f) ? toStore.get(f) : b.get(f);
            if (known ? !c.get(f).equals(expected) : !sent && !c.get(f).isNull()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the CRM record is the very version the base was made from, judged by its stamp. A
     * Salesforce stamp has one-second precision and is not unique: a CRM user's edit in the same
     * second as the version the engine read or wrote carries the same stamp. So an equal stamp
     * means "seen" only when the base was saved after the stamp's second ended — any later edit
     * then carries a later stamp — and otherwise the record counts as changed (its values are
     * merged again, which writes nothing where nothing differs). The one edit this can still take
     * for seen is one made in the stamp's second after the engine read the record, when the base
     * recording that read was saved only after the second ended (a read and its save straddling a
     * second's boundary, within milliseconds); and it matters only for a record held back by a
     * failure on record.
     */
    static boolean seenVersion(SyncRecord c, SyncBase b) {
        return c.modstamp().equals(b.crmModstamp())
                && !b.syncedAt().isBefore(b.crmModstamp().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1));
    }
}
