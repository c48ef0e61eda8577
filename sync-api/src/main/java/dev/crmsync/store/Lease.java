package dev.crmsync.store;

import java.time.Instant;
import java.util.Objects;

/**
 * Permission for one engine to run a cycle over one object type, so that two engines sharing a
 * store never do so at once. The fencing token grows with every grant; a store may refuse writes
 * carrying a token older than the newest it granted.
 *
 * @param name what the lease covers (e.g. the object type's name)
 * @param owner who holds it
 * @param fencingToken strictly increasing per name
 * @param expiresAt when it lapses unless renewed
 */
public record Lease(String name, String owner, long fencingToken, Instant expiresAt) {
    /** Checks nulls. */
    public Lease {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
