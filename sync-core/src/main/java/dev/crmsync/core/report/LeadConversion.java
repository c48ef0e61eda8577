package dev.crmsync.core.report;

import dev.crmsync.model.CrmId;
import java.util.Objects;

/**
 * A lead converted in the CRM, as the engine applied it to the marketing store: the marketing
 * person that was linked to the lead is now a Contact linked to the contact, with the same
 * marketing id. Converting into an existing contact that the store already held behaved as a
 * merge into that contact's record.
 *
 * @param leadId the converted lead
 * @param contactId the contact it became
 * @param marketingId the marketing person, now a Contact
 * @param intoExistingContact true if the store already held a record for the contact (the lead's record was merged into it)
 */
public record LeadConversion(CrmId leadId, CrmId contactId, String marketingId, boolean intoExistingContact) {
    /** Checks nulls. */
    public LeadConversion {
        Objects.requireNonNull(leadId, "leadId");
        Objects.requireNonNull(contactId, "contactId");
        Objects.requireNonNull(marketingId, "marketingId");
    }
}
