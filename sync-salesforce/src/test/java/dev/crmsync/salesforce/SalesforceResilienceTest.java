package dev.crmsync.salesforce;

import static dev.crmsync.salesforce.SalesforceReadTest.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.QuotaExceededException;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.model.SyncException;
import dev.crmsync.crm.Cursor;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Retries, backoff, Retry-After, the circuit breaker, quota and budget. */
class SalesforceResilienceTest {

    private FakeOrg org = new FakeOrg();

    @AfterEach
    void close() {
        org.close();
    }

    private int readLeads(SalesforceCrmSource sf) {
        try (ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of("Email"), Cursor.START, 2_000))) {
            return drain(s).size();
        }
    }

    @Test
    void a503WithRetryAfterIsRetriedAfterExactlyThatWait() {
        org.leads(10);
        org.server.faults().failNext("/queryAll", 2, 503, "SERVER_UNAVAILABLE", "Service Unavailable", Duration.ofSeconds(7));
        try (SalesforceCrmSource sf = org.open(org.source())) {
            assertEquals(10, readLeads(sf));
            assertEquals(3L, sf.callCounts().get("queryAll"));
        }
        assertEquals(List.of(Duration.ofSeconds(7), Duration.ofSeconds(7)), org.sleeps);
    }

    @Test
    void a429WithoutRetryAfterBacksOffExponentially() {
        org.leads(10);
        org.server.faults().failNext("/queryAll", 3, 429, "REQUEST_LIMIT_EXCEEDED", "Too many requests", null);
        try (SalesforceCrmSource sf = org.open(org.source().retry(RetrySettings.custom().jitter(0).build()))) {
            assertEquals(10, readLeads(sf));
        }
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4)), org.sleeps);
    }

    @ParameterizedTest
    @ValueSource(strings = {"drop", "truncate", "html", "500", "502", "420"})
    void transientFailuresAreRetried(String fault) {
        org.leads(10);
        switch (fault) {
            case "drop" -> org.server.faults().dropConnectionNext("/queryAll", 1);
            case "truncate" -> org.server.faults().truncateBodyNext("/queryAll", 1);
            case "html" -> org.server.faults().nonJsonBodyNext("/queryAll", 1);
            default -> org.server.faults().failNext("/queryAll", 1, Integer.parseInt(fault), "SERVER_ERROR", "boom", null);
        }
        try (SalesforceCrmSource sf = org.open(org.source())) {
            assertEquals(10, readLeads(sf));
            assertEquals(2L, sf.callCounts().get("queryAll"));
        }
        assertEquals(1, org.sleeps.size());
    }

    @Test
    void otherClientErrorsAreNotRetried() {
        org.server.faults().failNext("/queryAll", 1, 400, "MALFORMED_QUERY", "unexpected token", null);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            SyncException e = assertThrows(SyncException.class, () -> readLeads(sf));
            assertFalse(e.isRetriable());
            assertTrue(e.getMessage().contains("MALFORMED_QUERY"), e.getMessage());
            assertEquals(1L, sf.callCounts().get("queryAll"));
        }
        assertTrue(org.sleeps.isEmpty());
    }

    @Test
    void retriesThatRunOutEndInARetriableFailure() {
        org.server.faults().failNext("/queryAll", 10, 503, "SERVER_UNAVAILABLE", "down", null);
        try (SalesforceCrmSource sf = org.open(org.source().retry(RetrySettings.custom().maxAttempts(3).build()))) {
            RetriableSyncException e = assertThrows(RetriableSyncException.class, () -> readLeads(sf));
            assertTrue(e.getMessage().contains("after 3 attempts"), e.getMessage());
            assertEquals(3L, sf.callCounts().get("queryAll"));
        }
    }

    @Test
    void aRetryAfterLongerThanAllowedEndsTheCall() {
        org.server.faults().failNext("/queryAll", 1, 503, "SERVER_UNAVAILABLE", "maintenance", Duration.ofHours(1));
        try (SalesforceCrmSource sf = org.open(org.source())) {
            RetriableSyncException e = assertThrows(RetriableSyncException.class, () -> readLeads(sf));
            assertTrue(e.getMessage().contains("3600"), e.getMessage());
        }
        assertTrue(org.sleeps.isEmpty());
    }

    @Test
    void theDailyLimitStopsWithAQuotaOutcomeAndNoRetry() {
        org.server.faults().failNext("/queryAll", 1, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", null);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            assertThrows(QuotaExceededException.class, () -> readLeads(sf));
            assertEquals(1L, sf.callCounts().get("queryAll"));
        }
    }

    @Test
    void theConcurrentRequestLimitBacksOff() {
        org.leads(3);
        org.server.faults().failNext("/queryAll", 1, 403, "REQUEST_LIMIT_EXCEEDED",
                "ConcurrentPerOrgLongTxn Limit exceeded.", null);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            assertEquals(3, readLeads(sf));
        }
        assertEquals(1, org.sleeps.size());
    }

    @Test
    void theBudgetStopsTheSourceBeforeItIsExceeded() {
        org.leads(10);
        org.server.faults().usedApiCalls(7_990);
        try (SalesforceCrmSource sf = org.open(org.source().budget(new ApiBudget(1.0, 0.80)).pageSize(200))) {
            sf.describe(ObjectType.LEAD); // learns usage 7,991 / 15,000; the cap is 12,000
            assertTrue(sf.apiUsage().orElseThrow().used() >= 7_990);
            org.server.faults().usedApiCalls(11_999);
            sf.describe(ObjectType.CONTACT); // 12,000th call: allowed
            long sent = org.recorded();
            QuotaExceededException e = assertThrows(QuotaExceededException.class, () -> readLeads(sf));
            assertTrue(e.getMessage().contains("12000"), e.getMessage());
            assertEquals(sent, org.recorded(), "the refused call was never sent");
        }
    }

    @Test
    void thePerCycleShareResetsWithANewCycle() {
        org.leads(3);
        try (SalesforceCrmSource sf = org.open(org.source().budget(new ApiBudget(0.0002, 1.0)))) {
            sf.beginCycle();
            sf.describe(ObjectType.LEAD); // 15,000 * 0.0002 = 3 budgeted calls a cycle (the token request is free)
            readLeads(sf);
            sf.describe(ObjectType.CONTACT);
            assertThrows(QuotaExceededException.class, () -> sf.describe(ObjectType.ACCOUNT));
            sf.beginCycle();
            assertTrue(sf.describe(ObjectType.ACCOUNT).isPresent());
        }
    }

    @Test
    void describingATypeAgainStartsANewCycleForTheBudget() {
        try (SalesforceCrmSource sf = org.open(org.source().budget(new ApiBudget(0.0002, 1.0)))) {
            sf.describe(ObjectType.LEAD);
            sf.describe(ObjectType.CONTACT);
            sf.describe(ObjectType.ACCOUNT);
            assertThrows(QuotaExceededException.class, () -> sf.describe(ObjectType.CAMPAIGN));
            assertTrue(sf.describe(ObjectType.LEAD).isPresent(), "Lead described again: a new cycle");
            assertEquals(1, sf.apiUsage().orElseThrow().callsThisCycle());
        }
    }

    @Test
    void theConnectedAppsOwnUsageIsReadFromThePerAppForm() {
        org.close();
        org = new FakeOrg(b -> { }, b -> b.perAppApiLimit("crmsync-app", 250));
        try (SalesforceCrmSource sf = org.open(org.source())) {
            sf.describe(ObjectType.LEAD);
            ApiUsage app = sf.apiUsage().orElseThrow().perApp().get("crmsync-app");
            assertEquals(250, app.limit());
            assertTrue(app.used() >= 1);
        }
    }

    @Test
    void theCircuitBreakerStopsCallingAnOrgThatKeepsFailing() {
        org.server.faults().failNext("/", 1_000, 500, "SERVER_ERROR", "down", null);
        try (SalesforceCrmSource sf = org.open(org.base().credentials(org.fixedToken())
                .retry(RetrySettings.custom().maxAttempts(2).failureRateThreshold(50f).circuitBreakerWindow(4)
                        .circuitBreakerOpenDuration(Duration.ofMinutes(1)).build()))) {
            for (int i = 0; i < 2; i++) {
                assertThrows(RetriableSyncException.class, () -> sf.describe(ObjectType.LEAD));
            }
            long sent = org.recorded();
            RetriableSyncException open = assertThrows(RetriableSyncException.class, () -> sf.describe(ObjectType.LEAD));
            assertTrue(open.getMessage().contains("circuit breaker"), open.getMessage());
            assertEquals(sent, org.recorded());
            org.server.faults().clear();
            org.clock.advance(Duration.ofMinutes(2));
            assertTrue(sf.describe(ObjectType.LEAD).isPresent(), "half-open after the wait, closed on success");
        }
    }

    @Test
    void everyRequestIsCountedByEndpoint() {
        org.leads(2_500);
        org.server.faults().failNext("/queryAll", 1, 503, "SERVER_UNAVAILABLE", "x", null);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            sf.availableTypes();
            sf.describe(ObjectType.LEAD);
            readLeads(sf);
            assertEquals(java.util.Map.of("oauth.token", 1L, "describe.global", 1L, "describe", 1L, "queryAll", 2L,
                    "queryMore", 1L), sf.callCounts());
            assertEquals(org.recorded(), sf.callCounts().values().stream().mapToLong(Long::longValue).sum());
        }
    }

    @Test
    void usageFromTheLimitHeaderIsExposed() {
        try (SalesforceCrmSource sf = org.open(org.source())) {
            assertTrue(sf.apiUsage().isEmpty());
            sf.describe(ObjectType.LEAD);
            ApiUsage u = sf.apiUsage().orElseThrow();
            assertEquals(15_000, u.limit());
            assertTrue(u.used() >= 1);
            assertInstanceOf(java.util.Map.class, u.perApp());
        }
    }
}
