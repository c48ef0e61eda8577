package dev.crmsync.testkit.fault;

import dev.crmsync.model.ObjectType;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One call made to a fake, as its {@link CallLog} keeps it when recording.
 *
 * @param sequence the call's number in the log's life, from 1 (counts every call, recorded or not)
 * @param operation the operation called
 * @param type the object type the call was about, or null when it had none
 * @param size how many items the call carried (records, ids, bases…; 1 for single-item calls, 0 for none)
 * @param <O> the operation type of the fake
 */
public record Call<O>(long sequence, O operation, @Nullable ObjectType type, int size) {
    /** Checks nulls and ranges. */
    public Call {
        Objects.requireNonNull(operation, "operation");
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence must be >= 1, was " + sequence);
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, was " + size);
        }
    }
}
