package dev.crmsync.salesforce.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crmsync.crm.InFlightCalls;
import dev.crmsync.model.CallAbortedException;
import dev.crmsync.model.CredentialsRefusedException;
import dev.crmsync.model.QuotaExceededException;
import dev.crmsync.model.SafeText;
import dev.crmsync.model.Sleeper;
import dev.crmsync.model.SyncException;
import dev.crmsync.salesforce.RetrySettings;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.hc.core5.net.URIBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends Salesforce calls: adds the bearer token and renews it once on 401, checks the API budget
 * before and reads {@code Sforce-Limit-Info} after every call, retries transient failures with
 * Resilience4j (exponential backoff with seeded jitter, {@code Retry-After} honoured, waits through
 * the injected {@link Sleeper}), stops hammering a failing org with a circuit breaker, and counts
 * every HTTP request by endpoint. Thread-safe.
 *
 * <p>A call aborted by a wake-up or an interrupt ({@link dev.crmsync.model.CallAbortedException}, from
 * the request or from a backoff wait) is never retried and is not held against the org by the
 * breaker: it ends the call at once.
 *
 * <p>Log lines and exception messages name the endpoint, the path and Salesforce's error code and
 * message (passed through the {@link Redactor}); never a header, a form or a body.
 */
public final class ApiClient {

    private static final Logger LOG = LoggerFactory.getLogger(ApiClient.class);

    /** Counting key of token requests. */
    public static final String TOKEN_ENDPOINT = "oauth.token";

    /** Parses a successful response inside the retried attempt (a malformed body is retried). */
    @FunctionalInterface
    public interface Parser<T> {
        /**
         * @param response a 2xx or 304 response
         * @return the parsed value
         * @throws IOException if the body is malformed or truncated (the call is retried)
         */
        T parse(RawResponse response) throws IOException;
    }

    /**
     * Parses a successful response from its body stream, inside the retried attempt, while the
     * connection is open: nothing of the body is held but what the parser keeps. A body cut midway
     * or malformed fails with an {@link IOException} and the whole call is made again, so a parser
     * must build its result locally and hand nothing out before it returns.
     */
    @FunctionalInterface
    public interface StreamParser<T> {
        /**
         * @param head the 2xx response's status and headers (its {@code body()} is empty)
         * @param body the body as it arrives
         * @return the parsed value
         * @throws IOException if the body is malformed or truncated (the call is retried)
         */
        T parse(RawResponse head, InputStream body) throws IOException;
    }

    /** A 2xx body the stream parser could not read (truncated or malformed): the response was there. */
    private static final class UnreadableBody extends IOException {
        private static final long serialVersionUID = 1L;
        final transient RawResponse head;

        UnreadableBody(RawResponse head, IOException cause) {
            super(cause.getClass().getSimpleName(), cause);
            this.head = head;
        }
    }

    /** A stream parser's runtime failure, carried out of the transport. */
    private static final class ParserFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient RawResponse head;

        ParserFailure(RawResponse head, RuntimeException cause) {
            super(cause.getMessage(), cause, false, false);
            this.head = head;
        }
    }

    /** What a streamed 2xx call gave: its head and the parsed value. */
    private record Streamed(RawResponse head, Object value) {
    }

    private static final byte[] NO_BODY = new byte[0];

    /** A transient failure of one attempt, with the server's {@code Retry-After} if any. */
    static final class Transient extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;
        final transient Duration retryAfter;

        Transient(String reason, int status, String code, Duration retryAfter, Throwable cause) {
            super(reason, cause, false, false);
            this.status = status;
            this.code = code;
            this.retryAfter = retryAfter;
        }
    }

    private final HttpTransport transport;
    private final ObjectMapper json;
    private final String apiVersion;
    private final RetrySettings settings;
    private final Sleeper sleeper;
    private final Clock clock;
    private final Redactor redactor;
    private final CallBudget budget;
    private final Retry retry;
    private final CircuitBreaker breaker;
    private final Backoff backoff;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final InFlightCalls calls;
    private volatile TokenManager tokens;

    /**
     * @param transport the HTTP client
     * @param json the mapper
     * @param apiVersion the API version, e.g. {@code 62.0}
     * @param settings retry and breaker settings
     * @param sleeper waits between attempts
     * @param random jitter source
     * @param clock the clock (breaker, Retry-After dates)
     * @param redactor scrubs secrets from foreign text
     * @param budget the API budget
     * @param calls the source's calls in flight (the transport's), through which waits are woken
     */
    public ApiClient(HttpTransport transport, ObjectMapper json, String apiVersion, RetrySettings settings,
                     Sleeper sleeper, java.util.Random random, Clock clock, Redactor redactor, CallBudget budget,
                     InFlightCalls calls) {
        this.transport = transport;
        this.calls = calls;
        this.json = json;
        this.apiVersion = apiVersion;
        this.settings = settings;
        this.sleeper = sleeper;
        this.clock = clock;
        this.redactor = redactor;
        this.budget = budget;
        this.backoff = new Backoff(settings, random);
        IntervalBiFunction<Object> interval = (attempt, outcome) -> {
            if (outcome.isLeft() && outcome.getLeft() instanceof Transient t && t.retryAfter != null) {
                return t.retryAfter.toMillis();
            }
            return backoff.delay(attempt).toMillis();
        };
        this.retry = Retry.of("salesforce", RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .retryOnException(t -> true)
                .intervalBiFunction(interval)
                .build());
        this.breaker = CircuitBreaker.of("salesforce", CircuitBreakerConfig.custom()
                .clock(clock)
                .failureRateThreshold(settings.failureRateThreshold())
                .slidingWindow(settings.circuitBreakerWindow(), settings.circuitBreakerWindow(),
                        CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .waitDurationInOpenState(settings.circuitBreakerOpenDuration())
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordException(t -> true)
                .build());
    }

    /** @param tokens the session holder (set once, right after construction) */
    public void setTokens(TokenManager tokens) {
        this.tokens = tokens;
    }

    /** @return the session holder */
    public TokenManager tokens() {
        return tokens;
    }

    /** @return the API version in use */
    public String apiVersion() {
        return apiVersion;
    }

    /** @return the breaker's state name, for tests and diagnostics */
    public String breakerState() {
        return breaker.getState().name();
    }

    /** @return calls made so far by endpoint, sorted by name */
    public Map<String, Long> callCounts() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put(k, v.sum()));
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * Sends an authenticated call and returns the successful (2xx or 304) response.
     *
     * @param call the call
     * @return the response
     * @throws ApiFailure on a non-retriable failure (most 4xx)
     * @throws RetriableApiFailure when retries are spent, the breaker is open, or repeating was unsafe
     * @throws QuotaExceededException when the budget or the daily limit is spent
     */
    public RawResponse send(ApiCall call) {
        return send(call, r -> r);
    }

    /**
     * Sends an authenticated call and parses the successful response inside the attempt.
     *
     * @param call the call
     * @param parser parses a 2xx or 304 response
     * @param <T> the result type
     * @return the parsed result
     */
    public <T> T send(ApiCall call, Parser<T> parser) {
        return exchange(call, parser, null);
    }

    /**
     * Sends an authenticated call and parses a successful (2xx) response from its body stream
     * inside the attempt, as the body arrives (see {@link StreamParser}); other responses are read
     * whole and handled as {@link #send(ApiCall, Parser)} does. A 2xx body cut midway or malformed
     * is retried like a transient failure, the whole body read again.
     *
     * @param call the call
     * @param parser parses a 2xx body as it arrives
     * @param <T> the result type
     * @return the parsed result
     */
    public <T> T stream(ApiCall call, StreamParser<T> parser) {
        java.util.Objects.requireNonNull(parser, "parser");
        return exchange(call, null, parser);
    }

    /**
     * Sends a call to the SOAP API ({@code /services/Soap/u/{version}}) through the same retry,
     * budget, breaker and session machinery as a REST call. The envelope is made per attempt, from
     * the session's access token (its {@code SessionHeader}); a SOAP fault (HTTP 500 with a
     * {@code sf:} fault code) is classified as its REST counterpart: {@code INVALID_SESSION_ID}
     * renews the session once, {@code REQUEST_LIMIT_EXCEEDED} is a spent quota, any other code a
     * failure that is not repeated; a 500 without a fault, or a 503, is retried when safe.
     *
     * @param call the call (its body is ignored)
     * @param envelope makes the request envelope from an access token
     * @param parser parses a 200 response
     * @param <T> the result type
     * @return the parsed result
     */
    public <T> T sendSoap(ApiCall call, java.util.function.Function<String, byte[]> envelope, Parser<T> parser) {
        java.util.Objects.requireNonNull(envelope, "envelope");
        java.util.Objects.requireNonNull(parser, "parser");
        return exchange(call, parser, null, envelope);
    }

    private <T> T exchange(ApiCall call, Parser<T> parser, StreamParser<T> streamParser) {
        return exchange(call, parser, streamParser, null);
    }

    @SuppressWarnings("unchecked")
    private <T> T exchange(ApiCall call, Parser<T> parser, StreamParser<T> streamParser,
                           java.util.function.Function<String, byte[]> soapEnvelope) {
        Retry.AsyncContext<Object> ctx = retry.asyncContext();
        boolean renewed = false;
        int attempt = 0;
        while (true) {
            attempt++;
            refuseIfInterrupted(call);
            TokenManager.Session session = tokens.session();
            URI uri = uri(session, call);
            budget.beforeCall(call.endpoint());
            acquire(call);
            Map<String, String> headers = new LinkedHashMap<>(call.headers());
            headers.put("Authorization", "Bearer " + session.accessToken());
            headers.putIfAbsent("Accept", "application/json");
            long start = System.nanoTime();
            RawResponse r;
            try {
                count(call.endpoint());
                byte[] body = soapEnvelope != null ? soapEnvelope.apply(session.accessToken()) : call.body();
                Object got = transport.execute(call.endpoint(), call.method(), uri, headers, body,
                        call.contentType(), (status, h, in) -> {
                            if (streamParser == null || status < 200 || status >= 300) {
                                return new RawResponse(status, h, in.readAllBytes());
                            }
                            RawResponse head = new RawResponse(status, h, NO_BODY);
                            try {
                                return new Streamed(head, streamParser.parse(head, in));
                            } catch (IOException e) {
                                throw new UnreadableBody(head, e);
                            } catch (RuntimeException e) {
                                throw new ParserFailure(head, e);
                            }
                        });
                if (got instanceof Streamed s) {
                    long elapsed = System.nanoTime() - start;
                    budget.update(LimitInfo.parse(s.head().header("Sforce-Limit-Info")));
                    LOG.debug("Salesforce {} {} -> HTTP {} ({} ms)", call.method(), call.endpoint(), s.head().status(),
                            TimeUnit.NANOSECONDS.toMillis(elapsed));
                    breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                    ctx.onComplete();
                    return (T) s.value();
                }
                r = (RawResponse) got;
            } catch (CallAbortedException e) {
                breaker.releasePermission();    // not the org's failure: the permission was not used up
                throw e;
            } catch (ParserFailure e) {
                long elapsed = System.nanoTime() - start;
                budget.update(LimitInfo.parse(e.head.header("Sforce-Limit-Info")));
                breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                if (e.getCause() instanceof SyncException se) {
                    throw se;
                }
                throw new ApiFailure("Salesforce " + call.method() + " " + call.endpoint()
                        + " returned content the source cannot use: " + SafeText.describe(e.getCause()),
                        e.head.status(), "");
            } catch (UnreadableBody e) {
                long elapsed = System.nanoTime() - start;
                budget.update(LimitInfo.parse(e.head.header("Sforce-Limit-Info")));
                breaker.onError(elapsed, TimeUnit.NANOSECONDS, e);
                String reason = "unreadable response body (" + e.getMessage() + ")";
                if (!call.idempotent()) {
                    throw new RetriableApiFailure("Salesforce " + call + " answered HTTP " + e.head.status()
                            + " with an " + reason + "; not repeated because Salesforce processed it",
                            e.head.status(), "", null);
                }
                waitBeforeRetry(ctx, call, attempt, new Transient(reason, e.head.status(), "", null, null));
                continue;
            } catch (IOException e) {
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
                String reason = describe(e);
                if (!call.idempotent() && !ErrorClassifier.neverSent(e)) {
                    throw new RetriableApiFailure("Salesforce " + call + " failed (" + reason
                            + ") and was not repeated because Salesforce may have processed it", 0, "", null);
                }
                waitBeforeRetry(ctx, call, attempt, new Transient(reason, 0, "", null, null));
                continue;
            }
            long elapsed = System.nanoTime() - start;
            budget.update(LimitInfo.parse(r.header("Sforce-Limit-Info")));
            List<ApiError> errors;
            ErrorClassifier.Action action;
            if (soapEnvelope != null && !r.isSuccess()) {
                ApiError fault = SoapFaults.parse(r.body());
                errors = fault == null ? List.of() : List.of(fault);
                action = SoapFaults.classify(r.status(), fault);
            } else {
                errors = r.isSuccess() || r.status() == 304 ? List.of() : ApiError.parse(json, r.body());
                action = ErrorClassifier.classify(r.status(), errors);
            }
            LOG.debug("Salesforce {} {} -> HTTP {} ({} ms)", call.method(), call.endpoint(), r.status(),
                    TimeUnit.NANOSECONDS.toMillis(elapsed));
            switch (action) {
                case OK -> {
                    try {
                        T value = parser != null ? parser.parse(r)
                                : streamParser.parse(r, new java.io.ByteArrayInputStream(r.body()));
                        breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                        ctx.onComplete();
                        return value;
                    } catch (SyncException e) {
                        breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                        throw e;
                    } catch (RuntimeException e) {
                        breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                        throw new ApiFailure("Salesforce " + call.method() + " " + call.endpoint()
                                + " returned content the source cannot use: " + SafeText.describe(e),
                                r.status(), "");
                    } catch (IOException e) {
                        breaker.onError(elapsed, TimeUnit.NANOSECONDS, e);
                        String reason = "unreadable response body (" + e.getClass().getSimpleName() + ")";
                        if (!call.idempotent()) {
                            throw new RetriableApiFailure("Salesforce " + call + " answered HTTP " + r.status()
                                    + " with an " + reason + "; not repeated because Salesforce processed it",
                                    r.status(), "", null);
                        }
                        waitBeforeRetry(ctx, call, attempt, new Transient(reason, r.status(), "", null, null));
                    }
                }
                case RENEW_SESSION -> {
                    breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                    if (renewed) {
                        throw new CredentialsRefusedException("Salesforce rejected the renewed access token for "
                                + call + " (HTTP 401 " + detail(errors) + ")", ErrorClassifier.firstCode(errors));
                    }
                    tokens.renew(session);
                    renewed = true;
                    attempt--; // a renewal is not a failed attempt
                }
                case QUOTA_EXCEEDED -> {
                    breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                    throw new QuotaExceededException("Salesforce daily API limit reached (HTTP " + r.status() + " "
                            + detail(errors) + ") at " + call.endpoint());
                }
                case RETRY -> {
                    breaker.onError(elapsed, TimeUnit.NANOSECONDS, new IOException("HTTP " + r.status()));
                    Duration after = ErrorClassifier.retryAfter(r.header("Retry-After"), clock).orElse(null);
                    String reason = "HTTP " + r.status() + (errors.isEmpty() ? "" : " " + detail(errors));
                    if (!call.idempotent() && !ErrorClassifier.safeToRepeatUnprocessed(r.status())) {
                        throw new RetriableApiFailure("Salesforce " + call + " failed (" + reason
                                + ") and was not repeated because Salesforce may have processed it",
                                r.status(), ErrorClassifier.firstCode(errors), null);
                    }
                    waitBeforeRetry(ctx, call, attempt,
                            new Transient(reason, r.status(), ErrorClassifier.firstCode(errors), after, null));
                }
                case FAIL -> {
                    breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                    throw new ApiFailure("Salesforce " + call.method() + " " + call.endpoint() + " failed with HTTP "
                            + r.status() + " (" + detail(errors) + ")", r.status(), ErrorClassifier.firstCode(errors));
                }
                default -> throw new IllegalStateException("unhandled action " + action);
            }
        }
    }

    /**
     * A response and its parsed JSON body.
     *
     * @param raw the response
     * @param body the JSON body, or null for 204, 304 and empty bodies
     */
    public record JsonResponse(RawResponse raw, com.fasterxml.jackson.databind.JsonNode body) {
    }

    /**
     * Sends an authenticated call and parses its JSON body inside the attempt (a body that is not
     * JSON is retried like a transient failure).
     *
     * @param call the call
     * @return the response and its body
     */
    public JsonResponse sendJson(ApiCall call) {
        return send(call, r -> {
            if (r.status() == 204 || r.status() == 304 || r.body().length == 0) {
                return new JsonResponse(r, null);
            }
            return new JsonResponse(r, json.readTree(r.body()));
        });
    }

    /**
     * Posts a form to the OAuth token endpoint, retrying transient failures. Not budgeted (token
     * requests do not count against the API limit) but counted as {@value #TOKEN_ENDPOINT}.
     *
     * @param tokenUri the token endpoint
     * @param form the form (holds secrets: never logged)
     * @return the response: success or an OAuth error for the caller to report
     */
    public RawResponse postToken(URI tokenUri, Map<String, String> form) {
        ApiCall call = new ApiCall(TOKEN_ENDPOINT, "POST", "/services/oauth2/token", Map.of(), Map.of(), null, null,
                true);
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        });
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        Retry.AsyncContext<Object> ctx = retry.asyncContext();
        int attempt = 0;
        while (true) {
            attempt++;
            refuseIfInterrupted(call);
            acquire(call);
            long start = System.nanoTime();
            RawResponse r;
            try {
                count(TOKEN_ENDPOINT);
                r = transport.execute(TOKEN_ENDPOINT, "POST", tokenUri, Map.of("Accept", "application/json"), bytes,
                        "application/x-www-form-urlencoded");
            } catch (CallAbortedException e) {
                breaker.releasePermission();
                throw e;
            } catch (IOException e) {
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
                waitBeforeRetry(ctx, call, attempt, new Transient(describe(e), 0, "", null, null));
                continue;
            }
            long elapsed = System.nanoTime() - start;
            if (r.status() >= 500 || r.status() == 429 || r.status() == 420) {
                breaker.onError(elapsed, TimeUnit.NANOSECONDS, new IOException("HTTP " + r.status()));
                Duration after = ErrorClassifier.retryAfter(r.header("Retry-After"), clock).orElse(null);
                waitBeforeRetry(ctx, call, attempt, new Transient("HTTP " + r.status(), r.status(), "", after, null));
                continue;
            }
            breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
            ctx.onComplete();
            LOG.debug("Salesforce POST {} -> HTTP {}", TOKEN_ENDPOINT, r.status());
            return r;
        }
    }

    /** Honours interruption: no request starts on an interrupted thread (the flag stays set). */
    private static void refuseIfInterrupted(ApiCall call) {
        if (Thread.currentThread().isInterrupted()) {
            throw new CallAbortedException("Salesforce " + call.method() + " " + call.endpoint()
                    + " was not started: the thread is interrupted");
        }
    }

    private void acquire(ApiCall call) {
        if (!breaker.tryAcquirePermission()) {
            throw new RetriableApiFailure("Salesforce circuit breaker is open after repeated failures; not calling "
                    + call.endpoint() + " for now", 0, "", null);
        }
    }

    private void waitBeforeRetry(Retry.AsyncContext<Object> ctx, ApiCall call, int attempt, Transient failure) {
        if (failure.retryAfter != null && failure.retryAfter.compareTo(settings.maxRetryAfter()) > 0) {
            ctx.onError(failure);
            throw new RetriableApiFailure("Salesforce " + call + " failed (" + failure.getMessage() + ") and asked to "
                    + "retry after " + failure.retryAfter.toSeconds() + " s, longer than the configured maximum of "
                    + settings.maxRetryAfter().toSeconds() + " s", failure.status, failure.code, null);
        }
        long delay = ctx.onError(failure);
        if (delay < 0) {
            throw new RetriableApiFailure("Salesforce " + call + " failed after " + attempt + " attempt"
                    + (attempt == 1 ? "" : "s") + " (" + failure.getMessage() + ")", failure.status, failure.code, null);
        }
        LOG.info("Salesforce {} failed ({}); retry {} of {} in {} ms", call.endpoint(), failure.getMessage(),
                attempt, settings.maxAttempts() - 1, delay);
        calls.sleep(sleeper, Duration.ofMillis(delay), "wait to retry " + call.endpoint());
    }

    /**
     * Waits through the source's sleeper in a way a wake-up ends (Bulk job polls).
     *
     * @param duration how long
     * @param what the wait, for the abort message
     * @throws dev.crmsync.model.CallAbortedException if woken up or interrupted (then the flag stays set)
     */
    public void pause(Duration duration, String what) {
        calls.sleep(sleeper, duration, what);
    }

    private URI uri(TokenManager.Session session, ApiCall call) {
        String base = session.instanceUrl().toString();
        String path = call.path();
        String full;
        if (path.startsWith("/services/")) {
            if (path.contains("..") || path.contains("//") || path.contains("\\") || path.contains("@")) {
                throw new ApiFailure("refusing to follow a suspicious Salesforce path " + Soql.display(path), 0, "");
            }
            full = base + path;
        } else {
            full = base + "/services/data/v" + apiVersion + path;
        }
        try {
            URIBuilder b = new URIBuilder(full);
            call.query().forEach(b::addParameter);
            URI u = b.build();
            if (!session.instanceUrl().getHost().equalsIgnoreCase(u.getHost())) {
                throw new ApiFailure("refusing to call a host other than the instance: " + u.getHost(), 0, "");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new ApiFailure("invalid Salesforce URL for " + call.endpoint() + ": " + e.getReason(), 0, "");
        }
    }

    private void count(String endpoint) {
        counts.computeIfAbsent(endpoint, k -> new LongAdder()).increment();
    }

    private String detail(List<ApiError> errors) {
        if (errors.isEmpty()) {
            return "no error details";
        }
        ApiError e = errors.get(0);
        // the code and the fields blamed, never Salesforce's message: it may quote the values sent
        return redactor.redact(SafeText.name(e.code())
                + (e.fields().isEmpty() ? "" : " on " + SafeText.names(e.fields())));
    }

    private String describe(IOException e) {
        String kind = ErrorClassifier.isTimeout(e) ? "timeout" : "connection failure";
        return SafeText.bounded(kind + ": " + e.getClass().getSimpleName()
                + Optional.ofNullable(e.getMessage()).map(m -> " " + redactor.redact(m)).orElse(""));
    }
}
