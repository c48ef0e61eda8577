package dev.crmsync.core.report;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import java.util.List;
import java.util.Objects;

/**
 * Records merged in the CRM, as the engine applied the merge to the marketing store: the
 * marketing records of the losers were merged into the survivor's (the survivor's values win,
 * but a value beats an empty field), their campaign memberships and other references moved to
 * the survivor, and the loser records are gone.
 *
 * @param type Lead or Contact
 * @param survivorId the surviving CRM record
 * @param loserIds the CRM records merged away
 * @param survivorMarketingId the surviving marketing record
 */
public record RecordsMerged(ObjectType type, CrmId survivorId, List<CrmId> loserIds, String survivorMarketingId) {
    /** Checks nulls, copies the list. */
    public RecordsMerged {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(survivorId, "survivorId");
        loserIds = List.copyOf(loserIds);
        Objects.requireNonNull(survivorMarketingId, "survivorMarketingId");
    }
}
