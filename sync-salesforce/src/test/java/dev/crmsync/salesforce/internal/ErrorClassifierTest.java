package dev.crmsync.salesforce.internal;

import static dev.crmsync.salesforce.internal.ErrorClassifier.Action.FAIL;
import static dev.crmsync.salesforce.internal.ErrorClassifier.Action.OK;
import static dev.crmsync.salesforce.internal.ErrorClassifier.Action.QUOTA_EXCEEDED;
import static dev.crmsync.salesforce.internal.ErrorClassifier.Action.RENEW_SESSION;
import static dev.crmsync.salesforce.internal.ErrorClassifier.Action.RETRY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ErrorClassifierTest {

    private static List<ApiError> err(String code, String message) {
        return List.of(new ApiError(code, message, List.of()));
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 201, 204, 304})
    void successAndNotModifiedAreOk(int status) {
        assertEquals(OK, ErrorClassifier.classify(status, List.of()));
    }

    @Test
    void unauthorizedRenewsTheSession() {
        assertEquals(RENEW_SESSION, ErrorClassifier.classify(401, err("INVALID_SESSION_ID", "Session expired or invalid")));
    }

    @Test
    void dailyLimitIsQuota() {
        assertEquals(QUOTA_EXCEEDED, ErrorClassifier.classify(403, err("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")));
    }

    @Test
    void tooManyRequestsIsRetriedEvenWithALimitCode() {
        assertEquals(RETRY, ErrorClassifier.classify(429, err("REQUEST_LIMIT_EXCEEDED", "Too many requests")));
    }

    @Test
    void concurrentRequestLimitBacksOff() {
        assertEquals(RETRY, ErrorClassifier.classify(403,
                err("REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.")));
    }

    @ParameterizedTest
    @ValueSource(ints = {406, 420, 429, 500, 502, 503, 504})
    void transientStatusesAreRetried(int status) {
        assertEquals(RETRY, ErrorClassifier.classify(status, List.of()));
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 403, 404, 405, 409, 410, 412, 414})
    void otherClientErrorsFail(int status) {
        assertEquals(FAIL, ErrorClassifier.classify(status, err("MALFORMED_QUERY", "unexpected token")));
    }

    @Test
    void queryTimeoutIsLeftToTheReadPath() {
        assertEquals(FAIL, ErrorClassifier.classify(400, err("QUERY_TIMEOUT", "Your query request was running for too long.")));
    }

    @Test
    void onlyUnprocessedStatusesMayRepeatACreate() {
        assertTrue(ErrorClassifier.safeToRepeatUnprocessed(429));
        assertTrue(ErrorClassifier.safeToRepeatUnprocessed(503));
        assertFalse(ErrorClassifier.safeToRepeatUnprocessed(500));
        assertFalse(ErrorClassifier.safeToRepeatUnprocessed(504));
    }

    @Test
    void onlyConnectFailuresAreKnownNeverSent() {
        assertTrue(ErrorClassifier.neverSent(new ConnectException("refused")));
        assertFalse(ErrorClassifier.neverSent(new SocketTimeoutException("read timed out")));
        assertFalse(ErrorClassifier.neverSent(new IOException("connection reset")));
    }

    @Test
    void retryAfterInSecondsOrAsHttpDate() {
        Clock clock = Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC);
        assertEquals(Optional.of(Duration.ofSeconds(7)), ErrorClassifier.retryAfter("7", clock));
        assertEquals(Optional.of(Duration.ofSeconds(30)),
                ErrorClassifier.retryAfter("Wed, 1 May 2024 12:00:30 GMT", clock));
        assertEquals(Optional.of(Duration.ZERO), ErrorClassifier.retryAfter("Wed, 1 May 2024 11:00:00 GMT", clock));
        assertEquals(Optional.of(Duration.ZERO), ErrorClassifier.retryAfter("-5", clock));
        assertEquals(Optional.empty(), ErrorClassifier.retryAfter("soon", clock));
        assertEquals(Optional.empty(), ErrorClassifier.retryAfter(null, clock));
    }
}
