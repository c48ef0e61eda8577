package dev.crmsync.store.memory;

import dev.crmsync.model.ObjectType;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One call made to an in-memory store, as its call log keeps it (the log is off unless enabled:
 * see {@link InMemoryMarketingStore#recordCallLog(boolean)}).
 *
 * @param sequence the call's number in the store's life, from 1 (counts every call, logged or not)
 * @param operation the SPI method
 * @param type the object type the call was about, or null when it had none
 * @param size how many items the call carried (records, ids, bases…; 1 for single-item calls, 0 for none)
 */
public record StoreCall(long sequence, StoreOperation operation, @Nullable ObjectType type, int size) {
    /** Checks nulls and ranges. */
    public StoreCall {
        Objects.requireNonNull(operation, "operation");
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence must be >= 1, was " + sequence);
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, was " + size);
        }
    }
}
