package dev.crmsync.core.internal;

import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.core.report.PushResult;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingFields;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Campaign members added on the marketing side: each names its campaign and person by CRM
 * reference, or by marketing id ({@link MarketingFields}) when they are not in the CRM yet. The
 * person is created in the CRM first (as a Lead, or as a Contact for a Contact record), as
 * Marketo does for a person joining a synced campaign; a campaign not in the CRM is not synced
 * and the member waits for it. A person already in the campaign is a {@code DUPLICATE_VALUE}
 * from the CRM: nothing changes, and the rejection is kept so that, should it come from a create
 * whose answer was lost, the CRM's member is linked to this record when the change stream shows it
 * ({@link CreateRecovery}).
 */
final class MemberCreates {
    private static final Logger LOG = LoggerFactory.getLogger(MemberCreates.class);

    static final String CAMPAIGN_ID = "CampaignId";
    static final String LEAD_ID = "LeadId";
    static final String CONTACT_ID = "ContactId";

    private final EngineSettings settings;
    private final BidiOps ops;
    private final Function<ObjectType, Optional<BidiOps>> opsOf;

    MemberCreates(EngineSettings settings, BidiOps ops, Function<ObjectType, Optional<BidiOps>> opsOf) {
        this.settings = settings;
        this.ops = ops;
        this.opsOf = opsOf;
    }

    /** Where a member's campaign and person are, or why it cannot be created now. */
    record Resolved(CrmId campaign, String personField, CrmId person, MarketingRecord toPush,
                            String code, String message, boolean retriable) {
        boolean failed() {
            return code != null;
        }

        static Resolved failure(String code, String message, boolean retriable) {
            return new Resolved(null, null, null, null, code, message, retriable);
        }
    }

    /**
     * Creates marketing-only members in the CRM (their persons first, where needed).
     *
     * @param all unlinked campaign members
     * @param repeatUnconfirmed true to send a create again although an earlier one is unconfirmed
     *     (a cycle found that it never reached the CRM); false leaves those to that check
     * @return how many were created
     */
    long create(List<MarketingRecord> all, boolean repeatUnconfirmed) {
        List<MarketingRecord> members = new ArrayList<>();
        for (MarketingRecord m : all) {
            if (repeatUnconfirmed || ops.crmFailures.unconfirmed(RecordKey.marketing(m.marketingId())).isEmpty()) {
                members.add(m);
            }
        }
        List<Resolved> resolved = new ArrayList<>();
        for (MarketingRecord m : members) {
            resolved.add(resolve(m, true));
        }
        Map<String, PushResult> pushed = pushPersons(resolved);
        List<CrmWrite> creates = new ArrayList<>();
        List<MarketingRecord> creating = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            MarketingRecord m = members.get(i);
            Optional<CrmWrite.Create> create = payload(m, afterPush(m, resolved.get(i), pushed));
            if (create.isPresent()) {
                creates.add(create.get());
                creating.add(m);
            }
        }
        return creates.isEmpty() ? 0 : send(creates, creating);
    }

    /** Pushes the persons the members need, each once; @return the results by person type and marketing id */
    private Map<String, PushResult> pushPersons(List<Resolved> resolved) {
        Map<ObjectType, List<MarketingRecord>> toPush = new LinkedHashMap<>();
        for (Resolved r : resolved) {
            if (!r.failed() && r.toPush() != null) {
                List<MarketingRecord> list = toPush.computeIfAbsent(pushAs(r.toPush()), k -> new ArrayList<>());
                if (list.stream().noneMatch(x -> x.marketingId().equals(r.toPush().marketingId()))) {
                    list.add(r.toPush());
                }
            }
        }
        Map<String, PushResult> pushed = new LinkedHashMap<>();
        toPush.forEach((personType, persons) -> {
            Optional<BidiOps> po = opsOf.apply(personType);
            if (po.isEmpty()) {
                persons.forEach(p -> pushed.put(personType + "/" + p.marketingId(), new PushResult.Rejected(
                        p.marketingId(), "INVALID_TYPE", "the integration user cannot read " + personType, false)));
                return;
            }
            List<PushResult> results = po.get().push(persons, false);
            for (int i = 0; i < persons.size(); i++) {
                pushed.put(personType + "/" + persons.get(i).marketingId(), results.get(i));
            }
        });
        return pushed;
    }

    /** @return where a member's person is once its push is done, or why it is not in the CRM */
    private static Resolved afterPush(MarketingRecord m, Resolved r, Map<String, PushResult> pushed) {
        if (r.failed() || r.toPush() == null) {
            return r;
        }
        PushResult pr = pushed.get(pushAs(r.toPush()) + "/" + r.toPush().marketingId());
        if (pr instanceof PushResult.Created c) {
            return new Resolved(r.campaign(), r.personField(), c.crmId(), null, null, null, false);
        } else if (pr instanceof PushResult.AlreadyInCrm a) {
            return new Resolved(r.campaign(), r.personField(), a.crmId(), null, null, null, false);
        }
        String why = pr instanceof PushResult.Rejected rej ? rej.code() + ": " + rej.message()
                : pr instanceof PushResult.Unconfirmed ? "an earlier create of it is not confirmed yet; the"
                + " next cycle links it, or sends it again" : "not found";
        return Resolved.failure("PERSON_NOT_IN_CRM", "campaign member (marketing id " + m.marketingId()
                + "): its person (" + r.toPush().type() + " marketing id " + r.toPush().marketingId()
                + ") could not be created in the CRM: " + why, true);
    }

    /** @return a member's create, or empty if it cannot be sent (the rejection is recorded) */
    private Optional<CrmWrite.Create> payload(MarketingRecord m, Resolved r) {
        RecordKey.Marketing key = RecordKey.marketing(m.marketingId());
        if (r.failed()) {
            ops.crmFailures.rejected(key, r.code(), r.message(), r.retriable());
            return Optional.empty();
        }
        Map<String, FieldValue> payload = new LinkedHashMap<>();
        for (String f : ops.t.synced()) {
            FieldValue v = m.get(f);
            if (!v.isNull() && ops.t.createable(f) && !f.equals(CAMPAIGN_ID) && !f.equals(LEAD_ID)
                    && !f.equals(CONTACT_ID)) {
                payload.put(f, v);
            }
        }
        payload.put(CAMPAIGN_ID, FieldValue.ref(r.campaign()));
        payload.put(r.personField(), FieldValue.ref(r.person()));
        BidiType.Rejection rej = ops.t.firstRejection(FieldMerger.describe(ops.t, null, m.marketingId()), payload);
        if (rej != null) {
            ops.crmFailures.rejected(key, rej.code(), rej.message(), false);
            return Optional.empty();
        }
        return Optional.of(new CrmWrite.Create(m.marketingId(), payload));
    }

    /** Sends the members' creates (recorded as unconfirmed first) and links those created; @return how many */
    private long send(List<CrmWrite> creates, List<MarketingRecord> creating) {
        for (int i = 0; i < creating.size(); i++) {
            ops.crmFailures.pushSent(RecordKey.marketing(creating.get(i).marketingId()), creates.get(i).fields());
        }
        List<CrmWriteResult> results = ops.write(creates);
        Map<CrmId, MarketingRecord> created = new LinkedHashMap<>();
        for (int i = 0; i < results.size(); i++) {
            MarketingRecord m = creating.get(i);
            CrmWriteResult res = results.get(i);
            if (res instanceof CrmWriteResult.Written w) {
                created.put(w.id(), m);
            } else {
                CrmWriteResult.Rejected rej = (CrmWriteResult.Rejected) res;
                String message = rej.code().equals("DUPLICATE_VALUE")
                        ? rej.reason() + " (the person is already a member of the campaign in the CRM; nothing changed)"
                        : rej.reason();
                ops.crmFailures.rejected(RecordKey.marketing(m.marketingId()), rej.code(), message,
                        rej.retriable());
            }
        }
        Map<CrmId, SyncRecord> fetched = ops.fetch(ops.type(), created.keySet(), ops.t.read);
        for (Map.Entry<CrmId, MarketingRecord> e : created.entrySet()) {
            MarketingRecord m = e.getValue();
            SyncRecord rec = fetched.get(e.getKey());
            if (rec == null) {
                rec = new SyncRecord(ops.type(), e.getKey(), Map.of(), ops.now(), false);
            }
            ops.linkAfterCreate(m, rec, true);
            ops.counters.created();
            ops.crmFailures.succeeded(RecordKey.marketing(m.marketingId()));
            LOG.info("campaign member (marketing id {}) created in the CRM as {}", m.marketingId(), e.getKey());
        }
        return created.size();
    }

    /** As Marketo: a person the CRM deleted is created again as a Lead. */
    private static ObjectType pushAs(MarketingRecord person) {
        return person.type().equals(ObjectType.CONTACT) && person.crmDeleted() ? ObjectType.LEAD : person.type();
    }

    /**
     * @param m a marketing-only member
     * @param allowPush true if its person may be pushed (a create); false to look only (matching)
     * @return where its campaign and person are, or why it cannot be created now
     */
    Resolved resolve(MarketingRecord m, boolean allowPush) {
        String what = "campaign member (marketing id " + m.marketingId() + ")";
        CrmId campaign;
        if (m.get(CAMPAIGN_ID) instanceof FieldValue.Ref ref) {
            campaign = ref.id();
        } else if (m.get(MarketingFields.CAMPAIGN_MARKETING_ID) instanceof FieldValue.Text text) {
            Optional<MarketingRecord> c = settings.bidirectionalStore().findByMarketingId(ObjectType.CAMPAIGN, text.value());
            if (c.isEmpty()) {
                return Resolved.failure("CAMPAIGN_NOT_FOUND", what + ": no campaign with marketing id '"
                        + text.value() + "'", false);
            }
            if (c.get().crmId() == null || c.get().crmDeleted()) {
                return Resolved.failure("CAMPAIGN_NOT_SYNCED", what + ": its campaign (marketing id " + text.value()
                        + ") is not in the CRM; push it first (SyncEngine.pushNow)", true);
            }
            campaign = c.get().crmId();
        } else {
            return Resolved.failure("REQUIRED_FIELD_MISSING", what + " names no campaign: set " + CAMPAIGN_ID
                    + " (a CRM reference) or " + MarketingFields.CAMPAIGN_MARKETING_ID, false);
        }
        if (m.get(CONTACT_ID) instanceof FieldValue.Ref ref) {
            return new Resolved(campaign, CONTACT_ID, ref.id(), null, null, null, false);
        }
        if (m.get(LEAD_ID) instanceof FieldValue.Ref ref) {
            // a lead converted since the host added the member: the store repointed its reference
            // at the contact (MarketingStore.relink), which the CRM takes only as the ContactId
            if (!settings.store().findByCrmIds(ObjectType.CONTACT, List.of(ref.id())).isEmpty()) {
                return new Resolved(campaign, CONTACT_ID, ref.id(), null, null, null, false);
            }
            return new Resolved(campaign, LEAD_ID, ref.id(), null, null, null, false);
        }
        MarketingRecord person = null;
        String named = null;
        if (m.get(MarketingFields.CONTACT_MARKETING_ID) instanceof FieldValue.Text text) {
            named = text.value();
            // a contact the CRM deleted becomes a Lead when pushed again (it keeps its marketing id)
            person = settings.bidirectionalStore().findByMarketingId(ObjectType.CONTACT, named)
                    .or(() -> settings.bidirectionalStore().findByMarketingId(ObjectType.LEAD, text.value())).orElse(null);
        } else if (m.get(MarketingFields.LEAD_MARKETING_ID) instanceof FieldValue.Text text) {
            named = text.value();
            person = settings.bidirectionalStore().findByMarketingId(ObjectType.LEAD, named)
                    .or(() -> settings.bidirectionalStore().findByMarketingId(ObjectType.CONTACT, text.value())).orElse(null);
        }
        if (named == null) {
            return Resolved.failure("REQUIRED_FIELD_MISSING", what + " names no person: set " + LEAD_ID + " or "
                    + CONTACT_ID + " (a CRM reference), or " + MarketingFields.LEAD_MARKETING_ID, false);
        }
        if (person == null) {
            return Resolved.failure("PERSON_NOT_FOUND", what + ": no person with marketing id '" + named + "'", false);
        }
        String field = pushAs(person).equals(ObjectType.CONTACT) ? CONTACT_ID : LEAD_ID;
        if (person.crmId() != null && !person.crmDeleted()) {
            return new Resolved(campaign, field, person.crmId(), null, null, null, false);
        }
        if (!allowPush) {
            return new Resolved(campaign, field, null, null, null, null, false);
        }
        Optional<BidiOps> po = opsOf.apply(pushAs(person));
        if (po.isPresent()) {
            Optional<FailedRecord> prior = po.get().crmFailures.find(RecordKey.marketing(person.marketingId()));
            if (prior.isPresent() && !prior.get().retriable()) {
                return Resolved.failure("PERSON_NOT_IN_CRM", what + ": its person (" + person.type() + " marketing id "
                        + person.marketingId() + ") was rejected by the CRM (" + prior.get().code() + ": "
                        + prior.get().message() + "); it is retried when the person changes again", true);
            }
        }
        return new Resolved(campaign, field, null, person, null, null, false);
    }
}
