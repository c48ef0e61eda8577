package dev.crmsync.crm;

import dev.crmsync.model.ObjectType;
import java.util.Objects;
import java.util.Set;

/**
 * What to read from the CRM's change stream: records of a type strictly after a cursor, in
 * (modification stamp, id) order, deleted ones included.
 *
 * @param type the object type
 * @param fields the fields to read (readable per describe); the id, stamp and deleted flag always come
 * @param after read records strictly after this position
 * @param pageSize how many records a page should hold (the source may cap it at its own maximum)
 */
public record ChangeQuery(ObjectType type, Set<String> fields, Cursor after, int pageSize) {

    /** Largest page size any source is asked for. */
    public static final int MAX_PAGE_SIZE = 10_000;

    /** Checks nulls and ranges, copies the set. */
    public ChangeQuery {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(after, "after");
        fields = Set.copyOf(fields);
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("pageSize must be between 1 and " + MAX_PAGE_SIZE + ", was " + pageSize);
        }
    }
}
