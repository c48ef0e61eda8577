package dev.crmsync.salesforce.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crmsync.model.SyncException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * The RS256-signed JWT of the OAuth 2.0 JWT bearer flow: header {@code {"alg":"RS256"}}, claims
 * {@code iss} (the connected app's consumer key), {@code sub} (the username), {@code aud} (the
 * login host) and {@code exp} (seconds since the epoch), signed with SHA256withRSA over
 * {@code base64url(header) + "." + base64url(claims)}. Built with {@code java.security} only.
 */
public final class JwtAssertion {

    /** How long an assertion is valid; Salesforce wants a few minutes at most. */
    public static final Duration LIFETIME = Duration.ofMinutes(3);

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private JwtAssertion() {
    }

    /**
     * Signs an assertion.
     *
     * @param json the mapper
     * @param clientId the consumer key
     * @param username the user the token is for
     * @param audience the login host, e.g. {@code https://login.salesforce.com}
     * @param now the current time
     * @param key the host's RSA private key
     * @return the compact JWT
     * @throws SyncException if the key cannot sign (the message never includes key material)
     */
    public static String create(ObjectMapper json, String clientId, String username, String audience,
                                Instant now, PrivateKey key) {
        Objects.requireNonNull(key, "privateKey");
        ObjectNode header = json.createObjectNode().put("alg", "RS256");
        ObjectNode claims = json.createObjectNode()
                .put("iss", clientId)
                .put("sub", username)
                .put("aud", audience)
                .put("exp", now.plus(LIFETIME).getEpochSecond());
        try {
            String signingInput = B64.encodeToString(json.writeValueAsBytes(header)) + "."
                    + B64.encodeToString(json.writeValueAsBytes(claims));
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            // the JCA message may describe the key; keep only its type
            throw new SyncException("cannot sign the JWT bearer assertion with the configured private key ("
                    + key.getAlgorithm() + "): " + e.getClass().getSimpleName());
        } catch (JsonProcessingException e) {
            throw new SyncException("cannot encode the JWT bearer assertion", e);
        }
    }
}
