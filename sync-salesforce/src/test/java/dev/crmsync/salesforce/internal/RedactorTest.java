package dev.crmsync.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RedactorTest {

    @Test
    void masksEveryKnownSecret() {
        Redactor r = new Redactor();
        r.addSecret("client-secret-123");
        r.addToken("00Dx!access.token.value");
        assertEquals("bad <redacted> and <redacted>",
                r.redact("bad client-secret-123 and 00Dx!access.token.value"));
    }

    @Test
    void remembersOnlyTheLastFewTokens() {
        Redactor r = new Redactor();
        for (int i = 0; i < 20; i++) {
            r.addToken("token-number-" + i);
        }
        assertEquals("<redacted>", r.redact("token-number-19"));
        assertEquals("token-number-0", r.redact("token-number-0"));
    }

    @Test
    void nullAndEmptyPassThrough() {
        Redactor r = new Redactor();
        r.addSecret("abcdefgh");
        assertEquals(null, r.redact(null));
        assertEquals("", r.redact(""));
    }
}
