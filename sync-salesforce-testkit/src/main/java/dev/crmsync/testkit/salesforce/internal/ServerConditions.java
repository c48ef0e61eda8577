package dev.crmsync.testkit.salesforce.internal;

import dev.crmsync.model.ObjectType;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The conditions a test sets on the server's behaviour (Bulk jobs that never complete or fail, types
 * Bulk refuses, the QUERY_TIMEOUT threshold). Per-request faults are scheduled on a
 * {@link dev.crmsync.testkit.fault.FaultPlan} instead. Thread-safe.
 */
public final class ServerConditions {

    private final Set<ObjectType> bulkUnsupported = ConcurrentHashMap.newKeySet();
    private volatile boolean bulkNeverComplete;
    private volatile String bulkFailure;
    private volatile Integer queryTimeoutAbove;

    /** Creates the conditions of a server that behaves normally. */
    public ServerConditions() {
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

    /** Resets every condition. */
    public void clear() {
        bulkUnsupported.clear();
        bulkNeverComplete = false;
        bulkFailure = null;
        queryTimeoutAbove = null;
    }
}
