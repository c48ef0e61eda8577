package dev.crmsync.salesforce.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crmsync.model.CredentialsRefusedException;
import dev.crmsync.salesforce.SalesforceCredentials;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current access token and instance URL, and obtains new ones through the configured
 * OAuth 2.0 flow: JWT bearer, client credentials or refresh token (a fixed access token cannot be
 * renewed). Always uses the {@code instance_url} the token response returns. Thread-safe: one
 * renewal at a time, and a renewal asked for with a token already replaced is a no-op.
 */
public final class TokenManager {

    private static final Logger LOG = LoggerFactory.getLogger(TokenManager.class);

    /** Where a token request goes and how it is sent (with retries, counted as {@code oauth.token}). */
    @FunctionalInterface
    public interface TokenEndpoint {
        /**
         * @param tokenUri the token endpoint
         * @param form the form parameters (secrets included: never log them)
         * @return the response, success or OAuth error
         */
        RawResponse post(URI tokenUri, Map<String, String> form);
    }

    /**
     * An access token and the instance it is valid for.
     *
     * @param accessToken the bearer token
     * @param instanceUrl the org's instance URL
     * @param orgId       the org's id from the token response's {@code id} URL ({@code …/id/{orgId}/{userId}}),
     *                    or null when the response had none (a fixed access token)
     */
    public record Session(String accessToken, URI instanceUrl, @org.jspecify.annotations.Nullable String orgId) {
        /** Checks nulls. */
        public Session {
            Objects.requireNonNull(accessToken, "accessToken");
            Objects.requireNonNull(instanceUrl, "instanceUrl");
        }

        @Override
        public String toString() {
            return "Session[accessToken=" + Redactor.MASK + ", instanceUrl=" + instanceUrl + ", orgId=" + orgId + "]";
        }
    }

    private final SalesforceCredentials credentials;
    private final URI loginUrl;
    private final UrlPolicy policy;
    private final Clock clock;
    private final ObjectMapper json;
    private final Redactor redactor;
    private final TokenEndpoint endpoint;
    private Session current;
    private String refreshToken;
    private long renewals;

    /**
     * @param credentials the credentials
     * @param loginUrl where the token endpoint lives (login host or My Domain), already checked
     * @param policy the URL policy, applied to the returned {@code instance_url}
     * @param clock the clock (JWT expiry)
     * @param json the mapper
     * @param redactor learns every secret and token
     * @param endpoint sends token requests
     */
    public TokenManager(SalesforceCredentials credentials, URI loginUrl, UrlPolicy policy, Clock clock,
                        ObjectMapper json, Redactor redactor, TokenEndpoint endpoint) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.loginUrl = Objects.requireNonNull(loginUrl, "loginUrl");
        this.policy = policy;
        this.clock = clock;
        this.json = json;
        this.redactor = redactor;
        this.endpoint = endpoint;
        if (credentials instanceof SalesforceCredentials.ClientCredentials c) {
            redactor.addSecret(c.clientSecret());
            redactor.addSecret(c.clientId());
        } else if (credentials instanceof SalesforceCredentials.RefreshToken r) {
            redactor.addSecret(r.clientSecret());
            redactor.addSecret(r.clientId());
            redactor.addSecret(r.refreshToken());
            this.refreshToken = r.refreshToken();
        } else if (credentials instanceof SalesforceCredentials.JwtBearer j) {
            redactor.addSecret(j.clientId());
        } else if (credentials instanceof SalesforceCredentials.AccessToken a) {
            redactor.addToken(a.accessToken());
            this.current = new Session(a.accessToken(), policy.check(a.instanceUrl(), "instance URL"), null);
        }
    }

    /** @return the current session, obtaining a token first if there is none */
    public synchronized Session session() {
        if (current == null) {
            current = obtain();
        }
        return current;
    }

    /**
     * Renews the token after Salesforce rejected {@code stale}.
     *
     * @param stale the session that was rejected
     * @return the session to use now
     * @throws CredentialsRefusedException if the credentials cannot be renewed (a fixed token) or Salesforce
     *     refuses them
     * @throws ApiFailure if the token endpoint fails otherwise
     */
    public synchronized Session renew(Session stale) {
        if (current != null && stale != null && !current.accessToken().equals(stale.accessToken())) {
            return current; // another thread already renewed
        }
        if (credentials instanceof SalesforceCredentials.AccessToken) {
            throw new CredentialsRefusedException("Salesforce rejected the fixed access token (INVALID_SESSION_ID) "
                    + "and a fixed token cannot be renewed; configure an OAuth flow", "INVALID_SESSION_ID");
        }
        LOG.info("Salesforce access token expired or was revoked; renewing it ({})", flowName());
        current = obtain();
        return current;
    }

    /** @return how many times the token was renewed after a rejection */
    public synchronized long renewals() {
        return renewals;
    }

    private Session obtain() {
        Map<String, String> form = new LinkedHashMap<>();
        if (credentials instanceof SalesforceCredentials.JwtBearer j) {
            String assertion = JwtAssertion.create(json, j.clientId(), j.username(), audience(j), clock.instant(),
                    j.privateKey());
            redactor.addToken(assertion);
            form.put("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
            form.put("assertion", assertion);
        } else if (credentials instanceof SalesforceCredentials.ClientCredentials c) {
            form.put("grant_type", "client_credentials");
            form.put("client_id", c.clientId());
            form.put("client_secret", c.clientSecret());
        } else if (credentials instanceof SalesforceCredentials.RefreshToken r) {
            form.put("grant_type", "refresh_token");
            form.put("client_id", r.clientId());
            if (r.clientSecret() != null) {
                form.put("client_secret", r.clientSecret());
            }
            form.put("refresh_token", refreshToken);
        } else {
            throw new IllegalStateException("no OAuth flow for " + credentials.getClass().getSimpleName());
        }
        RawResponse r = endpoint.post(URI.create(loginUrl + "/services/oauth2/token"), form);
        if (!r.isSuccess()) {
            List<ApiError> errors = ApiError.parse(json, r.body());
            String detail = errors.isEmpty() ? "no error body" : errors.get(0).code() + ": " + errors.get(0).message();
            String message = "Salesforce OAuth token request (" + flowName() + ") failed with HTTP " + r.status()
                    + " (" + redactor.redact(detail) + ")";
            if (r.status() == 400 || r.status() == 401 || r.status() == 403) {
                // an OAuth error (invalid_grant, invalid_client, …): the credentials are refused, not the network
                throw new CredentialsRefusedException(message, ErrorClassifier.firstCode(errors));
            }
            throw new ApiFailure(message, r.status(), ErrorClassifier.firstCode(errors));
        }
        JsonNode body;
        try {
            body = json.readTree(r.body());
        } catch (IOException e) {
            throw new RetriableApiFailure("Salesforce OAuth token response is not JSON", r.status(), "", null);
        }
        String token = body.path("access_token").asText("");
        String instance = body.path("instance_url").asText("");
        if (token.isEmpty() || instance.isEmpty()) {
            throw new ApiFailure("Salesforce OAuth token response lacks access_token or instance_url", r.status(), "");
        }
        redactor.addToken(token);
        URI instanceUrl;
        try {
            instanceUrl = policy.check(URI.create(instance), "instance_url returned by the token endpoint");
        } catch (IllegalArgumentException e) {
            throw new ApiFailure(redactor.redact(e.getMessage()), r.status(), "");
        }
        String rotated = body.path("refresh_token").asText("");
        if (!rotated.isEmpty() && credentials instanceof SalesforceCredentials.RefreshToken rt
                && !rotated.equals(refreshToken)) {
            redactor.addSecret(rotated);
            refreshToken = rotated;
            LOG.info("Salesforce rotated the refresh token; handing the new one to the host");
            try {
                rt.onRotation().accept(rotated);
            } catch (RuntimeException e) {
                LOG.warn("the host's refresh-token rotation callback failed ({}); continuing with the new token",
                        e.getClass().getSimpleName());
            }
        }
        if (current != null) {
            renewals++;
        }
        LOG.debug("obtained a Salesforce access token ({}) for instance {}", flowName(), instanceUrl);
        String id = body.path("id").asText("");
        int at = id.indexOf("/id/");
        String orgId = null;
        if (at >= 0) {
            String rest = id.substring(at + 4);
            int slash = rest.indexOf('/');
            orgId = slash > 0 ? rest.substring(0, slash) : null;
        }
        return new Session(token, instanceUrl, orgId);
    }

    private String audience(SalesforceCredentials.JwtBearer j) {
        if (j.audience() != null) {
            return j.audience();
        }
        String host = loginUrl.getHost().toLowerCase(Locale.ROOT);
        if (host.equals("test.salesforce.com") || host.endsWith(".sandbox.my.salesforce.com")) {
            return "https://test.salesforce.com";
        }
        if (host.endsWith(".salesforce.com")) {
            return "https://login.salesforce.com";
        }
        return loginUrl.toString();
    }

    private String flowName() {
        if (credentials instanceof SalesforceCredentials.JwtBearer) {
            return "JWT bearer";
        } else if (credentials instanceof SalesforceCredentials.ClientCredentials) {
            return "client credentials";
        } else if (credentials instanceof SalesforceCredentials.RefreshToken) {
            return "refresh token";
        }
        return "fixed access token";
    }
}
