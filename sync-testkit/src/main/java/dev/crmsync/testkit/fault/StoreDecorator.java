package dev.crmsync.testkit.fault;

/**
 * What every store decorator of {@link InstrumentedStores} has: the wrapped store and the kit whose
 * plan and log it uses.
 *
 * @param <S> the wrapped store's type
 */
abstract class StoreDecorator<S> {

    private final S inner;
    final InstrumentedStores kit;

    StoreDecorator(S inner, InstrumentedStores kit) {
        this.inner = inner;
        this.kit = kit;
    }

    /** @return the wrapped store (calls made to it directly are neither counted nor faulted) */
    public S inner() {
        return inner;
    }

    /** @return the fault plan this store obeys (its kit's) */
    public FaultPlan<StoreOperation> faults() {
        return kit.faults();
    }

    /** @return the log this store counts its calls in (its kit's) */
    public CallLog<StoreOperation> log() {
        return kit.log();
    }

    @Override
    public String toString() {
        return "Instrumented(" + inner + ")";
    }
}
