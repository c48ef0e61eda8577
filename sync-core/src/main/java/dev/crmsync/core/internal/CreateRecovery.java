package dev.crmsync.core.internal;

import dev.crmsync.core.report.PushResult;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.EngineIntent.UnconfirmedCreate;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncBase;
import dev.crmsync.store.ValueFingerprint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bidirectional stage that recognises a <b>create whose answer was lost</b> — the one place
 * that knows what such a create leaves behind, for persons, campaigns and campaign members, used by
 * a cycle and by {@code pushNow}.
 *
 * <p>A create sent to the CRM is first recorded as an {@link UnconfirmedCreate} (the fingerprints
 * of the values sent). Should its answer be lost, the CRM record it made later shows up in the
 * change stream, unknown to the store: {@link #match} finds the marketing record it was made for —
 * by the marketing-id field when the type has one, else by the values the create sent (persons,
 * campaigns), or by campaign and person (members; a member the CRM refused as a duplicate counts
 * too, after any create) — and {@link #adopt} links them, the sent values becoming the base. An
 * unconfirmed create that no CRM record matched never reached the CRM: {@link #toResend} lists it.
 * A push ({@link #beforeCreate}) does not create again what is already linked, what a process
 * linked before it died ({@link #liveDespiteFlag}), or what is still unconfirmed.
 */
final class CreateRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(CreateRecovery.class);

    private final BidiOps ops;
    private final MemberCreates members;

    /**
     * @param ops the type's operations
     * @param members the member creates (campaign members), or null for the other types
     */
    CreateRecovery(BidiOps ops, MemberCreates members) {
        this.ops = ops;
        this.members = members;
    }

    /** Which marketing record a CRM record unknown to the store was created for. */
    sealed interface Match {
        /** Made for no marketing record that waits for one. */
        record None() implements Match {
        }

        /**
         * Made by a create whose answer was lost.
         *
         * @param record the marketing record it was made for
         * @param sent the fingerprints of the values the create sent, or null if none is on record
         */
        record LostCreate(MarketingRecord record, Map<String, ValueFingerprint> sent) implements Match {
            @Override
            public String toString() {
                return "LostCreate[" + record.marketingId() + "]";
            }
        }

        /** @param record the marketing member the CRM refused as a duplicate of this one */
        record Duplicate(MarketingRecord record) implements Match {
            @Override
            public String toString() {
                return "Duplicate[" + record.marketingId() + "]";
            }
        }
    }

    /**
     * A marketing-only member a CRM member may belong to: where its campaign and person are, and
     * what its create sent.
     *
     * @param record the marketing member
     * @param campaign its campaign's CRM id
     * @param personField {@code LeadId} or {@code ContactId}
     * @param person its person's CRM id
     * @param sent the fingerprints its unconfirmed create sent, or null if the CRM refused it as a duplicate
     */
    record MemberClaim(MarketingRecord record, CrmId campaign, String personField, CrmId person,
                       Map<String, ValueFingerprint> sent) {
        @Override
        public String toString() {
            return "MemberClaim[" + record.marketingId() + "]";
        }
    }

    // ---- the cycle: CRM records unknown to the store ---------------------------------------

    /**
     * Links the batch's CRM records unknown to the store to the marketing records they were
     * created for (and the survivor of a merge, should it be one, before the merge gives its id to
     * a loser).
     *
     * @return the batch with the records linked
     */
    BidiBatch linkLostCreates(BidiContext cx, BidiBatch w) {
        List<SyncRecord> unknown = new ArrayList<>();
        for (CrmId id : w.ids()) {
            SyncRecord c = w.crm().get(id);
            if (c != null && !w.mkt().containsKey(id)) {
                unknown.add(c);
            }
        }
        Set<CrmId> masters = BidiStructure.survivorsOutside(w);
        if (!masters.isEmpty()) {
            Map<CrmId, MarketingRecord> held = cx.findByCrmIds(List.copyOf(masters));
            masters.removeAll(held.keySet());
            if (!masters.isEmpty()) {
                unknown.addAll(ops.fetch(cx.type, masters, cx.t.read).values());
            }
        }
        if (unknown.isEmpty()) {
            return w;
        }
        List<CrmId> adopted = new ArrayList<>();
        cx.run.commit(() -> {
            for (SyncRecord c : unknown) {
                if (adopt(c)) {
                    adopted.add(c.id());
                }
            }
        }, null);
        return adopted.isEmpty() ? w : w.withLinked(cx.findByCrmIds(adopted), cx.bases(adopted));
    }

    /** Links a CRM record unknown to the store to the marketing record it was made for, if any. */
    boolean adopt(SyncRecord c) {
        if (c.get(SyncRecord.IS_CONVERTED) instanceof FieldValue.Bool converted && converted.value()) {
            return false;        // a converted lead is no lost create: its person follows the conversion
        }
        Match match = match(c);
        MarketingRecord candidate = match instanceof Match.LostCreate l ? l.record()
                : match instanceof Match.Duplicate d ? d.record() : null;
        if (candidate == null || (c.deleted() && candidate.crmId() != null)) {
            // a deleted CRM record is adopted only by a record never linked: one already linked
            // (and flagged deleted) gains nothing, and re-linking a merge loser would undo the
            // store's merge on every cycle
            return false;
        }
        boolean duplicate = match instanceof Match.Duplicate;
        LOG.info("{} {}: {} marketing record {}; linked now", ops.type(), c.id(), duplicate
                ? "the member the CRM already had when asked to add" : "created by a push whose answer was lost, for",
                candidate.marketingId());
        RecordKey.Marketing candidateKey = RecordKey.marketing(candidate.marketingId());
        Map<String, ValueFingerprint> sent = ops.crmFailures.unconfirmed(candidateKey).map(UnconfirmedCreate::sent)
                .orElse(null);
        if (duplicate) {
            // a member the CRM already had: adding it again changes nothing (the CRM's values win)
            ops.linkAfterCreate(candidate, c, true);
        } else if (sent != null) {
            // a create whose answer was lost: its values are the base, rebuilt from their
            // fingerprints, and the merge that follows tells host edits, CRM users' edits and
            // conflicts apart as usual (the entry stays until the link is done)
            ops.settings.state().saveBases(List.of(new SyncBase(ops.type(), c.id(), candidate.marketingId(),
                    sentBase(ops.t.synced(), c, candidate, sent), c.modstamp(), ops.now())));
            ops.linkOnly(candidate, c.id());
        } else {
            ops.linkAfterCreate(candidate, c, false);
        }
        ops.crmFailures.succeeded(candidateKey);
        ops.counters.updated();
        return true;
    }

    /** @return the marketing record a CRM record unknown to the store was created for */
    Match match(SyncRecord c) {
        if (members != null) {
            return bestMember(c, memberClaims());
        }
        if (ops.t.marketingIdField != null) {
            FieldValue v = c.get(ops.t.marketingIdField);
            if (!(v instanceof FieldValue.Text text) || text.value().isBlank()) {
                return new Match.None();
            }
            // of this type, or a Contact the CRM deleted, pushed again as a Lead
            return pushable(text.value())
                    .filter(x -> x.crmId() == null || (x.crmDeleted() && !x.crmId().equals(c.id())))
                    .<Match>map(r -> new Match.LostCreate(r, null)).orElse(new Match.None());
        }
        // no marketing-id field: recognised by the values the create SENT (their fingerprints), so
        // that a host edit after the push does not hide it; the record's current payload as a
        // fallback, for an intent recorded without fingerprints
        for (UnconfirmedCreate u : ops.crmFailures.unconfirmed()) {
            Optional<MarketingRecord> r = awaitingLink(u);
            if (r.isPresent() && (u.sent().isEmpty() ? madeBy(c, ops.createPayload(r.get()).fields())
                    : holds(c, u.sent(), u.sent().keySet()))) {
                return new Match.LostCreate(r.get(), u.sent());
            }
        }
        return new Match.None();
    }

    /**
     * @param c a CRM record
     * @param payload the values a create of a marketing record would send (null: it cannot be created)
     * @return whether the CRM record holds every one of them
     */
    static boolean madeBy(SyncRecord c, Map<String, FieldValue> payload) {
        return payload != null && payload.entrySet().stream().allMatch(e -> e.getValue().equals(c.get(e.getKey())));
    }

    /** The marketing-only members a CRM member may belong to: unconfirmed creates and duplicates. */
    private List<MemberClaim> memberClaims() {
        List<MemberClaim> claims = new ArrayList<>();
        for (RecordKey key : ops.crmFailures.keys()) {
            if (!(key instanceof RecordKey.Marketing mk)) {
                continue;
            }
            Optional<UnconfirmedCreate> unconfirmed = ops.crmFailures.unconfirmed(mk);
            boolean duplicate = unconfirmed.isEmpty()
                    && ops.crmFailures.find(mk).filter(f -> f.code().equals("DUPLICATE_VALUE")).isPresent();
            if (!duplicate && unconfirmed.isEmpty()) {
                continue;
            }
            Optional<MarketingRecord> m = ops.settings.bidirectionalStore().findByMarketingId(
                    ObjectType.CAMPAIGN_MEMBER, mk.marketingId());
            if (m.isEmpty() || m.get().crmId() != null) {
                continue;
            }
            MemberCreates.Resolved r = members.resolve(m.get(), false);
            if (r.failed() || r.person() == null) {
                continue;
            }
            claims.add(new MemberClaim(m.get(), r.campaign(), r.personField(), r.person(),
                    unconfirmed.map(UnconfirmedCreate::sent).orElse(null)));
        }
        return claims;
    }

    /**
     * The member a CRM member belongs to: of those with its campaign and person, the one whose
     * create made it (the one whose sent values it holds before any other), and a member the CRM
     * refused as a duplicate only after them — adding an existing member again changes nothing, so
     * the CRM's member belongs to the create that made it, not to a later duplicate. Among equals,
     * the first.
     *
     * @param crmMember a CRM member the store does not hold
     * @param claims the marketing-only members it may belong to, in order
     * @return the match
     */
    static Match bestMember(SyncRecord crmMember, List<MemberClaim> claims) {
        Match best = new Match.None();
        int bestRank = -1;
        for (MemberClaim c : claims) {
            if (!FieldValue.ref(c.campaign()).equals(crmMember.get(MemberCreates.CAMPAIGN_ID))
                    || !FieldValue.ref(c.person()).equals(crmMember.get(c.personField()))) {
                continue;
            }
            int rank = 0;
            if (c.sent() != null) {
                if (!couldBeItsRecord(crmMember, c.sent())) {
                    continue;        // not the record this create made
                }
                rank = holds(crmMember, c.sent(), c.sent().keySet()) ? 2 : 1;
            }
            if (rank > bestRank) {
                best = c.sent() == null ? new Match.Duplicate(c.record()) : new Match.LostCreate(c.record(), c.sent());
                bestRank = rank;
            }
        }
        return best;
    }

    /**
     * Whether a CRM member can be the record an unconfirmed create made: it is in the campaign the
     * create sent, and it has each person reference the create sent. The CRM may re-point a
     * member's person (a merge moves it to the surviving lead or contact; a conversion adds the
     * ContactId and keeps the LeadId) but never clears a reference, so a member with no LeadId
     * (a contact's own membership) is not the record of a create that sent one.
     */
    private static boolean couldBeItsRecord(SyncRecord crmMember, Map<String, ValueFingerprint> sent) {
        if (!holds(crmMember, sent, List.of(MemberCreates.CAMPAIGN_ID))) {
            return false;
        }
        for (String f : List.of(MemberCreates.LEAD_ID, MemberCreates.CONTACT_ID)) {
            if (sent.containsKey(f) && crmMember.get(f).isNull()) {
                return false;
            }
        }
        return true;
    }

    /** @return whether the CRM record holds, of the given fields, every value a create sent (by fingerprint) */
    private static boolean holds(SyncRecord crm, Map<String, ValueFingerprint> sent, Collection<String> fields) {
        for (String f : fields) {
            ValueFingerprint want = sent.get(f);
            if (want != null && !want.matches(crm.get(f))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The base of a record whose create's answer was lost: per field, whichever side still holds
     * the value sent (by fingerprint); when neither does, a stand-in that equals neither, so that
     * the merge sees the field changed on both sides. A value the CRM holds as sent while the
     * store's field is blank was filled on create (a default such as {@code defaultCompany}):
     * the base is blank, so the store takes it rather than the CRM being asked to clear it.
     *
     * @param synced the synced fields
     * @param c the CRM record the create made
     * @param m the marketing record it was made for
     * @param sent the fingerprints of the values sent
     * @return the base's fields
     */
    static Map<String, FieldValue> sentBase(Collection<String> synced, SyncRecord c, MarketingRecord m,
                                            Map<String, ValueFingerprint> sent) {
        Map<String, FieldValue> base = new LinkedHashMap<>();
        for (String f : synced) {
            ValueFingerprint want = sent.get(f);
            FieldValue cv = c.get(f);
            FieldValue mv = m.get(f);
            FieldValue b;
            boolean crmHoldsSent = Objects.equals(want, cv.isNull() ? null : ValueFingerprint.of(cv));
            if (crmHoldsSent && mv.isBlank() && !cv.isBlank()) {
                b = FieldValue.NULL;     // a default the create filled (defaultCompany...): the store takes it
            } else if (crmHoldsSent) {
                b = cv;
            } else if (Objects.equals(want, mv.isNull() ? null : ValueFingerprint.of(mv))) {
                b = mv;
            } else {
                b = FieldValue.text("[the value a create sent, whose answer was lost]");
            }
            if (!b.isNull()) {
                base.put(f, b);
            }
        }
        return base;
    }

    // ---- the cycle: unconfirmed creates nothing matched ----------------------------------

    /**
     * The unconfirmed creates the CRM's changes did not match, to be sent again. Those whose record
     * is gone, or linked since, are forgotten. An upsert ({@link BidiType#upsertCreates}) is sent
     * again at once: it is idempotent. A create is sent again only once it has <em>settled</em>:
     * the CRM's change read that did not find it started at least {@link #settleTime} after the
     * create was sent — the longest the CRM may take to commit a write whose answer was lost
     * ({@link dev.crmsync.crm.CrmSource#maxWriteDuration()}) plus the lookback that covers stamp
     * skew and late visibility. Until then it stays unconfirmed (pending, not failed, not parked).
     *
     * @param readStartedAt when this cycle's CRM change read started
     * @return the records to send again
     */
    List<MarketingRecord> toResend(Instant readStartedAt) {
        List<MarketingRecord> again = new ArrayList<>();
        Duration settle = settleTime();
        int waiting = 0;
        for (UnconfirmedCreate u : ops.crmFailures.unconfirmed()) {
            Optional<MarketingRecord> r = awaitingLink(u);
            if (r.isEmpty()) {
                ops.crmFailures.succeeded(u.key());       // gone, or linked since
            } else if (ops.t.upsertCreates || !u.recordedAt().plus(settle).isAfter(readStartedAt)) {
                again.add(r.get());
            } else {
                waiting++;
            }
        }
        if (waiting > 0) {
            LOG.info("{}: {} creates sent earlier are not seen in the CRM yet; they are sent again only once {} has"
                    + " passed since (the CRM's longest write plus the lookback)", ops.type(), waiting, settle);
        }
        return again;
    }

    /**
     * @return how long after a create whose answer was lost a change read must start before the
     *     create, not found, may be sent again
     */
    Duration settleTime() {
        Duration longest = ops.settings.crm().maxWriteDuration();
        if (longest == null || longest.isNegative()) {
            longest = Duration.ofMinutes(10);      // a source that says nothing sensible: the SPI's default
        }
        return longest.plus(ops.settings.lookback());
    }

    /** @return the record an unconfirmed create was sent for, unless it is gone or linked since */
    private Optional<MarketingRecord> awaitingLink(UnconfirmedCreate u) {
        return pushable(u.key().marketingId()).filter(r -> r.crmId() == null || r.crmDeleted());
    }

    /**
     * The record a marketing key of this type names: of this type, or, for Lead, a Contact the
     * CRM deleted (pushed again, it becomes a Lead; its bookkeeping is kept under Lead).
     */
    Optional<MarketingRecord> pushable(String marketingId) {
        Optional<MarketingRecord> r = ops.settings.bidirectionalStore().findByMarketingId(ops.type(), marketingId);
        if (r.isEmpty() && ops.type().equals(ObjectType.LEAD)) {
            r = ops.settings.bidirectionalStore().findByMarketingId(ObjectType.CONTACT, marketingId)
                    .filter(MarketingRecord::crmDeleted);
        }
        return r;
    }

    // ---- a push (cycle or pushNow) -------------------------------------------------------

    /**
     * @param records records about to be pushed
     * @return the records of this type flagged deleted whose CRM record is in fact live, by CRM id
     *     (a process died between linking them to a record created for them and clearing the flag)
     */
    Map<CrmId, SyncRecord> liveDespiteFlag(List<MarketingRecord> records) {
        Set<CrmId> flagged = new LinkedHashSet<>();
        for (MarketingRecord r : records) {
            if (r.crmId() != null && r.crmDeleted() && r.type().equals(ops.type())) {
                flagged.add(r.crmId());
            }
        }
        if (flagged.isEmpty()) {
            return Map.of();
        }
        Map<CrmId, SyncRecord> live = new HashMap<>();
        ops.fetch(ops.type(), List.copyOf(flagged), ops.t.read).forEach((id, rec) -> {
            if (!rec.deleted() && !(rec.get(SyncRecord.IS_CONVERTED) instanceof FieldValue.Bool b && b.value())) {
                live.put(id, rec);
            }
        });
        return live;
    }

    /**
     * Whether a record about to be pushed needs no create: it is linked already, it is linked to
     * a live CRM record despite its deleted flag (the flag is cleared), or an earlier create of it
     * is unconfirmed (unless {@code repeatUnconfirmed}: a cycle found that it never reached the CRM).
     *
     * @param r the record
     * @param stillLive the result of {@link #liveDespiteFlag} for the push
     * @param repeatUnconfirmed true to send a create again although an earlier one is unconfirmed
     * @return the push's result without a create, or empty if it is to be created
     */
    Optional<PushResult> beforeCreate(MarketingRecord r, Map<CrmId, SyncRecord> stillLive, boolean repeatUnconfirmed) {
        RecordKey.Marketing key = RecordKey.marketing(r.marketingId());
        if (r.crmId() != null && !r.crmDeleted()) {
            return Optional.of(new PushResult.AlreadyInCrm(r.marketingId(), r.crmId()));
        }
        SyncRecord live = r.crmId() == null ? null : stillLive.get(r.crmId());
        if (live != null) {
            // flagged deleted, but linked to a live CRM record: a process died between linking it
            // to a record created for it and clearing the flag. The flag is cleared, nothing created.
            ops.settings.store().upsert(ops.type(), List.of(new SyncRecord(ops.type(), live.id(), Map.of(),
                    live.modstamp(), false)));
            ops.crmFailures.succeeded(key);
            LOG.info("{} (marketing id {}) is linked to {}, live in the CRM; its stale deleted flag is cleared and "
                    + "nothing is created", ops.type(), r.marketingId(), live.id());
            return Optional.of(new PushResult.AlreadyInCrm(r.marketingId(), live.id()));
        }
        Optional<UnconfirmedCreate> prior = ops.crmFailures.unconfirmed(key);
        if (!repeatUnconfirmed && prior.isPresent()) {
            return Optional.of(new PushResult.Unconfirmed(r.marketingId(), prior.get().recordedAt()));
        }
        return Optional.empty();
    }
}
