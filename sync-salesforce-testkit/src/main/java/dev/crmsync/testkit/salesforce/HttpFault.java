package dev.crmsync.testkit.salesforce;

import dev.crmsync.testkit.fault.Fault;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP-only effects the {@link FakeSalesforceServer} adds to the test kits' one fault vocabulary
 * ({@link Fault}); {@link Faults} schedules them on the server's {@link dev.crmsync.testkit.fault.FaultPlan}
 * (see {@link Faults#plan()}). The server also carries out the standard kinds: {@link Fault#retriable()}
 * answers 503 {@code SERVER_UNAVAILABLE}, {@link Fault#fatal()} 500 {@code UNKNOWN_EXCEPTION},
 * {@link Fault#quotaExceeded()} 403 {@code REQUEST_LIMIT_EXCEEDED}, {@link Fault#latency} waits through the
 * server's sleeper, {@link Fault#crash()} drops the connection, and {@link Fault#loseAnswer()} serves the
 * request (a write commits) and then drops the connection without an answer.
 */
public sealed interface HttpFault extends Fault.Extension
        permits HttpFault.ErrorBody, HttpFault.DropConnection, HttpFault.TruncateBody, HttpFault.NonJsonBody,
        HttpFault.LateAnswer {

    /**
     * Answer with a Salesforce error body {@code [{"message":..,"errorCode":..}]}.
     *
     * @param status the HTTP status (100–599)
     * @param errorCode the error code
     * @param message the message
     * @param retryAfter sent as {@code Retry-After} (whole seconds), or null for none
     */
    record ErrorBody(int status, String errorCode, String message, @Nullable Duration retryAfter) implements HttpFault {
        /** Checks the values. */
        public ErrorBody {
            checkStatus(status);
            Objects.requireNonNull(errorCode, "errorCode");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Close the connection without any response. */
    record DropConnection() implements HttpFault {
    }

    /** Serve the request normally but send only the first half of the body, then close. */
    record TruncateBody() implements HttpFault {
    }

    /**
     * Answer with an HTML page instead of JSON (as an edge proxy or a maintenance page would).
     *
     * @param status the HTTP status (100–599)
     */
    record NonJsonBody(int status) implements HttpFault {
        /** Checks the status. */
        public NonJsonBody {
            checkStatus(status);
        }
    }

    /**
     * An answer that arrives after the client's timeout, from a request that commits: the server
     * waits {@code beforeServing} (through its sleeper), serves the request — a write commits then,
     * however long the client has given up already — waits {@code beforeAnswering}, and answers
     * (to a client that has usually gone). With a {@code GatedSleeper} as the server's sleeper the
     * test decides when the commit lands: the client's read times out while the gate is closed, and
     * the write takes effect once the test opens it. Carries out "a create that timed out, but
     * committed", the cause of duplicate creates.
     *
     * @param beforeServing the wait before the request takes effect, not negative
     * @param beforeAnswering the wait between taking effect and answering, not negative
     */
    record LateAnswer(Duration beforeServing, Duration beforeAnswering) implements HttpFault {
        /** Checks the durations. */
        public LateAnswer {
            Objects.requireNonNull(beforeServing, "beforeServing");
            Objects.requireNonNull(beforeAnswering, "beforeAnswering");
            if (beforeServing.isNegative() || beforeAnswering.isNegative()) {
                throw new IllegalArgumentException("waits must not be negative, were " + beforeServing + " and "
                        + beforeAnswering);
            }
        }
    }

    private static void checkStatus(int status) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP status (100-599), was " + status);
        }
    }
}
