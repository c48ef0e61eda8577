package dev.crmsync.testkit.fault;

/**
 * What a call throws where a {@link FaultPlan} schedules {@link Fault#crash()}: the simulated process
 * dies at that call. Deliberately not a {@link dev.crmsync.model.SyncException}, so that an engine
 * does not handle it as a failed call and carry on: it leaves the engine as a real crash would.
 */
public final class SimulatedCrash extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param where the operation that was called, for the message (no customer value) */
    public SimulatedCrash(String where) {
        super("simulated crash at " + where, null, false, false);
    }
}
