package dev.crmsync.model;

import org.jspecify.annotations.Nullable;

/**
 * The CRM refused the integration's credentials: its token endpoint answered an OAuth error (Salesforce's
 * {@code invalid_grant}, {@code invalid_client}, …), or a renewed session was rejected again
 * ({@code INVALID_SESSION_ID}), or a fixed access token expired. Retrying does not help until someone fixes the
 * credentials; health checks report it as {@link #CODE}. The message names the flow and the CRM's error code,
 * never a credential.
 */
public class CredentialsRefusedException extends SyncException {
    private static final long serialVersionUID = 1L;

    /** The stable code for refused credentials, as health checks and reports show it. */
    public static final String CODE = "CREDENTIALS_REFUSED";

    private final String errorCode;

    /**
     * @param message what was refused (redacted: never a credential)
     * @param errorCode the CRM's error code ({@code invalid_grant}, {@code INVALID_SESSION_ID}, …), or empty
     */
    public CredentialsRefusedException(String message, @Nullable String errorCode) {
        this(message, errorCode, null);
    }

    /**
     * @param message what was refused (redacted: never a credential)
     * @param errorCode the CRM's error code, or empty
     * @param cause the underlying failure, or null
     */
    public CredentialsRefusedException(String message, @Nullable String errorCode, @Nullable Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode == null ? "" : errorCode;
    }

    /** @return the CRM's error code ({@code invalid_grant}, {@code INVALID_SESSION_ID}, …), or empty */
    public String errorCode() {
        return errorCode;
    }
}
