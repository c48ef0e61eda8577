package dev.crmsync.testkit.fault;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.QuotaExceededException;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.model.SyncException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The faults a test schedules on a fake, per operation of type {@code O} (a store's
 * {@link StoreOperation}, the in-memory CRM's {@code CrmOperation}, the fake Salesforce server's request
 * path): one seeded, thread-safe plan type for every fake of the test kits, in the manner of OkHttp's
 * {@code MockWebServer} queue and Retrofit-mock's {@code NetworkBehavior}. The verbs return
 * {@code this} for chaining and may be called at any time, from any thread; the fake asks
 * {@link #onCall} once per call and carries out the {@link Due} answer.
 *
 * <h2>Verbs</h2>
 * <ul>
 *   <li>{@link #failNext(Object, int, Fault)}: the next {@code n} calls of an operation meet the fault
 *       (queued behind faults scheduled earlier for the same calls);</li>
 *   <li>{@link #failRate(Object, double, Fault)}: each call of an operation meets the fault with a
 *       probability, drawn from a {@link Random} seeded by {@link #seed(long)}, so a run repeats;</li>
 *   <li>{@link #failAtCall(long, Fault)}: the {@code n}-th call from now, of any operation;
 *       {@link #failFromCall(long, Fault)}: that call and every later one (a dead process);</li>
 *   <li>{@link #latency(Duration)}, {@link #latency(Object, Duration)}: a delay added to every call
 *       (of an operation); {@code failNext(op, n, Fault.latency(d))} delays only the next calls;</li>
 *   <li>{@link #quotaExceededAfter(long)}: after so many more calls, every call is refused;</li>
 *   <li>{@link #reject(CrmId, String, boolean)}: batches reject the record with that CRM id.</li>
 * </ul>
 * The {@code …Where} forms take a predicate instead of one operation (e.g. a path pattern).
 *
 * <h2>Which fault a call meets</h2>
 * Per call, in this order: a spent quota refuses it outright (nothing else is consumed); then the
 * {@code failAtCall}/{@code failFromCall} point; then the {@code failNext} entries in the order they
 * were scheduled — the first that matches is consumed and decides the outcome; then, while no
 * outcome is decided, the {@code failRate} rules in order, each drawing once. {@link Fault.Latency}
 * faults never decide the outcome: every latency that applies is added up (a {@code failNext}
 * latency is consumed by the call it delays) and the call may still meet another fault.
 */
public final class FaultPlan<O> {

    /** A scheduled fault: which operations, which fault, how many calls left (or a probability). */
    private static final class Rule<O> {
        final @Nullable O operation;
        final Predicate<? super O> matches;
        final Fault fault;
        final double probability;
        int remaining;

        Rule(@Nullable O operation, Predicate<? super O> matches, Fault fault, double probability, int remaining) {
            this.operation = operation;
            this.matches = matches;
            this.fault = fault;
            this.probability = probability;
            this.remaining = remaining;
        }
    }

    private final List<Rule<O>> next = new ArrayList<>();
    private final List<Rule<O>> rates = new ArrayList<>();
    private final List<Rule<O>> latencies = new ArrayList<>();
    private final Map<CrmId, Fault.Reject> rejections = new HashMap<>();
    private long atCall;
    private @Nullable Fault atCallFault;
    private boolean fromCall;
    private @Nullable Fault deadFault;
    private long quotaLeft = -1;
    private Random random = new Random(0);
    private long injected;

    /** Creates an empty plan (no faults, seed 0). */
    public FaultPlan() {
    }

    /**
     * Seeds the random source of {@link #failRate}.
     *
     * @param seed the seed
     * @return this
     */
    public synchronized FaultPlan<O> seed(long seed) {
        this.random = new Random(seed);
        return this;
    }

    /**
     * Makes the next {@code n} calls of an operation meet a fault.
     *
     * @param operation the operation
     * @param n how many calls, at least 1
     * @param fault the fault (not a {@link Fault.Reject}, which is scheduled by record)
     * @return this
     */
    public FaultPlan<O> failNext(O operation, int n, Fault fault) {
        Objects.requireNonNull(operation, "operation");
        return add(next, operation, operation::equals, fault, 1, positive(n));
    }

    /**
     * Makes the next {@code n} calls of the operations a predicate accepts meet a fault.
     *
     * @param operations which operations
     * @param n how many calls, at least 1
     * @param fault the fault (not a {@link Fault.Reject})
     * @return this
     */
    public FaultPlan<O> failNextWhere(Predicate<? super O> operations, int n, Fault fault) {
        return add(next, null, Objects.requireNonNull(operations, "operations"), fault, 1, positive(n));
    }

    /**
     * Makes each call of an operation meet a fault with a probability, until {@link #clear()}.
     * Replaces an earlier rate of the same operation.
     *
     * @param operation the operation
     * @param probability from 0 (never: removes the rate) to 1 (always)
     * @param fault the fault (not a {@link Fault.Reject})
     * @return this
     */
    public synchronized FaultPlan<O> failRate(O operation, double probability, Fault fault) {
        Objects.requireNonNull(operation, "operation");
        checkProbability(probability);
        checkSchedulable(fault);
        rates.removeIf(r -> operation.equals(r.operation));
        if (probability > 0) {
            rates.add(new Rule<>(operation, operation::equals, fault, probability, Integer.MAX_VALUE));
        }
        return this;
    }

    /**
     * Makes each call of the operations a predicate accepts meet a fault with a probability, until
     * {@link #clear()}.
     *
     * @param operations which operations
     * @param probability from 0 to 1
     * @param fault the fault (not a {@link Fault.Reject})
     * @return this
     */
    public FaultPlan<O> failRateWhere(Predicate<? super O> operations, double probability, Fault fault) {
        checkProbability(probability);
        return add(rates, null, Objects.requireNonNull(operations, "operations"), fault, probability,
                Integer.MAX_VALUE);
    }

    /**
     * Makes the {@code n}-th call from now (counting the calls of every operation, 1 being the very
     * next) meet a fault. Replaces an earlier call point.
     *
     * @param n the call number, at least 1
     * @param fault the fault (typically {@link Fault#retriable()} or {@link Fault#crash()})
     * @return this
     */
    public synchronized FaultPlan<O> failAtCall(long n, Fault fault) {
        return callPoint(n, fault, false);
    }

    /**
     * Makes the {@code n}-th call from now and every later call meet a fault, until {@link #clear()}:
     * the process is dead from there on.
     *
     * @param n the call number, at least 1
     * @param fault the fault (typically {@link Fault#crash()})
     * @return this
     */
    public synchronized FaultPlan<O> failFromCall(long n, Fault fault) {
        return callPoint(n, fault, true);
    }

    private FaultPlan<O> callPoint(long n, Fault fault, boolean persistent) {
        if (n < 1) {
            throw new IllegalArgumentException("call number must be >= 1, was " + n);
        }
        checkSchedulable(fault);
        atCall = n;
        atCallFault = fault;
        fromCall = persistent;
        deadFault = null;
        return this;
    }

    /**
     * Adds a delay to every call, until {@link #clear()}.
     *
     * @param perCall the delay, not negative
     * @return this
     */
    public FaultPlan<O> latency(Duration perCall) {
        return add(latencies, null, op -> true, new Fault.Latency(perCall), 1, Integer.MAX_VALUE);
    }

    /**
     * Adds a delay to every call of an operation (on top of {@link #latency(Duration)}), until
     * {@link #clear()}. Replaces an earlier latency of the same operation.
     *
     * @param operation the operation
     * @param perCall the delay, not negative
     * @return this
     */
    public synchronized FaultPlan<O> latency(O operation, Duration perCall) {
        Objects.requireNonNull(operation, "operation");
        Fault.Latency l = new Fault.Latency(perCall);
        latencies.removeIf(r -> operation.equals(r.operation));
        latencies.add(new Rule<>(operation, operation::equals, l, 1, Integer.MAX_VALUE));
        return this;
    }

    /**
     * Lets the next {@code calls} calls (of any operation) through, then refuses every call with
     * {@link Fault#quotaExceeded()} until {@link #clear()}. A refused call meets no other fault.
     *
     * @param calls how many more calls are allowed, not negative
     * @return this
     */
    public synchronized FaultPlan<O> quotaExceededAfter(long calls) {
        if (calls < 0) {
            throw new IllegalArgumentException("calls must not be negative, was " + calls);
        }
        quotaLeft = calls;
        return this;
    }

    /**
     * Makes batches reject the record with this CRM id (the rest of the batch is written), until
     * {@link #stopRejecting} or {@link #clear()}.
     *
     * @param id the CRM id
     * @param code the reason code the rejection carries
     * @param retriable whether the rejection says a retry may succeed
     * @return this
     */
    public synchronized FaultPlan<O> reject(CrmId id, String code, boolean retriable) {
        rejections.put(Objects.requireNonNull(id, "id"), new Fault.Reject(code, retriable));
        return this;
    }

    /**
     * Stops rejecting the record with this CRM id.
     *
     * @param id the CRM id
     * @return this
     */
    public synchronized FaultPlan<O> stopRejecting(CrmId id) {
        rejections.remove(Objects.requireNonNull(id, "id"));
        return this;
    }

    /**
     * Removes every fault, latency, quota, call point and rejection (the seed and
     * {@link #injectedCount()} stay).
     *
     * @return this
     */
    public synchronized FaultPlan<O> clear() {
        next.clear();
        rates.clear();
        latencies.clear();
        rejections.clear();
        atCall = 0;
        atCallFault = null;
        fromCall = false;
        deadFault = null;
        quotaLeft = -1;
        return this;
    }

    /** @return how many faults (outcomes other than latency, and rejections) this plan has handed out */
    public synchronized long injectedCount() {
        return injected;
    }

    // ---- asked by the fakes ---------------------------------------------------------------------

    /**
     * Decides what one call meets, consuming what it uses (see the class documentation). A fake calls
     * it once per call, before the call takes effect.
     *
     * @param operation the operation called
     * @return the delay and the fault (if any) due for this call
     */
    public synchronized Due onCall(O operation) {
        Objects.requireNonNull(operation, "operation");
        if (quotaLeft == 0) {
            injected++;
            return new Due(Duration.ZERO, Fault.quotaExceeded());
        }
        if (quotaLeft > 0) {
            quotaLeft--;
        }
        Fault outcome = deadFault;
        if (atCall > 0 && --atCall == 0) {
            outcome = atCallFault;
            if (fromCall) {
                deadFault = atCallFault;
            }
            atCallFault = null;
        }
        Duration delay = Duration.ZERO;
        for (Rule<O> r : latencies) {
            if (r.matches.test(operation)) {
                delay = delay.plus(((Fault.Latency) r.fault).delay());
            }
        }
        Iterator<Rule<O>> it = next.iterator();
        while (it.hasNext()) {
            Rule<O> r = it.next();
            boolean isDelay = r.fault instanceof Fault.Latency;
            if ((!isDelay && outcome != null) || !r.matches.test(operation)) {
                continue;
            }
            if (--r.remaining <= 0) {
                it.remove();
            }
            if (r.fault instanceof Fault.Latency l) {
                delay = delay.plus(l.delay());
            } else {
                outcome = r.fault;
            }
        }
        for (Rule<O> r : rates) {
            if (outcome != null) {
                break;
            }
            if (r.matches.test(operation) && random.nextDouble() < r.probability) {
                if (r.fault instanceof Fault.Latency l) {
                    delay = delay.plus(l.delay());
                } else {
                    outcome = r.fault;
                }
            }
        }
        if (outcome != null) {
            injected++;
        }
        return outcome == null && delay.isZero() ? Due.NONE : new Due(delay, outcome);
    }

    /**
     * @param id a record's CRM id
     * @return the rejection scheduled for it, if any (counted in {@link #injectedCount()})
     */
    public synchronized Optional<Fault.Reject> rejection(CrmId id) {
        if (rejections.isEmpty()) {
            return Optional.empty();
        }
        Fault.Reject r = rejections.get(Objects.requireNonNull(id, "id"));
        if (r != null) {
            injected++;
        }
        return Optional.ofNullable(r);
    }

    /** @return true while at least one record rejection is scheduled */
    public synchronized boolean rejectsRecords() {
        return !rejections.isEmpty();
    }

    /**
     * What one call meets: a delay (zero for none) and at most one other fault. The helpers throw
     * the standard exceptions, so that every fake fails the same way.
     *
     * @param delay the added latency, not negative
     * @param fault the fault the call meets besides the delay, or null
     */
    public record Due(Duration delay, @Nullable Fault fault) {

        /** Nothing due. */
        public static final Due NONE = new Due(Duration.ZERO, null);

        /** Checks the values. */
        public Due {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative, was " + delay);
            }
            if (fault instanceof Fault.Latency || fault instanceof Fault.Reject) {
                throw new IllegalArgumentException("fault must be an outcome, not " + fault);
            }
        }

        /**
         * Throws what a call fails with before it takes effect: {@link RetriableSyncException} or
         * {@link SyncException} for {@link Fault.Fail}, {@link QuotaExceededException},
         * {@link SimulatedCrash}. Returns for no fault, {@link Fault.LoseAnswer} and extensions.
         *
         * @param where the operation, for the message (no customer value)
         */
        public void failBefore(String where) {
            Objects.requireNonNull(where, "where");
            if (fault instanceof Fault.Fail f) {
                throw f.retriable() ? new RetriableSyncException("injected retriable failure (" + where + ")")
                        : new SyncException("injected fatal failure (" + where + ")");
            }
            if (fault instanceof Fault.QuotaExceeded) {
                throw new QuotaExceededException("REQUEST_LIMIT_EXCEEDED: injected quota exceeded (" + where + ")");
            }
            if (fault instanceof Fault.Crash) {
                throw new SimulatedCrash(where);
            }
        }

        /**
         * Throws a {@link RetriableSyncException} if the call's answer is to be lost
         * ({@link Fault.LoseAnswer}); the fake calls it after the call took effect.
         *
         * @param where the operation, for the message (no customer value)
         */
        public void failAfter(String where) {
            Objects.requireNonNull(where, "where");
            if (fault instanceof Fault.LoseAnswer) {
                throw new RetriableSyncException("injected: the answer was lost after the call took effect ("
                        + where + ")");
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private synchronized FaultPlan<O> add(List<Rule<O>> list, @Nullable O operation, Predicate<? super O> matches,
                                          Fault fault, double probability, int remaining) {
        checkSchedulable(fault);
        list.add(new Rule<>(operation, matches, fault, probability, remaining));
        return this;
    }

    private static void checkSchedulable(Fault fault) {
        Objects.requireNonNull(fault, "fault");
        if (fault instanceof Fault.Reject) {
            throw new IllegalArgumentException("a Reject is scheduled by record: use reject(id, code, retriable)");
        }
    }

    private static void checkProbability(double probability) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("probability must be within [0, 1], was " + probability);
        }
    }

    private static int positive(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, was " + n);
        }
        return n;
    }
}
