package dev.crmsync.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.salesforce.SalesforceCredentials;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.FileSystemResource;

/** crmsync.salesforce.credentials.* to the library's credentials: each flow, the key from a key store. */
class CredentialsPropertiesTest {

    private final CrmsyncProperties.Salesforce sf = new CrmsyncProperties().getSalesforce();
    private final CrmsyncProperties.Credentials c = sf.getCredentials();

    @Test
    void jwtBearerTakesTheKeyFromAKeyStore(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("app.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "app", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=crmsync test",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "store-pass", "-keypass", "store-pass").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        c.setKind(CrmsyncProperties.CredentialsKind.JWT_BEARER);
        c.setClientId("key");
        c.setUsername("integration@example.com");
        c.setKeyStore(new FileSystemResource(store));
        c.setKeyStorePassword("store-pass");
        c.setKeyAlias("app");
        SalesforceCredentials.JwtBearer jwt = assertInstanceOf(SalesforceCredentials.JwtBearer.class,
                CrmsyncAutoConfiguration.credentials(sf));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            ks.load(in, "store-pass".toCharArray());
        }
        assertEquals(ks.getKey("app", "store-pass".toCharArray()), jwt.privateKey());
        assertEquals("integration@example.com", jwt.username());
    }

    @Test
    void aPemThatIsNotAKeyFailsNamingThePropertyAndQuotingNothing(@TempDir Path dir) throws Exception {
        Path pem = dir.resolve("key.pem");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWNhbmFyeQ==\n-----END PRIVATE KEY-----\n");
        c.setKind(CrmsyncProperties.CredentialsKind.JWT_BEARER);
        c.setClientId("key");
        c.setUsername("u@example.com");
        c.setPrivateKey(new FileSystemResource(pem));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CrmsyncAutoConfiguration.credentials(sf));
        assertTrue(e.getMessage().startsWith("crmsync.salesforce.credentials.private-key: "), e.getMessage());
        assertFalse(e.getMessage().contains("c2VjcmV0") || e.getMessage().contains("secret-canary"), e.getMessage());
    }

    @Test
    void theOtherFlows() {
        c.setKind(CrmsyncProperties.CredentialsKind.CLIENT_CREDENTIALS);
        c.setClientId("id");
        c.setClientSecret("cs-canary-1");
        assertInstanceOf(SalesforceCredentials.ClientCredentials.class, CrmsyncAutoConfiguration.credentials(sf));
        c.setKind(CrmsyncProperties.CredentialsKind.REFRESH_TOKEN);
        c.setRefreshToken("rt-canary-2");
        assertInstanceOf(SalesforceCredentials.RefreshToken.class, CrmsyncAutoConfiguration.credentials(sf));
        c.setKind(CrmsyncProperties.CredentialsKind.ACCESS_TOKEN);
        c.setAccessToken("at-canary-3");
        assertThrows(IllegalStateException.class, () -> CrmsyncAutoConfiguration.credentials(sf),
                "access-token needs the instance URL");
        sf.setInstanceUrl(URI.create("https://example.my.salesforce.com"));
        assertInstanceOf(SalesforceCredentials.AccessToken.class, CrmsyncAutoConfiguration.credentials(sf));
        c.setKind(null);
        assertTrue(assertThrows(IllegalStateException.class, () -> CrmsyncAutoConfiguration.credentials(sf))
                .getMessage().contains("crmsync.salesforce.credentials.kind"));
        assertFalse(c.toString().contains("canary"), c.toString());
    }
}
