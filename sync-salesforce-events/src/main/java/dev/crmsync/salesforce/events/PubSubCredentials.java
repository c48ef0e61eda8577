package dev.crmsync.salesforce.events;

import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.salesforce.SalesforceSession;
import org.jspecify.annotations.Nullable;

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

    /**
     * The same OAuth credentials a {@link SalesforceCrmSource} uses: its session, renewed through it.
     *
     * @param source the REST adapter of the org
     * @param orgId  the org's id, or null to take it from the token response (a source given a fixed access
     *               token has none: then it is required)
     * @return the credentials
     */
    static PubSubCredentials of(SalesforceCrmSource source, @Nullable String orgId) {
        Objects.requireNonNull(source, "source must not be null");
        return new PubSubCredentials() {
            @Override
            public PubSubSession session() {
                return map(source.session());
            }

            @Override
            public PubSubSession renew(PubSubSession stale) {
                return map(source.renewSession(new SalesforceSession(stale.accessToken(), stale.instanceUrl(),
                        stale.tenantId())));
            }

            private PubSubSession map(SalesforceSession s) {
                String tenant = orgId != null ? orgId : s.orgId();
                if (tenant == null) {
                    throw new IllegalStateException("the org id is unknown (a fixed access token): pass it to"
                            + " PubSubCredentials.of(source, orgId)");
                }
                return new PubSubSession(s.accessToken(), s.instanceUrl(), tenant);
            }

            @Override
            public String toString() {
                return "PubSubCredentials.of[" + source + "]";
            }
        };
    }
}
