package dev.crmsync.model;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The root of crmsync's unchecked exceptions: the infrastructure failed (a CRM call, a store,
 * a configuration). A rejected record is never an exception; it is a result value.
 *
 * <p>Messages name the object type and record id where known and never carry a credential.
 */
public class SyncException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient @Nullable ObjectType objectType;
    private final transient @Nullable CrmId recordId;

    /** @param message what failed */
    public SyncException(String message) {
        this(message, null, null, null);
    }

    /** @param message what failed @param cause the underlying failure */
    public SyncException(String message, @Nullable Throwable cause) {
        this(message, null, null, cause);
    }

    /**
     * @param message what failed
     * @param objectType the object type concerned, or null
     * @param recordId the record concerned, or null
     * @param cause the underlying failure, or null
     */
    public SyncException(String message, @Nullable ObjectType objectType, @Nullable CrmId recordId,
                         @Nullable Throwable cause) {
        super(decorate(message, objectType, recordId), cause);
        this.objectType = objectType;
        this.recordId = recordId;
    }

    private static String decorate(String message, ObjectType type, CrmId id) {
        if (type == null && id == null) {
            return message;
        }
        return message + " [" + (type != null ? type.apiName() : "?") + (id != null ? " " + id.value() : "") + "]";
    }

    /** @return the object type concerned, if known */
    public Optional<ObjectType> objectType() {
        return Optional.ofNullable(objectType);
    }

    /** @return the record concerned, if known */
    public Optional<CrmId> recordId() {
        return Optional.ofNullable(recordId);
    }

    /** @return true if the same call may succeed later (see {@link RetriableSyncException}) */
    public boolean isRetriable() {
        return false;
    }
}
