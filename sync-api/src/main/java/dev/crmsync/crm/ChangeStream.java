package dev.crmsync.crm;

import dev.crmsync.model.SyncRecord;
import java.util.List;
import java.util.OptionalLong;

/**
 * An open read of the CRM's change stream, page by page. Not thread-safe: one consumer.
 * Closing it releases whatever the source holds (an HTTP cursor, a bulk job).
 */
public interface ChangeStream extends AutoCloseable {

    /**
     * Reads the next page.
     *
     * @return the next records in (modification stamp, id) order, each strictly after the
     *     previous one; an empty list when the stream is exhausted
     * @throws dev.crmsync.model.SyncException if the CRM call failed ({@link dev.crmsync.model.RetriableSyncException}
     *     when it may pass, {@link dev.crmsync.model.QuotaExceededException} when the API budget is spent)
     */
    List<SyncRecord> nextPage();

    /** @return the source's estimate of how many records the whole stream holds, if it knows */
    default OptionalLong estimatedTotal() {
        return OptionalLong.empty();
    }

    /** Releases resources; idempotent. */
    @Override
    void close();
}
