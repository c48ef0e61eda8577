package dev.crmsync.crm;

import dev.crmsync.model.SyncRecord;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An open read of the CRM's change stream, page by page. Not thread-safe: one consumer.
 * Closing it releases whatever the source holds (an HTTP cursor, a bulk job).
 *
 * <h2>Resumable streams</h2>
 * A stream opened with a {@linkplain ChangeQuery#resumable(String) resumable query} may hand out
 * a long read piece by piece as it arrives from the CRM (Salesforce: each Bulk API result chunk).
 * While it does, {@link #resumePoint()} is present after each {@link #nextPage()}, and the pages
 * may be out of (stamp, id) order <em>across</em> pages (each page is still in order within itself
 * and holds no record twice): the position after the records returned so far is then the token, not
 * a cursor, and the caller keeps its cursor where the query began and saves the token with the
 * page's writes. A page after which {@link #resumePoint()} is empty is in order after every record
 * returned before it, as for a plain stream (a stream may fall back to an ordered read of the rest,
 * re-reading records it returned out of order). Once the stream is exhausted, {@link #endCursor()}
 * says where the next incremental read starts. Streams of plain queries never give resume points.
 */
public interface ChangeStream extends AutoCloseable {

    /**
     * Reads the next page.
     *
     * @return the next records, each strictly after the previous one within the page and in
     *     (modification stamp, id) order across pages unless {@link #resumePoint()} is present after
     *     it; an empty list when the stream is exhausted
     * @throws dev.crmsync.model.SyncException if the CRM call failed ({@link dev.crmsync.model.RetriableSyncException}
     *     when it may pass, {@link dev.crmsync.model.QuotaExceededException} when the API budget is spent)
     */
    List<SyncRecord> nextPage();

    /** @return the source's estimate of how many records the whole stream holds, if it knows */
    default OptionalLong estimatedTotal() {
        return OptionalLong.empty();
    }

    /**
     * Where a later stream continues: valid after each {@link #nextPage()} of a resumable stream. A
     * stream opened with the same query made {@linkplain ChangeQuery#resumable(String) resumable with
     * this token} continues right after the records returned so far (or, if the source can no longer
     * continue there, starts anew at the query's cursor: records are then read again, never lost).
     * The token is opaque, at most {@value ChangeQuery#MAX_RESUME_TOKEN_LENGTH} printable ASCII
     * characters, and holds neither secrets nor customer data (it may be stored and logged).
     *
     * @return the token, or empty when the pages so far are in order and the cursor after the last
     *     record returned is the position (always for plain streams; the default)
     */
    default Optional<String> resumePoint() {
        return Optional.empty();
    }

    /**
     * Where the next incremental read starts, once {@link #nextPage()} has returned an empty page. A
     * stream whose pages came out of order gives the time of the CRM's snapshot on the CRM's clock
     * ({@code new Cursor(t, null)}: every change at or after it is read again; the engine's lookback
     * still applies).
     *
     * @return the cursor, or empty for the position after the last record returned (the default)
     */
    default Optional<Cursor> endCursor() {
        return Optional.empty();
    }

    /** Releases resources; idempotent. */
    @Override
    void close();
}
