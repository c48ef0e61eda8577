package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

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
        assertThrows(IllegalArgumentException.class, () -> RetrySettings.DEFAULT.withMaxAttempts(0));
        assertThrows(IllegalArgumentException.class, () -> RetrySettings.DEFAULT.withJitter(1.0));
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
