package dev.crmsync.core.internal;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.IdCursor;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.MarketingStore;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Each campaign's member statuses, from the store's synced copy of {@code CampaignMemberStatus} (synced one way
 * before the campaign members): what a member's {@code Status} must be one of. Salesforce's own answer to a status
 * its campaign lacks is not to be relied on (its API documentation says it assigns the campaign's default
 * instead, silently), so the engine checks before it writes, as Marketo does. Loaded on first use, once per
 * cycle; a campaign with no statuses in the store (not synced yet) is not checked.
 */
final class MemberStatuses {

    private static final int PAGE = 1_000;

    private final MarketingStore store;
    private Map<CrmId, Set<String>> byCampaign;     // null until loaded

    MemberStatuses(MarketingStore store) {
        this.store = store;
    }

    /**
     * @param campaign the member's campaign (a reference), or null/blank
     * @param status the member's status
     * @return true if the status is not one of the campaign's known statuses (false when they are not known)
     */
    boolean unknown(FieldValue campaign, FieldValue status) {
        if (campaign == null || campaign.isNull() || status == null || status.isNull()) {
            return false;
        }
        String id = campaign.asText();
        if (id == null || id.isBlank()) {
            return false;
        }
        Set<String> labels = load().get(CrmId.of(id));
        return labels != null && !labels.isEmpty() && !labels.contains(status.asText());
    }

    private Map<CrmId, Set<String>> load() {
        if (byCampaign != null) {
            return byCampaign;
        }
        Map<CrmId, Set<String>> out = new HashMap<>();
        IdCursor after = IdCursor.START;
        while (true) {
            List<CrmId> ids = store.crmIds(ObjectType.CAMPAIGN_MEMBER_STATUS, after, PAGE);
            if (ids.isEmpty()) {
                break;
            }
            for (MarketingRecord r : store.findByCrmIds(ObjectType.CAMPAIGN_MEMBER_STATUS, ids).values()) {
                FieldValue campaign = r.get("CampaignId");
                FieldValue label = r.get("Label");
                if (r.crmDeleted() || campaign.isNull() || label.isNull()) {
                    continue;
                }
                out.computeIfAbsent(CrmId.of(campaign.asText()), k -> new LinkedHashSet<>()).add(label.asText());
            }
            if (ids.size() < PAGE) {
                break;
            }
            after = IdCursor.after(ids.get(ids.size() - 1));
        }
        byCampaign = out;
        return out;
    }
}
