package dev.crmsync.salesforce;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Loads the RSA private key for {@link SalesforceCredentials#jwtBearer JWT bearer} credentials from a PEM text
 * (PKCS#8 {@code -----BEGIN PRIVATE KEY-----}, or PKCS#1 {@code -----BEGIN RSA PRIVATE KEY-----} as
 * {@code openssl genrsa} writes it) or from a key store (PKCS12, JKS).
 *
 * <p>Encrypted PEM keys ({@code BEGIN ENCRYPTED PRIVATE KEY}, or a PKCS#1 block with a {@code Proc-Type}
 * header) are refused: decrypt them with {@code openssl pkcs8 -topk8 -nocrypt}, or use a key store. Messages
 * name the problem and never quote the key material.
 */
public final class PrivateKeys {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    private PrivateKeys() {
    }

    /**
     * @param pem the PEM text; the first private-key block is read, other blocks (a certificate) are ignored
     * @return the RSA private key
     * @throws IllegalArgumentException if the text holds no unencrypted RSA private key
     */
    public static PrivateKey fromPem(String pem) {
        Objects.requireNonNull(pem, "pem must not be null");
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String label = m.group(1);
            String body = m.group(2);
            switch (label) {
                case "PRIVATE KEY":
                    return rsa(decode(body));
                case "RSA PRIVATE KEY":
                    if (body.contains("Proc-Type:") || body.contains("DEK-Info:")) {
                        throw new IllegalArgumentException("the PEM RSA private key is encrypted: decrypt it "
                                + "(openssl pkcs8 -topk8 -nocrypt) or use a key store");
                    }
                    return rsa(pkcs1ToPkcs8(decode(body)));
                case "ENCRYPTED PRIVATE KEY":
                    throw new IllegalArgumentException("the PEM private key is encrypted: decrypt it "
                            + "(openssl pkcs8 -topk8 -nocrypt) or use a key store");
                default:
                    // a certificate or parameters next to the key: skip
            }
        }
        throw new IllegalArgumentException("no PEM private key block (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY) found");
    }

    /**
     * @param file a PEM file (UTF-8 or ASCII)
     * @return the RSA private key
     * @throws IllegalArgumentException if the file holds no unencrypted RSA private key
     * @throws java.io.UncheckedIOException if it cannot be read
     */
    public static PrivateKey fromPem(Path file) {
        Objects.requireNonNull(file, "file must not be null");
        try {
            return fromPem(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the PEM file " + file, e);
        }
    }

    /**
     * @param in the key store's bytes (closed by the caller)
     * @param type the key store type, e.g. {@code PKCS12} or {@code JKS}
     * @param storePassword the store's password
     * @param alias the key's alias, or null for the store's only private key
     * @param keyPassword the key's password, or null for the store's password
     * @return the RSA private key
     * @throws IllegalArgumentException if the store cannot be opened, has no such key, or the key is not RSA
     */
    public static PrivateKey fromKeyStore(InputStream in, String type, char[] storePassword, @Nullable String alias,
                                          char @Nullable [] keyPassword) {
        Objects.requireNonNull(in, "in must not be null");
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(storePassword, "storePassword must not be null");
        try {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, storePassword);
            String name = alias;
            if (name == null) {
                for (String a : java.util.Collections.list(store.aliases())) {
                    if (store.isKeyEntry(a)) {
                        if (name != null) {
                            throw new IllegalArgumentException("the key store holds more than one key: name its alias");
                        }
                        name = a;
                    }
                }
                if (name == null) {
                    throw new IllegalArgumentException("the key store holds no private key");
                }
            }
            Key key = store.getKey(name, keyPassword != null ? keyPassword : storePassword);
            if (!(key instanceof PrivateKey pk)) {
                throw new IllegalArgumentException("the key store has no private key under alias '" + name + "'");
            }
            if (!"RSA".equals(pk.getAlgorithm())) {
                throw new IllegalArgumentException("the key under alias '" + name + "' is " + pk.getAlgorithm()
                        + ", not RSA");
            }
            return pk;
        } catch (IOException | GeneralSecurityException e) {
            // the store's own message may name the cause ("keystore password was incorrect"), never the key
            throw new IllegalArgumentException("cannot open the " + type + " key store (" + e.getClass().getSimpleName()
                    + ")", e);
        }
    }

    private static byte[] decode(String body) {
        StringBuilder b64 = new StringBuilder(body.length());
        for (String line : body.split("\\R")) {
            if (!line.contains(":")) {
                b64.append(line.strip());
            }
        }
        try {
            return Base64.getMimeDecoder().decode(b64.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the PEM block is not valid Base64", e);
        }
    }

    private static PrivateKey rsa(byte[] pkcs8) {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the PEM block is not an RSA private key (" + e.getClass().getSimpleName()
                    + ")", e);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, NULL parameters). */
    static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
                0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = der(0x04, pkcs1);
        byte[] content = new byte[version.length + algorithm.length + octets.length];
        System.arraycopy(version, 0, content, 0, version.length);
        System.arraycopy(algorithm, 0, content, version.length, algorithm.length);
        System.arraycopy(octets, 0, content, version.length + algorithm.length, octets.length);
        Arrays.fill(pkcs1, (byte) 0);
        Arrays.fill(octets, (byte) 0);
        return der(0x30, content);
    }

    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] len;
        if (n < 0x80) {
            len = new byte[] {(byte) n};
        } else if (n < 0x100) {
            len = new byte[] {(byte) 0x81, (byte) n};
        } else if (n < 0x10000) {
            len = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        } else {
            len = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        }
        byte[] out = new byte[1 + len.length + n];
        out[0] = (byte) tag;
        System.arraycopy(len, 0, out, 1, len.length);
        System.arraycopy(content, 0, out, 1 + len.length, n);
        return out;
    }
}
