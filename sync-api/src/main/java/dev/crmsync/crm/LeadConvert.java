package dev.crmsync.crm;

import dev.crmsync.model.CrmId;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One lead to convert, as Salesforce's SOAP {@code convertLead()} takes it ({@code LeadConvert}).
 * {@link #toString()} names ids and flags only: the opportunity name is customer data and is left out.
 *
 * @param leadId the live, unconverted lead
 * @param convertedStatus the lead status to set, one whose {@code IsConverted} is true in the org
 *     (Salesforce: {@code INVALID_STATUS} otherwise), e.g. {@code "Closed - Converted"}
 * @param accountId an existing account to convert into, or null for a new one (from Company)
 * @param contactId an existing contact to merge the lead into, or null for a new one; needs {@code accountId}
 * @param doNotCreateOpportunity true to make no opportunity
 * @param opportunityName the new opportunity's name, or null for the account name (ignored with
 *     {@code doNotCreateOpportunity})
 * @param ownerId the owner of the new records, or null for the lead's owner
 * @param overwriteLeadSource true to copy the lead's source over an existing contact's
 * @param sendNotificationEmail true to e-mail the new owner
 */
public record LeadConvert(CrmId leadId, String convertedStatus, @Nullable CrmId accountId,
                          @Nullable CrmId contactId, boolean doNotCreateOpportunity,
                          @Nullable String opportunityName, @Nullable CrmId ownerId,
                          boolean overwriteLeadSource, boolean sendNotificationEmail) {

    /** Longest opportunity name Salesforce takes. */
    public static final int MAX_OPPORTUNITY_NAME = 120;

    /**
     * Validates.
     *
     * @throws NullPointerException if {@code leadId} or {@code convertedStatus} is null
     * @throws IllegalArgumentException if the status is blank, a contact is given without its
     *     account, or the opportunity name is blank or longer than {@value #MAX_OPPORTUNITY_NAME}
     */
    public LeadConvert {
        Objects.requireNonNull(leadId, "leadId");
        Objects.requireNonNull(convertedStatus, "convertedStatus");
        if (convertedStatus.isBlank()) {
            throw new IllegalArgumentException("convertedStatus is blank");
        }
        if (contactId != null && accountId == null) {
            throw new IllegalArgumentException("a contactId needs the contact's accountId (as Salesforce requires)");
        }
        if (opportunityName != null && (opportunityName.isBlank() || opportunityName.length() > MAX_OPPORTUNITY_NAME)) {
            throw new IllegalArgumentException("opportunityName must be 1.." + MAX_OPPORTUNITY_NAME
                    + " characters, got " + opportunityName.length());
        }
    }

    /**
     * A conversion into a new contact, a new account and a new opportunity, owned by the lead's owner.
     *
     * @param leadId the lead
     * @param convertedStatus a converted lead status
     * @return the request
     */
    public static LeadConvert of(CrmId leadId, String convertedStatus) {
        return new LeadConvert(leadId, convertedStatus, null, null, false, null, null, false, false);
    }

    /**
     * @param skip true to create no opportunity
     * @return a copy with {@code doNotCreateOpportunity} set
     */
    public LeadConvert withDoNotCreateOpportunity(boolean skip) {
        return new LeadConvert(leadId, convertedStatus, accountId, contactId, skip, opportunityName, ownerId,
                overwriteLeadSource, sendNotificationEmail);
    }

    @Override
    public String toString() {
        return "LeadConvert[leadId=" + leadId + ", accountId=" + accountId + ", contactId=" + contactId
                + ", doNotCreateOpportunity=" + doNotCreateOpportunity + ", ownerId=" + ownerId
                + ", overwriteLeadSource=" + overwriteLeadSource + ", sendNotificationEmail="
                + sendNotificationEmail + "]";
    }
}
