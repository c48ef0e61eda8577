package dev.crmsync.store.memory;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.RetriableSyncException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * Faults an in-memory store injects, so that tests can see how the engine behaves when its
 * storage fails. Every store owns one profile (see {@link InMemoryMarketingStore#faults()}),
 * empty until a test configures it; the methods return {@code this} for chaining and may be
 * called at any time, from any thread.
 *
 * <p>Kinds of fault:
 * <ul>
 *   <li>{@link #failNext}: the next {@code n} calls of an operation throw a
 *       {@link RetriableSyncException} <em>before</em> they change anything;</li>
 *   <li>{@link #loseAckOfNext}: the next {@code n} calls of an operation take effect and
 *       <em>then</em> throw (the caller cannot tell whether its write landed, as after a lost
 *       acknowledgement);</li>
 *   <li>{@link #failAtCall}: the {@code n}-th call from now, of any operation, throws before
 *       taking effect — the simulated crash point of crash tests;</li>
 *   <li>{@link #failRate}: each call of an operation fails with a probability, drawn from a
 *       {@link Random} seeded by {@link #seed(long)}, so a run is repeatable;</li>
 *   <li>{@link #reject}: records with a given CRM id get a
 *       {@link dev.crmsync.store.StoreResult.Rejected} from {@code upsert} and
 *       {@code markDeleted}, while the rest of the batch is written.</li>
 * </ul>
 */
public final class FaultProfile {

    private final Map<StoreOperation, Integer> failNext = new EnumMap<>(StoreOperation.class);
    private final Map<StoreOperation, Integer> loseAck = new EnumMap<>(StoreOperation.class);
    private final Map<StoreOperation, Double> rates = new EnumMap<>(StoreOperation.class);
    private final Map<CrmId, Rejection> rejections = new HashMap<>();
    private long failAtCall;
    private Random random = new Random(0);
    private long injected;

    /** Creates an empty profile (no faults, seed 0). */
    public FaultProfile() {
    }

    /**
     * Seeds the random source used by {@link #failRate}.
     *
     * @param seed the seed
     * @return this
     */
    public synchronized FaultProfile seed(long seed) {
        this.random = new Random(seed);
        return this;
    }

    /**
     * Makes the next {@code n} calls of {@code operation} throw a {@link RetriableSyncException}
     * before they change anything. Adds to any count already set.
     *
     * @param operation the operation
     * @param n how many calls, at least 1
     * @return this
     */
    public synchronized FaultProfile failNext(StoreOperation operation, int n) {
        Objects.requireNonNull(operation, "operation");
        requirePositive(n);
        failNext.merge(operation, n, Integer::sum);
        return this;
    }

    /**
     * Makes the next {@code n} calls of {@code operation} take effect and then throw a
     * {@link RetriableSyncException}. Adds to any count already set.
     *
     * @param operation the operation
     * @param n how many calls, at least 1
     * @return this
     */
    public synchronized FaultProfile loseAckOfNext(StoreOperation operation, int n) {
        Objects.requireNonNull(operation, "operation");
        requirePositive(n);
        loseAck.merge(operation, n, Integer::sum);
        return this;
    }

    /**
     * Makes the {@code n}-th call from now (counting calls of every operation, 1 being the very
     * next) throw a {@link RetriableSyncException} before it changes anything. Replaces an
     * earlier crash point.
     *
     * @param n the call number, at least 1
     * @return this
     */
    public synchronized FaultProfile failAtCall(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("call number must be >= 1, was " + n);
        }
        failAtCall = n;
        return this;
    }

    /**
     * Makes each call of {@code operation} fail (before any effect) with a probability.
     *
     * @param operation the operation
     * @param probability from 0 (never, removes the rate) to 1 (always)
     * @return this
     */
    public synchronized FaultProfile failRate(StoreOperation operation, double probability) {
        Objects.requireNonNull(operation, "operation");
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("probability must be within [0, 1], was " + probability);
        }
        if (probability == 0) {
            rates.remove(operation);
        } else {
            rates.put(operation, probability);
        }
        return this;
    }

    /**
     * Makes {@code upsert} and {@code markDeleted} reject the record with this CRM id.
     *
     * @param id the CRM id
     * @param code the reason code the rejection carries
     * @param retriable whether the rejection says a retry may succeed
     * @return this
     */
    public synchronized FaultProfile reject(CrmId id, String code, boolean retriable) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(code, "code");
        if (code.isBlank()) {
            throw new IllegalArgumentException("code must not be blank");
        }
        rejections.put(id, new Rejection(code, retriable));
        return this;
    }

    /**
     * Stops rejecting the record with this CRM id.
     *
     * @param id the CRM id
     * @return this
     */
    public synchronized FaultProfile stopRejecting(CrmId id) {
        rejections.remove(Objects.requireNonNull(id, "id"));
        return this;
    }

    /**
     * Removes every fault (the seed and the count of injected faults stay).
     *
     * @return this
     */
    public synchronized FaultProfile clear() {
        failNext.clear();
        loseAck.clear();
        rates.clear();
        rejections.clear();
        failAtCall = 0;
        return this;
    }

    /** @return how many faults (thrown exceptions and rejections) this profile has injected so far */
    public synchronized long injectedCount() {
        return injected;
    }

    // ---- used by the stores -------------------------------------------------------------------

    /** Called before an operation takes effect; throws if a fault is due. */
    synchronized void beforeCall(StoreOperation operation) {
        if (failAtCall > 0 && --failAtCall == 0) {
            throw injected(operation, "injected crash at this call");
        }
        Integer n = failNext.get(operation);
        if (n != null) {
            if (n <= 1) {
                failNext.remove(operation);
            } else {
                failNext.put(operation, n - 1);
            }
            throw injected(operation, "injected failure");
        }
        Double rate = rates.get(operation);
        if (rate != null && random.nextDouble() < rate) {
            throw injected(operation, "injected random failure");
        }
    }

    /** Called after an operation took effect; throws if its acknowledgement is to be lost. */
    synchronized void afterCall(StoreOperation operation) {
        Integer n = loseAck.get(operation);
        if (n != null) {
            if (n <= 1) {
                loseAck.remove(operation);
            } else {
                loseAck.put(operation, n - 1);
            }
            throw injected(operation, "injected failure after the write took effect");
        }
    }

    /** @return the rejection configured for this id, or null */
    synchronized @Nullable Rejection rejection(CrmId id) {
        if (rejections.isEmpty()) {
            return null;
        }
        Rejection r = rejections.get(id);
        if (r != null) {
            injected++;
        }
        return r;
    }

    private RetriableSyncException injected(StoreOperation operation, String what) {
        injected++;
        return new RetriableSyncException(what + " (" + operation + ")");
    }

    private static void requirePositive(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, was " + n);
        }
    }

    /** A configured rejection. */
    record Rejection(String code, boolean retriable) {
    }
}
