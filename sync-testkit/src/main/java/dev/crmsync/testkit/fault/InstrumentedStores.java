package dev.crmsync.testkit.fault;

import dev.crmsync.model.CallAbortedException;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.Sleeper;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.LocalWrites;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.StoreResult;
import dev.crmsync.store.SyncStateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Wraps any store — in memory, JDBC, an adapter under test — in a decorator that counts and logs every
 * SPI call in a {@link CallLog} and injects the faults of a {@link FaultPlan}, so that a test can see
 * what the engine asked of its storage and how it copes when storage fails. The decorators keep the
 * capabilities of the store they wrap: {@link #marketing} returns a {@link BidirectionalStore} for a
 * bidirectional store and a {@link LocalWrites} for one that takes host writes; every
 * {@link SyncStateStore} method, {@code inTransaction} and the leases included, reaches the wrapped store.
 *
 * <p>All stores wrapped by one kit share its plan and its log: {@link FaultPlan#failAtCall} counts the
 * calls made to all of them, and the recorded calls show how they interleave. Per call, a decorator
 * counts the call, asks the plan, waits out any latency through the kit's {@link Sleeper}, throws a
 * fault due before the call, calls the wrapped store (leaving out of a batch the records the plan
 * rejects, which get a {@link StoreResult.Rejected}), and throws if the answer is to be lost. Arguments
 * are checked by the wrapped store. Thread-safe when the wrapped store is.
 *
 * <pre>{@code
 * InstrumentedStores kit = InstrumentedStores.create();
 * InstrumentedCompleteStore store = kit.complete(new InMemoryMarketingStore(clock));
 * InstrumentedSyncStateStore state = kit.state(new InMemorySyncStateStore());
 * kit.faults().failNext(StoreOperation.LINK, 1, Fault.loseAnswer());
 * ... run the engine ...
 * assertEquals(2, kit.log().count(StoreOperation.LINK));
 * }</pre>
 */
public final class InstrumentedStores {

    private final FaultPlan<StoreOperation> plan;
    private final CallLog<StoreOperation> log;
    private final Sleeper sleeper;

    private InstrumentedStores(FaultPlan<StoreOperation> plan, CallLog<StoreOperation> log, Sleeper sleeper) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.log = Objects.requireNonNull(log, "log");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** @return a kit with an empty plan (seed 0), an empty log, and {@link Sleeper#SYSTEM} for latency */
    public static InstrumentedStores create() {
        return new InstrumentedStores(new FaultPlan<>(), new CallLog<>(), Sleeper.SYSTEM);
    }

    /**
     * @param plan the plan the decorators obey
     * @param log the log they count and record in
     * @param sleeper what waits out injected latency (a manual clock's {@code advance} in tests)
     * @return a kit on these parts
     */
    public static InstrumentedStores sharing(FaultPlan<StoreOperation> plan, CallLog<StoreOperation> log,
                                             Sleeper sleeper) {
        return new InstrumentedStores(plan, log, sleeper);
    }

    /** @return the plan of every store this kit wraps */
    public FaultPlan<StoreOperation> faults() {
        return plan;
    }

    /** @return the log of every store this kit wraps */
    public CallLog<StoreOperation> log() {
        return log;
    }

    /**
     * @param store any marketing store
     * @return a decorator that is a {@link BidirectionalStore} and a {@link LocalWrites} exactly when
     *     {@code store} is
     */
    public InstrumentedMarketingStore marketing(MarketingStore store) {
        Objects.requireNonNull(store, "store");
        if (store instanceof BidirectionalStore b) {
            return bidirectional(b);
        }
        return store instanceof LocalWrites ? new InstrumentedMarketingStore.WithLocalWrites(store, this)
                : new InstrumentedMarketingStore(store, this);
    }

    /**
     * @param store a bidirectional store
     * @return a decorator that is a {@link LocalWrites} too exactly when {@code store} is
     */
    public InstrumentedBidirectionalStore bidirectional(BidirectionalStore store) {
        Objects.requireNonNull(store, "store");
        return store instanceof LocalWrites ? new InstrumentedCompleteStore(store, this)
                : new InstrumentedBidirectionalStore(store, this);
    }

    /**
     * @param store a store with every capability (as the in-memory and JDBC stores are)
     * @param <S> its type
     * @return a decorator with every capability
     */
    public <S extends BidirectionalStore & LocalWrites> InstrumentedCompleteStore complete(S store) {
        return new InstrumentedCompleteStore(Objects.requireNonNull(store, "store"), this);
    }

    /**
     * @param store any sync-state store
     * @return its decorator
     */
    public InstrumentedSyncStateStore state(SyncStateStore store) {
        return new InstrumentedSyncStateStore(Objects.requireNonNull(store, "store"), this);
    }

    // ---- the one call path of every decorator ---------------------------------------------------

    <T> T call(StoreOperation op, @Nullable ObjectType type, int size, Supplier<T> work) {
        log.record(op, type, size);
        FaultPlan.Due due = plan.onCall(op);
        if (!due.delay().isZero()) {
            try {
                sleeper.sleep(due.delay());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CallAbortedException("interrupted in injected latency (" + op + ")", e);
            }
        }
        due.failBefore(op.name());
        T out = work.get();
        due.failAfter(op.name());
        return out;
    }

    void run(StoreOperation op, @Nullable ObjectType type, int size, Runnable work) {
        call(op, type, size, () -> {
            work.run();
            return null;
        });
    }

    /**
     * Runs a batch call without the items whose record the plan rejects, and merges their rejections
     * into the answer in the batch's order.
     */
    <I> List<StoreResult> batch(@Nullable List<I> items, Function<I, CrmId> id, Function<List<I>, List<StoreResult>> write) {
        if (items == null || !plan.rejectsRecords()) {
            return write.apply(items);   // the wrapped store checks the arguments
        }
        List<@Nullable StoreResult> out = new ArrayList<>(items.size());
        List<I> rest = new ArrayList<>(items.size());
        for (I item : items) {
            Optional<Fault.Reject> r = plan.rejection(id.apply(item));
            out.add(r.map(x -> (StoreResult) new StoreResult.Rejected(id.apply(item), x.code(),
                    "rejected by the fault plan", x.retriable())).orElse(null));
            if (r.isEmpty()) {
                rest.add(item);
            }
        }
        List<StoreResult> written = rest.isEmpty() ? List.of() : write.apply(rest);
        List<StoreResult> merged = new ArrayList<>(items.size());
        int next = 0;
        for (StoreResult r : out) {
            merged.add(r != null ? r : written.get(next++));
        }
        return merged;
    }

    static int size(java.util.@Nullable Collection<?> c) {
        return c == null ? 0 : c.size();
    }

    static int size(java.util.@Nullable Map<?, ?> m) {
        return m == null ? 0 : m.size();
    }
}
