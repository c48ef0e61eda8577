package dev.crmsync.salesforce.events;

import java.util.Objects;

/**
 * Where the Pub/Sub client gets its session, and a new one when Salesforce refuses the current one
 * (an expired token): typically the same OAuth credentials the REST adapter uses.
 */
public interface PubSubCredentials {

    /** @return the session to call with now */
    PubSubSession session();

    /**
     * @param stale the session Salesforce refused
     * @return a renewed session (a new token), or the same one if it cannot be renewed
     */
    PubSubSession renew(PubSubSession stale);

    /**
     * @param session a fixed session (tests, or a host that renews tokens itself)
     * @return credentials that always give it
     */
    static PubSubCredentials fixed(PubSubSession session) {
        Objects.requireNonNull(session, "session must not be null");
        return new PubSubCredentials() {
            @Override
            public PubSubSession session() {
                return session;
            }

            @Override
            public PubSubSession renew(PubSubSession stale) {
                return session;
            }

            @Override
            public String toString() {
                return "PubSubCredentials.fixed[" + session + "]";
            }
        };
    }
}
