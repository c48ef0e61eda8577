package dev.crmsync.core.internal;

import dev.crmsync.core.report.LeadConversion;
import dev.crmsync.core.report.RecordsMerged;
import dev.crmsync.crm.Cursor;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.Deletion;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.PersonActivity;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncBase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bidirectional stage of <b>structural changes</b> on the CRM side, applied before any
 * record is merged: CRM merges (the store merges the losers into the survivor), lead conversions
 * (the marketing person becomes a Contact) and, from the delete log, records the CRM deleted.
 */
final class BidiStructure {
    private static final Logger LOG = LoggerFactory.getLogger(BidiStructure.class);

    private final BidiContext cx;
    private final BidiConflicts conflicts;

    BidiStructure(BidiContext cx, BidiConflicts conflicts) {
        this.cx = cx;
        this.conflicts = conflicts;
    }

    /**
     * A batch's structural changes.
     *
     * @param merges losers by survivor, as the CRM merged them
     * @param conversions converted leads
     */
    record Changes(Map<CrmId, List<CrmId>> merges, List<SyncRecord> conversions) {
        Changes {
            merges = Collections.unmodifiableMap(new LinkedHashMap<>(merges));
            conversions = List.copyOf(conversions);
        }

        /** @return the records these changes take care of: they are not merged as well */
        Set<CrmId> touched() {
            Set<CrmId> out = new HashSet<>();
            merges.values().forEach(out::addAll);
            conversions.forEach(c -> out.add(c.id()));
            return out;
        }

        boolean isEmpty() {
            return merges.isEmpty() && conversions.isEmpty();
        }

        @Override
        public String toString() {
            return "Changes[merges " + merges + ", conversions " + conversions.stream().map(SyncRecord::id).toList() + "]";
        }
    }

    /** @return a batch's merges (a deleted record naming another as its master) and lead conversions */
    static Changes find(BidiBatch w, ObjectType type) {
        Map<CrmId, List<CrmId>> merges = new LinkedHashMap<>();
        List<SyncRecord> conversions = new ArrayList<>();
        for (CrmId id : w.ids()) {
            SyncRecord c = w.crm().get(id);
            if (c == null) {
                continue;
            }
            if (c.deleted() && c.get(SyncRecord.MASTER_RECORD_ID) instanceof FieldValue.Ref master
                    && !master.id().equals(id)) {
                merges.computeIfAbsent(master.id(), k -> new ArrayList<>()).add(id);
            } else if (!c.deleted() && type.equals(ObjectType.LEAD)
                    && c.get(SyncRecord.IS_CONVERTED) instanceof FieldValue.Bool b && b.value()
                    && c.get(SyncRecord.CONVERTED_CONTACT_ID) instanceof FieldValue.Ref) {
                conversions.add(c);
            }
        }
        return new Changes(merges, conversions);
    }

    /** @return the survivors of the batch's merges that the batch does not name (a new set) */
    static Set<CrmId> survivorsOutside(BidiBatch w) {
        Set<CrmId> masters = new LinkedHashSet<>();
        for (SyncRecord c : w.crm().values()) {
            if (c.deleted() && c.get(SyncRecord.MASTER_RECORD_ID) instanceof FieldValue.Ref master
                    && !w.ids().contains(master.id())) {
                masters.add(master.id());
            }
        }
        return masters;
    }

    /**
     * @param batch deletions from the CRM's delete log
     * @param held the store's records of them
     * @return those to flag deleted in the store: held, not flagged yet, and not changed after the deletion
     */
    static List<Deletion> toFlag(List<Deletion> batch, Map<CrmId, MarketingRecord> held) {
        List<Deletion> out = new ArrayList<>();
        for (Deletion d : batch) {
            MarketingRecord m = held.get(d.crmId());
            if (m == null || m.crmDeleted() || (m.crmModstamp() != null && m.crmModstamp().isAfter(d.deletedAt()))) {
                continue;
            }
            out.add(d);
        }
        return out;
    }

    /** Applies a batch's structural changes, in one store transaction; returns the records they took care of. */
    Set<CrmId> apply(Changes changes, BidiBatch w) {
        if (changes.isEmpty()) {
            return Set.of();
        }
        cx.run.commit(() -> {
            changes.merges().forEach(this::applyMerge);
            for (SyncRecord c : changes.conversions()) {
                applyConversion(c, w.mkt().get(c.id()), w.bases().get(c.id()));
            }
        }, null);
        return changes.touched();
    }

    /** Merges the marketing losers into the survivor, as the CRM merged them. */
    private void applyMerge(CrmId master, List<CrmId> losers) {
        List<CrmId> all = new ArrayList<>();
        all.add(master);
        all.addAll(losers);
        Map<CrmId, MarketingRecord> held = cx.findByCrmIds(all);
        List<MarketingRecord> loserRecs = losers.stream().map(held::get).filter(r -> r != null).toList();
        Map<CrmId, SyncBase> bases = cx.bases(all);
        if (loserRecs.isEmpty()) {
            losers.forEach(l -> forgetLoser(l, bases));
            return;
        }
        List<MarketingRecord> order = new ArrayList<>();
        Optional.ofNullable(held.get(master)).ifPresent(order::add);
        order.addAll(loserRecs);
        Map<String, FieldValue> filled = filled(order);
        SyncBase base = bases.get(master);
        if (base == null) {
            base = loserRecs.stream().map(r -> bases.get(r.crmId())).filter(b -> b != null).findFirst().orElse(null);
        }
        cx.crmFail.followUp(RecordKey.crm(master), "re-check after a merge filled the survivor's empty fields");
        String survivorMid = order.get(0).marketingId();
        if (base != null && (!base.crmId().equals(master) || !survivorMid.equals(base.marketingId()))) {
            // before the merge, so that a crash in between cannot leave the survivor without a base
            saveBase(master, survivorMid, base);
        }
        MarketingRecord out = cx.settings.bidirectionalStore().merge(cx.type, master, losers, filled);
        Activities acts = cx.run.activities();
        if (acts.on()) {
            // the losers' histories are the survivor's now (concatenated, in time order), then the merge itself
            for (MarketingRecord l : loserRecs) {
                acts.move(cx.type, l.marketingId(), cx.type, out.marketingId());
            }
            acts.add(cx.type, out.marketingId(), master, PersonActivity.Kind.MERGED, List.copyOf(filled.keySet()), null,
                    losers.get(0),
                    losers.stream().map(CrmId::value).sorted().toList());
        }
        for (CrmId l : losers) {
            forgetLoser(l, bases);
            conflicts.dropAll(l);
        }
        if (base != null && !out.marketingId().equals(survivorMid)) {
            saveBase(master, out.marketingId(), base);
        }
        LOG.info("{}: {} merged into {} in the CRM; marketing record {} survives", cx.type, losers, master,
                out.marketingId());
        cx.run.listener().onRecordsMerged(new RecordsMerged(cx.type, master, losers, out.marketingId()));
    }

    private void forgetLoser(CrmId loser, Map<CrmId, SyncBase> bases) {
        if (bases.containsKey(loser)) {
            cx.settings.state().deleteBase(cx.type, loser);
        }
        cx.forget(RecordKey.crm(loser));
    }

    private void saveBase(CrmId id, String marketingId, SyncBase base) {
        cx.settings.state().saveBases(List.of(new SyncBase(cx.type, id, marketingId, base.fields(), base.pending(),
                base.crmModstamp(), cx.now())));
    }

    /**
     * The values a merge fills into the survivor: the survivor's values win, but a value beats an
     * empty field (null or blank; false is a value), the earlier loser first.
     *
     * @param order the survivor (if the store holds it) first, then the losers
     * @return the fields to fill
     */
    static Map<String, FieldValue> filled(List<MarketingRecord> order) {
        Map<String, FieldValue> first = order.get(0).fields();
        Map<String, FieldValue> filled = new LinkedHashMap<>();
        for (MarketingRecord r : order.subList(1, order.size())) {
            r.fields().forEach((f, v) -> {
                FieldValue mine = filled.containsKey(f) ? filled.get(f) : first.getOrDefault(f, FieldValue.NULL);
                if (mine.isBlank() && !v.isBlank()) {
                    filled.put(f, v);
                }
            });
        }
        return filled;
    }

    /** A converted lead: its marketing person becomes a Contact linked to the contact. */
    private void applyConversion(SyncRecord lead, MarketingRecord person, SyncBase leadBase) {
        CrmId leadId = lead.id();
        CrmId contactId = ((FieldValue.Ref) lead.get(SyncRecord.CONVERTED_CONTACT_ID)).id();
        cx.forget(RecordKey.crm(leadId));
        if (person == null) {
            if (leadBase != null) {
                cx.settings.state().deleteBase(cx.type, leadId);
            }
            return;                  // never in the store: the contact syncs as any contact
        }
        Optional<BidiOps> contactOps = cx.opsOf(ObjectType.CONTACT);
        if (contactOps.isEmpty()) {
            LOG.warn("{} {} was converted into contact {}, but the integration user cannot read contacts;"
                    + " the person stays a lead in the store", cx.type, leadId, contactId);
            return;
        }
        BidiType ct = contactOps.get().t;
        SideFailures.followUp(cx.settings.state(), ObjectType.CONTACT, RecordKey.crm(contactId),
                "re-check after lead " + leadId + " was converted into it", cx.now());
        SyncRecord contact = contactOps.get().fetch(ObjectType.CONTACT, List.of(contactId), ct.read).get(contactId);
        MarketingRecord existing = cx.settings.store().findByCrmIds(ObjectType.CONTACT, List.of(contactId))
                .get(contactId);
        Map<String, FieldValue> fields = contactFields(ct.synced(), cx.t.synced(), person, leadBase, contact, existing);
        if (contact != null && cx.bases(ObjectType.CONTACT, List.of(contactId)).isEmpty()) {
            // before the relink, so that a crash in between cannot leave the contact without a base
            String mid = existing != null ? existing.marketingId() : person.marketingId();
            cx.settings.state().saveBases(List.of(new SyncBase(ObjectType.CONTACT, contactId, mid,
                    ct.syncedValues(contact.fields()), contact.modstamp(), cx.now())));
        }
        MarketingRecord out = cx.settings.bidirectionalStore().relink(ObjectType.LEAD, leadId, ObjectType.CONTACT,
                contactId, fields);
        if (leadBase != null) {
            cx.settings.state().deleteBase(ObjectType.LEAD, leadId);
        }
        // Marketo keeps one person: the lead's history is the contact's now, then the conversion itself
        Activities acts = cx.run.activities();
        acts.move(ObjectType.LEAD, person.marketingId(), ObjectType.CONTACT, out.marketingId());
        acts.add(ObjectType.CONTACT, out.marketingId(), contactId, PersonActivity.Kind.CONVERTED, List.of(), null, leadId,
                lead.modstamp());
        rewindMembers(lead.modstamp());
        boolean into = existing != null && !existing.marketingId().equals(person.marketingId());
        LOG.info("{} {} converted into contact {}: marketing person {} is now a Contact{}", cx.type, leadId, contactId,
                out.marketingId(), into ? " (merged into the contact's record)" : "");
        cx.run.listener().onLeadConverted(new LeadConversion(leadId, contactId, out.marketingId(), into));
    }

    /**
     * The values a converted person takes as a Contact: into a contact the store holds already, as
     * a merge (a value beats an empty field); else the contact's values, but for the fields the
     * host changed on the lead since its base (and all of them if the CRM has no such contact).
     *
     * @param contactSynced the Contact's synced fields
     * @param leadSynced the Lead's synced fields
     * @param person the marketing person (a Lead)
     * @param leadBase the lead's base, or null
     * @param contact the CRM contact, or null if the CRM does not return it
     * @param existing the store's record of the contact, or null
     * @return the fields to relink with
     */
    static Map<String, FieldValue> contactFields(Set<String> contactSynced, Set<String> leadSynced,
                                                 MarketingRecord person, SyncBase leadBase, SyncRecord contact,
                                                 MarketingRecord existing) {
        Map<String, FieldValue> fields = new LinkedHashMap<>();
        for (String f : contactSynced) {
            FieldValue lv = person.get(f);
            if (existing != null) {
                if (existing.get(f).isBlank() && !lv.isBlank()) {
                    fields.put(f, lv);           // as a merge: a value beats an empty field
                }
            } else {
                boolean changedHere = leadBase != null && leadSynced.contains(f) && !lv.equals(leadBase.get(f));
                fields.put(f, changedHere || contact == null ? lv : contact.get(f));
            }
        }
        return fields;
    }

    /**
     * A conversion gives the lead's campaign members the contact's id (in the CRM) while the
     * store repoints their lead reference: the member type re-reads the CRM from the
     * conversion on, so that both agree again.
     */
    private void rewindMembers(Instant conversionStamp) {
        Optional<Checkpoint> cp = cx.settings.state().checkpoint(ObjectType.CAMPAIGN_MEMBER);
        Cursor back = new Cursor(conversionStamp, null);
        if (cp.isPresent() && cp.get().initialCopyDone() && cp.get().crmCursor().compareTo(back) > 0) {
            cx.settings.state().saveCheckpoint(cp.get().withCrmCursor(back, cp.get().recordsDone(), cx.now()));
        }
    }
}
