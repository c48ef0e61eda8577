package dev.crmsync.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UrlPolicyTest {

    @Test
    void httpsIsAcceptedAndTrailingSlashDropped() {
        assertEquals(URI.create("https://acme.my.salesforce.com"),
                new UrlPolicy(false).check(URI.create("https://acme.my.salesforce.com/"), "login URL"));
    }

    @Test
    void plainHttpIsRefusedByDefaultEvenOnLoopback() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new UrlPolicy(false).check(URI.create("http://127.0.0.1:8080"), "login URL"));
        assertTrue(e.getMessage().contains("allowHttpForLoopback"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9", "http://127.1.2.3"})
    void plainHttpOnLoopbackWhenAllowed(String url) {
        new UrlPolicy(true).check(URI.create(url), "login URL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://acme.my.salesforce.com", "http://10.0.0.1", "http://localhost.evil.com",
            "http://127.0.0.1.nip.io"})
    void plainHttpElsewhereIsRefusedEvenWhenAllowed(String url) {
        assertThrows(IllegalArgumentException.class, () -> new UrlPolicy(true).check(URI.create(url), "login URL"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://acme.com", "https://user:pw@acme.com", "https://acme.com?x=1", "https:///nohost"})
    void otherSchemesUserInfoAndQueriesAreRefused(String url) {
        assertThrows(IllegalArgumentException.class, () -> new UrlPolicy(true).check(URI.create(url), "login URL"));
    }

    @Test
    void loopbackRecognitionNeedsNoLookup() {
        assertTrue(UrlPolicy.isLoopback("LOCALHOST"));
        assertFalse(UrlPolicy.isLoopback("example.com"));
    }
}
