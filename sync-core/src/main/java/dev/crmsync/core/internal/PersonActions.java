package dev.crmsync.core.internal;

import dev.crmsync.core.PersonConversion;
import dev.crmsync.core.PersonMerge;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.LeadConvert;
import dev.crmsync.crm.LeadConvertResult;
import dev.crmsync.crm.MergeResult;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.PersonActivity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The marketing side's "Convert Person" and merge ({@code SyncEngine.convertPerson},
 * {@code SyncEngine.mergePersons}): the CRM first, then the store. Runs while no cycle runs (the
 * engine holds its cycle slot). Logs ids, codes and field names only.
 */
public final class PersonActions {

    private static final Logger LOG = LoggerFactory.getLogger(PersonActions.class);

    private PersonActions() {
    }

    /**
     * Converts a person's lead in the CRM. The store record moves to Contact at the next cycle, by
     * the path that applies a conversion made in the CRM.
     *
     * @param settings the engine's settings
     * @param marketingId the person (a Lead in the store)
     * @param convertedStatus the converted lead status
     * @param createOpportunity true to create an opportunity too
     * @return the answer
     */
    public static PersonConversion convert(EngineSettings settings, String marketingId, String convertedStatus,
                                           boolean createOpportunity) {
        BidirectionalStore store = settings.bidirectionalStore();
        Optional<MarketingRecord> found = store.findByMarketingId(ObjectType.LEAD, marketingId);
        if (found.isEmpty() || !found.get().type().equals(ObjectType.LEAD)) {
            return new PersonConversion(marketingId, PersonConversion.Outcome.NOT_FOUND, null, null, null, null, null);
        }
        MarketingRecord person = found.get();
        if (person.crmId() == null || person.crmDeleted()) {
            return new PersonConversion(marketingId, PersonConversion.Outcome.NOT_IN_CRM, person.crmId(), null, null,
                    null, null);
        }
        CrmId lead = person.crmId();
        LeadConvertResult r = settings.crm().convertLead(new LeadConvert(lead, convertedStatus, null, null,
                !createOpportunity, null, null, false, false));
        if (!r.success()) {
            String code = r.rejection().code();
            LOG.warn("convertPerson {}: the CRM refused to convert lead {} ({})", marketingId, lead, code);
            return new PersonConversion(marketingId, PersonConversion.Outcome.REJECTED, lead, null, null, null, code);
        }
        LOG.info("convertPerson {}: lead {} converted into contact {} (account {}, opportunity {}); the person"
                + " moves to Contact at the next cycle", marketingId, lead, r.contactId(), r.accountId(),
                r.opportunityId());
        return new PersonConversion(marketingId, PersonConversion.Outcome.CONVERTED, lead, r.contactId(),
                r.accountId(), r.opportunityId(), null);
    }

    /**
     * Merges persons: the CRM records first (unless skipped), then the store records, summing the
     * "sum on merge" fields on the survivor.
     *
     * @param settings the engine's settings
     * @param sumOnMerge the fields to sum, by type
     * @param type Lead or Contact
     * @param survivorId the surviving person
     * @param loserIds the persons to merge into it (distinct, not the survivor)
     * @param skipCrmMerge true to merge the store records only
     * @return the answer
     */
    public static PersonMerge merge(EngineSettings settings, Map<ObjectType, Set<String>> sumOnMerge, ObjectType type,
                                    String survivorId, List<String> loserIds, boolean skipCrmMerge) {
        BidirectionalStore store = settings.bidirectionalStore();
        List<String> all = new ArrayList<>();
        all.add(survivorId);
        all.addAll(loserIds);
        Map<String, MarketingRecord> held = new LinkedHashMap<>();
        List<String> notFound = new ArrayList<>();
        for (String id : all) {
            Optional<MarketingRecord> r = store.findByMarketingId(type, id);
            if (r.isPresent() && r.get().type().equals(type)) {
                held.put(id, r.get());
            } else {
                notFound.add(id);
            }
        }
        if (!notFound.isEmpty()) {
            return refused(type, survivorId, loserIds, PersonMerge.Outcome.NOT_FOUND, notFound, null);
        }
        List<String> unlinked = all.stream().filter(id -> held.get(id).crmId() == null
                || (!skipCrmMerge && held.get(id).crmDeleted())).toList();
        if (!unlinked.isEmpty()) {
            return refused(type, survivorId, loserIds, skipCrmMerge ? PersonMerge.Outcome.NOT_LINKED
                    : PersonMerge.Outcome.CRM_RECORD_MISSING, unlinked, null);
        }
        CrmId master = held.get(survivorId).crmId();
        List<CrmId> loserCrm = loserIds.stream().map(id -> held.get(id).crmId()).toList();
        List<CrmId> merged = new ArrayList<>();
        String refusal = null;
        if (!skipCrmMerge) {
            List<CrmId> ids = new ArrayList<>();
            ids.add(master);
            ids.addAll(loserCrm);
            Map<CrmId, SyncRecord> live = new LinkedHashMap<>();
            for (SyncRecord c : settings.crm().fetch(type, ids, Set.of(SyncRecord.MASTER_RECORD_ID))) {
                if (!c.deleted()) {
                    live.put(c.id(), c);
                }
            }
            List<String> missing = all.stream().filter(id -> !live.containsKey(held.get(id).crmId())).toList();
            if (!missing.isEmpty()) {
                LOG.warn("mergePersons {}: the CRM records of {} are missing; nothing merged", type, missing);
                return refused(type, survivorId, loserIds, PersonMerge.Outcome.CRM_RECORD_MISSING, missing, null);
            }
            for (int from = 0; from < loserCrm.size(); from += CrmSource.MAX_MERGE_LOSERS) {
                List<CrmId> chunk = loserCrm.subList(from, Math.min(loserCrm.size(), from + CrmSource.MAX_MERGE_LOSERS));
                MergeResult r = settings.crm().mergeRecords(type, master, chunk);
                if (!r.success()) {
                    refusal = r.rejection().code();
                    LOG.warn("mergePersons {}: the CRM refused to merge {} into {} ({})", type, chunk, master, refusal);
                    break;
                }
                merged.addAll(chunk);
            }
            if (merged.isEmpty()) {
                return refused(type, survivorId, loserIds, PersonMerge.Outcome.CRM_REJECTED, List.of(), refusal);
            }
        } else {
            merged.addAll(loserCrm);
        }
        // the store: the losers the CRM merged (all of them when the CRM merge is skipped)
        List<MarketingRecord> order = new ArrayList<>();
        order.add(held.get(survivorId));
        List<String> storeLosers = new ArrayList<>();
        for (String id : loserIds) {
            if (merged.contains(held.get(id).crmId())) {
                order.add(held.get(id));
                storeLosers.add(id);
            }
        }
        Map<String, FieldValue> fields = new LinkedHashMap<>(BidiStructure.filled(order));
        List<String> summed = new ArrayList<>();
        for (String f : sumOnMerge.getOrDefault(type, Set.of())) {
            BigDecimal sum = null;
            for (MarketingRecord r : order) {
                if (r.get(f) instanceof FieldValue.Number n) {
                    sum = sum == null ? n.value() : sum.add(n.value());
                }
            }
            if (sum != null) {
                fields.put(f, FieldValue.number(sum));
                summed.add(f);
            }
        }
        // the losers' histories move to the survivor first (idempotent): should the merge fail, a retry moves nothing twice
        Activities acts = Activities.of(settings, null);
        for (String id : storeLosers) {
            acts.move(type, id, type, survivorId);
        }
        MarketingRecord out = store.merge(type, master, merged, fields);
        if (acts.on() && !storeLosers.isEmpty()) {
            acts.add(type, out.marketingId(), master, PersonActivity.Kind.MERGED, List.copyOf(fields.keySet()), null,
                    held.get(storeLosers.get(0)).crmId(),
                    merged.stream().map(CrmId::value).sorted().toList());
            acts.flush();
        }
        for (CrmId l : merged) {
            settings.state().deleteBase(type, l);
        }
        LOG.info("mergePersons {}: {} merged into {} (CRM {}; summed {})", type, storeLosers, out.marketingId(),
                skipCrmMerge ? "not merged, as asked" : "merged " + merged, summed);
        PersonMerge.Outcome outcome = refusal == null ? PersonMerge.Outcome.MERGED : PersonMerge.Outcome.CRM_REJECTED;
        return new PersonMerge(type, survivorId, storeLosers, outcome, List.of(), skipCrmMerge ? List.of() : merged,
                summed, refusal);
    }

    private static PersonMerge refused(ObjectType type, String survivor, List<String> losers,
                                       PersonMerge.Outcome outcome, List<String> missing, String code) {
        return new PersonMerge(type, survivor, losers, outcome, missing, List.of(), List.of(), code);
    }
}
