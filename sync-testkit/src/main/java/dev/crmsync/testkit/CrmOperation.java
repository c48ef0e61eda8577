package dev.crmsync.testkit;

import java.util.Objects;

/**
 * The {@link dev.crmsync.crm.CrmSource} operations of {@link InMemoryCrm}, as it counts them
 * ({@link InMemoryCrm#log()}, {@link InMemoryCrm#callCounts()}) and faults them
 * ({@link InMemoryCrm#faults()}). Each has the name it carries in {@code callCounts()}.
 */
public enum CrmOperation {
    /** {@code describe}. */
    DESCRIBE("describe"),
    /** {@code availableTypes}. */
    AVAILABLE_TYPES("availableTypes"),
    /** One page read of an {@code openChanges} stream. */
    READ_PAGE("readPage"),
    /** {@code deletedSince}. */
    DELETED_SINCE("deletedSince"),
    /** {@code fetch}. */
    FETCH("fetch"),
    /** {@code write}. */
    WRITE("write"),
    /** {@code delete}. */
    DELETE("delete"),
    /** {@code convertLead} (Salesforce: SOAP {@code convertLead()}). */
    CONVERT_LEAD("convertLead"),
    /** {@code mergeRecords} (Salesforce: SOAP {@code merge()}). */
    MERGE("merge");

    private final String callName;

    CrmOperation(String callName) {
        this.callName = callName;
    }

    /** @return the operation's key in {@link InMemoryCrm#callCounts()} (e.g. {@code "readPage"}) */
    public String callName() {
        return callName;
    }

    /**
     * @param callName a key of {@link InMemoryCrm#callCounts()}
     * @return the operation of that name
     * @throws IllegalArgumentException for an unknown name
     */
    public static CrmOperation ofCallName(String callName) {
        Objects.requireNonNull(callName, "callName");
        for (CrmOperation op : values()) {
            if (op.callName.equals(callName)) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown operation '" + callName + "'");
    }
}
