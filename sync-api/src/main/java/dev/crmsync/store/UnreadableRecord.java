package dev.crmsync.store;

import java.util.Objects;

/**
 * A record in the store's change feed that the store could not read back as field values (a
 * host wrote a row with a value out of range, or text it cannot parse): reported by its key and
 * the column at fault, never by its value, so the rest of the feed proceeds.
 *
 * @param key the record's key (its CRM id when linked, else its marketing id)
 * @param column the column (or field) that could not be read
 * @param reason why, without the value
 */
public record UnreadableRecord(RecordKey key, String column, String reason) {
    /** Checks nulls. */
    public UnreadableRecord {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(reason, "reason");
    }
}
