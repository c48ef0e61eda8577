package dev.crmsync.testkit.salesforce.internal;

import dev.crmsync.model.ObjectType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The faults scheduled on the server. Rules match a request's path with a regular expression
 * ({@link java.util.regex.Matcher#find()}, so anchor with {@code ^...$} when needed) and fire in
 * the order they were added. Thread-safe.
 */
public final class FaultPlan {

    /** What to do instead of answering normally. */
    public sealed interface Action {
    }

    /**
     * Answer with a Salesforce error body.
     *
     * @param status the HTTP status
     * @param errorCode the error code
     * @param message the message
     * @param retryAfter the Retry-After delay, or null
     */
    public record Fail(int status, String errorCode, String message, Duration retryAfter) implements Action {
    }

    /** Close the connection without a response. */
    public record Drop() implements Action {
    }

    /** Answer normally but send only part of the body, then close. */
    public record Truncate() implements Action {
    }

    /**
     * Answer with an HTML page instead of JSON.
     *
     * @param status the HTTP status
     */
    public record NonJson(int status) implements Action {
    }

    private static final class Rule {
        final Pattern path;
        int remaining;
        final Action action;
        final Duration delay;
        final double probability;

        Rule(Pattern path, int remaining, Action action, Duration delay, double probability) {
            this.path = path;
            this.remaining = remaining;
            this.action = action;
            this.delay = delay;
            this.probability = probability;
        }
    }

    private final Random random;
    private final List<Rule> rules = new ArrayList<>();
    private final List<Rule> slow = new ArrayList<>();
    private final Set<ObjectType> bulkUnsupported = ConcurrentHashMap.newKeySet();
    private volatile boolean bulkNeverComplete;
    private volatile String bulkFailure;
    private volatile Integer queryTimeoutAbove;

    /** @param seed seeds the randomness of {@link #addRandom} */
    public FaultPlan(long seed) {
        this.random = new Random(seed);
    }

    /**
     * Schedules an action for the next {@code n} matching requests.
     *
     * @param pathRegex the path pattern
     * @param n how many requests
     * @param action what to do
     */
    public synchronized void add(String pathRegex, int n, Action action) {
        rules.add(new Rule(compile(pathRegex), positive(n), Objects.requireNonNull(action, "action"), null, 1.0));
    }

    /**
     * Fails each matching request with the given probability (drawn from the seeded random), forever.
     *
     * @param pathRegex the path pattern
     * @param probability between 0 and 1
     * @param action what to do when drawn
     */
    public synchronized void addRandom(String pathRegex, double probability, Action action) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("probability must be between 0 and 1, was " + probability);
        }
        rules.add(new Rule(compile(pathRegex), Integer.MAX_VALUE, Objects.requireNonNull(action, "action"), null,
                probability));
    }

    /**
     * Delays the next {@code n} matching requests.
     *
     * @param pathRegex the path pattern
     * @param n how many requests
     * @param delay the delay, passed to the sleeper
     */
    public synchronized void addSlow(String pathRegex, int n, Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        slow.add(new Rule(compile(pathRegex), positive(n), null, delay, 1.0));
    }

    /**
     * @param path a request path
     * @return the action to take instead of answering normally, if one is due (consumes it)
     */
    public synchronized Optional<Action> next(String path) {
        Iterator<Rule> it = rules.iterator();
        while (it.hasNext()) {
            Rule r = it.next();
            if (!r.path.matcher(path).find()) {
                continue;
            }
            if (r.probability < 1.0 && random.nextDouble() >= r.probability) {
                continue;
            }
            if (r.remaining != Integer.MAX_VALUE && --r.remaining <= 0) {
                it.remove();
            }
            return Optional.of(r.action);
        }
        return Optional.empty();
    }

    /**
     * @param path a request path
     * @return the delay due for it, if any (consumes it)
     */
    public synchronized Optional<Duration> delay(String path) {
        Iterator<Rule> it = slow.iterator();
        while (it.hasNext()) {
            Rule r = it.next();
            if (r.path.matcher(path).find()) {
                if (--r.remaining <= 0) {
                    it.remove();
                }
                return Optional.of(r.delay);
            }
        }
        return Optional.empty();
    }

    /** @param value true to keep Bulk jobs in InProgress forever */
    public void bulkNeverComplete(boolean value) {
        bulkNeverComplete = value;
    }

    /** @return true if Bulk jobs never complete */
    public boolean bulkNeverComplete() {
        return bulkNeverComplete;
    }

    /** @param errorMessage the message Bulk jobs fail with, or null for jobs that succeed */
    public void bulkFailure(String errorMessage) {
        bulkFailure = errorMessage;
    }

    /** @return the message Bulk jobs fail with, or null */
    public String bulkFailure() {
        return bulkFailure;
    }

    /** @param type a type Bulk job creation refuses */
    public void bulkUnsupported(ObjectType type) {
        bulkUnsupported.add(Objects.requireNonNull(type, "type"));
    }

    /**
     * @param type a type
     * @return true if Bulk refuses it
     */
    public boolean isBulkUnsupported(ObjectType type) {
        return bulkUnsupported.contains(type);
    }

    /** @param rows fail REST queries matching more rows than this with QUERY_TIMEOUT; null to stop */
    public void queryTimeoutAbove(Integer rows) {
        if (rows != null && rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, was " + rows);
        }
        queryTimeoutAbove = rows;
    }

    /** @return the QUERY_TIMEOUT threshold, or null */
    public Integer queryTimeoutAbove() {
        return queryTimeoutAbove;
    }

    /** Removes every scheduled fault and flag. */
    public synchronized void clear() {
        rules.clear();
        slow.clear();
        bulkUnsupported.clear();
        bulkNeverComplete = false;
        bulkFailure = null;
        queryTimeoutAbove = null;
    }

    private static Pattern compile(String regex) {
        Objects.requireNonNull(regex, "pathRegex");
        return Pattern.compile(regex);
    }

    private static int positive(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, was " + n);
        }
        return n;
    }
}
