package dev.crmsync.testkit.salesforce.internal;

import java.util.List;

/**
 * A whole-request failure the server answers with Salesforce's error body
 * {@code [{"message":..,"errorCode":..,"fields":[..]}]}.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String errorCode;
    private final List<String> fields;

    /**
     * @param status the HTTP status
     * @param errorCode the Salesforce error code
     * @param message the message
     */
    public ApiException(int status, String errorCode, String message) {
        this(status, errorCode, message, null);
    }

    /**
     * @param status the HTTP status
     * @param errorCode the Salesforce error code
     * @param message the message
     * @param fields the fields blamed, or null to leave the key out
     */
    public ApiException(int status, String errorCode, String message, List<String> fields) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
        this.fields = fields == null ? null : List.copyOf(fields);
    }

    /** @return the HTTP status */
    public int status() {
        return status;
    }

    /** @return the Salesforce error code */
    public String errorCode() {
        return errorCode;
    }

    /** @return the fields blamed, or null */
    public List<String> fields() {
        return fields;
    }

    /** @return 404 NOT_FOUND as Salesforce words it */
    public static ApiException notFound() {
        return new ApiException(404, "NOT_FOUND", "The requested resource does not exist");
    }
}
