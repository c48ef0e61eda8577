package dev.crmsync.kafka.connect;

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
 * A source connector for CRM changes: for each configured org and object type it reads the CRM's change
 * stream through a {@link dev.crmsync.crm.CrmSource}, one page per poll, and sends the records, keyed by CRM id, to
 * the topic {@code <topic.prefix>.<orgId>.<type>}.
 *
 * <h2>Partitions and offsets</h2>
 * A source partition is {@code {"org": orgId, "type": apiName}}; its offset is the engine's cursor for the type:
 * {@code {"stamp": ISO-8601 instant, "id": last CRM id at that stamp, "phase": "copy" | "incremental",
 * "copied": records read in the full copy}}. A partition with no offset starts a full copy from the start of the
 * change stream; after its first empty page it reads incrementally, each sweep from the cursor stepped back by
 * {@value #LOOKBACK_MS} (records in that window are sent again: the sink's upserts are idempotent).
 *
 * <h2>Values</h2>
 * One fixed schema for every org and type, {@code dev.crmsync.CrmRecord}: {@code org}, {@code type}, {@code id},
 * {@code modstamp} (Timestamp), {@code deleted} and {@code fields}, a map from field name to {@code {kind, value}}
 * where the value is the field's exact text. The Kafka record's timestamp is the send time, not the
 * modstamp (which is in the value): time-based retention would otherwise delete a full copy's old records at once. Records the CRM deleted are sent with {@code deleted=true} and their
 * last values (not as tombstones: the marketing side keeps deleted records, as Marketo does).
 *
 * <h2>Tasks and exactly-once</h2>
 * Orgs are spread over at most {@code tasks.max} tasks (every type of an org in the org's task). The connector
 * supports exactly-once delivery (KIP-618, {@code exactly.once.support=required}) and can define transaction
 * boundaries ({@code transaction.boundary=connector}): each page, with its offset, is then one transaction, so a
 * consumer reading {@code read_committed} sees every record of a full copy once, whatever restarts happen.
 *
 * <h2>Settings</h2>
 * {@value #ORGS}, {@value #CRM_SOURCE_FACTORY}, {@value #OBJECT_TYPES}, {@value #TOPIC_PREFIX} (required);
 * {@value #PAGE_SIZE}, {@value #POLL_INTERVAL_MS}, {@value #LOOKBACK_MS}, {@value #DAILY_API_CALLS}; and per org
 * {@code org.<orgId>.<key>}, handed to the factory. Errors name the key, never a setting's value.
 *
 * <h2>API budgets</h2>
 * Connect has no per-tenant quota, so the task keeps one per org: {@code org.<orgId>.daily.api.calls} (or
 * {@value #DAILY_API_CALLS} for every org) is how many CRM calls ({@link dev.crmsync.crm.CrmSource#callCounts()},
 * summed) the task may make for that org per UTC day. The task checks the budget before each page: an org that
 * spent it rests, all its partitions, until the next UTC midnight, while the task's other orgs go on; the last
 * page before the check may take the org past its budget by that page's calls. The count is the task's: a task
 * that restarts (a rebalance, a worker lost) starts counting afresh, so a budget is a ceiling per task run,
 * not a durable per-day total. For Salesforce, also give the source an {@code ApiBudget} in your factory: it reads
 * the org's whole usage from Salesforce's {@code Sforce-Limit-Info} and stops before the org's own limit.
 */
public class CrmChangesSourceConnector extends SourceConnector {

    /** The orgs to read (a list of org ids). */
    public static final String ORGS = "orgs";
    /** The {@link CrmSourceFactory} class. */
    public static final String CRM_SOURCE_FACTORY = "crm.source.factory";
    /**
     * The object types to read (a list of API names): one-way ones for {@link StoreSinkConnector}, two-way ones
     * (Lead, Contact, Campaign, CampaignMember) for {@link MergeSinkConnector}.
     */
    public static final String OBJECT_TYPES = "object.types";
    /** The topics' prefix: {@code <prefix>.<orgId>.<type>}. */
    public static final String TOPIC_PREFIX = "topic.prefix";
    /** Records per page, one page per poll. */
    public static final String PAGE_SIZE = "page.size";
    /** The rest once an (org, type) has read everything, in milliseconds. */
    public static final String POLL_INTERVAL_MS = "poll.interval.ms";
    /** The incremental sweeps' step back, in milliseconds. */
    public static final String LOOKBACK_MS = "lookback.ms";
    /**
     * The CRM API calls the task may make for each org per UTC day (0, the default: no budget of the connector's
     * own); {@code org.<orgId>.daily.api.calls} sets one org's budget.
     */
    public static final String DAILY_API_CALLS = "daily.api.calls";

    /** Default {@value #PAGE_SIZE}: Salesforce's query batch. */
    public static final int DEFAULT_PAGE_SIZE = 2_000;
    /** Default {@value #POLL_INTERVAL_MS}: ten seconds. */
    public static final long DEFAULT_POLL_INTERVAL_MS = 10_000;
    /** Default {@value #LOOKBACK_MS}: five minutes, the engine's default lookback. */
    public static final long DEFAULT_LOOKBACK_MS = 300_000;

    private Map<String, String> props = Map.of();
    private @Nullable SourceSettings settings;

    /** Creates the connector; Connect calls {@link #start} next. */
    public CrmChangesSourceConnector() {
    }

    @Override
    public void start(Map<String, String> props) {
        this.settings = SourceSettings.parse(props);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return CrmChangesSourceTask.class;
    }

    /**
     * Spreads the orgs over at most {@code maxTasks} tasks, round-robin over contiguous groups.
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
        // nothing held: the tasks own the CRM sources
    }

    @Override
    public ConfigDef config() {
        return SourceSettings.CONFIG;
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
