package dev.crmsync.store;

/**
 * Names of marketing-side fields the engine understands beyond the CRM's own fields. They are
 * never sent to the CRM (no CRM API name contains a dot).
 *
 * <p>A campaign member the host adds in the store ({@link LocalWrites#saveLocal} on
 * {@code CampaignMember}) names its campaign and its person by CRM reference when they are in
 * the CRM ({@code CampaignId}, {@code LeadId} or {@code ContactId} holding a
 * {@link dev.crmsync.model.FieldValue.Ref}); a person or campaign not yet in the CRM is named by
 * its marketing id in one of the fields below, as text. The engine creates the person in the CRM
 * (as a Lead) before the membership, as Marketo does for a person joining a synced campaign.
 *
 * <pre>{@code
 * MarketingRecord person = store.saveLocal(ObjectType.LEAD, null, Map.of("LastName", text("Doe")));
 * store.saveLocal(ObjectType.CAMPAIGN_MEMBER, null, Map.of(
 *         "CampaignId", FieldValue.ref(campaignCrmId),
 *         MarketingFields.LEAD_MARKETING_ID, FieldValue.text(person.marketingId()),
 *         "Status", FieldValue.text("Responded")));
 * }</pre>
 */
public final class MarketingFields {

    /** On a campaign member: the marketing id of its person, a Lead record (text). */
    public static final String LEAD_MARKETING_ID = "crmsync.LeadMarketingId";

    /** On a campaign member: the marketing id of its person, a Contact record (text). */
    public static final String CONTACT_MARKETING_ID = "crmsync.ContactMarketingId";

    /** On a campaign member: the marketing id of its campaign (text). */
    public static final String CAMPAIGN_MARKETING_ID = "crmsync.CampaignMarketingId";

    private MarketingFields() {
    }
}
