package dev.crmsync.core;

import dev.crmsync.model.CrmId;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The answer of {@link SyncEngine#convertPerson}: a marketing-side "Convert Person". On
 * {@link Outcome#CONVERTED} the CRM converted the lead; the marketing record moves to Contact (same
 * marketing id) at the engine's next cycle, by the path that applies a conversion made in the CRM
 * (its {@link dev.crmsync.core.report.LeadConversion} event). Shows ids and codes only.
 *
 * @param marketingId the person asked for
 * @param outcome what happened
 * @param leadId the person's lead, null if it has none
 * @param contactId the new contact, null unless converted
 * @param accountId the contact's account, null unless converted
 * @param opportunityId the new opportunity, null if none was made
 * @param code the CRM's status code of a refusal, or null
 */
public record PersonConversion(String marketingId, Outcome outcome, @Nullable CrmId leadId,
                               @Nullable CrmId contactId, @Nullable CrmId accountId,
                               @Nullable CrmId opportunityId, @Nullable String code) {

    /** What a conversion came to. */
    public enum Outcome {
        /** The CRM converted the lead. */
        CONVERTED,
        /** The store holds no Lead with this marketing id. */
        NOT_FOUND,
        /** The person is marketing-only (no CRM lead yet): push it first. */
        NOT_IN_CRM,
        /** The CRM refused ({@link #code()} says why), or the source does not convert. */
        REJECTED
    }

    /** Checks nulls. */
    public PersonConversion {
        Objects.requireNonNull(marketingId, "marketingId");
        Objects.requireNonNull(outcome, "outcome");
    }
}
