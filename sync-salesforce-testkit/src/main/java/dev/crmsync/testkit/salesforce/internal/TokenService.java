package dev.crmsync.testkit.salesforce.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The OAuth 2.0 token endpoint and the access tokens it issued: JWT bearer (RS256, verified with
 * {@code java.security}), client credentials (form fields or HTTP Basic) and refresh token
 * (optionally rotating). The password flow is refused. Tokens never appear in messages.
 */
public final class TokenService {

    /** The JWT bearer grant type. */
    public static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    private static final String TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";

    /**
     * A user the JWT bearer flow may log in.
     *
     * @param consumerKey the connected app's consumer key (the JWT's {@code iss})
     * @param username the user (the JWT's {@code sub})
     * @param publicKey the key that verifies the assertion's signature
     */
    public record JwtSubject(String consumerKey, String username, PublicKey publicKey) {
        /** Checks nulls. */
        public JwtSubject {
            Objects.requireNonNull(consumerKey, "consumerKey");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(publicKey, "publicKey");
        }

        @Override
        public String toString() {
            return "JwtSubject[" + consumerKey + ", " + username + "]";
        }
    }

    /**
     * An OAuth error, answered as {@code {"error":..,"error_description":..}}.
     */
    public static final class OAuthError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String error;

        /**
         * @param status the HTTP status
         * @param error the OAuth error code
         * @param description the description
         */
        public OAuthError(int status, String error, String description) {
            super(description);
            this.status = status;
            this.error = error;
        }

        /** @return the HTTP status */
        public int status() {
            return status;
        }

        /** @return the body */
        public ObjectNode body() {
            ObjectNode o = SfJson.object();
            o.put("error", error);
            o.put("error_description", getMessage());
            return o;
        }
    }

    /**
     * How far ahead a JWT bearer assertion's {@code exp} may lie. Salesforce documents "within 3
     * minutes"; clients commonly use 3 to 5 minutes, which it accepts.
     */
    public static final long MAX_ASSERTION_LIFETIME_MILLIS = 5 * 60_000L;

    private final Clock clock;
    private final Random random;
    private final URI baseUri;
    private final String orgId;
    private final String userId;
    private final Map<String, String> apps;
    private final List<JwtSubject> jwtSubjects;
    private final boolean rotateRefreshTokens;
    /** Refresh tokens, each bound to the connected app (client id) it was issued to. */
    private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();
    private final Set<String> accessTokens = ConcurrentHashMap.newKeySet();
    private final AtomicInteger expireCountdown = new AtomicInteger(-1);
    private volatile String fixedToken;

    /**
     * @param clock gives {@code issued_at} and JWT expiry checks
     * @param seed seeds token generation
     * @param baseUri the server's base URI ({@code instance_url} and an accepted JWT audience)
     * @param orgId the org's id
     * @param userId the integration user's id
     * @param apps connected apps: client id to client secret
     * @param jwtSubjects users the JWT flow may log in
     * @param refreshTokens refresh tokens accepted at start, each to the client id it was issued to
     * @param rotateRefreshTokens true to hand out a new refresh token on each refresh (and retire the old one)
     * @param fixedToken an access token accepted without OAuth, or null
     */
    public TokenService(Clock clock, long seed, URI baseUri, String orgId, String userId, Map<String, String> apps,
                        List<JwtSubject> jwtSubjects, Map<String, String> refreshTokens, boolean rotateRefreshTokens,
                        String fixedToken) {
        this.clock = clock;
        this.random = new Random(seed);
        this.baseUri = baseUri;
        this.orgId = orgId;
        this.userId = userId;
        this.apps = Map.copyOf(apps);
        this.jwtSubjects = List.copyOf(jwtSubjects);
        this.refreshTokens.putAll(refreshTokens);
        this.rotateRefreshTokens = rotateRefreshTokens;
        this.fixedToken = fixedToken;
    }

    /**
     * Handles {@code POST /services/oauth2/token}.
     *
     * @param form the decoded form parameters
     * @param authorization the Authorization header (for HTTP Basic client credentials), or null
     * @return the token response
     * @throws OAuthError when the grant is refused
     */
    public ObjectNode grant(Map<String, String> form, String authorization) {
        String grantType = form.get("grant_type");
        if (grantType == null) {
            throw new OAuthError(400, "unsupported_grant_type", "grant type not supported");
        }
        switch (grantType) {
            case JWT_BEARER:
                return jwtBearer(form.get("assertion"));
            case "client_credentials":
                return clientCredentials(form, authorization);
            case "refresh_token":
                return refresh(form);
            default:
                throw new OAuthError(400, "unsupported_grant_type", "grant type not supported");
        }
    }

    private ObjectNode jwtBearer(String assertion) {
        if (assertion == null || assertion.isEmpty()) {
            throw new OAuthError(400, "invalid_request", "assertion must be provided");
        }
        String[] parts = assertion.split("\\.", -1);
        if (parts.length != 3) {
            throw new OAuthError(400, "invalid_grant", "invalid assertion");
        }
        JsonNode header;
        JsonNode claims;
        byte[] signature;
        try {
            Base64.Decoder d = Base64.getUrlDecoder();
            header = SfJson.MAPPER.readTree(d.decode(parts[0]));
            claims = SfJson.MAPPER.readTree(d.decode(parts[1]));
            signature = d.decode(parts[2]);
        } catch (IllegalArgumentException | IOException e) {
            throw new OAuthError(400, "invalid_grant", "invalid assertion");
        }
        if (header == null || claims == null || !header.isObject() || !claims.isObject()
                || !"RS256".equals(header.path("alg").asText())) {
            throw new OAuthError(400, "invalid_grant", "invalid assertion");
        }
        String iss = claims.path("iss").asText("");
        List<JwtSubject> forApp = jwtSubjects.stream().filter(s -> s.consumerKey().equals(iss)).toList();
        if (forApp.isEmpty()) {
            throw new OAuthError(400, "invalid_client_id", "client identifier invalid");
        }
        byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        JwtSubject subject = null;
        for (JwtSubject s : forApp) {
            if (verify(s.publicKey(), signed, signature)) {
                subject = s;
                break;
            }
        }
        if (subject == null) {
            throw new OAuthError(400, "invalid_grant", "invalid assertion");
        }
        if (!audienceOk(claims.path("aud"))) {
            throw new OAuthError(400, "invalid_grant", "audience is invalid");
        }
        String sub = claims.path("sub").asText("");
        if (!subject.username().equals(sub)) {
            throw new OAuthError(400, "invalid_grant", "user hasn't approved this consumer");
        }
        JsonNode exp = claims.path("exp");
        if (!exp.canConvertToLong() || exp.asLong() * 1000 <= clock.millis()) {
            throw new OAuthError(400, "invalid_grant", "expired authorization code");
        }
        if (exp.asLong() * 1000 > clock.millis() + MAX_ASSERTION_LIFETIME_MILLIS) {
            // Salesforce wants the assertion to expire within minutes (its documentation: 3); an
            // exp in milliseconds rather than seconds, or hours ahead, is refused
            throw new OAuthError(400, "invalid_grant", "invalid assertion");
        }
        return issue(apps.getOrDefault(iss, iss), null);
    }

    private boolean audienceOk(JsonNode aud) {
        if (aud.isArray()) {
            for (JsonNode a : aud) {
                if (audienceOk(a)) {
                    return true;
                }
            }
            return false;
        }
        String a = aud.asText("");
        while (a.endsWith("/")) {
            a = a.substring(0, a.length() - 1);
        }
        return a.equals("https://login.salesforce.com") || a.equals("https://test.salesforce.com")
                || a.equals(baseUri.toString());
    }

    private static boolean verify(PublicKey key, byte[] signed, byte[] signature) {
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initVerify(key);
            s.update(signed);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private ObjectNode clientCredentials(Map<String, String> form, String authorization) {
        String id = form.get("client_id");
        String secret = form.get("client_secret");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon >= 0) {
                    id = decoded.substring(0, colon);
                    secret = decoded.substring(colon + 1);
                }
            } catch (IllegalArgumentException e) {
                throw new OAuthError(400, "invalid_client", "invalid client credentials");
            }
        }
        if (id == null || !apps.containsKey(id)) {
            throw new OAuthError(400, "invalid_client_id", "client identifier invalid");
        }
        if (secret == null || !constantTimeEquals(apps.get(id), secret)) {
            throw new OAuthError(400, "invalid_client", "invalid client credentials");
        }
        return issue(apps.get(id), null);
    }

    private ObjectNode refresh(Map<String, String> form) {
        String id = form.get("client_id");
        if (id == null || !apps.containsKey(id)) {
            throw new OAuthError(400, "invalid_client_id", "client identifier invalid");
        }
        String secret = form.get("client_secret");
        if (secret != null && !constantTimeEquals(apps.get(id), secret)) {
            throw new OAuthError(400, "invalid_client", "invalid client credentials");
        }
        String token = form.get("refresh_token");
        if (token == null || !id.equals(refreshTokens.get(token))) {
            // unknown, revoked, or issued to another connected app: Salesforce does not say which
            throw new OAuthError(400, "invalid_grant", "expired access/refresh token");
        }
        String rotated = null;
        if (rotateRefreshTokens) {
            if (!refreshTokens.remove(token, id)) {
                throw new OAuthError(400, "invalid_grant", "expired access/refresh token");
            }
            rotated = orgId.substring(0, 15) + "!" + randomToken(40);
            refreshTokens.put(rotated, id);
        }
        return issue(apps.get(id), rotated);
    }

    private ObjectNode issue(String signingKey, String refreshToken) {
        String token = orgId.substring(0, 15) + "!" + randomToken(96);
        accessTokens.add(token);
        String issuedAt = Long.toString(clock.millis());
        String id = baseUri + "/id/" + orgId + "/" + userId;
        ObjectNode o = SfJson.object();
        o.put("access_token", token);
        if (refreshToken != null) {
            o.put("refresh_token", refreshToken);
        }
        o.put("signature", hmac(signingKey, id + issuedAt));
        o.put("scope", "api");
        o.put("instance_url", baseUri.toString());
        o.put("id", id);
        o.put("token_type", "Bearer");
        o.put("issued_at", issuedAt);
        return o;
    }

    /**
     * Checks a request's Authorization header ({@code Bearer} or {@code OAuth} scheme).
     *
     * @param authorization the header, or null
     * @return true if it carries a valid access token (counts towards a scheduled expiry)
     */
    public boolean authenticate(String authorization) {
        if (authorization == null) {
            return false;
        }
        String token;
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = authorization.substring(7).trim();
        } else if (authorization.regionMatches(true, 0, "OAuth ", 0, 6)) {
            token = authorization.substring(6).trim();
        } else {
            return false;
        }
        String fixed = fixedToken;
        boolean valid = accessTokens.contains(token) || (fixed != null && constantTimeEquals(fixed, token));
        if (valid) {
            int left = expireCountdown.get();
            if (left > 0 && expireCountdown.decrementAndGet() == 0) {
                expireAll();
            }
        }
        return valid;
    }

    /** Invalidates every access token issued so far, and the fixed token. Refresh tokens stay valid. */
    public void expireAll() {
        accessTokens.clear();
        fixedToken = null;
        expireCountdown.set(-1);
    }

    /** @param requests expire every access token after this many more authenticated requests */
    public void expireAfter(int requests) {
        if (requests < 1) {
            throw new IllegalArgumentException("requests must be >= 1, was " + requests);
        }
        expireCountdown.set(requests);
    }

    /** Cancels a scheduled expiry. */
    public void cancelScheduledExpiry() {
        expireCountdown.set(-1);
    }

    /** @param token a refresh token to revoke (later refreshes with it fail with invalid_grant) */
    public void revokeRefreshToken(String token) {
        refreshTokens.remove(token);
    }

    private String randomToken(int length) {
        StringBuilder sb = new StringBuilder(length);
        synchronized (random) {
            for (int i = 0; i < length; i++) {
                sb.append(TOKEN_CHARS.charAt(random.nextInt(TOKEN_CHARS.length())));
            }
        }
        return sb.toString();
    }

    private static String hmac(String key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
