package dev.crmsync.salesforce.events;

import java.net.URI;
import java.util.Objects;

/**
 * What a Pub/Sub API call authenticates with: the three metadata headers Salesforce reads
 * ({@code accesstoken}, {@code instanceurl}, {@code tenantid}).
 *
 * @param accessToken the OAuth access token (a secret: never shown by {@link #toString()})
 * @param instanceUrl the org's instance URL
 * @param tenantId    the org's id ({@code 00D…})
 */
public record PubSubSession(String accessToken, URI instanceUrl, String tenantId) {

    /** @throws IllegalArgumentException if the token or tenant id is blank */
    public PubSubSession {
        Objects.requireNonNull(accessToken, "accessToken must not be null");
        Objects.requireNonNull(instanceUrl, "instanceUrl must not be null");
        Objects.requireNonNull(tenantId, "tenantId must not be null");
        if (accessToken.isBlank() || tenantId.isBlank()) {
            throw new IllegalArgumentException("accessToken and tenantId must not be blank");
        }
    }

    /** The instance and tenant; never the token. */
    @Override
    public String toString() {
        return "PubSubSession[" + instanceUrl + ", tenant " + tenantId + ", token redacted]";
    }
}
