package dev.crmsync.salesforce.internal;

import dev.crmsync.model.SyncException;

/**
 * A Salesforce call that failed for good: a 4xx other than the limits, or an unusable answer.
 * Carries the HTTP status and Salesforce's error code so callers inside the source can react
 * (a {@code QUERY_TIMEOUT} window is split, an {@code INVALID_FIELD} triggers a re-describe, …).
 * The message names the endpoint and Salesforce's message, never a credential.
 */
public final class ApiFailure extends SyncException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String errorCode;

    /**
     * @param message what failed (already redacted)
     * @param status the HTTP status, or 0 if there was no response
     * @param errorCode Salesforce's error code, or empty
     */
    public ApiFailure(String message, int status, String errorCode) {
        super(message);
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
