package dev.crmsync.salesforce.events;

/**
 * The {@code changeType} of a change event's header, as Salesforce names it.
 *
 * <p>Gap events ({@code GAP_*}) say that records changed without saying how: they carry record ids but no
 * field values, and the records must be read. {@link #GAP_OVERFLOW} ends a transaction of more than 100,000
 * changes: one per entity, with no record ids; the entity must be polled.
 */
public enum ChangeType {
    /** A record was created; the event carries its non-null fields. */
    CREATE,
    /** A record was updated; the event carries the changed fields. */
    UPDATE,
    /** A record was deleted. */
    DELETE,
    /** A record was undeleted; the event carries its fields. */
    UNDELETE,
    /** Records were created but the event carries no fields (read them by id). */
    GAP_CREATE,
    /** Records were updated but the event carries no fields (read them by id). */
    GAP_UPDATE,
    /** Records were deleted; the event carries no fields. */
    GAP_DELETE,
    /** Records were undeleted but the event carries no fields (read them by id). */
    GAP_UNDELETE,
    /** A transaction was too large: the entity changed in ways not reported; poll it. No record ids. */
    GAP_OVERFLOW;

    /** @return whether this is a gap event (any {@code GAP_*}, overflow included): no field values */
    public boolean isGap() {
        return name().startsWith("GAP_");
    }
}
