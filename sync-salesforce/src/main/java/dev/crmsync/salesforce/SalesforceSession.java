package dev.crmsync.salesforce;

import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.util.Objects;

/**
 * An OAuth session of a {@link SalesforceCrmSource}: the token, the instance it is valid for and the org's id.
 *
 * @param accessToken the bearer token (a secret: never shown by {@link #toString()})
 * @param instanceUrl the org's instance URL
 * @param orgId       the org's id ({@code 00D…}) from the token response, or null when the source was given a
 *                    fixed access token
 */
public record SalesforceSession(String accessToken, URI instanceUrl, @Nullable String orgId) {

    /** Checks nulls. */
    public SalesforceSession {
        Objects.requireNonNull(accessToken, "accessToken must not be null");
        Objects.requireNonNull(instanceUrl, "instanceUrl must not be null");
    }

    /** The instance and org; never the token. */
    @Override
    public String toString() {
        return "SalesforceSession[" + instanceUrl + ", org " + orgId + ", token redacted]";
    }
}
