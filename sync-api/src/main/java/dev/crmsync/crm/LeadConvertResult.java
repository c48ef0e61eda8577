package dev.crmsync.crm;

import dev.crmsync.model.CrmId;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The CRM's answer to one {@link LeadConvert} (Salesforce's {@code LeadConvertResult}). A refused
 * conversion is a value, not an exception. {@link #toString()} shows ids and the rejection's
 * {@linkplain CrmWriteResult.Rejected#reason() reason}, never the CRM's message.
 *
 * @param leadId the lead asked for
 * @param contactId the contact the lead became, null if refused
 * @param accountId the contact's account, null if refused
 * @param opportunityId the new opportunity, null if none was made or refused
 * @param rejection why the CRM refused it, null on success
 */
public record LeadConvertResult(CrmId leadId, @Nullable CrmId contactId, @Nullable CrmId accountId,
                                @Nullable CrmId opportunityId, CrmWriteResult.@Nullable Rejected rejection) {

    /**
     * Checks that a success names its contact and account.
     *
     * @throws IllegalArgumentException if neither a rejection nor a contact and an account are given
     */
    public LeadConvertResult {
        Objects.requireNonNull(leadId, "leadId");
        if (rejection == null && (contactId == null || accountId == null)) {
            throw new IllegalArgumentException("a converted lead names its contact and account");
        }
    }

    /**
     * @param leadId the lead
     * @param rejection the CRM's refusal
     * @return a refused conversion
     */
    public static LeadConvertResult rejected(CrmId leadId, CrmWriteResult.Rejected rejection) {
        return new LeadConvertResult(leadId, null, null, null, Objects.requireNonNull(rejection, "rejection"));
    }

    /** @return true when the lead was converted */
    public boolean success() {
        return rejection == null;
    }

    /** @return the refusal, empty on success */
    public Optional<CrmWriteResult.Rejected> error() {
        return Optional.ofNullable(rejection);
    }

    @Override
    public String toString() {
        return success()
                ? "LeadConvertResult[leadId=" + leadId + ", contactId=" + contactId + ", accountId=" + accountId
                        + ", opportunityId=" + opportunityId + "]"
                : "LeadConvertResult[leadId=" + leadId + ", rejected: " + rejection.reason() + "]";
    }
}
