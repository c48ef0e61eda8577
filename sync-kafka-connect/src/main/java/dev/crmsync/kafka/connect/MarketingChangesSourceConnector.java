package dev.crmsync.kafka.connect;

import dev.crmsync.kafka.connect.internal.MarketingSourceSettings;
import dev.crmsync.kafka.connect.internal.Settings;
import dev.crmsync.kafka.connect.internal.SourceSettings;
import dev.crmsync.kafka.connect.internal.Versions;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.jspecify.annotations.Nullable;

/**
 * A source connector for the marketing store's own change feed (the two-way types Lead, Contact, Campaign,
 * CampaignMember): for each configured org and type it reads
 * {@link dev.crmsync.store.BidirectionalStore#changesSince} one page per poll and sends the changed records to
 * {@code <topic.prefix>.<orgId>.<type>.marketing}, where {@link MergeSinkConnector} merges them with the CRM's
 * changes of the same type (from {@link CrmChangesSourceConnector}, topic {@code <topic.prefix>.<orgId>.<type>}).
 *
 * <h2>Keys</h2>
 * A record linked to a CRM record is keyed by its CRM id, as the CRM source keys the same record, so that the
 * default partitioner puts one record's two histories in the same partition number of the two topics (create both
 * topics with the same partition count). A marketing-only record (no CRM id yet) is keyed by its marketing id; the
 * merge sink creates it in the CRM, links it, and from then on the feed keys it by the new CRM id.
 *
 * <h2>Partitions and offsets</h2>
 * A source partition is {@code {"org": orgId, "type": apiName}}, its offset {@code {"cursor": feed position}}, the
 * store's own opaque {@link dev.crmsync.store.FeedCursor} text (empty: the start, which lists every record). The
 * feed reports a record once per change, with its current values, so a record changed several times between two
 * polls is sent once. Host deletions are sent with {@code deleted=true}.
 *
 * <h2>Rows the store cannot read</h2>
 * A row the feed reports {@linkplain dev.crmsync.store.ChangePage#unreadable() unreadable} (a host wrote a value the
 * store cannot map back) is kept in the org's failure book ({@link dev.crmsync.store.FailedRecord}, side
 * {@link dev.crmsync.store.SyncSide#MARKETING}, code {@value #UNREADABLE_IN_STORE}, its key and column, never its
 * value), as the embedded engine books it, and the rest of the page flows. The task reads the booked records again
 * each time a feed has been read to its end (at most {@value MarketingChangesSourceTask#RETRY_PER_ROUND} per feed and
 * round), and when the host fixes the row it comes through the feed anyway; either way it is sent, and once Kafka
 * has acknowledged it ({@link MarketingChangesSourceTask#commitRecord}) the booking is cleared. A booked record the
 * host deletes leaves the book with its deletion.
 *
 * <h2>Tasks and exactly-once</h2>
 * As {@link CrmChangesSourceConnector}: orgs spread over at most {@code tasks.max} tasks, exactly-once support
 * (KIP-618) with connector-defined transaction boundaries, one transaction per page with its offset.
 *
 * <h2>Settings</h2>
 * {@value #ORGS}, {@value #MARKETING_STORE_FACTORY} (its stores must be {@link dev.crmsync.store.BidirectionalStore}s),
 * {@value #STATE_STORE_FACTORY} (the org's state store, the same the merge sink uses; it gets the {@code state.<key>}
 * settings),
 * {@value #OBJECT_TYPES} (two-way types only), {@value #TOPIC_PREFIX} (required); {@value #PAGE_SIZE},
 * {@value #POLL_INTERVAL_MS}; and per org {@code org.<orgId>.<key>}, handed to the factory.
 */
public class MarketingChangesSourceConnector extends SourceConnector {

    /** The orgs to read (a list of org ids). */
    public static final String ORGS = "orgs";
    /** The {@link MarketingStoreFactory} class. */
    public static final String MARKETING_STORE_FACTORY = "marketing.store.factory";
    /** The {@link SyncStateStoreFactory} class: the failure book of the rows the store cannot read. */
    public static final String STATE_STORE_FACTORY = "state.store.factory";
    /** The two-way object types to read (a list of API names). */
    public static final String OBJECT_TYPES = "object.types";
    /** The topics' prefix: {@code <prefix>.<orgId>.<type>.marketing}. */
    public static final String TOPIC_PREFIX = "topic.prefix";
    /** Records per page, one page per poll. */
    public static final String PAGE_SIZE = "page.size";
    /** The rest once an (org, type) has read its feed to the end, in milliseconds. */
    public static final String POLL_INTERVAL_MS = "poll.interval.ms";

    /** The failure book's code of a row the store cannot read (the engine's and the JDBC store's). */
    public static final String UNREADABLE_IN_STORE = "UNREADABLE_IN_STORE";

    /** Default {@value #PAGE_SIZE}. */
    public static final int DEFAULT_PAGE_SIZE = 500;
    /** Default {@value #POLL_INTERVAL_MS}: one second. */
    public static final long DEFAULT_POLL_INTERVAL_MS = 1_000;

    private Map<String, String> props = Map.of();
    private @Nullable MarketingSourceSettings settings;

    /** Creates the connector; Connect calls {@link #start} next. */
    public MarketingChangesSourceConnector() {
    }

    @Override
    public void start(Map<String, String> props) {
        this.settings = MarketingSourceSettings.parse(props);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return MarketingChangesSourceTask.class;
    }

    /**
     * Spreads the orgs over at most {@code maxTasks} tasks.
     *
     * @param maxTasks {@code tasks.max}
     * @return one configuration per task: the connector's, with the task's orgs
     */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return Settings.taskConfigs(props, Objects.requireNonNull(settings, "not started").orgs(), maxTasks);
    }

    @Override
    public void stop() {
        // nothing held: the tasks own the stores
    }

    @Override
    public ConfigDef config() {
        return MarketingSourceSettings.CONFIG;
    }

    @Override
    public String version() {
        return Versions.version();
    }

    /**
     * @param connectorConfig the configuration
     * @return {@link ExactlyOnceSupport#SUPPORTED}: a page and its offset commit in one transaction
     */
    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.SUPPORTED;
    }

    /**
     * @param connectorConfig the configuration
     * @return {@link ConnectorTransactionBoundaries#SUPPORTED}: the tasks commit a transaction after each page
     */
    @Override
    public ConnectorTransactionBoundaries canDefineTransactionBoundaries(Map<String, String> connectorConfig) {
        return ConnectorTransactionBoundaries.SUPPORTED;
    }
}
