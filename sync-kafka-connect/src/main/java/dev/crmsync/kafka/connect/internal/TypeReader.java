package dev.crmsync.kafka.connect.internal;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.Cursor;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.kafka.connect.internal.SourceOffsets.Position;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one source partition, {@code (org, type)}, a page at a time, as the engine reads a type: the first full
 * copy from the start of the change stream, then incremental sweeps, each from the cursor stepped back by the
 * lookback. A sweep ends at an empty page (or, incremental, a short one); the partition then rests for the poll
 * interval. The cursor never moves backwards: a record re-read in the lookback window is sent again with the
 * offset it already had. Not thread-safe: one task thread.
 */
public final class TypeReader implements PollLoop.Feed {

    private static final Logger LOG = LoggerFactory.getLogger(TypeReader.class);

    private final String org;
    private final ObjectType type;
    private final CrmSource crm;
    private final String topic;
    private final Map<String, String> partition;
    private Position position;
    /** Where the current sweep reads next, or null between sweeps. */
    private @Nullable Cursor readFrom;
    private Instant restUntil = Instant.MIN;
    /** The fields to read, once described (null before, and when the integration user cannot query the type). */
    private @Nullable Set<String> fields;
    /** The store fields of {@link #fields}, as {@link StoreFieldsHeader} text (set with them). */
    private String storeFields = "";
    private boolean described;

    /**
     * @param org the org
     * @param type the type
     * @param crm the org's source
     * @param topic the topic its records go to
     * @param start the stored position
     */
    public TypeReader(String org, ObjectType type, CrmSource crm, String topic, Position start) {
        this.org = org;
        this.type = type;
        this.crm = crm;
        this.topic = topic;
        this.partition = SourceOffsets.partition(org, type);
        this.position = start;
    }

    /** @return the source partition */
    public Map<String, String> partition() {
        return partition;
    }

    /** @return the position after the records read so far */
    public Position position() {
        return position;
    }

    /** @param now the time @return true if the partition is not resting */
    public boolean due(Instant now) {
        return !now.isBefore(restUntil);
    }

    /** @return the org */
    public String org() {
        return org;
    }

    /**
     * Rests the partition until at least {@code until} (its org spent its API budget); a sweep under way goes on
     * from where it was afterwards.
     *
     * @param until the end of the rest
     */
    public void restUntil(Instant until) {
        if (until.isAfter(restUntil)) {
            restUntil = until;
        }
    }

    /** @return when the partition's rest ends */
    @Override
    public Instant restUntil() {
        return restUntil;
    }

    /**
     * Reads one page.
     *
     * @param pageSize records to ask for
     * @param lookback the incremental sweeps' step back
     * @param pollInterval the rest after a sweep
     * @param now the time
     * @return the page's records (empty when the sweep ended or the type is not visible)
     * @throws dev.crmsync.model.SyncException if the CRM read failed
     */
    public List<SourceRecord> readPage(int pageSize, Duration lookback, Duration pollInterval, Instant now) {
        Set<String> readable = fields();
        if (readable == null) {
            restUntil = now.plus(pollInterval);
            return List.of();
        }
        Cursor from = readFrom;
        if (from == null) {
            from = position.copyDone() && !lookback.isZero() ? position.cursor().rewind(lookback) : position.cursor();
        }
        int size = Math.min(pageSize, Math.max(1, crm.maxPageSize()));
        List<SyncRecord> page;
        try (ChangeStream stream = crm.openChanges(new ChangeQuery(type, readable, from, size))) {
            page = stream.nextPage();
        }
        if (page.isEmpty()) {
            endSweep(now, pollInterval);
            return List.of();
        }
        List<SourceRecord> out = new ArrayList<>(page.size());
        for (SyncRecord r : page) {
            if (!r.type().equals(type)) {
                throw new dev.crmsync.model.SyncException("the CRM returned a record of " + r.type()
                        + " for a read of " + type, type, r.id(), null);
            }
            Cursor after = Cursor.after(r.modstamp(), r.id());
            readFrom = after;
            if (after.compareTo(position.cursor()) > 0) {
                position = new Position(after, position.copyDone(), position.copyDone() ? 0 : position.copied() + 1);
            }
            // no record timestamp (the producer stamps the send time): a modstamp as the timestamp would let
            // time-based retention delete a full copy's old records as soon as their segment rolls
            // the store fields travel on every record: a sink task may start anywhere in the topic, and Kafka's
            // batch compression makes the repeated header cheap
            ConnectHeaders headers = new ConnectHeaders();
            headers.addString(StoreFieldsHeader.NAME, storeFields);
            out.add(new SourceRecord(partition, SourceOffsets.offset(position), topic, null,
                    RecordCodec.KEY_SCHEMA, r.id().value(), RecordCodec.VALUE_SCHEMA, RecordCodec.encode(org, r),
                    null, headers));
        }
        if (position.copyDone() && page.size() < size) {
            endSweep(now, pollInterval);
        }
        return out;
    }

    private void endSweep(Instant now, Duration pollInterval) {
        readFrom = null;
        restUntil = now.plus(pollInterval);
        if (!position.copyDone()) {
            LOG.info("org {}, {}: full copy read ({} records); incremental reads from now on", org, type,
                    position.copied());
            position = new Position(position.cursor(), true, 0);
        }
    }

    private @Nullable Set<String> fields() {
        if (!described) {
            Optional<ObjectSchema> schema = crm.describe(type);
            if (schema.isEmpty() || !schema.get().queryable()) {
                LOG.info("org {}: the integration user cannot query {}; it is skipped", org, type);
            } else {
                Set<String> readable = schema.get().readableFieldNames();
                fields = readable;
                storeFields = StoreFieldsHeader.encode(StoreFieldsHeader.of(schema.get(), readable));
            }
            described = true;
        }
        return fields;
    }
}
