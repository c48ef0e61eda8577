package dev.crmsync.core.internal;

/** Thrown inside a cycle when it must stop at a page boundary: the engine is closing or the thread was interrupted. */
public final class CycleStoppedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param reason why the cycle stops */
    public CycleStoppedException(String reason) {
        super(reason, null, false, false);
    }
}
