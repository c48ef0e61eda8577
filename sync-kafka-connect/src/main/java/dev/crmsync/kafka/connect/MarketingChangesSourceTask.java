package dev.crmsync.kafka.connect;

import dev.crmsync.kafka.connect.internal.MarketingCodec;
import dev.crmsync.kafka.connect.internal.MarketingSourceSettings;
import dev.crmsync.kafka.connect.internal.RecordCodec;
import dev.crmsync.kafka.connect.internal.Settings;
import dev.crmsync.kafka.connect.internal.SourceOffsets;
import dev.crmsync.kafka.connect.internal.Versions;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.ChangePage;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.HostDeletion;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.UnreadableRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.TransactionContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task of {@link MarketingChangesSourceConnector}: reads the (org, type) feeds of its orgs in turn, one page of
 * one feed per {@link #poll()}, and commits a transaction after each page when the connector defines the
 * boundaries. A feed read to its end rests for the poll interval.
 */
public class MarketingChangesSourceTask extends SourceTask {

    private static final Logger LOG = LoggerFactory.getLogger(MarketingChangesSourceTask.class);

    /** Offset key: the store's feed position. */
    static final String CURSOR = "cursor";

    /** Longest a {@link #poll()} waits. */
    private static final long MAX_WAIT_MS = 1_000;

    private final Clock clock;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<String, BidirectionalStore> stores = new LinkedHashMap<>();
    private final List<Feed> feeds = new ArrayList<>();
    private @Nullable MarketingSourceSettings settings;
    private int next;

    /** One (org, type) feed and where it stands. */
    private static final class Feed {
        final String org;
        final ObjectType type;
        final Map<String, String> partition;
        final String topic;
        FeedCursor cursor;
        Instant restUntil = Instant.MIN;

        Feed(String org, ObjectType type, String topic, FeedCursor cursor) {
            this.org = org;
            this.type = type;
            this.partition = SourceOffsets.partition(org, type);
            this.topic = topic;
            this.cursor = cursor;
        }
    }

    /** Creates the task; Connect calls {@link #initialize} and {@link #start} next. */
    public MarketingChangesSourceTask() {
        this(Clock.systemUTC());
    }

    /** @param clock the time (rests) */
    MarketingChangesSourceTask(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String version() {
        return Versions.version();
    }

    @Override
    public void start(Map<String, String> props) {
        MarketingSourceSettings s = MarketingSourceSettings.parseTask(props);
        this.settings = s;
        MarketingStoreFactory factory = Settings.instantiate(MarketingStoreFactory.class, s.factory());
        List<Map<String, String>> partitions = new ArrayList<>();
        for (String org : s.orgs()) {
            for (ObjectType type : s.types()) {
                partitions.add(SourceOffsets.partition(org, type));
            }
        }
        Map<Map<String, String>, Map<String, Object>> offsets = context.offsetStorageReader().offsets(partitions);
        for (String org : s.orgs()) {
            MarketingStore store = factory.open(org, Settings.orgSettings(org, s.originals(), null));
            if (!(store instanceof BidirectionalStore bidi)) {
                throw new ConnectException("org " + org + ": the marketing store factory gave a "
                        + store.getClass().getSimpleName() + ", which keeps no change feed (not a BidirectionalStore)");
            }
            stores.put(org, bidi);
            for (ObjectType type : s.types()) {
                Map<String, Object> offset = offsets == null ? null : offsets.get(SourceOffsets.partition(org, type));
                Object at = offset == null ? null : offset.get(CURSOR);
                FeedCursor cursor = at instanceof String text ? FeedCursor.of(text) : FeedCursor.START;
                feeds.add(new Feed(org, type, s.topic(org, type), cursor));
                LOG.info("org {}, {}: the store's feed from {}", org, type, cursor.isStart() ? "its start" : "its offset");
            }
        }
    }

    /**
     * Reads one page of the next feed that is not resting.
     *
     * @return the page's records, or null when every feed rests (after waiting at most a second)
     */
    @Override
    public @Nullable List<SourceRecord> poll() throws InterruptedException {
        MarketingSourceSettings s = settings;
        if (s == null || feeds.isEmpty()) {
            stopped.await(1, TimeUnit.SECONDS);
            return null;
        }
        Instant now = clock.instant();
        for (int i = 0; i < feeds.size(); i++) {
            Feed feed = feeds.get(next);
            next = (next + 1) % feeds.size();
            if (now.isBefore(feed.restUntil)) {
                continue;
            }
            List<SourceRecord> page = read(feed, s, now);
            if (!page.isEmpty()) {
                TransactionContext tx = context.transactionContext();
                if (tx != null) {
                    tx.commitTransaction(page.get(page.size() - 1));
                }
                return page;
            }
            if (stopped.getCount() == 0) {
                return null;
            }
        }
        Instant wake = now.plus(s.pollInterval());
        for (Feed f : feeds) {
            if (f.restUntil.isBefore(wake)) {
                wake = f.restUntil;
            }
        }
        long waitMs = Math.max(0, Math.min(Duration.between(clock.instant(), wake).toMillis(), MAX_WAIT_MS));
        if (waitMs > 0) {
            stopped.await(waitMs, TimeUnit.MILLISECONDS);
        }
        return null;
    }

    private List<SourceRecord> read(Feed feed, MarketingSourceSettings s, Instant now) {
        BidirectionalStore store = stores.get(feed.org);
        ChangePage page = store.changesSince(feed.type, feed.cursor, s.pageSize());
        // every record but the page's last carries the page's start: the feed's positions are opaque, and without
        // exactly-once a page half sent and committed is then read again from its start (never skipped)
        Map<String, Object> before = new HashMap<>();
        before.put(CURSOR, feed.cursor.value());
        Map<String, Object> after = new HashMap<>();
        after.put(CURSOR, page.nextCursor().value());
        List<MarketingRecord> changed = new ArrayList<>(page.records());
        int live = changed.size();
        for (HostDeletion d : page.deletions()) {
            changed.add(new MarketingRecord(feed.type, d.marketingId(), d.crmId(), Map.of(), false, null, now));
        }
        List<SourceRecord> out = new ArrayList<>();
        for (int i = 0; i < changed.size(); i++) {
            out.add(record(feed, i == changed.size() - 1 ? after : before, changed.get(i), i >= live));
        }
        for (UnreadableRecord u : page.unreadable()) {
            LOG.warn("org {}, {}: {} could not be read back from the store (column {}); skipped", feed.org, feed.type,
                    u.key(), u.column());
        }
        feed.cursor = page.nextCursor();
        if (!page.hasMore()) {
            feed.restUntil = now.plus(s.pollInterval());
        }
        return out;
    }

    private static SourceRecord record(Feed feed, Map<String, Object> offset, MarketingRecord r, boolean deleted) {
        return new SourceRecord(feed.partition, offset, feed.topic, null, RecordCodec.KEY_SCHEMA, MarketingCodec.key(r),
                MarketingCodec.VALUE_SCHEMA, MarketingCodec.encode(feed.org, r, deleted));
    }

    /** Ends a waiting {@link #poll()} and closes the stores that are {@link AutoCloseable}. */
    @Override
    public void stop() {
        stopped.countDown();
        for (BidirectionalStore store : stores.values()) {
            if (store instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.warn("closing a marketing store failed ({})", e.getClass().getSimpleName());
                }
            }
        }
    }
}
