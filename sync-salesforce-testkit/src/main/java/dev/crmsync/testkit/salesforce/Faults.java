package dev.crmsync.testkit.salesforce;

import dev.crmsync.model.Sleeper;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.testkit.fault.FaultPlan;
import dev.crmsync.testkit.salesforce.internal.ServerConditions;
import dev.crmsync.testkit.salesforce.internal.SalesforceApi;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The faults a test schedules on a {@link FakeSalesforceServer}. Path-based faults take a regular
 * expression that must be found in the request path ({@link java.util.regex.Matcher#find()}, so
 * {@code "/query"} also matches {@code /queryAll}; anchor with {@code ^...$} when needed) and fire
 * on the next {@code n} matching requests, in the order they were scheduled. Every per-request verb
 * schedules an {@link HttpFault} (or a standard {@link Fault}) on the server's one
 * {@link FaultPlan} ({@link #plan()}), the plan type every fake of the test kits uses. A faulted request is
 * recorded but does not count against the daily API limit (except {@link #truncateBodyNext}, whose
 * request is served). Per-record write failures ({@code UNABLE_TO_LOCK_ROW}, validation and
 * duplicate rules) come from the backing CRM ({@code InMemoryCrm.lockRecord},
 * {@code addValidationRule}); failures the CRM throws become HTTP errors (quota → 403
 * {@code REQUEST_LIMIT_EXCEEDED}, retriable → 503, other → 500).
 */
public final class Faults {

    private final SalesforceApi api;
    private final FaultPlan<String> plan;
    private final ServerConditions conditions;

    Faults(SalesforceApi api) {
        this.api = api;
        this.plan = api.plan();
        this.conditions = api.conditions();
    }

    /**
     * The plan every per-request verb of this class schedules on, its operations being request paths:
     * for what the verbs do not say, such as a seeded {@link FaultPlan#failAtCall} or a standard
     * {@link Fault} ({@link Fault#loseAnswer()}: serve the request, then drop the connection). Seeded
     * with the server's seed.
     *
     * @return the server's fault plan
     */
    public FaultPlan<String> plan() {
        return plan;
    }

    /**
     * @param pathRegex a regular expression found in the path
     * @return a predicate over request paths, for the {@code …Where} verbs of {@link #plan()}
     */
    public static Predicate<String> path(String pathRegex) {
        return Pattern.compile(Objects.requireNonNull(pathRegex, "pathRegex")).asPredicate();
    }

    /**
     * Expires every access token issued so far, and the fixed token: the next call with any of them
     * gets 401 {@code [{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]}.
     * Tokens issued afterwards work; refresh tokens stay valid.
     *
     * @return these faults
     */
    public Faults expireAccessTokens() {
        api.tokens().expireAll();
        return this;
    }

    /**
     * Expires every access token (as {@link #expireAccessTokens()}) after this many more
     * successfully authenticated requests: the {@code requests}-th succeeds, the next fails.
     *
     * @param requests how many requests still succeed, at least 1
     * @return these faults
     */
    public Faults expireAccessTokensAfter(int requests) {
        api.tokens().expireAfter(requests);
        return this;
    }

    /**
     * Revokes a refresh token: a later refresh with it gets 400
     * {@code {"error":"invalid_grant","error_description":"expired access/refresh token"}}.
     *
     * @param refreshToken the token
     * @return these faults
     */
    public Faults revokeRefreshToken(String refreshToken) {
        api.tokens().revokeRefreshToken(Objects.requireNonNull(refreshToken, "refreshToken"));
        return this;
    }

    /**
     * Answers the next {@code n} matching requests with a Salesforce error body
     * {@code [{"message":..,"errorCode":..}]}. Examples: 503 with a {@code Retry-After}, 429, 500,
     * 420, 403 {@code REQUEST_LIMIT_EXCEEDED} "TotalRequests Limit exceeded." or
     * "ConcurrentPerOrgLongTxn Limit exceeded.", 400 {@code QUERY_TIMEOUT}.
     *
     * @param pathRegex found in the path
     * @param n how many requests
     * @param status the HTTP status
     * @param errorCode the error code
     * @param message the message
     * @param retryAfterOrNull sent as {@code Retry-After} (whole seconds), or null for none
     * @return these faults
     */
    public Faults failNext(String pathRegex, int n, int status, String errorCode, String message,
                           @Nullable Duration retryAfterOrNull) {
        plan.failNextWhere(path(pathRegex), n, new HttpFault.ErrorBody(status, errorCode, message, retryAfterOrNull));
        return this;
    }

    /**
     * Answers each matching request, with the given probability drawn from the server's seeded
     * random, with an error as {@link #failNext} does, until {@link #clear()}.
     *
     * @param pathRegex found in the path
     * @param probability between 0 and 1
     * @param status the HTTP status
     * @param errorCode the error code
     * @param message the message
     * @return these faults
     */
    public Faults failRandomly(String pathRegex, double probability, int status, String errorCode, String message) {
        plan.failRateWhere(path(pathRegex), probability, new HttpFault.ErrorBody(status, errorCode, message, null));
        return this;
    }

    /**
     * Closes the connection of the next {@code n} matching requests without any response.
     *
     * @param pathRegex found in the path
     * @param n how many requests
     * @return these faults
     */
    public Faults dropConnectionNext(String pathRegex, int n) {
        plan.failNextWhere(path(pathRegex), n, new HttpFault.DropConnection());
        return this;
    }

    /**
     * Serves the next {@code n} matching requests normally but sends only the first half of the
     * body (with the full {@code Content-Length}), then closes the connection.
     *
     * @param pathRegex found in the path
     * @param n how many requests
     * @return these faults
     */
    public Faults truncateBodyNext(String pathRegex, int n) {
        plan.failNextWhere(path(pathRegex), n, new HttpFault.TruncateBody());
        return this;
    }

    /**
     * Answers the next {@code n} matching requests with an HTML page (as an edge proxy or a
     * maintenance page would), status 200.
     *
     * @param pathRegex found in the path
     * @param n how many requests
     * @return these faults
     */
    public Faults nonJsonBodyNext(String pathRegex, int n) {
        return nonJsonBodyNext(pathRegex, n, 200);
    }

    /**
     * Answers the next {@code n} matching requests with an HTML page and the given status.
     *
     * @param pathRegex found in the path
     * @param n how many requests
     * @param status the HTTP status, e.g. 200 or 503
     * @return these faults
     */
    public Faults nonJsonBodyNext(String pathRegex, int n, int status) {
        plan.failNextWhere(path(pathRegex), n, new HttpFault.NonJsonBody(status));
        return this;
    }

    /**
     * Answers the next {@code n} matching requests after the client's timeout, having served them
     * ({@link HttpFault.LateAnswer}): each waits {@code beforeServing} through the server's
     * {@link Sleeper}, takes effect (a write commits), waits {@code beforeAnswering}, then answers.
     * With a gated sleeper the test decides when the writes land.
     *
     * @param pathRegex found in the path
     * @param n how many requests
     * @param beforeServing the wait before the request takes effect
     * @param beforeAnswering the wait between taking effect and answering
     * @return these faults
     */
    public Faults answerLateNext(String pathRegex, int n, Duration beforeServing, Duration beforeAnswering) {
        plan.failNextWhere(path(pathRegex), n, new HttpFault.LateAnswer(beforeServing, beforeAnswering));
        return this;
    }

    /**
     * Delays the next {@code n} matching requests through the server's {@link Sleeper}
     * before they are served (they may also meet another fault).
     *
     * @param pathRegex found in the path
     * @param n how many requests
     * @param delay the delay
     * @return these faults
     */
    public Faults slowNext(String pathRegex, int n, Duration delay) {
        plan.failNextWhere(path(pathRegex), n, Fault.latency(delay));
        return this;
    }

    /**
     * @param never true to keep Bulk query jobs in {@code InProgress} however often they are
     *     polled (results then answer 412 {@code JOB_NOT_COMPLETE}); false to let them complete
     * @return these faults
     */
    public Faults bulkJobsNeverComplete(boolean never) {
        conditions.bulkNeverComplete(never);
        return this;
    }

    /**
     * @param errorMessageOrNull make Bulk query jobs end in {@code Failed} with this
     *     {@code errorMessage} instead of completing; null to let them complete
     * @return these faults
     */
    public Faults bulkJobsFail(@Nullable String errorMessageOrNull) {
        conditions.bulkFailure(errorMessageOrNull);
        return this;
    }

    /**
     * Makes Bulk query job creation for a type fail with 400
     * {@code INVALIDENTITY "Entity 'T' is not supported by the Bulk API."}.
     *
     * @param type the type
     * @return these faults
     */
    public Faults bulkUnsupported(ObjectType type) {
        conditions.bulkUnsupported(type);
        return this;
    }

    /**
     * Makes REST queries ({@code query}, {@code queryAll}) that match more than {@code rows} rows
     * (before LIMIT) fail with 400 {@code QUERY_TIMEOUT} "Your query request was running for too
     * long.", as a too-wide window does, so a client that splits its window can be tested.
     *
     * @param rows the largest result that still succeeds
     * @return these faults
     */
    public Faults queryTimeoutAbove(int rows) {
        conditions.queryTimeoutAbove(rows);
        return this;
    }

    /**
     * Invalidates every open query cursor: following a {@code nextRecordsUrl} then gets 400
     * {@code INVALID_QUERY_LOCATOR}.
     *
     * @return these faults
     */
    public Faults expireQueryLocators() {
        api.cursors().invalidateAll();
        return this;
    }

    /**
     * Sets the daily API usage counter (e.g. to the limit, so the next call gets 403
     * {@code REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded."}).
     *
     * @param used calls to consider used in the current window
     * @return these faults
     */
    public Faults usedApiCalls(long used) {
        if (used < 0) {
            throw new IllegalArgumentException("used must be >= 0, was " + used);
        }
        api.usage().setUsed(used);
        return this;
    }

    /**
     * Removes every scheduled fault, flag and pending token expiry. Tokens already expired stay
     * expired; the API usage counter is kept (see {@link #usedApiCalls}).
     *
     * @return these faults
     */
    public Faults clear() {
        plan.clear();
        conditions.clear();
        api.tokens().cancelScheduledExpiry();
        return this;
    }
}
