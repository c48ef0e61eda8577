package dev.crmsync.salesforce.internal;

import dev.crmsync.crm.ChangeStream;
import dev.crmsync.model.CallAbortedException;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.crm.Cursor;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A change stream over {@code queryAll}: records strictly after a cursor in (stamp, Id) order,
 * deleted ones and merge losers included.
 *
 * <p>The SOQL is a keyset query ({@code stamp > t OR (stamp = t AND Id > id)}, ordered by stamp then
 * Id), so no record is skipped or repeated at a page boundary however many share one stamp. Pages
 * are followed through {@code nextRecordsUrl}, with the batch size asked for in
 * {@code Sforce-Query-Options}. When the first page says the whole result is larger than the Bulk
 * threshold, the rest is read through a Bulk API 2.0 job (falling back to REST if Bulk cannot serve
 * it). A query that times out ({@code QUERY_TIMEOUT}) is re-issued over half its stamp window, and
 * the rest of the window read afterwards; an expired locator restarts the query from the last record
 * read; a field Salesforce no longer knows ({@code INVALID_FIELD}) triggers one re-describe.
 *
 * <p>For a resumable query the Bulk job is created as soon as the first page says the read is
 * large, and its result chunks are handed out one by one as they arrive ({@link BulkReader#chunked}):
 * pages are then out of order between chunks, and {@link #resumePoint()} gives the job's position
 * once every record read through REST before it was handed out. A stream opened with a resume token
 * continues that job while it exists ({@link BulkReader#resume}); otherwise it reads anew from the
 * query's cursor. When such a job is exhausted, {@link #endCursor()} is its creation time; when it
 * cannot be read to its end, the rest is read through REST from the job's start (records handed out
 * already come again).
 * Not thread-safe: one consumer.
 */
public final class SalesforceChangeStream implements ChangeStream {

    private static final Logger LOG = LoggerFactory.getLogger(SalesforceChangeStream.class);

    private final SourceContext ctx;
    private final Collection<String> requested;
    private final Cursor after;
    private final int pageSize;
    private final int batchSize;
    private final boolean bulkAllowed;
    private final boolean resumable;
    private String resumeToken;
    private Cursor end;
    private ReadPlan plan;

    /** Inclusive upper stamp bounds of the windows still to read, in order; a null last entry is open-ended. */
    private final List<Instant> windows = new ArrayList<>();
    private final ArrayDeque<SyncRecord> buffer = new ArrayDeque<>();
    private Cursor position;
    private SyncRecord last;
    private String nextUrl;
    private boolean first = true;
    private boolean exhausted;
    private boolean closed;
    private boolean replanned;
    private int consecutiveSplits;
    private int locatorRestarts;
    private long estimatedTotal = -1;
    private boolean wantBulk;
    private BulkReader bulk;
    private long dropped;

    /**
     * @param ctx the source's shared parts
     * @param plan the read plan
     * @param requested the fields the caller asked for (kept for a re-plan after a schema change)
     * @param after read strictly after this cursor
     * @param pageSize records per page handed out
     * @param bulkAllowed false to never use Bulk (the type is known to be unsupported)
     */
    public SalesforceChangeStream(SourceContext ctx, ReadPlan plan, Collection<String> requested, Cursor after,
                                  int pageSize, boolean bulkAllowed) {
        this(ctx, plan, requested, after, pageSize, bulkAllowed, false, null);
    }

    /**
     * @param ctx the source's shared parts
     * @param plan the read plan
     * @param requested the fields the caller asked for (kept for a re-plan after a schema change)
     * @param after read strictly after this cursor
     * @param pageSize records per page handed out
     * @param bulkAllowed false to never use Bulk (the type is known to be unsupported)
     * @param resumable true to hand Bulk results out chunk by chunk with resume points
     * @param resumeToken a resume point of an earlier stream to continue from, or null
     */
    public SalesforceChangeStream(SourceContext ctx, ReadPlan plan, Collection<String> requested, Cursor after,
                                  int pageSize, boolean bulkAllowed, boolean resumable, String resumeToken) {
        this.resumable = resumable;
        this.resumeToken = resumable ? resumeToken : null;
        this.ctx = ctx;
        this.plan = plan;
        this.requested = Set.copyOf(requested);
        this.after = after;
        this.position = after;
        this.pageSize = pageSize;
        this.batchSize = Math.max(200, Math.min(ctx.maxBatchSize(), pageSize));
        this.bulkAllowed = bulkAllowed;
        this.windows.add(null);
    }

    @Override
    public List<SyncRecord> nextPage() {
        if (closed) {
            throw new IllegalStateException("change stream of " + plan.info().type() + " is closed");
        }
        while (buffer.isEmpty() && !exhausted) {
            fetch();
        }
        List<SyncRecord> page = new ArrayList<>(Math.min(pageSize, buffer.size()));
        while (page.size() < pageSize && !buffer.isEmpty()) {
            page.add(buffer.removeFirst());
        }
        return page;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The first page's {@code totalSize}: asked before the first page, this reads that page (it is
     * then handed out by {@link #nextPage()}, so no call is wasted). If that read fails, the estimate
     * is empty and {@link #nextPage()} reports the failure.
     */
    @Override
    public OptionalLong estimatedTotal() {
        if (resumeToken != null && !closed) {
            try {
                resume();
            } catch (CallAbortedException e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.debug("could not check the Bulk API job of {} for an estimate: {}", plan.info().type(), e.getMessage());
                return OptionalLong.empty();
            }
            if (bulk != null) {
                return bulk.remaining();
            }
        }
        if (first && !closed && !exhausted && buffer.isEmpty()) {
            try {
                fetch();
            } catch (CallAbortedException e) {
                throw e;                    // never turned into a second read
            } catch (RuntimeException e) {
                LOG.debug("could not read the first page of {} for an estimate: {}", plan.info().type(), e.getMessage());
            }
        }
        return estimatedTotal < 0 ? OptionalLong.empty() : OptionalLong.of(estimatedTotal);
    }

    /** @return true once the rest of the read went through Bulk */
    public boolean usedBulk() {
        return bulk != null;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Present while the read goes through a chunk-by-chunk Bulk job and every record read through
     * REST before it was handed out.
     */
    @Override
    public Optional<String> resumePoint() {
        if (bulk == null || !bulk.isChunked() || !buffer.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(bulk.token());
    }

    /** {@inheritDoc} <p>The chunk-by-chunk Bulk job's creation time, once it was read to its end. */
    @Override
    public Optional<Cursor> endCursor() {
        return exhausted ? Optional.ofNullable(end) : Optional.empty();
    }

    /** Decides, once, whether the resume token given can be continued. */
    private void resume() {
        String token = resumeToken;
        Optional<BulkReader> r = BulkReader.resume(ctx, plan, token);
        resumeToken = null;
        if (r.isPresent()) {
            bulk = r.get();
            first = false;
        }
    }

    private void fetch() {
        if (resumeToken != null) {
            resume();
        }
        if (bulk != null) {
            fetchBulk();
            return;
        }
        if (wantBulk) {
            wantBulk = false;
            bulk = new BulkReader(ctx, plan, plan.soql(position, null, false));
            fetchBulk();
            return;
        }
        QueryPage page;
        boolean fresh = nextUrl == null;
        try {
            ApiCall call = fresh
                    ? ApiCall.get("queryAll", "/queryAll").withQuery("q", plan.soql(position, windows.get(0), true))
                    : ApiCall.get("queryMore", nextUrl);
            page = ctx.api().stream(call.withHeader("Sforce-Query-Options", "batchSize=" + batchSize),
                    QueryPage.parser(ctx.json().getFactory(), plan));
        } catch (ApiFailure e) {
            recover(e, fresh);
            return;
        }
        if (page == null) {
            throw new RetriableApiFailure("Salesforce query of " + plan.info().type() + " returned no body", 0, "", null);
        }
        consecutiveSplits = 0;
        if (first) {
            first = false;
            estimatedTotal = page.totalSize();
        }
        for (SyncRecord rec : page.records()) {
            offer(rec);
        }
        String next = page.nextRecordsUrl();
        nextUrl = page.done() || next.isEmpty() ? null : next;
        if (nextUrl == null) {
            completeWindow();
        } else if (fresh && bulkAllowed && windows.size() == 1 && estimatedTotal > ctx.bulk().threshold()
                && !ctx.bulkUnsupported().contains(plan.info().type()) && bulkQuotaAllows()) {
            LOG.info("{} has {} records to read (more than the Bulk threshold {}); reading the rest through Bulk API 2.0",
                    plan.info().type(), estimatedTotal, ctx.bulk().threshold());
            if (resumable) {
                startChunked();
            } else {
                wantBulk = true;
            }
        }
    }

    /** @return true unless the org's daily Bulk API 2.0 query quota is spent (then REST paging goes on) */
    private boolean bulkQuotaAllows() {
        if (ctx.bulkQuota().allowsQueryJob()) {
            return true;
        }
        LOG.info("{} has {} records to read (more than the Bulk threshold {}) but the org's daily Bulk API 2.0 query"
                + " quota is spent ({} or {}); reading through REST query paging", plan.info().type(), estimatedTotal,
                ctx.bulk().threshold(), BulkQuota.QUERY_JOBS, BulkQuota.QUERY_STORAGE);
        return false;
    }

    /** Creates the chunk-by-chunk job now, so that the page just read already carries its resume point. */
    private void startChunked() {
        BulkReader reader = BulkReader.chunked(ctx, plan, position);
        try {
            reader.start();
            bulk = reader;
        } catch (BulkReader.Unavailable u) {
            bulkUnavailable(u, reader);
        }
    }

    private void fetchBulk() {
        try {
            List<SyncRecord> records = bulk.next(pageSize);
            if (records.isEmpty()) {
                exhausted = true;
                if (bulk.isChunked()) {
                    end = bulk.createdDate().map(t -> new Cursor(t, null)).orElse(null);
                }
                bulk.close();
            }
            if (bulk.isChunked()) {
                records.forEach(this::offerUnordered);
            } else {
                records.forEach(this::offer);
            }
        } catch (BulkReader.Unavailable u) {
            BulkReader failed = bulk;
            bulk = null;
            bulkUnavailable(u, failed);
            // continue with REST: the first page's locator, or a fresh query from the last record read in
            // order (records a chunk-by-chunk job handed out after it come again, in order)
        }
    }

    private void bulkUnavailable(BulkReader.Unavailable u, BulkReader reader) {
        LOG.warn("{}; reading {} through REST instead", u.getMessage(), plan.info().type());
        if (u.typeUnsupported()) {
            ctx.bulkUnsupported().add(plan.info().type());
        }
        reader.close();
    }

    /** A record of a chunk handed out as it came: not checked against the records before it. */
    private void offerUnordered(SyncRecord r) {
        if (!after.isBefore(r.modstamp(), r.id())) {
            dropped++;
            LOG.warn("dropping {} {} @{}: not after the read's start", plan.info().type(), r.id(), r.modstamp());
            return;
        }
        buffer.addLast(r);
    }

    private void offer(SyncRecord r) {
        boolean afterCursor = after.isBefore(r.modstamp(), r.id());
        boolean afterLast = last == null || Cursor.after(last.modstamp(), last.id()).isBefore(r.modstamp(), r.id());
        if (!afterCursor || !afterLast) {
            dropped++;
            LOG.warn("dropping {} {} @{}: not strictly after the previous record (duplicate or out of order)",
                    plan.info().type(), r.id(), r.modstamp());
            return;
        }
        buffer.addLast(r);
        last = r;
        position = Cursor.after(r.modstamp(), r.id());
    }

    private void completeWindow() {
        Instant end = windows.remove(0);
        if (end == null || windows.isEmpty()) {
            exhausted = true;
            return;
        }
        Instant past = end.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        if (position.modstamp().isBefore(past)) {
            position = new Cursor(past, null); // everything at or before `end` was read
        }
    }

    private void recover(ApiFailure e, boolean fresh) {
        switch (e.errorCode()) {
            case "QUERY_TIMEOUT" -> split();
            case "INVALID_QUERY_LOCATOR" -> {
                if (fresh || ++locatorRestarts > 3) {
                    throw e;
                }
                LOG.info("query locator of {} expired; re-querying from the last record read", plan.info().type());
                nextUrl = null;
            }
            case "INVALID_FIELD" -> {
                if (!fresh || replanned) {
                    throw e;
                }
                replanned = true;
                LOG.info("Salesforce rejected a field of {} ({}); describing it again", plan.info().type(), e.getMessage());
                ObjectInfo freshInfo = ctx.describer().refresh(plan.info().type()).orElseThrow(() -> e);
                plan = ReadPlan.of(freshInfo, requested);
            }
            default -> throw e;
        }
    }

    private void split() {
        nextUrl = null;
        if (++consecutiveSplits > ctx.maxQueryTimeoutSplits()) {
            throw new RetriableApiFailure("Salesforce query of " + plan.info().type() + " timed out (QUERY_TIMEOUT) "
                    + "even after halving its window " + ctx.maxQueryTimeoutSplits() + " times", 400, "QUERY_TIMEOUT", null);
        }
        Instant lower = position.modstamp().truncatedTo(ChronoUnit.SECONDS);
        Instant end = windows.get(0);
        Instant upper = end != null ? end : ctx.clock().instant().truncatedTo(ChronoUnit.SECONDS);
        long span = upper.getEpochSecond() - lower.getEpochSecond();
        if (span < 2) {
            throw new RetriableApiFailure("Salesforce query of " + plan.info().type() + " timed out (QUERY_TIMEOUT) "
                    + "on a window too small to split", 400, "QUERY_TIMEOUT", null);
        }
        Instant mid = lower.plusSeconds(span / 2);
        windows.add(0, mid);
        LOG.warn("Salesforce query of {} timed out (QUERY_TIMEOUT); reading up to {} first", plan.info().type(), mid);
    }

    /** @return records dropped because they were not strictly after the previous one */
    public long dropped() {
        return dropped;
    }

    /** @return the id of the last record handed out or buffered, if any */
    public CrmId lastId() {
        return last == null ? null : last.id();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        buffer.clear();
        if (bulk != null) {
            bulk.close();
        }
    }
}
