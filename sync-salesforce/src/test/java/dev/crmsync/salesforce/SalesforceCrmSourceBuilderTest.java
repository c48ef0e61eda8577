package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SalesforceCrmSourceBuilderTest {

    private static final SalesforceCredentials TOKEN =
            SalesforceCredentials.accessToken("token-value-1", URI.create("https://acme.my.salesforce.com"));

    @Test
    void credentialsAreRequired() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SalesforceCrmSource.builder().build());
        assertTrue(e.getMessage().contains("credentials"));
    }

    @Test
    void plainHttpIsRefusedUnlessAllowedForLoopback() {
        SalesforceCredentials http = SalesforceCredentials.accessToken("t-123456", URI.create("http://127.0.0.1:9"));
        assertThrows(IllegalArgumentException.class, () -> SalesforceCrmSource.builder().credentials(http).build());
        SalesforceCrmSource.builder().credentials(http).allowHttpForLoopback(true).build().close();
        SalesforceCredentials remote = SalesforceCredentials.accessToken("t-123456", URI.create("http://acme.com"));
        assertThrows(IllegalArgumentException.class,
                () -> SalesforceCrmSource.builder().credentials(remote).allowHttpForLoopback(true).build());
    }

    @Test
    void clientCredentialsNeedTheOrgsMyDomain() {
        SalesforceCredentials cc = SalesforceCredentials.clientCredentials("id", "secret");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SalesforceCrmSource.builder().credentials(cc).build());
        assertTrue(e.getMessage().contains("My Domain"), e.getMessage());
        SalesforceCrmSource.builder().credentials(cc).instanceUrl(URI.create("https://acme.my.salesforce.com"))
                .build().close();
    }

    @Test
    void apiVersionIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> SalesforceCrmSource.builder().apiVersion("46.0"));
        assertThrows(IllegalArgumentException.class, () -> SalesforceCrmSource.builder().apiVersion("latest"));
        SalesforceCrmSource.builder().apiVersion("v61.0");
    }

    @Test
    void settersRejectBadValuesNamingThem() {
        SalesforceCrmSource.Builder b = SalesforceCrmSource.builder();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.pageSize(100));
        assertTrue(e.getMessage().contains("100"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.bulkThreshold(-1));
        assertThrows(IllegalArgumentException.class, () -> b.connectTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.bulkPollInterval(Duration.ofSeconds(5), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new ApiBudget(0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new ApiBudget(0.5, 1.5));
        assertThrows(IllegalArgumentException.class, () -> RetrySettings.custom().maxAttempts(0));
        assertThrows(IllegalArgumentException.class, () -> RetrySettings.custom().jitter(1.0));
    }

    private static void assertNamed(Executable call, String... parts) {
        Throwable e = assertThrows(RuntimeException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(part),
                    "message '" + e.getMessage() + "' should mention '" + part + "'");
        }
    }

    @Test
    void retrySettingsDefaultsAreThePublicConstants() {
        RetrySettings d = RetrySettings.ofDefaults();
        assertEquals(RetrySettings.DEFAULT_MAX_ATTEMPTS, d.maxAttempts());
        assertEquals(RetrySettings.DEFAULT_INITIAL_BACKOFF, d.initialBackoff());
        assertEquals(RetrySettings.DEFAULT_MAX_BACKOFF, d.maxBackoff());
        assertEquals(RetrySettings.DEFAULT_MULTIPLIER, d.multiplier());
        assertEquals(RetrySettings.DEFAULT_JITTER, d.jitter());
        assertEquals(RetrySettings.DEFAULT_MAX_RETRY_AFTER, d.maxRetryAfter());
        assertEquals(RetrySettings.DEFAULT_FAILURE_RATE_THRESHOLD, d.failureRateThreshold());
        assertEquals(RetrySettings.DEFAULT_CIRCUIT_BREAKER_WINDOW, d.circuitBreakerWindow());
        assertEquals(RetrySettings.DEFAULT_CIRCUIT_BREAKER_OPEN_DURATION, d.circuitBreakerOpenDuration());
        assertEquals(d, RetrySettings.custom().build());
        assertEquals(5, d.maxAttempts());
        assertEquals(Duration.ofSeconds(1), d.initialBackoff());
    }

    @Test
    void retrySettingsBuilderSetsEachValueAndFromCopiesTheRest() {
        RetrySettings r = RetrySettings.custom().maxAttempts(3).backoff(Duration.ofMillis(200), Duration.ofSeconds(2))
                .multiplier(1.5).jitter(0).maxRetryAfter(Duration.ofSeconds(30)).failureRateThreshold(80f)
                .circuitBreakerWindow(10).circuitBreakerOpenDuration(Duration.ofSeconds(5)).build();
        assertEquals(3, r.maxAttempts());
        assertEquals(Duration.ofMillis(200), r.initialBackoff());
        assertEquals(Duration.ofSeconds(2), r.maxBackoff());
        assertEquals(1.5, r.multiplier());
        assertEquals(0.0, r.jitter());
        assertEquals(Duration.ofSeconds(30), r.maxRetryAfter());
        assertEquals(80f, r.failureRateThreshold());
        assertEquals(10, r.circuitBreakerWindow());
        assertEquals(Duration.ofSeconds(5), r.circuitBreakerOpenDuration());
        RetrySettings one = RetrySettings.from(r).maxAttempts(1).build();
        assertEquals(1, one.maxAttempts());
        assertEquals(RetrySettings.from(r).maxAttempts(3).build(), r);
        assertEquals(r.hashCode(), RetrySettings.from(r).build().hashCode());
        assertTrue(r.toString().contains("maxAttempts=3"), r.toString());
    }

    @Test
    void retrySettingsRejectEachBadValueAtOnceNamingIt() {
        RetrySettings.Builder b = RetrySettings.custom();
        assertNamed(() -> b.maxAttempts(0), "maxAttempts", "0");
        assertNamed(() -> b.backoff(Duration.ZERO, Duration.ofSeconds(1)), "initialBackoff", "PT0S");
        assertNamed(() -> b.backoff(Duration.ofSeconds(1), Duration.ofSeconds(-1)), "maxBackoff", "PT-1S");
        assertNamed(() -> b.backoff(Duration.ofSeconds(5), Duration.ofSeconds(1)), "maxBackoff", "PT1S", "PT5S");
        assertNamed(() -> b.backoff(null, Duration.ofSeconds(1)), "initialBackoff");
        assertNamed(() -> b.multiplier(0.5), "multiplier", "0.5");
        assertNamed(() -> b.multiplier(Double.NaN), "multiplier", "NaN");
        assertNamed(() -> b.multiplier(Double.POSITIVE_INFINITY), "multiplier", "Infinity");
        assertNamed(() -> b.jitter(1.0), "jitter", "1.0");
        assertNamed(() -> b.jitter(-0.1), "jitter", "-0.1");
        assertNamed(() -> b.maxRetryAfter(Duration.ZERO), "maxRetryAfter", "PT0S");
        assertNamed(() -> b.failureRateThreshold(0f), "failureRateThreshold", "0.0");
        assertNamed(() -> b.failureRateThreshold(101f), "failureRateThreshold", "101.0");
        assertNamed(() -> b.circuitBreakerWindow(0), "circuitBreakerWindow", "0");
        assertNamed(() -> b.circuitBreakerOpenDuration(null), "circuitBreakerOpenDuration");
        assertNamed(() -> RetrySettings.from(null), "base");
        assertEquals(RetrySettings.ofDefaults(), b.build(), "a rejected value leaves the builder as it was");
    }

    @Test
    void toStringNamesTheFlowButNoSecret() {
        try (SalesforceCrmSource s = SalesforceCrmSource.builder().credentials(TOKEN).build()) {
            String text = s.toString();
            assertTrue(text.contains("AccessToken"), text);
            assertTrue(!text.contains("token-value-1"), text);
            assertEquals(200, s.maxWriteBatch());
            assertEquals(2000, s.maxPageSize());
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsFail() {
        SalesforceCrmSource s = SalesforceCrmSource.builder().credentials(TOKEN).build();
        s.close();
        s.close();
        assertThrows(IllegalStateException.class, s::availableTypes);
    }
}
