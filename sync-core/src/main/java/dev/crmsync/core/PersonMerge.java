package dev.crmsync.core;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The answer of {@link SyncEngine#mergePersons}: a marketing-side merge. Shows ids, codes and field
 * names only.
 *
 * @param type Lead or Contact
 * @param survivorMarketingId the surviving person
 * @param loserMarketingIds the persons merged into it
 * @param outcome what happened
 * @param missing marketing ids whose CRM record is missing (for {@link Outcome#CRM_RECORD_MISSING}),
 *     or that the store does not hold (for {@link Outcome#NOT_FOUND})
 * @param mergedCrmIds the CRM records merged away (empty if the CRM was not merged)
 * @param summedFields the fields summed on the survivor ("sum on merge")
 * @param code the CRM's status code of a refusal, or null
 */
public record PersonMerge(ObjectType type, String survivorMarketingId, List<String> loserMarketingIds,
                          Outcome outcome, List<String> missing, List<CrmId> mergedCrmIds,
                          List<String> summedFields, @Nullable String code) {

    /** What a merge came to. */
    public enum Outcome {
        /** Merged in the CRM (unless skipped) and in the store. */
        MERGED,
        /** The store does not hold some of the persons. */
        NOT_FOUND,
        /** A CRM record of one of the persons is missing or deleted; nothing was merged. */
        CRM_RECORD_MISSING,
        /** The CRM refused the merge ({@link #code()}); nothing was merged in the store. */
        CRM_REJECTED,
        /** The store merge needs the persons linked to CRM records (a marketing-only person cannot be merged yet). */
        NOT_LINKED,
        /** Another instance holds the type's lease (it is syncing the type); nothing was merged: merge again later. */
        LEASE_HELD
    }

    /** Checks nulls, copies the lists. */
    public PersonMerge {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(survivorMarketingId, "survivorMarketingId");
        Objects.requireNonNull(outcome, "outcome");
        loserMarketingIds = List.copyOf(loserMarketingIds);
        missing = List.copyOf(missing);
        mergedCrmIds = List.copyOf(mergedCrmIds);
        summedFields = List.copyOf(summedFields);
    }
}
