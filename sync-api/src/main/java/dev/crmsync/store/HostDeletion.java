package dev.crmsync.store;

import dev.crmsync.model.CrmId;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A record the host deleted from the marketing store, as its change feed reports it: the
 * marketing id it had and the CRM id it was linked to ({@code null} if it never was). The engine
 * deletes the CRM record, or keeps it, as {@code SyncEngine.Builder.hostDeletes} says.
 *
 * @param marketingId the deleted record's marketing id
 * @param crmId the CRM record it was linked to, or null
 */
public record HostDeletion(String marketingId, @Nullable CrmId crmId) {
    /** Checks the marketing id. */
    public HostDeletion {
        Objects.requireNonNull(marketingId, "marketingId");
        if (marketingId.isBlank()) {
            throw new IllegalArgumentException("marketingId must not be blank");
        }
    }
}
