package dev.crmsync.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crmsync.model.SyncException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JwtAssertionTest {

    private static KeyPair keys;
    private final ObjectMapper json = new ObjectMapper();
    private final Instant now = Instant.parse("2024-05-01T12:00:00Z");

    @BeforeAll
    static void generateKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        keys = g.generateKeyPair();
    }

    private String jwt() {
        return JwtAssertion.create(json, "consumer-key", "user@example.com", "https://login.salesforce.com", now,
                keys.getPrivate());
    }

    @Test
    void hasRs256HeaderAndSalesforceClaims() throws Exception {
        String[] parts = jwt().split("\\.");
        assertEquals(3, parts.length);
        JsonNode header = json.readTree(Base64.getUrlDecoder().decode(parts[0]));
        JsonNode claims = json.readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertEquals("RS256", header.path("alg").asText());
        assertEquals("consumer-key", claims.path("iss").asText());
        assertEquals("user@example.com", claims.path("sub").asText());
        assertEquals("https://login.salesforce.com", claims.path("aud").asText());
        assertEquals(now.plusSeconds(180).getEpochSecond(), claims.path("exp").asLong());
    }

    @Test
    void signatureVerifiesWithThePublicKey() throws Exception {
        String jwt = jwt();
        int dot = jwt.lastIndexOf('.');
        Signature v = Signature.getInstance("SHA256withRSA");
        v.initVerify(keys.getPublic());
        v.update(jwt.substring(0, dot).getBytes(StandardCharsets.US_ASCII));
        assertTrue(v.verify(Base64.getUrlDecoder().decode(jwt.substring(dot + 1))));
    }

    @Test
    void usesUnpaddedBase64Url() {
        String jwt = jwt();
        assertFalse(jwt.contains("="));
        assertFalse(jwt.contains("+"));
        assertFalse(jwt.contains("/"));
    }

    @Test
    void aKeyThatCannotSignFailsWithoutShowingTheKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        PrivateKey ec = g.generateKeyPair().getPrivate();
        SyncException e = assertThrows(SyncException.class,
                () -> JwtAssertion.create(json, "k", "u", "a", now, ec));
        assertTrue(e.getMessage().contains("(EC)"), e.getMessage());
        assertFalse(e.getMessage().contains(Base64.getEncoder().encodeToString(ec.getEncoded())));
    }
}
