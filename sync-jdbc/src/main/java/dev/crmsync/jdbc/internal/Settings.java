package dev.crmsync.jdbc.internal;

import dev.crmsync.model.ObjectType;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;

/**
 * What the JDBC stores are configured with.
 *
 * @param clock the source of local modification stamps
 * @param objectTypes the types the marketing store holds, or null for every type
 * @param maxTextLength the longest text value accepted, in characters
 * @param maxRecordLength the longest encoded field map accepted, in characters
 */
public record Settings(Clock clock, Set<ObjectType> objectTypes, int maxTextLength, int maxRecordLength) {
    /** Checks nulls, copies the set. */
    public Settings {
        Objects.requireNonNull(clock, "clock");
        objectTypes = objectTypes == null ? null : Set.copyOf(objectTypes);
    }

    /** @param type a type @return true if the store holds it */
    public boolean holds(ObjectType type) {
        return objectTypes == null || objectTypes.contains(type);
    }
}
