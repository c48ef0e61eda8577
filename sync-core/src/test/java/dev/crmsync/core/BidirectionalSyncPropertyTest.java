package dev.crmsync.core;

import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.IdCursor;
import dev.crmsync.core.report.PushResult;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.CrmSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingFields;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.SyncStateStore;
import dev.crmsync.testkit.fault.StoreOperation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * The bidirectional sync law over random interleavings of edits on both sides (same and
 * different fields of the same records), creates, pushes, deletes, conversions, merges,
 * membership changes, CRM rejections (a validation rule, locked rows), injected CRM and store
 * faults, and processes killed at any call inside a cycle:
 *
 * <p>once faults stop (and the host re-drives what waits for a change), within two cycles both
 * sides hold, for every synced field, the value the policy dictates; no record is lost or
 * duplicated; and one more cycle makes zero writes on either side.
 *
 * <p>"The value the policy dictates", per field of a linked record not involved in a merge or
 * conversion: a field edited on one side only ends with that side's last value; edited on both
 * sides ends with the policy's side (Marketo's defaults: Lead marketing, the others CRM) — or,
 * when a cycle ran between the two sides' last edits, possibly the later edit (that cycle may
 * have merged the first one already, making the second a one-sided change). A campaign's
 * {@code Type} is owned by the marketing side: once the host set it, its last value stands.
 */
class BidirectionalSyncPropertyTest {

    private static final List<ObjectType> EDITABLE = List.of(ObjectType.LEAD, ObjectType.CONTACT, ObjectType.CAMPAIGN,
            ObjectType.CAMPAIGN_MEMBER);
    private static final Map<ObjectType, List<String>> EDIT_FIELDS = Map.of(
            ObjectType.LEAD, List.of("Title", "Phone", "Status"),
            ObjectType.CONTACT, List.of("Title", "Phone"),
            ObjectType.CAMPAIGN, List.of("Status", "Type"),
            ObjectType.CAMPAIGN_MEMBER, List.of("Status"));
    private static final Map<ObjectType, List<String>> SYNCED = Map.of(
            ObjectType.LEAD, List.of("LastName", "Company", "Title", "Phone", "Status"),
            ObjectType.CONTACT, List.of("LastName", "Title", "Phone"),
            ObjectType.CAMPAIGN, List.of("Name", "Status", "Type"),
            ObjectType.CAMPAIGN_MEMBER, List.of("CampaignId", "LeadId", "ContactId", "Status"));

    // ---- the history ---------------------------------------------------------------------------

    sealed interface Op {
    }

    record CrmNewLead() implements Op {
    }

    record CrmNewContact() implements Op {
    }

    record MktNewLead() implements Op {
    }

    /** A CRM user edits a field. @param type index into EDITABLE */
    record CrmEdit(int type, int pick, int field) implements Op {
    }

    /** The host edits a field; {@code bad} values break the CRM's validation rule on leads. */
    record MktEdit(int type, int pick, int field, boolean bad) implements Op {
    }

    /** Both sides edit one linked record between two cycles: the same field, or different fields. */
    record BothEdit(int type, int pick, int crmField, int mktField) implements Op {
    }

    /** The host deletes a stored Lead, Contact or campaign member (linked or not) from the marketing store. */
    record MktDelete(int type, int pick) implements Op {
    }

    record Push(int pick) implements Op {
    }

    /** @param type 0 lead, 1 contact */
    record CrmDelete(int type, int pick) implements Op {
    }

    record Convert(int pick, boolean intoExisting, int contactPick) implements Op {
    }

    /** @param type 0 lead, 1 contact */
    record Merge(int type, int master, int loser) implements Op {
    }

    /** Marketo's "Convert Person" from the marketing side ({@link SyncEngine#convertPerson}), between cycles. */
    record MktConvert(int pick, boolean createOpportunity) implements Op {
    }

    /**
     * A marketing-side merge of two persons ({@link SyncEngine#mergePersons}), between cycles.
     *
     * @param type 0 lead, 1 contact
     */
    record MktMerge(int type, int survivor, int loser, boolean skipCrmMerge) implements Op {
    }

    /** @param personType 0 lead, 1 contact */
    record CrmAddMember(int personType, int pick, int campaign) implements Op {
    }

    record MktAddMember(int pick, int campaign) implements Op {
    }

    /** @param type 0 lead, 1 contact */
    record Lock(int type, int pick) implements Op {
    }

    record Faults(boolean on) implements Op {
    }

    record Cycle() implements Op {
    }

    /** A cycle whose process dies at its {@code atCall}-th call (CRM, store or state store). */
    record Crash(int atCall) implements Op {
    }

    /**
     * The next {@code n} create (or upsert) calls time out on the way back: the CRM committed them,
     * and the commit becomes visible up to 90 s later (within the CRM's longest write, 2 min).
     */
    record LoseAnswers(int n) implements Op {
    }

    record Advance(int seconds) implements Op {
    }

    @Provide
    Arbitrary<List<Op>> histories() {
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 4);
        Arbitrary<Integer> two = Arbitraries.integers().between(0, 1);
        Arbitrary<Integer> four = Arbitraries.integers().between(0, 3);
        Arbitrary<Integer> field = Arbitraries.integers().between(0, 1);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(new CrmNewLead())),
                Tuple.of(2, Arbitraries.just(new CrmNewContact())),
                Tuple.of(2, Arbitraries.just(new MktNewLead())),
                Tuple.of(8, Combinators.combine(four, pick, field).as(CrmEdit::new)),
                Tuple.of(8, Combinators.combine(four, pick, field, Arbitraries.of(false, false, false, true))
                        .as(MktEdit::new)),
                Tuple.of(8, Combinators.combine(four, pick, field, field).as(BothEdit::new)),
                Tuple.of(2, pick.map(Push::new)),
                Tuple.of(2, Combinators.combine(Arbitraries.integers().between(0, 2), pick).as(MktDelete::new)),
                Tuple.of(1, Combinators.combine(two, pick).as(CrmDelete::new)),
                Tuple.of(2, Combinators.combine(pick, Arbitraries.of(true, false), pick).as(Convert::new)),
                Tuple.of(2, Combinators.combine(two, pick, pick).as(Merge::new)),
                Tuple.of(3, Combinators.combine(pick, Arbitraries.of(true, false)).as(MktConvert::new)),
                Tuple.of(3, Combinators.combine(two, pick, pick, Arbitraries.of(false, false, true)).as(MktMerge::new)),
                Tuple.of(2, Combinators.combine(two, pick, two).as(CrmAddMember::new)),
                Tuple.of(2, Combinators.combine(pick, two).as(MktAddMember::new)),
                Tuple.of(1, Combinators.combine(two, pick).as(Lock::new)),
                Tuple.of(2, Arbitraries.of(true, false).map(Faults::new)),
                Tuple.of(5, Arbitraries.just(new Cycle())),
                Tuple.of(3, Arbitraries.integers().between(1, 150).map(Crash::new)),
                Tuple.of(3, Arbitraries.integers().between(1, 2).map(LoseAnswers::new)),
                Tuple.of(1, Arbitraries.integers().between(1, 400).map(Advance::new)));
        // longer histories for a hunt: -Dcrmsync.property.maxHistory=60
        return op.list().ofMinSize(1).ofMaxSize(Integer.getInteger("crmsync.property.maxHistory", 24));
    }

    // ---- the world and its model ---------------------------------------------------------------

    /**
     * An edit as the model remembers it: the value, the epoch (cycles and pushes so far) and, for a
     * marketing edit, the CRM record its person was linked to then (null if none): once the person
     * is pushed again as a new CRM record, the new record starts from whatever the store held at
     * that push, which later CRM edits of the old record may have changed.
     */
    record Edit(FieldValue value, int epoch, CrmId linkedTo) {
        Edit(FieldValue value, int epoch) {
            this(value, epoch, null);
        }
    }

    record Key(ObjectType type, String id, String field) {
    }

    static final class World {
        final BidiHarness h = new BidiHarness();
        /** The CRM the engines talk to: creates whose answers are lost commit late. */
        final LateCommits late = new LateCommits(h.crm, Duration.ofMinutes(2), h.clock);
        final List<CrmId> campaigns = new ArrayList<>();
        final Map<Key, Edit> crmEdits = new HashMap<>();
        final Map<Key, Edit> mktEdits = new HashMap<>();
        final Set<String> tainted = new HashSet<>();
        final Set<String> hostPersons = new HashSet<>();
        /** Persons a marketing-side merge merged into another (their store records are gone by design). */
        final Set<String> mergedInStore = new HashSet<>();
        final Set<String> hostMembers = new HashSet<>();
        /** CRM records whose store record the host deleted, never edited in the CRM: they end deleted there. */
        final Map<CrmId, ObjectType> hostDeleted = new HashMap<>();
        /** CRM records edited in the CRM at any time. */
        final Set<CrmId> crmEdited = new HashSet<>();
        int epoch;
        int counter;

        World(long seed) {
            campaigns.add(h.campaign("Spring"));
            campaigns.add(h.campaign("Autumn"));
            h.crm.addValidationRule(ObjectType.LEAD, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Title must not start with 'bad'",
                    v -> v.get("Title") instanceof FieldValue.Text t && t.value().startsWith("bad"));
            h.store.faults().seed(seed);
        }

        SyncEngine.Builder builder() {
            SyncEngine.Builder b = h.builder().crmSource(late).maxAttempts(2).pageSize(3).storeBatchSize(2)
                    .defaultCompany("Unknown").defaultLastName("Unknown");
            SYNCED.forEach(b::fields);
            return b;
        }

        FieldValue tag(boolean bad) {
            return FieldValue.text((bad ? "bad" : "v") + (++counter));
        }

        /**
         * A new value for a field; a campaign member's status is first added to every campaign's
         * member statuses, as a CRM user would, since the CRM refuses a status its campaign lacks.
         */
        FieldValue tag(ObjectType type, String field, boolean bad) {
            FieldValue v = tag(bad);
            if (type.equals(ObjectType.CAMPAIGN_MEMBER) && field.equals("Status")) {
                for (CrmId c : campaigns) {
                    h.crm.insert(ObjectType.CAMPAIGN_MEMBER_STATUS, BidiHarness.fields("CampaignId", c, "Label", v,
                            "SortOrder", FieldValue.number(counter)));
                }
            }
            return v;
        }

        List<SyncRecord> liveCrm(ObjectType type) {
            List<SyncRecord> out = new ArrayList<>();
            for (SyncRecord r : h.crm.records(type)) {
                if (!(r.get(SyncRecord.IS_CONVERTED) instanceof FieldValue.Bool b && b.value())) {
                    out.add(r);
                }
            }
            return out;
        }

        static <T> T pick(List<T> list, int pick) {
            return list.isEmpty() ? null : list.get(Math.floorMod(pick, list.size()));
        }

        List<MarketingRecord> stored(ObjectType type) {
            return h.data.records(type);
        }

        String midOf(ObjectType type, CrmId id) {
            MarketingRecord r = h.store.findByCrmIds(type, List.of(id)).get(id);
            return r == null ? null : r.marketingId();
        }

        void taint(ObjectType type, CrmId id) {
            tainted.add(id.value());
            crmEdited.add(id);          // a merge or conversion changes the record in the CRM
            String mid = midOf(type, id);
            if (mid != null) {
                tainted.add(mid);
            }
            // a pushed record whose create's answer was lost is not linked yet, but names its person
            h.crm.get(type, id).map(r -> r.get(BidiHarness.MARKETING_ID_FIELD)).ifPresent(v -> {
                if (v instanceof FieldValue.Text t) {
                    tainted.add(t.value());
                }
            });
        }

        void apply(Op op) {
            late.commitOlderThan(Duration.ofSeconds(60));
            if (op instanceof LoseAnswers l) {
                late.holdNext(l.n());
            } else if (op instanceof CrmNewLead) {
                h.crm.insert(ObjectType.LEAD, BidiHarness.fields("LastName", "L" + (++counter), "Company", "Acme",
                        "Title", tag(false)));
            } else if (op instanceof CrmNewContact) {
                h.crm.insert(ObjectType.CONTACT, BidiHarness.fields("LastName", "C" + (++counter), "Phone", tag(false)));
            } else if (op instanceof MktNewLead) {
                MarketingRecord r = h.store.saveLocal(ObjectType.LEAD, null, BidiHarness.fields("LastName",
                        "M" + (++counter), "Company", "Local", "Title", tag(false)));
                hostPersons.add(r.marketingId());
            } else if (op instanceof CrmEdit e) {
                ObjectType type = EDITABLE.get(e.type());
                SyncRecord r = pick(liveCrm(type), e.pick());
                if (r != null) {
                    String f = pick(EDIT_FIELDS.get(type), e.field());
                    FieldValue v = tag(type, f, false);
                    h.crm.update(type, r.id(), Map.of(f, v));
                    crmEdited.add(r.id());
                    crmEdits.put(new Key(type, r.id().value(), f), new Edit(v, epoch));
                }
            } else if (op instanceof MktEdit e) {
                ObjectType type = EDITABLE.get(e.type());
                MarketingRecord r = pick(stored(type), e.pick());
                if (r != null) {
                    String f = pick(EDIT_FIELDS.get(type), e.field());
                    FieldValue v = tag(type, f, e.bad() && type.equals(ObjectType.LEAD));
                    h.store.saveLocal(type, r.marketingId(), Map.of(f, v));
                    mktEdits.put(new Key(type, r.marketingId(), f), new Edit(v, epoch, r.crmId()));
                }
            } else if (op instanceof BothEdit e) {
                ObjectType type = EDITABLE.get(e.type());
                List<MarketingRecord> linked = stored(type).stream()
                        .filter(r -> r.crmId() != null && !r.crmDeleted()).toList();
                MarketingRecord r = pick(linked, e.pick());
                if (r != null && h.crm.get(type, r.crmId()).filter(x -> !x.deleted()
                        && !(x.get(SyncRecord.IS_CONVERTED) instanceof FieldValue.Bool b && b.value())).isPresent()) {
                    String cf = pick(EDIT_FIELDS.get(type), e.crmField());
                    String mf = pick(EDIT_FIELDS.get(type), e.mktField());
                    FieldValue cv = tag(type, cf, false);
                    FieldValue mv = tag(type, mf, false);
                    h.crm.update(type, r.crmId(), Map.of(cf, cv));
                    crmEdited.add(r.crmId());
                    crmEdits.put(new Key(type, r.crmId().value(), cf), new Edit(cv, epoch));
                    h.store.saveLocal(type, r.marketingId(), Map.of(mf, mv));
                    mktEdits.put(new Key(type, r.marketingId(), mf), new Edit(mv, epoch, r.crmId()));
                }
            } else if (op instanceof Push p) {
                List<MarketingRecord> candidates = new ArrayList<>(stored(ObjectType.LEAD).stream()
                        .filter(r -> r.crmId() == null || r.crmDeleted()).toList());
                candidates.addAll(stored(ObjectType.CONTACT).stream().filter(MarketingRecord::crmDeleted).toList());
                MarketingRecord r = pick(candidates, p.pick());
                if (r != null) {
                    epoch++;
                    try (SyncEngine engine = builder().build()) {
                        PushResult result = engine.pushNow(r.type(), List.of(r.marketingId())).get(0);
                        if (result instanceof PushResult.Created) {
                            mktEdits.keySet().removeIf(k -> k.id().equals(r.marketingId()));
                        }
                    } catch (RuntimeException e) {
                        // an injected fault: the next cycle links or repeats the create
                    }
                }
            } else if (op instanceof MktDelete d) {
                ObjectType type = d.type() == 0 ? ObjectType.LEAD : d.type() == 1 ? ObjectType.CONTACT
                        : ObjectType.CAMPAIGN_MEMBER;
                MarketingRecord r = pick(stored(type), d.pick());
                if (r != null) {
                    h.store.deleteLocal(type, r.marketingId());
                    hostPersons.remove(r.marketingId());
                    hostMembers.remove(r.marketingId());
                    mktEdits.keySet().removeIf(k -> k.id().equals(r.marketingId()));
                    tainted.add(r.marketingId());
                    if (r.crmId() != null && !r.crmDeleted()) {
                        tainted.add(r.crmId().value());
                        hostDeleted.put(r.crmId(), type);
                    }
                }
            } else if (op instanceof CrmDelete d) {
                ObjectType type = d.type() == 0 ? ObjectType.LEAD : ObjectType.CONTACT;
                SyncRecord r = pick(liveCrm(type), d.pick());
                if (r != null) {
                    // pushed again later, the person becomes a new CRM record holding whatever the
                    // store holds then (CRM edits of the deleted record included): its earlier
                    // marketing edits say nothing of that record
                    String mid = midOf(type, r.id());
                    String named = r.get(BidiHarness.MARKETING_ID_FIELD) instanceof FieldValue.Text t ? t.value() : null;
                    mktEdits.keySet().removeIf(k -> k.id().equals(mid) || k.id().equals(named));
                    h.crm.delete(type, r.id());
                }
            } else if (op instanceof Convert c) {
                SyncRecord lead = pick(liveCrm(ObjectType.LEAD), c.pick());
                if (lead != null) {
                    SyncRecord into = c.intoExisting() ? pick(liveCrm(ObjectType.CONTACT), c.contactPick()) : null;
                    taint(ObjectType.LEAD, lead.id());
                    InMemoryCrm.Conversion conv = h.crm.convertLead(lead.id(), into == null ? null : into.id());
                    taint(ObjectType.CONTACT, conv.contactId());
                }
            } else if (op instanceof Merge m) {
                ObjectType type = m.type() == 0 ? ObjectType.LEAD : ObjectType.CONTACT;
                List<SyncRecord> live = liveCrm(type);
                SyncRecord master = pick(live, m.master());
                SyncRecord loser = pick(live, m.loser());
                if (master != null && loser != null && !master.id().equals(loser.id())) {
                    taint(type, master.id());
                    taint(type, loser.id());
                    h.crm.merge(type, master.id(), List.of(loser.id()));
                }
            } else if (op instanceof MktConvert c) {
                List<MarketingRecord> leads = stored(ObjectType.LEAD).stream()
                        .filter(r -> r.crmId() != null && !r.crmDeleted()).toList();
                MarketingRecord lead = pick(leads, c.pick());
                if (lead != null) {
                    taint(ObjectType.LEAD, lead.crmId());
                    tainted.add(lead.marketingId());
                    try (SyncEngine engine = builder().build()) {
                        PersonConversion conv = engine.convertPerson(lead.marketingId(), "Closed - Converted",
                                c.createOpportunity());
                        net.jqwik.api.statistics.Statistics.label("marketing-side conversions").collect(conv.outcome());
                        if (conv.contactId() != null) {
                            taint(ObjectType.CONTACT, conv.contactId());
                        }
                    } catch (SyncException e) {
                        // a fault in the CRM or the store: the next cycles carry whatever the CRM did
                    }
                }
            } else if (op instanceof MktMerge m) {
                ObjectType type = m.type() == 0 ? ObjectType.LEAD : ObjectType.CONTACT;
                // a merge in the CRM too picks linked persons (an unlinked one is refused, CRM_RECORD_MISSING,
                // which the store-only merges and the rare unlinked pick still cover)
                List<MarketingRecord> persons = stored(type).stream().filter(r -> !r.crmDeleted()
                        && (m.skipCrmMerge() || r.crmId() != null)).toList();
                MarketingRecord survivor = pick(persons, m.survivor());
                MarketingRecord loser = pick(persons, m.loser());
                if (survivor != null && loser != null && !survivor.marketingId().equals(loser.marketingId())) {
                    for (MarketingRecord p : List.of(survivor, loser)) {
                        tainted.add(p.marketingId());
                        if (p.crmId() != null) {
                            taint(type, p.crmId());
                        }
                    }
                    try (SyncEngine engine = builder().build()) {
                        PersonMerge merged = engine.mergePersons(type, survivor.marketingId(), List.of(loser.marketingId()),
                                m.skipCrmMerge());
                        net.jqwik.api.statistics.Statistics.label("marketing-side merges")
                                .collect(merged.outcome() + (m.skipCrmMerge() ? " (store only)" : ""));
                        if (merged.outcome() == PersonMerge.Outcome.MERGED) {
                            mergedInStore.add(loser.marketingId());
                        }
                    } catch (SyncException e) {
                        // a fault in the CRM or the store: the next cycles carry whatever the CRM did
                    }
                }
            } else if (op instanceof CrmAddMember a) {
                ObjectType type = a.personType() == 0 ? ObjectType.LEAD : ObjectType.CONTACT;
                SyncRecord person = pick(liveCrm(type), a.pick());
                CrmId campaign = campaigns.get(a.campaign());
                String field = type.equals(ObjectType.LEAD) ? "LeadId" : "ContactId";
                if (person != null && h.crm.records(ObjectType.CAMPAIGN_MEMBER).stream().noneMatch(x ->
                        FieldValue.ref(campaign).equals(x.get("CampaignId"))
                                && FieldValue.ref(person.id()).equals(x.get(field)))) {
                    FieldValue status = tag(ObjectType.CAMPAIGN_MEMBER, "Status", false);
                    CrmId id = h.crm.insert(ObjectType.CAMPAIGN_MEMBER, BidiHarness.fields("CampaignId", campaign, field,
                            person.id(), "Status", status));
                    // the host may have added the same membership since the last cycle: the CRM's
                    // member then wins (adding an existing member changes nothing), so its status counts as an edit
                    crmEdits.put(new Key(ObjectType.CAMPAIGN_MEMBER, id.value(), "Status"), new Edit(status, epoch));
                }
            } else if (op instanceof MktAddMember a) {
                List<MarketingRecord> persons = new ArrayList<>(stored(ObjectType.LEAD));
                persons.addAll(stored(ObjectType.CONTACT));
                MarketingRecord person = pick(persons, a.pick());
                if (person != null) {
                    Map<String, FieldValue> f = new HashMap<>();
                    f.put("CampaignId", FieldValue.ref(campaigns.get(a.campaign())));
                    if (person.crmId() != null && !person.crmDeleted()) {
                        f.put(person.type().equals(ObjectType.LEAD) ? "LeadId" : "ContactId",
                                FieldValue.ref(person.crmId()));
                    } else {
                        f.put(person.type().equals(ObjectType.LEAD) ? MarketingFields.LEAD_MARKETING_ID
                                : MarketingFields.CONTACT_MARKETING_ID, FieldValue.text(person.marketingId()));
                    }
                    FieldValue status = tag(ObjectType.CAMPAIGN_MEMBER, "Status", false);
                    f.put("Status", status);
                    MarketingRecord m = h.store.saveLocal(ObjectType.CAMPAIGN_MEMBER, null, f);
                    hostMembers.add(m.marketingId());
                }
            } else if (op instanceof Lock l) {
                SyncRecord r = pick(liveCrm(l.type() == 0 ? ObjectType.LEAD : ObjectType.CONTACT), l.pick());
                if (r != null) {
                    h.crm.lockRecord(r.id(), 1 + Math.floorMod(l.pick(), 2));
                }
            } else if (op instanceof Faults f) {
                if (f.on()) {
                    h.crm.faults().failRate(CrmOperation.WRITE, 0.2, Fault.retriable()).failRate(CrmOperation.FETCH, 0.1, Fault.retriable())
                            .failRate(CrmOperation.READ_PAGE, 0.05, Fault.retriable());
                    h.store.faults().failRate(StoreOperation.UPSERT, 0.1, Fault.retriable()).failRate(StoreOperation.LINK, 0.2, Fault.retriable());
                } else {
                    h.crm.faults().clear();
                    h.store.faults().clear();
                }
            } else if (op instanceof Cycle) {
                epoch++;
                h.clock.advance(Duration.ofSeconds(1));
                try (SyncEngine engine = builder().build()) {
                    engine.runCycle();
                }
            } else if (op instanceof Crash c) {
                epoch++;
                h.clock.advance(Duration.ofSeconds(1));
                KillSwitch ks = new KillSwitch().armAt(c.atCall());
                try (SyncEngine engine = builder().crmSource(ks.wrap(CrmSource.class, late))
                        .marketingStore(ks.wrap(BidirectionalStore.class, h.store))
                        .syncStateStore(ks.wrap(SyncStateStore.class, h.state)).build()) {
                    engine.runCycle();
                }
                h.clock.advance(SyncEngine.DEFAULT_LEASE_TTL);   // the restart waits until the dead one's lease lapses
            } else if (op instanceof Advance a) {
                late.commitHeld();             // a lost answer's commit is visible within the CRM's longest write
                h.clock.advance(Duration.ofSeconds(a.seconds()));
            }
        }

        /**
         * Faults stop (lost answers' commits are visible); the host re-drives what waits for a
         * change (the validation rule is gone).
         */
        void stopFaults() {
            late.stopHolding();
            late.commitHeld();
            h.crm.faults().clear();
            h.crm.clearRules();
            h.store.faults().clear();
            try (SyncEngine engine = builder().build()) {
                for (ObjectType t : BidiHarness.TYPES) {
                    engine.redriveAll(t);
                }
                engine.redriveAll();
            }
        }

        SyncReport cycle() {
            epoch++;
            h.clock.advance(Duration.ofSeconds(1));
            try (SyncEngine engine = builder().build()) {
                SyncReport r = engine.runCycle();
                for (TypeReport t : r.types()) {
                    assertTrue(t.outcome() instanceof TypeOutcome.Synced, r::toTable);
                }
                return r;
            }
        }
    }

    // ---- the law -------------------------------------------------------------------------------

    /**
     * Found by the property (CI, 2026-12-04, seed -2375201624282835095, shrunk): a first copy crashed after the
     * store's create of a lead and before its base got the marketing id; the host deleted the lead; the next
     * cycle's copy re-created it in the store (the base could not tell a create that never landed from one the
     * host deleted), so the host's delete never reached the CRM. The feed's deletion now tells.
     */
    @net.jqwik.api.Example
    void aHostDeleteAfterAFirstCopyThatCrashedReachesTheCrm() {
        onceFaultsStopBothSidesConvergeToThePolicysValuesWithinTwoCyclesThenStayQuiet(
                List.of(new CrmNewLead(), new Crash(28), new MktDelete(0, 0)), 0);
    }

    /**
     * Marketing-side merges and conversions (issue 14), which random histories reach only now and then (two
     * linked persons of one type are needed): a merge in the CRM and the store, a store-only merge of a
     * marketing-only person, a conversion with an opportunity, each beside edits and a crash.
     */
    @net.jqwik.api.Example
    void marketingSideMergesAndConversionsConverge() {
        onceFaultsStopBothSidesConvergeToThePolicysValuesWithinTwoCyclesThenStayQuiet(List.of(new CrmNewLead(),
                new CrmNewLead(), new CrmNewLead(), new MktNewLead(), new Cycle(), new MktEdit(0, 1, 0, false),
                new MktMerge(0, 0, 1, false), new CrmEdit(0, 0, 1), new Cycle(), new MktMerge(0, 0, 2, true),
                new MktConvert(0, true), new Crash(12), new MktEdit(1, 0, 0, false), new Cycle()), 7);
    }

    /**
     * Found by the property (2026-12-06, world seed 1, shrunk): a host's campaign member of a lead the CRM then
     * converted into an existing contact was created in the CRM on the converted lead (the fake accepted what
     * Salesforce refuses, "cannot reference converted lead"), its answer was lost, and the store's member, moved
     * to the contact by the conversion, never matched the CRM's — the CRM's member never reached the store.
     */
    @net.jqwik.api.Example
    void aHostMemberOfALeadConvertedBeforeItsPushReachesTheCrmOnceOnTheContact() {
        onceFaultsStopBothSidesConvergeToThePolicysValuesWithinTwoCyclesThenStayQuiet(List.of(new CrmNewLead(),
                new Faults(true), new Cycle(), new CrmNewContact(), new MktAddMember(0, 0), new MktNewLead(),
                new CrmNewContact(), new Push(0), new Crash(14), new CrmEdit(3, 3, 0), new Convert(4, true, 3),
                new Cycle()), 1);
    }

    @Property(edgeCases = EdgeCasesMode.MIXIN)
    void onceFaultsStopBothSidesConvergeToThePolicysValuesWithinTwoCyclesThenStayQuiet(
            @ForAll("histories") List<Op> history, @ForAll @IntRange(min = 0, max = 10_000) int seed) {
        World w = new World(seed);
        for (Op op : history) {
            w.apply(op);
        }
        w.stopFaults();
        w.cycle();
        SyncReport second = w.cycle();
        assertConverged(w, history, second);

        long crm = w.h.crmWrites();
        long store = w.h.storeWrites();
        SyncReport quiet = w.cycle();
        assertEquals(crm, w.h.crmWrites(), () -> "CRM writes in the quiet cycle\n" + quiet.toTable() + history);
        assertEquals(store, w.h.storeWrites(), () -> "store writes in the quiet cycle\n" + quiet.toTable() + history);
    }

    private static void assertConverged(World w, List<Op> history, SyncReport last) {
        String ctx = "\n" + last.toTable() + "\nhistory: " + history;
        Map<String, SyncRecord> byMarketingIdField = new HashMap<>();
        for (ObjectType type : BidiHarness.TYPES) {
            List<String> synced = SYNCED.get(type);
            Set<CrmId> live = new HashSet<>();
            for (SyncRecord c : w.h.crm.records(type)) {
                boolean converted = c.get(SyncRecord.IS_CONVERTED) instanceof FieldValue.Bool b && b.value();
                MarketingRecord m = w.h.store.findByCrmIds(type, List.of(c.id())).get(c.id());
                if (converted) {
                    assertTrue(m == null, () -> "converted lead " + c.id() + " still a lead in the store" + ctx);
                    continue;
                }
                live.add(c.id());
                assertNotNull(m, () -> type + " " + c.id() + " is live in the CRM but not in the store (lost)" + ctx);
                assertFalse(m.crmDeleted(), () -> type + " " + c.id() + " is live but flagged deleted" + ctx);
                for (String f : synced) {
                    assertEquals(c.get(f), m.get(f), () -> type + " " + c.id() + " (marketing id " + m.marketingId()
                            + ") field " + f + " differs between the CRM and the store" + ctx);
                }
                FieldValue mid = c.get(BidiHarness.MARKETING_ID_FIELD);
                if (mid instanceof FieldValue.Text t) {
                    SyncRecord other = byMarketingIdField.put(type + "/" + t.value(), c);
                    assertTrue(other == null, () -> "marketing record " + t.value() + " was created twice in the CRM: "
                            + other.id() + " and " + c.id() + ctx);
                }
                // a membership of a person merged or converted since may have met another membership
                // of the surviving person in the campaign: the CRM's member then wins
                boolean personTainted = type.equals(ObjectType.CAMPAIGN_MEMBER) && (
                        c.get("LeadId") instanceof FieldValue.Ref lr && w.tainted.contains(lr.id().value())
                        || c.get("ContactId") instanceof FieldValue.Ref cr && w.tainted.contains(cr.id().value()));
                if (!personTainted && !w.tainted.contains(c.id().value()) && !w.tainted.contains(m.marketingId())) {
                    for (String f : EDIT_FIELDS.get(type)) {
                        assertPolicyValue(w, type, c, m, f, ctx);
                    }
                }
            }
            // every store record linked to a CRM record the CRM no longer has live is flagged
            IdCursor after = IdCursor.START;
            while (true) {
                List<CrmId> ids = w.h.store.crmIds(type, after, 500);
                if (ids.isEmpty()) {
                    break;
                }
                for (CrmId id : ids) {
                    if (!live.contains(id)) {
                        SyncRecord c = w.h.crm.get(type, id).orElse(null);
                        assertTrue(c == null || c.deleted(), () -> type + " " + id + " linked to a converted lead" + ctx);
                        assertTrue(c == null || c.get(SyncRecord.MASTER_RECORD_ID).isNull(),
                                () -> type + " " + id + " is a merge loser still in the store" + ctx);
                        assertTrue(w.h.store.findByCrmIds(type, List.of(id)).get(id).crmDeleted(),
                                () -> type + " " + id + " is gone from the CRM but not flagged deleted" + ctx);
                    }
                }
                after = IdCursor.after(ids.get(ids.size() - 1));
            }
        }
        // a record the host deleted that no CRM user edited is deleted in the CRM (an edit wins over a
        // delete: an edited one may have been copied back); one the CRM merged or converted is left out
        for (Map.Entry<CrmId, ObjectType> e : w.hostDeleted.entrySet()) {
            SyncRecord c = w.h.crm.get(e.getValue(), e.getKey()).orElse(null);
            // a merge or conversion of a member's person moves the member: an edit in the CRM
            boolean structural = c != null && (!c.get(SyncRecord.MASTER_RECORD_ID).isNull()
                    || c.get(SyncRecord.IS_CONVERTED) instanceof FieldValue.Bool b && b.value()
                    || c.get("LeadId") instanceof FieldValue.Ref lr && w.tainted.contains(lr.id().value())
                    || c.get("ContactId") instanceof FieldValue.Ref cr && w.tainted.contains(cr.id().value()));
            if (c != null && !c.deleted() && !structural && !w.crmEdited.contains(e.getKey())) {
                fail(e.getValue() + " " + e.getKey() + " was deleted by the host, never edited in the CRM, and is"
                        + " still live there" + ctx);
            }
        }
        // nothing the host created is lost: a person is gone only if the CRM merged its lead away (or
        // converted it into a contact the store already held, which merges the two persons)
        Map<String, SyncRecord> leadsByMid = new HashMap<>();
        try (ChangeStream s = w.h.crm.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of(BidiHarness.MARKETING_ID_FIELD,
                SyncRecord.MASTER_RECORD_ID, SyncRecord.IS_CONVERTED), dev.crmsync.crm.Cursor.START, 2_000))) {
            for (List<SyncRecord> page = s.nextPage(); !page.isEmpty(); page = s.nextPage()) {
                for (SyncRecord r : page) {
                    if (r.get(BidiHarness.MARKETING_ID_FIELD) instanceof FieldValue.Text t) {
                        leadsByMid.put(t.value(), r);
                    }
                }
            }
        }
        for (String mid : w.hostPersons) {
            boolean held = w.h.store.findByMarketingId(ObjectType.LEAD, mid).isPresent()
                    || w.h.store.findByMarketingId(ObjectType.CONTACT, mid).isPresent();
            if (!held) {
                SyncRecord lead = leadsByMid.get(mid);
                boolean mergedAway = lead != null && ((lead.deleted() && !lead.get(SyncRecord.MASTER_RECORD_ID).isNull())
                        || (lead.get(SyncRecord.IS_CONVERTED) instanceof FieldValue.Bool b && b.value()));
                assertTrue(mergedAway || w.mergedInStore.contains(mid), () -> "host person " + mid + " was lost" + ctx);
            }
        }
        for (String mid : w.hostMembers) {
            assertTrue(w.h.store.findByMarketingId(ObjectType.CAMPAIGN_MEMBER, mid).isPresent(),
                    () -> "host campaign member " + mid + " was lost" + ctx);
        }
    }

    private static void assertPolicyValue(World w, ObjectType type, SyncRecord c, MarketingRecord m, String f,
                                          String ctx) {
        Edit ce = w.crmEdits.get(new Key(type, c.id().value(), f));
        Edit mktEdit = w.mktEdits.get(new Key(type, m.marketingId(), f));
        if (mktEdit == null && (type.equals(ObjectType.LEAD) || type.equals(ObjectType.CONTACT))) {
            // a contact the CRM deleted is pushed again as a lead: its edits as a contact count
            mktEdit = w.mktEdits.get(new Key(type.equals(ObjectType.LEAD) ? ObjectType.CONTACT : ObjectType.LEAD,
                    m.marketingId(), f));
        }
        if (mktEdit != null && mktEdit.linkedTo() != null && !mktEdit.linkedTo().equals(c.id())) {
            // made while linked to a CRM record the person has since left: whether it reached this
            // record depends on how the re-push met the CRM users' edits; the model cannot tell
            return;
        }
        Edit me = mktEdit;
        if (ce == null && me == null) {
            return;
        }
        FieldValue actual = c.get(f);
        Set<FieldValue> allowed = new HashSet<>();
        if (type.equals(ObjectType.CAMPAIGN) && f.equals("Type")) {
            // Marketo's defaults: the marketing side owns a campaign's Type (alwaysMarketing); once
            // it has set a value, that value stands whatever the CRM's users did
            if (me == null) {
                return;
            }
            allowed.add(me.value());
        } else if (ce == null) {
            allowed.add(me.value());
        } else if (me == null) {
            allowed.add(ce.value());
        } else {
            boolean marketingWins = type.equals(ObjectType.LEAD);
            allowed.add(marketingWins ? me.value() : ce.value());
            if (ce.epoch() != me.epoch()) {
                allowed.add(ce.epoch() > me.epoch() ? ce.value() : me.value());
            }
        }
        assertTrue(allowed.contains(actual), () -> type + " " + c.id() + " (marketing id " + m.marketingId()
                + ") field " + f + " is " + actual + ", the policy dictates one of " + allowed + " (CRM edit " + ce
                + ", marketing edit " + me + ")" + ctx);
    }
}
