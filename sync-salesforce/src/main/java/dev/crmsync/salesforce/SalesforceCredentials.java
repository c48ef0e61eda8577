package dev.crmsync.salesforce;

import java.net.URI;
import java.security.PrivateKey;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * How {@link SalesforceCrmSource} authenticates. Four OAuth 2.0 forms:
 * {@linkplain #jwtBearer JWT bearer} (server to server, recommended),
 * {@linkplain #clientCredentials client credentials}, {@linkplain #refreshToken refresh token} and a
 * {@linkplain #accessToken fixed access token} (tests, short scripts).
 *
 * <p>Secrets never leave these values through {@code toString()}: it prints {@code <redacted>}
 * for every secret (and the consumer key). The source never logs them either.
 */
public sealed interface SalesforceCredentials
        permits SalesforceCredentials.JwtBearer, SalesforceCredentials.ClientCredentials,
                SalesforceCredentials.RefreshToken, SalesforceCredentials.AccessToken {

    /** What {@code toString()} prints instead of a secret. */
    String REDACTED = "<redacted>";

    /**
     * OAuth 2.0 JWT bearer flow: an RS256 assertion signed with the host's private key, for a user
     * pre-authorised on the connected app. No refresh token is involved; a new assertion is signed
     * whenever the access token expires.
     *
     * @param clientId the connected app's consumer key
     * @param username the Salesforce username the token is for
     * @param privateKey the RSA private key whose certificate is uploaded to the connected app
     * @param audience the {@code aud} claim, or null to derive it from the login URL
     *     ({@code https://login.salesforce.com}, {@code https://test.salesforce.com} for sandboxes,
     *     otherwise the login URL itself, e.g. a community or the fake server)
     */
    record JwtBearer(String clientId, String username, PrivateKey privateKey, @Nullable String audience)
            implements SalesforceCredentials {
        /** Checks nulls and blanks. */
        public JwtBearer {
            requireText(clientId, "clientId");
            requireText(username, "username");
            Objects.requireNonNull(privateKey, "privateKey");
            if (audience != null && audience.isBlank()) {
                throw new IllegalArgumentException("audience must not be blank (use null for the default)");
            }
        }

        @Override
        public String toString() {
            return "JwtBearer[clientId=" + REDACTED + ", username=" + username + ", privateKey=" + REDACTED
                    + (audience != null ? ", audience=" + audience : "") + "]";
        }
    }

    /**
     * OAuth 2.0 client credentials flow: the connected app's key and secret, running as the app's
     * configured "run as" user. Must be sent to the org's My Domain (not {@code login.salesforce.com}).
     *
     * @param clientId the consumer key
     * @param clientSecret the consumer secret
     */
    record ClientCredentials(String clientId, String clientSecret) implements SalesforceCredentials {
        /** Checks nulls and blanks. */
        public ClientCredentials {
            requireText(clientId, "clientId");
            requireText(clientSecret, "clientSecret");
        }

        @Override
        public String toString() {
            return "ClientCredentials[clientId=" + REDACTED + ", clientSecret=" + REDACTED + "]";
        }
    }

    /**
     * OAuth 2.0 refresh token flow. When the org rotates refresh tokens, the new one is handed to
     * {@code onRotation} (store it: the old one stops working).
     *
     * @param clientId the consumer key
     * @param clientSecret the consumer secret, or null for a public client
     * @param refreshToken the refresh token
     * @param onRotation receives a rotated refresh token; called from the thread that renewed the
     *     access token; exceptions it throws are logged and ignored
     */
    record RefreshToken(String clientId, @Nullable String clientSecret, String refreshToken, Consumer<String> onRotation)
            implements SalesforceCredentials {
        /** Checks nulls and blanks. */
        public RefreshToken {
            requireText(clientId, "clientId");
            if (clientSecret != null && clientSecret.isBlank()) {
                throw new IllegalArgumentException("clientSecret must not be blank (use null for a public client)");
            }
            requireText(refreshToken, "refreshToken");
            Objects.requireNonNull(onRotation, "onRotation (use t -> { } to ignore rotated tokens)");
        }

        @Override
        public String toString() {
            return "RefreshToken[clientId=" + REDACTED + ", clientSecret=" + REDACTED
                    + ", refreshToken=" + REDACTED + "]";
        }
    }

    /**
     * A fixed access token for an instance, for tests and short scripts. It cannot be renewed:
     * when Salesforce rejects it, calls fail.
     *
     * @param accessToken the token
     * @param instanceUrl the org's instance URL the token belongs to
     */
    record AccessToken(String accessToken, URI instanceUrl) implements SalesforceCredentials {
        /** Checks nulls and blanks. */
        public AccessToken {
            requireText(accessToken, "accessToken");
            Objects.requireNonNull(instanceUrl, "instanceUrl");
        }

        @Override
        public String toString() {
            return "AccessToken[accessToken=" + REDACTED + ", instanceUrl=" + instanceUrl + "]";
        }
    }

    /**
     * @param clientId the consumer key
     * @param username the username
     * @param privateKey the RSA private key
     * @return JWT bearer credentials with the default audience
     */
    static JwtBearer jwtBearer(String clientId, String username, PrivateKey privateKey) {
        return new JwtBearer(clientId, username, privateKey, null);
    }

    /**
     * @param clientId the consumer key
     * @param clientSecret the consumer secret
     * @return client credentials
     */
    static ClientCredentials clientCredentials(String clientId, String clientSecret) {
        return new ClientCredentials(clientId, clientSecret);
    }

    /**
     * @param clientId the consumer key
     * @param clientSecret the consumer secret, or null
     * @param refreshToken the refresh token
     * @param onRotation receives rotated refresh tokens
     * @return refresh-token credentials
     */
    static RefreshToken refreshToken(String clientId, @Nullable String clientSecret, String refreshToken,
                                     Consumer<String> onRotation) {
        return new RefreshToken(clientId, clientSecret, refreshToken, onRotation);
    }

    /**
     * @param accessToken the token
     * @param instanceUrl the instance it belongs to
     * @return fixed-token credentials
     */
    static AccessToken accessToken(String accessToken, URI instanceUrl) {
        return new AccessToken(accessToken, instanceUrl);
    }

    private static void requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
