package dev.crmsync.crm;

import dev.crmsync.model.CrmId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The CRM's answer to one merge (Salesforce's SOAP {@code MergeResult}). A refused merge is a value,
 * not an exception; nothing of it was applied. {@link #toString()} shows ids and the rejection's
 * {@linkplain CrmWriteResult.Rejected#reason() reason}, never the CRM's message.
 *
 * @param masterId the surviving record
 * @param mergedRecordIds the losers, now deleted with {@code MasterRecordId} set (empty if refused)
 * @param updatedRelatedIds the related records re-pointed to the master (empty if refused or unknown)
 * @param rejection why the CRM refused it, null on success
 */
public record MergeResult(CrmId masterId, List<CrmId> mergedRecordIds, List<CrmId> updatedRelatedIds,
                          CrmWriteResult.@Nullable Rejected rejection) {

    /** Copies the lists, checks nulls. */
    public MergeResult {
        Objects.requireNonNull(masterId, "masterId");
        mergedRecordIds = List.copyOf(mergedRecordIds);
        updatedRelatedIds = List.copyOf(updatedRelatedIds);
    }

    /**
     * @param masterId the master asked for
     * @param rejection the CRM's refusal
     * @return a refused merge
     */
    public static MergeResult rejected(CrmId masterId, CrmWriteResult.Rejected rejection) {
        return new MergeResult(masterId, List.of(), List.of(), Objects.requireNonNull(rejection, "rejection"));
    }

    /** @return true when the merge was applied */
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
                ? "MergeResult[masterId=" + masterId + ", merged=" + mergedRecordIds + ", updatedRelated="
                        + updatedRelatedIds.size() + "]"
                : "MergeResult[masterId=" + masterId + ", rejected: " + rejection.reason() + "]";
    }
}
