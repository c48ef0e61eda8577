package dev.crmsync.kafka.connect;

import dev.crmsync.kafka.connect.internal.SinkSettings;
import dev.crmsync.kafka.connect.internal.Versions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * A plain store sink for the one-way types: writes the records of {@link CrmChangesSourceConnector}'s topics to a
 * {@link dev.crmsync.store.MarketingStore} (one per org, built by a {@link MarketingStoreFactory}) by idempotent
 * upserts. A record with {@code deleted=true} is upserted with the store's CRM-deleted flag set (its values stay);
 * a tombstone (a null value) flags the record deleted without touching its values.
 *
 * <p>Subscribe it with Connect's {@code topics} or {@code topics.regex} (for example
 * {@code crm\.[A-Za-z0-9_-]+\.(Account|Opportunity)}); {@value #TOPIC_PREFIX} must be the source's prefix, so
 * that a tombstone's topic names its org and type. Redelivery after a crash or a rebalance is harmless: writing
 * the same values again leaves the store unchanged. A record the store rejects for good goes to Connect's errant
 * record reporter (the dead-letter topic when one is configured; otherwise, with {@code errors.tolerance=none}, it
 * fails the task); a retriable rejection makes Connect deliver the batch again.
 *
 * <p>Not for the two-way types (Lead, Contact, Campaign, CampaignMember): they need the merge sink.
 */
public class StoreSinkConnector extends SinkConnector {

    /** The {@link MarketingStoreFactory} class. */
    public static final String MARKETING_STORE_FACTORY = "marketing.store.factory";
    /** The source connector's topic prefix. */
    public static final String TOPIC_PREFIX = "topic.prefix";

    private Map<String, String> props = Map.of();

    /** Creates the connector; Connect calls {@link #start} next. */
    public StoreSinkConnector() {
    }

    @Override
    public void start(Map<String, String> props) {
        SinkSettings.parse(props);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return StoreSinkTask.class;
    }

    /**
     * @param maxTasks {@code tasks.max}
     * @return {@code maxTasks} copies of the connector's configuration (Connect spreads the topic partitions)
     */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < Math.max(1, maxTasks); i++) {
            configs.add(props);
        }
        return configs;
    }

    @Override
    public void stop() {
        // nothing held: the tasks own the stores
    }

    @Override
    public ConfigDef config() {
        return SinkSettings.CONFIG;
    }

    @Override
    public String version() {
        return Versions.version();
    }
}
