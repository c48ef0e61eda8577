package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM private keys as openssl writes them: PKCS#8 and PKCS#1, with or without a certificate beside them. */
class PrivateKeysTest {

    private static final KeyPair KEYS = rsa();

    @Test
    void aPkcs8PemKeySignsWhatItsPublicKeyVerifies() throws Exception {
        PrivateKey key = PrivateKeys.fromPem(pem("PRIVATE KEY", KEYS.getPrivate().getEncoded()));
        assertVerifies(key);
        assertEquals(KEYS.getPrivate(), key);
    }

    @Test
    void aPkcs1RsaPemKeyIsRead() throws Exception {
        byte[] pkcs1 = pkcs1Of(KEYS.getPrivate().getEncoded());
        PrivateKey key = PrivateKeys.fromPem(pem("RSA PRIVATE KEY", pkcs1));
        assertVerifies(key);
    }

    @Test
    void aCertificateBeforeTheKeyIsSkipped(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key.pem");
        Files.writeString(file, pem("CERTIFICATE", new byte[] {1, 2, 3}) + "\r\n"
                + pem("PRIVATE KEY", KEYS.getPrivate().getEncoded()).replace("\n", "\r\n"), StandardCharsets.US_ASCII);
        assertVerifies(PrivateKeys.fromPem(file));
    }

    @Test
    void anEncryptedKeyIsRefusedWithAHint() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PrivateKeys.fromPem(pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3})));
        assertTrue(e.getMessage().contains("encrypted"), e.getMessage());
        String legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n"
                + "-----END RSA PRIVATE KEY-----\n";
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PrivateKeys.fromPem(legacy)).getMessage()
                .contains("encrypted"));
    }

    @Test
    void textWithoutAKeySaysSoAndQuotesNothing() {
        String notAKey = pem("PRIVATE KEY", "not-a-der-key-canary".getBytes(StandardCharsets.US_ASCII));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> PrivateKeys.fromPem(notAKey));
        assertFalse(bad.getMessage().contains("bm90"), bad.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> PrivateKeys.fromPem("just text"));
        assertTrue(none.getMessage().contains("no PEM private key"), none.getMessage());
        assertThrows(NullPointerException.class, () -> PrivateKeys.fromPem((String) null));
    }

    @Test
    void aPkcs12KeyStoresOnlyKeyIsReadAndAWrongPasswordSaysNothingOfIt(@TempDir Path dir) throws Exception {
        Path store = keytoolPkcs12(dir, "crmsync", "store-pass");
        try (InputStream in = Files.newInputStream(store)) {
            PrivateKey key = PrivateKeys.fromKeyStore(in, "PKCS12", "store-pass".toCharArray(), null, null);
            assertEquals("RSA", key.getAlgorithm());
        }
        try (InputStream in = Files.newInputStream(store)) {
            PrivateKey key = PrivateKeys.fromKeyStore(in, "PKCS12", "store-pass".toCharArray(), "crmsync", null);
            assertEquals("RSA", key.getAlgorithm());
        }
        try (InputStream in = Files.newInputStream(store)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrivateKeys.fromKeyStore(
                    in, "PKCS12", "wrong-pass".toCharArray(), null, null));
            assertFalse(e.getMessage().contains("pass"), e.getMessage());
        }
        try (InputStream in = Files.newInputStream(store)) {
            assertThrows(IllegalArgumentException.class, () -> PrivateKeys.fromKeyStore(
                    in, "PKCS12", "store-pass".toCharArray(), "other", null));
        }
    }

    /** A PKCS12 store with one RSA key pair, made by the JDK's keytool (a key entry needs a certificate). */
    static Path keytoolPkcs12(Path dir, String alias, String password) throws Exception {
        Path store = dir.resolve(alias + ".p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=crmsync test",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", password, "-keypass", password)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return store;
    }

    private static void assertVerifies(PrivateKey key) throws Exception {
        byte[] data = "assertion".getBytes(StandardCharsets.US_ASCII);
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(data);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance("SHA256withRSA");
        v.initVerify(KEYS.getPublic());
        v.update(data);
        assertTrue(v.verify(sig));
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /** The RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: the content of its OCTET STRING. */
    private static byte[] pkcs1Of(byte[] pkcs8) {
        int i = skipHeader(pkcs8, 0);        // into the outer SEQUENCE
        i = next(pkcs8, i);                  // past the version INTEGER
        i = next(pkcs8, i);                  // past the AlgorithmIdentifier SEQUENCE
        int content = skipHeader(pkcs8, i);  // into the OCTET STRING
        return Arrays.copyOfRange(pkcs8, content, content + length(pkcs8, i));
    }

    private static int skipHeader(byte[] der, int at) {
        int first = der[at + 1] & 0xff;
        return at + 2 + (first < 0x80 ? 0 : first - 0x80);
    }

    private static int length(byte[] der, int at) {
        int first = der[at + 1] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int n = 0;
        for (int k = 0; k < first - 0x80; k++) {
            n = (n << 8) | (der[at + 2 + k] & 0xff);
        }
        return n;
    }

    private static int next(byte[] der, int at) {
        return skipHeader(der, at) + length(der, at);
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
