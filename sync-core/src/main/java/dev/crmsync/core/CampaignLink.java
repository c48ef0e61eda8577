package dev.crmsync.core;

import dev.crmsync.model.CrmId;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The answer of {@link SyncEngine#linkCampaign}: linking a marketing campaign (a Marketo program)
 * to an existing CRM campaign. Marketo refuses to sync a program with a Salesforce campaign whose
 * member statuses do not match the program's exactly; so does the engine
 * ({@link Outcome#STATUSES_DIFFER}, with both sets). Shows ids and status labels only.
 *
 * @param marketingId the marketing campaign asked for
 * @param campaignId the CRM campaign asked for
 * @param outcome what happened
 * @param programStatuses the marketing campaign's status set, empty if the store keeps none
 * @param campaignStatuses the CRM campaign's member status labels, empty if not read
 * @param reason why a link was refused, in words (ids and labels only), or null when linked
 */
public record CampaignLink(String marketingId, CrmId campaignId, Outcome outcome, Set<String> programStatuses,
                           Set<String> campaignStatuses, @Nullable String reason) {

    /** What a link came to. */
    public enum Outcome {
        /** Linked: the store's campaign now stands for the CRM campaign and syncs with it. */
        LINKED,
        /** The store holds no Campaign with this marketing id. */
        NOT_FOUND,
        /** The marketing campaign is linked to a CRM campaign already (this one or another). */
        ALREADY_LINKED,
        /** The CRM holds no live campaign with this id. */
        CAMPAIGN_NOT_FOUND,
        /** Another marketing campaign is linked to this CRM campaign. */
        CAMPAIGN_TAKEN,
        /** The CRM campaign's member statuses differ from the marketing campaign's: refused, as Marketo refuses. */
        STATUSES_DIFFER
    }

    /** Checks nulls, copies the sets. */
    public CampaignLink {
        Objects.requireNonNull(marketingId, "marketingId");
        Objects.requireNonNull(campaignId, "campaignId");
        Objects.requireNonNull(outcome, "outcome");
        programStatuses = Set.copyOf(programStatuses);
        campaignStatuses = Set.copyOf(campaignStatuses);
    }

    /** @return true if the campaigns are linked now */
    public boolean linked() {
        return outcome == Outcome.LINKED;
    }
}
