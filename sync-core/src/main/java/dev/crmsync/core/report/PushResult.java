package dev.crmsync.core.report;

import dev.crmsync.core.SyncEngine;

import dev.crmsync.model.CrmId;
import java.time.Instant;
import java.util.Objects;

/**
 * The outcome of {@link SyncEngine#pushNow} for one marketing record (Marketo's "Sync Person to
 * SFDC"). A rejection is a value, not an exception.
 */
public sealed interface PushResult {

    /** @return the marketing id the result is for */
    String marketingId();

    /**
     * The record was created in the CRM and linked to it.
     *
     * @param marketingId the marketing record
     * @param crmId the new CRM record
     */
    record Created(String marketingId, CrmId crmId) implements PushResult {
        /** Checks nulls. */
        public Created {
            Objects.requireNonNull(marketingId, "marketingId");
            Objects.requireNonNull(crmId, "crmId");
        }
    }

    /**
     * The record is already linked to a live CRM record; nothing was written (the cycle keeps the
     * two in step).
     *
     * @param marketingId the marketing record
     * @param crmId the CRM record it is linked to
     */
    record AlreadyInCrm(String marketingId, CrmId crmId) implements PushResult {
        /** Checks nulls. */
        public AlreadyInCrm {
            Objects.requireNonNull(marketingId, "marketingId");
            Objects.requireNonNull(crmId, "crmId");
        }
    }

    /**
     * The create was refused: by the CRM (its status code and message), or by the engine before
     * any call (a required field missing with no default, a value the CRM cannot take). It is kept
     * in the state store and retried as
     * {@link SyncEngine#parkedFailures()} describes.
     *
     * @param marketingId the marketing record
     * @param code the reason code, e.g. {@code REQUIRED_FIELD_MISSING}, {@code FIELD_CUSTOM_VALIDATION_EXCEPTION}
     * @param message the reason, naming the field where there is one
     * @param retriable true if the same push may pass later unchanged
     */
    record Rejected(String marketingId, String code, String message, boolean retriable) implements PushResult {
        /** Checks nulls. */
        public Rejected {
            Objects.requireNonNull(marketingId, "marketingId");
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * Nothing was sent: an earlier create of this record was sent to the CRM and its answer is not
     * recorded yet (the process stopped, or the connection failed, before it arrived). Not a
     * rejection and not a failure: the next cycle reads the CRM's changes and links the record
     * the create made, or, when none shows, sends the create again. Pushing again meanwhile
     * changes nothing.
     *
     * @param marketingId the marketing record
     * @param sentAt when the earlier create was sent
     */
    record Unconfirmed(String marketingId, Instant sentAt) implements PushResult {
        /** Checks nulls. */
        public Unconfirmed {
            Objects.requireNonNull(marketingId, "marketingId");
            Objects.requireNonNull(sentAt, "sentAt");
        }
    }

    /**
     * No record of that type has that marketing id.
     *
     * @param marketingId the id asked for
     */
    record NotFound(String marketingId) implements PushResult {
        /** Checks nulls. */
        public NotFound {
            Objects.requireNonNull(marketingId, "marketingId");
        }
    }
}
