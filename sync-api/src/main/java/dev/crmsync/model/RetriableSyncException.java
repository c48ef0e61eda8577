package dev.crmsync.model;

import org.jspecify.annotations.Nullable;

/**
 * A failure that may pass: a timeout, a dropped connection, a 5xx, a locked row, a store that
 * was briefly unavailable. The engine ends the cycle as partial or failed and the next cycle
 * retries from the last checkpoint.
 */
public class RetriableSyncException extends SyncException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed */
    public RetriableSyncException(String message) {
        super(message);
    }

    /** @param message what failed @param cause the underlying failure */
    public RetriableSyncException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * @param message what failed
     * @param objectType the object type concerned, or null
     * @param recordId the record concerned, or null
     * @param cause the underlying failure, or null
     */
    public RetriableSyncException(String message, @Nullable ObjectType objectType, @Nullable CrmId recordId,
                                  @Nullable Throwable cause) {
        super(message, objectType, recordId, cause);
    }

    @Override
    public boolean isRetriable() {
        return true;
    }
}
