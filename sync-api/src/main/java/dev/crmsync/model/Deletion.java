package dev.crmsync.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A record the CRM deleted.
 *
 * @param crmId the deleted record
 * @param deletedAt when the CRM deleted it
 */
public record Deletion(CrmId crmId, Instant deletedAt) {
    /** Checks nulls. */
    public Deletion {
        Objects.requireNonNull(crmId, "crmId");
        Objects.requireNonNull(deletedAt, "deletedAt");
    }
}
