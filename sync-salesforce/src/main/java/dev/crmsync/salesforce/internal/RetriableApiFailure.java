package dev.crmsync.salesforce.internal;

import dev.crmsync.model.RetriableSyncException;

/**
 * A Salesforce call that failed in a way a later try may pass (after the source's own retries were
 * spent, or when retrying at once was not safe). The message never carries a credential.
 */
public final class RetriableApiFailure extends RetriableSyncException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String errorCode;

    /**
     * @param message what failed (already redacted)
     * @param status the HTTP status, or 0 if there was no response
     * @param errorCode Salesforce's error code, or empty
     * @param cause the last underlying failure, or null
     */
    public RetriableApiFailure(String message, int status, String errorCode, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode == null ? "" : errorCode;
    }

    /** @return the HTTP status, 0 if none */
    public int status() {
        return status;
    }

    /** @return Salesforce's error code, or empty */
    public String errorCode() {
        return errorCode;
    }
}
