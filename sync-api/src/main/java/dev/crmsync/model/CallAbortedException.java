package dev.crmsync.model;

/**
 * A call was abandoned on request before it finished: another thread woke it up
 * ({@link dev.crmsync.crm.CrmSource#wakeup(Thread)}, which {@code SyncEngine.close()} uses once its
 * close timeout has passed), or the calling thread was interrupted. Like Kafka's
 * {@code WakeupException}, it says nothing about the CRM's health.
 *
 * <p>Not retriable: a source never repeats an aborted call itself, and the engine ends the affected
 * object type as <em>stopped</em> with its checkpoint at the last durable page, exactly as if the
 * process had stopped there. A write that was aborted may or may not have reached the CRM; the
 * engine's recovery of creates whose answer was lost covers it, as it covers a crash.
 */
public class CallAbortedException extends SyncException {
    private static final long serialVersionUID = 1L;

    /** @param message which call was aborted and why, never a credential or a field value */
    public CallAbortedException(String message) {
        super(message);
    }

    /** @param message which call was aborted and why @param cause the failure the abort caused, or null */
    public CallAbortedException(String message, Throwable cause) {
        super(message, cause);
    }
}
