package dev.crmsync.model;

import org.jspecify.annotations.Nullable;

/**
 * The CRM's API allowance, or the budget the host set for it, is used up. The engine stops the
 * cycle cleanly with the outcome {@code QUOTA}, keeps every checkpoint already committed, and
 * resumes in a later cycle.
 */
public class QuotaExceededException extends SyncException {
    private static final long serialVersionUID = 1L;

    /** @param message which allowance ran out (used / limit), never a credential */
    public QuotaExceededException(String message) {
        super(message);
    }

    /** @param message which allowance ran out @param cause the underlying failure */
    public QuotaExceededException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
