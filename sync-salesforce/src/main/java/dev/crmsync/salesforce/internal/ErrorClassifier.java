package dev.crmsync.salesforce.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.hc.client5.http.ConnectTimeoutException;

/**
 * Decides what a Salesforce answer means for the caller: success, renew the session, the daily
 * quota is spent, try again, or fail. Pure; after Airbyte's production handler and the REST guide.
 */
public final class ErrorClassifier {

    /** What to do with an answer. */
    public enum Action {
        /** 2xx or 304: use the body. */
        OK,
        /** 401: renew the access token once and repeat the call. */
        RENEW_SESSION,
        /** 403 {@code REQUEST_LIMIT_EXCEEDED} for the daily total: stop the cycle cleanly. */
        QUOTA_EXCEEDED,
        /** Transient (5xx, 406, 420, 429, concurrent-request limit): back off and repeat. */
        RETRY,
        /** Anything else: fail without repeating. */
        FAIL
    }

    private ErrorClassifier() {
    }

    /**
     * @param status the HTTP status
     * @param errors the errors parsed from the body (possibly none)
     * @return what to do
     */
    public static Action classify(int status, List<ApiError> errors) {
        if ((status >= 200 && status < 300) || status == 304) {
            return Action.OK;
        }
        if (status == 401) {
            return Action.RENEW_SESSION;
        }
        if (has(errors, "QUERY_TIMEOUT")) {
            return Action.FAIL; // the read path splits the window instead of repeating the same query
        }
        if (status == 406 || status == 420 || status == 429 || status >= 500) {
            return Action.RETRY; // rate limited or unavailable, whatever the body says
        }
        if (status == 403 && has(errors, "REQUEST_LIMIT_EXCEEDED")) {
            return isConcurrencyLimit(errors) ? Action.RETRY : Action.QUOTA_EXCEEDED;
        }
        return Action.FAIL;
    }

    /**
     * @param status the HTTP status of a non-idempotent call's failure
     * @return true if Salesforce certainly did not process the request (rate limited or unavailable),
     *     so repeating it cannot repeat its effect
     */
    public static boolean safeToRepeatUnprocessed(int status) {
        return status == 420 || status == 429 || status == 503;
    }

    /**
     * @param e an I/O failure
     * @return true if the request certainly never reached the server (no connection was made)
     */
    public static boolean neverSent(IOException e) {
        return e instanceof ConnectException || e instanceof ConnectTimeoutException
                || e instanceof UnknownHostException || e instanceof NoRouteToHostException;
    }

    /**
     * @param e an I/O failure
     * @return true if it was a timeout
     */
    public static boolean isTimeout(IOException e) {
        return e instanceof InterruptedIOException;
    }

    private static boolean isConcurrencyLimit(List<ApiError> errors) {
        for (ApiError e : errors) {
            String m = e.message().toLowerCase(Locale.ROOT);
            if (m.contains("concurrent")) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param errors errors
     * @param code a code
     * @return true if one of the errors has that code
     */
    public static boolean has(List<ApiError> errors, String code) {
        for (ApiError e : errors) {
            if (e.code().equals(code)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param errors errors
     * @return the first error's code, or empty
     */
    public static String firstCode(List<ApiError> errors) {
        return errors.isEmpty() ? "" : errors.get(0).code();
    }

    /**
     * Parses {@code Retry-After}: delta seconds or an HTTP date.
     *
     * @param value the header value, or null
     * @param clock the clock for HTTP dates
     * @return the wait, if the header was present and valid (never negative)
     */
    public static Optional<Duration> retryAfter(String value, Clock clock) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return Optional.of(Duration.ofSeconds(Math.max(0, seconds)));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(clock.instant(), at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }
}
