package dev.crmsync.kafka.connect;

import dev.crmsync.kafka.connect.internal.MarketingCodec;
import dev.crmsync.kafka.connect.internal.MarketingSourceSettings;
import dev.crmsync.kafka.connect.internal.PollLoop;
import dev.crmsync.kafka.connect.internal.RecordCodec;
import dev.crmsync.kafka.connect.internal.Settings;
import dev.crmsync.kafka.connect.internal.SourceOffsets;
import dev.crmsync.kafka.connect.internal.Versions;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SafeText;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.ChangePage;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.HostDeletion;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.SyncStateStore;
import dev.crmsync.store.UnreadableRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task of {@link MarketingChangesSourceConnector}: reads the (org, type) feeds of its orgs in turn, one page of
 * one feed per {@link #poll()}, and commits a transaction after each page when the connector defines the
 * boundaries. A feed read to its end rests for the poll interval.
 *
 * <p>A row the feed reports unreadable is booked in the org's failure book (side {@link SyncSide#MARKETING}, code
 * {@value MarketingChangesSourceConnector#UNREADABLE_IN_STORE}) and the rest of the page is sent. Each time a feed is
 * read to its end, up to {@value #RETRY_PER_ROUND} of its booked records are read again by key; one the store reads
 * now (or one the feed brings readable, or a deletion of it) is sent, and its booking is cleared in
 * {@link #commitRecord} once Kafka has acknowledged it, so that a task that stops in between reads it again.
 */
public class MarketingChangesSourceTask extends SourceTask {

    private static final Logger LOG = LoggerFactory.getLogger(MarketingChangesSourceTask.class);

    /** Offset key: the store's feed position. */
    static final String CURSOR = "cursor";

    /** Most booked records one feed reads again per round (a round: the feed read to its end). */
    static final int RETRY_PER_ROUND = 100;

    /** Most booked records loaded per feed when the task starts (the rest are found in later rounds). */
    static final int MAX_BOOKED_LOADED = 10_000;

    /** Least time between two reads of the failure queue for bookings made by others (the merge sink's). */
    static final Duration BOOK_SCAN_GAP = Duration.ofSeconds(10);

    /** The failure book's attempts before a record is parked, as the engine's default. */
    static final int MAX_ATTEMPTS = 5;

    private final Map<String, BidirectionalStore> stores = new LinkedHashMap<>();
    private final Map<String, SyncStateStore> states = new LinkedHashMap<>();
    private final List<Feed> feeds = new ArrayList<>();
    private final PollLoop<Feed> loop;
    private final Clock clock;
    /** Records sent whose acknowledgement clears a booking ({@link #commitRecord} may come from another thread). */
    private final Map<SourceRecord, Clear> clears = Collections.synchronizedMap(new IdentityHashMap<>());
    /** Bookings whose records Kafka acknowledged, cleared by the next poll. */
    private final java.util.Queue<Clear> acked = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private @Nullable MarketingSourceSettings settings;

    /** One (org, type) feed and where it stands. */
    private static final class Feed implements PollLoop.Feed {
        final String org;
        final ObjectType type;
        final Map<String, String> partition;
        final String topic;
        FeedCursor cursor;
        Instant restUntil = Instant.MIN;
        /** The keys booked as unreadable, as far as this task knows (it books them; others it loads). */
        final Set<RecordKey> booked = ConcurrentHashMap.newKeySet();
        /** When the failure queue is next read for bookings this task does not know of (made by others). */
        Instant nextBookScan = Instant.MIN;

        Feed(String org, ObjectType type, String topic, FeedCursor cursor) {
            this.org = org;
            this.type = type;
            this.partition = SourceOffsets.partition(org, type);
            this.topic = topic;
            this.cursor = cursor;
        }

        @Override
        public Instant restUntil() {
            return restUntil;
        }
    }

    /** A booking to clear once a record is acknowledged. */
    private record Clear(Feed feed, RecordKey key) {
    }

    /** Creates the task; Connect calls {@link #initialize} and {@link #start} next. */
    public MarketingChangesSourceTask() {
        this(Clock.systemUTC());
    }

    /** @param clock the time (rests) */
    MarketingChangesSourceTask(Clock clock) {
        this.clock = clock;
        this.loop = new PollLoop<>(clock, feeds);
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
        SyncStateStoreFactory stateFactory = Settings.instantiate(SyncStateStoreFactory.class, s.stateFactory());
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
            SyncStateStore state = stateFactory.open(org, Settings.orgSettings(org, s.originals(), "state."));
            states.put(org, state);
            List<FailedRecord> parked = state.parkedFailures();
            for (ObjectType type : s.types()) {
                Map<String, Object> offset = offsets == null ? null : offsets.get(SourceOffsets.partition(org, type));
                Object at = offset == null ? null : offset.get(CURSOR);
                FeedCursor cursor = at instanceof String text ? FeedCursor.of(text) : FeedCursor.START;
                Feed feed = new Feed(org, type, s.topic(org, type), cursor);
                loadBooked(feed, state, parked);
                feeds.add(feed);
                LOG.info("org {}, {}: the store's feed from {}", org, type, cursor.isStart() ? "its start" : "its offset");
            }
        }
    }

    /**
     * Clears the bookings of the records Kafka acknowledged, then reads one page of the next feed that is not
     * resting ({@link PollLoop}).
     *
     * @return the page's records, or null when every feed rests (after waiting at most a second)
     */
    @Override
    public @Nullable List<SourceRecord> poll() throws InterruptedException {
        MarketingSourceSettings s = settings;
        if (s == null) {
            return loop.poll(Duration.ofSeconds(1), () -> null, (f, now) -> List.of());
        }
        clearAcked();
        return loop.poll(s.pollInterval(), () -> context.transactionContext(), (feed, now) -> read(feed, s, now));
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
        SyncStateStore state = states.get(feed.org);
        for (UnreadableRecord u : page.unreadable()) {
            book(feed, state, u, now);
        }
        List<MarketingRecord> changed = new ArrayList<>(page.records());
        if (!page.hasMore()) {
            changed.addAll(readBookedAgain(feed, store, state, changed));
        }
        int live = changed.size();
        for (HostDeletion d : page.deletions()) {
            changed.add(new MarketingRecord(feed.type, d.marketingId(), d.crmId(), Map.of(), false, null, now));
        }
        List<SourceRecord> out = new ArrayList<>();
        for (int i = 0; i < changed.size(); i++) {
            MarketingRecord r = changed.get(i);
            SourceRecord sr = record(feed, i == changed.size() - 1 ? after : before, r, i >= live);
            for (RecordKey key : keys(r)) {
                if (feed.booked.contains(key)) {
                    clears.put(sr, new Clear(feed, key));
                }
            }
            out.add(sr);
        }
        feed.cursor = page.nextCursor();
        if (!page.hasMore()) {
            feed.restUntil = now.plus(s.pollInterval());
        }
        return out;
    }

    /** Books a row the store cannot read: a new failure, or one more attempt (parked once they are used up). */
    private void book(Feed feed, SyncStateStore state, UnreadableRecord u, Instant now) {
        String message = "the marketing store cannot read column '" + SafeText.name(u.column()) + "' of " + feed.type
                + " record " + u.key() + ": " + SafeText.bounded(u.reason());
        Optional<FailedRecord> previous = state.failure(feed.type, u.key(), SyncSide.MARKETING);
        FailedRecord f = previous.isEmpty()
                ? new FailedRecord(feed.type, u.key(), SyncSide.MARKETING, MarketingChangesSourceConnector.UNREADABLE_IN_STORE,
                        message, true, 1, now, now, false)
                : previous.get().failedAgain(MarketingChangesSourceConnector.UNREADABLE_IN_STORE, message, true, now,
                        MAX_ATTEMPTS);
        state.saveFailure(f);
        feed.booked.add(u.key());
        LOG.warn("org {}, {}: {} could not be read back from the store (column {}); kept in the failure book, attempt {}",
                feed.org, feed.type, u.key(), SafeText.name(u.column()), f.attempts());
    }

    /**
     * Reads up to {@value #RETRY_PER_ROUND} booked records of the feed again by key: the queue's unreadable ones
     * first, then the ones this task knows of. A record the store still cannot read (lookups leave it out) stays
     * booked; one it reads now is sent (its booking cleared on acknowledgement).
     */
    private List<MarketingRecord> readBookedAgain(Feed feed, BidirectionalStore store, SyncStateStore state,
                                                  List<MarketingRecord> sending) {
        Instant now = clock.instant();
        if (!now.isBefore(feed.nextBookScan)) {
            feed.nextBookScan = now.plus(BOOK_SCAN_GAP);
            for (FailedRecord f : state.retryQueue(feed.type, SyncSide.MARKETING, MAX_BOOKED_LOADED)) {
                if (f.code().equals(MarketingChangesSourceConnector.UNREADABLE_IN_STORE)) {
                    feed.booked.add(f.key());
                }
            }
        }
        if (feed.booked.isEmpty()) {
            return List.of();
        }
        Set<RecordKey> already = new java.util.HashSet<>();
        for (MarketingRecord r : sending) {
            already.addAll(keys(r));
        }
        Set<RecordKey> pending = new java.util.HashSet<>();
        synchronized (clears) {
            clears.values().stream().filter(c -> c.feed() == feed).forEach(c -> pending.add(c.key()));
        }
        acked.stream().filter(c -> c.feed() == feed).forEach(c -> pending.add(c.key()));
        List<CrmId> ids = new ArrayList<>();
        List<String> marketingIds = new ArrayList<>();
        for (RecordKey key : new java.util.TreeSet<>(feed.booked)) {
            if (ids.size() + marketingIds.size() >= RETRY_PER_ROUND) {
                break;
            }
            if (already.contains(key) || pending.contains(key)) {
                continue;
            }
            if (key instanceof RecordKey.Crm c) {
                ids.add(c.id());
            } else {
                marketingIds.add(((RecordKey.Marketing) key).marketingId());
            }
        }
        List<MarketingRecord> out = new ArrayList<>();
        if (!ids.isEmpty()) {
            out.addAll(store.findByCrmIds(feed.type, ids).values());
        }
        for (String marketingId : marketingIds) {
            store.findByMarketingId(feed.type, marketingId).ifPresent(out::add);
        }
        if (!out.isEmpty()) {
            LOG.info("org {}, {}: {} records the store could not read earlier read now; sent", feed.org, feed.type,
                    out.size());
        }
        return out;
    }

    /** Loads the keys booked as unreadable for a feed (bounded; later rounds find the rest). */
    private static void loadBooked(Feed feed, SyncStateStore state, List<FailedRecord> parked) {
        for (FailedRecord f : state.retryQueue(feed.type, SyncSide.MARKETING, MAX_BOOKED_LOADED)) {
            if (f.code().equals(MarketingChangesSourceConnector.UNREADABLE_IN_STORE)) {
                feed.booked.add(f.key());
            }
        }
        for (FailedRecord f : parked) {
            if (f.type().equals(feed.type) && f.target() == SyncSide.MARKETING
                    && f.code().equals(MarketingChangesSourceConnector.UNREADABLE_IN_STORE)) {
                feed.booked.add(f.key());
            }
        }
    }

    /** @return the keys a record may be booked under: its CRM id when linked, and its marketing id */
    private static List<RecordKey> keys(MarketingRecord r) {
        RecordKey.Marketing m = RecordKey.marketing(r.marketingId());
        return r.crmId() == null ? List.of(m) : List.of(RecordKey.crm(r.crmId()), m);
    }

    /**
     * Notes that Kafka acknowledged a record; if it was one the store could not read earlier, its booking is cleared
     * by the next {@link #poll()} (with exactly-once on, the page's transaction has then committed).
     *
     * @param record the record sent (or filtered by a transformation)
     * @param metadata where it was written, or null if it was filtered
     */
    @Override
    public void commitRecord(SourceRecord record, @Nullable RecordMetadata metadata) {
        Clear c = clears.remove(record);
        if (c != null) {
            acked.add(c);
        }
    }

    /** Clears the bookings of the records acknowledged (only of unreadable rows: other rejections keep theirs). */
    private void clearAcked() {
        for (Clear c = acked.poll(); c != null; c = acked.poll()) {
            SyncStateStore state = states.get(c.feed().org);
            Optional<FailedRecord> f = state.failure(c.feed().type, c.key(), SyncSide.MARKETING);
            if (f.isPresent() && f.get().code().equals(MarketingChangesSourceConnector.UNREADABLE_IN_STORE)) {
                state.deleteFailure(c.feed().type, c.key(), SyncSide.MARKETING);
                LOG.info("org {}, {}: {} read and sent; out of the failure book", c.feed().org, c.feed().type, c.key());
            }
            c.feed().booked.remove(c.key());
        }
    }

    private static SourceRecord record(Feed feed, Map<String, Object> offset, MarketingRecord r, boolean deleted) {
        return new SourceRecord(feed.partition, offset, feed.topic, null, RecordCodec.KEY_SCHEMA, MarketingCodec.key(r),
                MarketingCodec.VALUE_SCHEMA, MarketingCodec.encode(feed.org, r, deleted));
    }

    /** Ends a waiting {@link #poll()} and closes the stores that are {@link AutoCloseable}. */
    @Override
    public void stop() {
        loop.stop();
        List<Object> all = new ArrayList<>(stores.values());
        all.addAll(states.values());
        for (Object store : all) {
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
