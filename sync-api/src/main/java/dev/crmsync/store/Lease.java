package dev.crmsync.store;

import java.time.Instant;
import java.util.Objects;

/**
 * Permission for one running engine instance to work on one object type, so that two engines
 * sharing a store — or two processes started with the same engine id — never do so at once. A
 * lease is held by an {@linkplain #owner() owner} (the engine id) <em>and</em> an
 * {@linkplain #instance() instance} (a token unique to one running engine object): a second
 * instance with the same owner is refused like any other owner. The fencing token grows with
 * every grant; a store may refuse writes carrying a token older than the newest it granted. The
 * times are the store's (for a database, the database's clock).
 *
 * @param name what the lease covers (e.g. {@code crmsync:Lead})
 * @param owner the engine id of the holder
 * @param instance the holder's instance token (one per running engine object)
 * @param fencingToken strictly increasing per name
 * @param acquiredAt when this grant began (kept by renewals), by the store's clock
 * @param expiresAt when it lapses unless renewed, by the store's clock
 */
public record Lease(String name, String owner, String instance, long fencingToken, Instant acquiredAt,
                    Instant expiresAt) {
    /** Checks nulls. */
    public Lease {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(acquiredAt, "acquiredAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /**
     * @return who holds it and since when, for messages: {@code engine 'e1' (instance 'k3x…') since
     *     2026-01-01T00:00:00Z, until …}; ids and times only
     */
    public String holder() {
        return "engine '" + owner + "' (instance '" + instance + "') since " + acquiredAt + ", until " + expiresAt;
    }
}
