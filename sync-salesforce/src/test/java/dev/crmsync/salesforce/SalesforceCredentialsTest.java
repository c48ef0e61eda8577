package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SalesforceCredentialsTest {

    @Test
    void toStringNeverShowsASecret() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        PrivateKey key = g.generateKeyPair().getPrivate();
        String keyText = Base64.getEncoder().encodeToString(key.getEncoded());
        for (SalesforceCredentials c : new SalesforceCredentials[] {
                SalesforceCredentials.jwtBearer("consumer-key-XYZ", "user@example.com", key),
                SalesforceCredentials.clientCredentials("consumer-key-XYZ", "secret-ABC"),
                SalesforceCredentials.refreshToken("consumer-key-XYZ", "secret-ABC", "refresh-DEF", t -> { }),
                SalesforceCredentials.accessToken("00D!access-GHI", URI.create("https://acme.my.salesforce.com"))}) {
            String s = c.toString();
            for (String secret : new String[] {"consumer-key-XYZ", "secret-ABC", "refresh-DEF", "access-GHI", keyText,
                    key.toString()}) {
                assertFalse(s.contains(secret), s);
            }
            assertTrue(s.contains(SalesforceCredentials.REDACTED), s);
        }
    }

    @Test
    void blankValuesAreRefusedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SalesforceCredentials.clientCredentials("id", " "));
        assertTrue(e.getMessage().contains("clientSecret"), e.getMessage());
        assertThrows(NullPointerException.class, () -> SalesforceCredentials.refreshToken("id", null, "r", null));
    }
}
