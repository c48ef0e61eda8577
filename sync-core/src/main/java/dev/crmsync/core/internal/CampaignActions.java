package dev.crmsync.core.internal;

import dev.crmsync.core.CampaignLink;
import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.Cursor;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.StoreResult;
import dev.crmsync.store.SyncBase;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operator actions on campaigns: linking a marketing campaign (a Marketo program) to an existing
 * CRM campaign, refused when their member-status sets differ, as Marketo refuses it. Runs while no
 * cycle runs (the engine holds its cycle slot).
 */
public final class CampaignActions {

    private static final Logger LOG = LoggerFactory.getLogger(CampaignActions.class);

    /** Page size of the member-status read. */
    private static final int STATUS_PAGE = 2_000;

    private CampaignActions() {
    }

    /**
     * Links a marketing-only campaign to a CRM campaign. The CRM campaign's member statuses are
     * read (a scan of {@code CampaignMemberStatus}, which Salesforce keeps small) and compared with
     * the store's status set for the marketing campaign ({@link BidirectionalStore#memberStatuses});
     * when both are known and differ, nothing changes. Linked, the store's campaign takes the CRM
     * campaign's values and both sides agree on them (the base), so the next cycle writes nothing
     * unless either side changes; the CRM campaign's members reach the store as they do for any campaign.
     *
     * @param settings the engine's settings
     * @param marketingId the marketing campaign
     * @param campaignId the CRM campaign
     * @return the answer
     */
    public static CampaignLink link(EngineSettings settings, String marketingId, CrmId campaignId) {
        BidirectionalStore store = settings.bidirectionalStore();
        Optional<MarketingRecord> found = store.findByMarketingId(ObjectType.CAMPAIGN, marketingId);
        if (found.isEmpty() || !found.get().type().equals(ObjectType.CAMPAIGN)) {
            return refused(marketingId, campaignId, CampaignLink.Outcome.NOT_FOUND, Set.of(), Set.of(),
                    "the store holds no campaign with marketing id " + marketingId);
        }
        MarketingRecord program = found.get();
        if (program.crmId() != null) {
            return refused(marketingId, campaignId, CampaignLink.Outcome.ALREADY_LINKED, Set.of(), Set.of(),
                    "marketing campaign " + marketingId + " is linked to CRM campaign " + program.crmId() + " already");
        }
        if (store.findByCrmIds(ObjectType.CAMPAIGN, List.of(campaignId)).containsKey(campaignId)) {
            return refused(marketingId, campaignId, CampaignLink.Outcome.CAMPAIGN_TAKEN, Set.of(), Set.of(),
                    "CRM campaign " + campaignId + " is linked to another marketing campaign");
        }
        Optional<BidiType> type = BidiType.describe(settings, ObjectType.CAMPAIGN);
        if (type.isEmpty()) {
            return refused(marketingId, campaignId, CampaignLink.Outcome.CAMPAIGN_NOT_FOUND, Set.of(), Set.of(),
                    "the integration user cannot read campaigns");
        }
        BidiType t = type.get();
        List<SyncRecord> fetched = settings.crm().fetch(ObjectType.CAMPAIGN, List.of(campaignId), t.read);
        SyncRecord campaign = fetched.stream().filter(r -> r.id().equals(campaignId) && !r.deleted())
                .findFirst().orElse(null);
        if (campaign == null) {
            return refused(marketingId, campaignId, CampaignLink.Outcome.CAMPAIGN_NOT_FOUND, Set.of(), Set.of(),
                    "the CRM holds no live campaign " + campaignId);
        }
        Set<String> crmStatuses = statusesOf(settings, campaignId);
        Optional<Set<String>> programStatuses = store.memberStatuses(marketingId);
        if (programStatuses.isPresent() && !programStatuses.get().equals(crmStatuses)) {
            Set<String> onlyProgram = new TreeSet<>(programStatuses.get());
            onlyProgram.removeAll(crmStatuses);
            Set<String> onlyCampaign = new TreeSet<>(crmStatuses);
            onlyCampaign.removeAll(programStatuses.get());
            String reason = "the member statuses of CRM campaign " + campaignId + " differ from those of marketing"
                    + " campaign " + marketingId + " (only in the marketing campaign: " + onlyProgram
                    + "; only in the CRM campaign: " + onlyCampaign + "); make them match, then link again";
            LOG.warn("linkCampaign {} -> {}: refused, the member-status sets differ", marketingId, campaignId);
            return refused(marketingId, campaignId, CampaignLink.Outcome.STATUSES_DIFFER, programStatuses.get(),
                    crmStatuses, reason);
        }
        Map<String, FieldValue> agreed = new LinkedHashMap<>();
        Map<String, FieldValue> toStore = new LinkedHashMap<>();
        for (String f : t.synced()) {
            FieldValue v = campaign.get(f);
            toStore.put(f, v);
            if (!v.isNull()) {
                agreed.put(f, v);
            }
        }
        // the base first, then the link: should the process die between, the next cycle finds the
        // CRM campaign unknown to the store and copies it as a new marketing campaign
        Instant now = settings.clock().instant();
        settings.state().saveBases(List.of(new SyncBase(ObjectType.CAMPAIGN, campaignId, marketingId, agreed,
                campaign.modstamp(), now)));
        store.link(ObjectType.CAMPAIGN, marketingId, campaignId);
        List<StoreResult> res = settings.store().upsert(ObjectType.CAMPAIGN,
                List.of(new SyncRecord(ObjectType.CAMPAIGN, campaignId, toStore, campaign.modstamp(), false)));
        if (res == null || res.size() != 1) {
            throw new SyncException("marketing store returned " + (res == null ? "null" : res.size())
                    + " results for 1 record from upsert", ObjectType.CAMPAIGN, campaignId, null);
        }
        if (res.get(0) instanceof StoreResult.Rejected rej) {
            // linked, but the store did not take the CRM's values: no agreed base, the next cycle merges again
            settings.state().deleteBase(ObjectType.CAMPAIGN, campaignId);
            LOG.warn("linkCampaign {} -> {}: linked, but the store refused the campaign's values ({})", marketingId,
                    campaignId, rej.code());
        }
        LOG.info("linkCampaign {} -> {}: linked ({} member statuses{})", marketingId, campaignId, crmStatuses.size(),
                programStatuses.isPresent() ? ", as the marketing campaign's" : "; the store keeps no status set");
        return new CampaignLink(marketingId, campaignId, CampaignLink.Outcome.LINKED,
                programStatuses.orElse(Set.of()), crmStatuses, null);
    }

    /** The labels of a CRM campaign's live member statuses (a scan of the type). */
    static Set<String> statusesOf(EngineSettings settings, CrmId campaignId) {
        Set<String> labels = new TreeSet<>();
        if (settings.crm().describe(ObjectType.CAMPAIGN_MEMBER_STATUS).isEmpty()) {
            return labels;
        }
        FieldValue campaign = FieldValue.ref(campaignId);
        try (ChangeStream s = settings.crm().openChanges(new ChangeQuery(ObjectType.CAMPAIGN_MEMBER_STATUS,
                Set.of("CampaignId", "Label"), Cursor.START, Math.min(STATUS_PAGE, settings.crm().maxPageSize())))) {
            for (List<SyncRecord> page = s.nextPage(); !page.isEmpty(); page = s.nextPage()) {
                for (SyncRecord r : page) {
                    if (!r.deleted() && campaign.equals(r.get("CampaignId")) && r.get("Label") instanceof FieldValue.Text l) {
                        labels.add(l.value());
                    }
                }
            }
        }
        return labels;
    }

    private static CampaignLink refused(String marketingId, CrmId campaignId, CampaignLink.Outcome outcome,
                                        Set<String> program, Set<String> campaign, String reason) {
        return new CampaignLink(marketingId, campaignId, outcome, program, campaign, reason);
    }
}
