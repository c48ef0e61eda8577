package dev.crmsync.kafka.connect.internal;

import dev.crmsync.kafka.connect.MarketingChangesSourceConnector;
import dev.crmsync.kafka.connect.MarketingStoreFactory;
import dev.crmsync.kafka.connect.SyncStateStoreFactory;
import dev.crmsync.model.ObjectType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The marketing change-feed source's settings, parsed and validated.
 *
 * @param orgs the orgs (of the connector, or of one task)
 * @param factory the {@link MarketingStoreFactory} class
 * @param stateFactory the {@link SyncStateStoreFactory} class (the failure book of rows the store cannot read)
 * @param types the two-way object types to read
 * @param topicPrefix the topics' prefix
 * @param pageSize records per page (one page per poll)
 * @param pollInterval the rest of an (org, type) whose feed was read to its end
 * @param originals the properties as given (the per-org settings are read from them)
 */
public record MarketingSourceSettings(List<String> orgs, Class<?> factory, Class<?> stateFactory, List<ObjectType> types,
                                      String topicPrefix,
                                      int pageSize, Duration pollInterval, Map<String, String> originals) {

    /** The connector's configuration definition. */
    public static final ConfigDef CONFIG = new ConfigDef()
            .define(MarketingChangesSourceConnector.ORGS, ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT_VALUE,
                    Settings.orgIds(), ConfigDef.Importance.HIGH, "The orgs whose marketing stores to read, by id.")
            .define(MarketingChangesSourceConnector.MARKETING_STORE_FACTORY, ConfigDef.Type.CLASS,
                    ConfigDef.NO_DEFAULT_VALUE, Settings.implementing(MarketingStoreFactory.class),
                    ConfigDef.Importance.HIGH, "A class implementing dev.crmsync.kafka.connect.MarketingStoreFactory"
                            + " whose stores are BidirectionalStores (they keep a change feed).")
            .define(MarketingChangesSourceConnector.STATE_STORE_FACTORY, ConfigDef.Type.CLASS,
                    ConfigDef.NO_DEFAULT_VALUE, Settings.implementing(SyncStateStoreFactory.class),
                    ConfigDef.Importance.HIGH, "A class implementing dev.crmsync.kafka.connect.SyncStateStoreFactory:"
                            + " the org's failure book, where a row the store cannot read is kept until it is read.")
            .define(MarketingChangesSourceConnector.OBJECT_TYPES, ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT_VALUE,
                    Settings.types(Settings.Types.TWO_WAY), ConfigDef.Importance.HIGH,
                    "The two-way object types whose changes to read (Lead, Contact, Campaign, CampaignMember).")
            .define(MarketingChangesSourceConnector.TOPIC_PREFIX, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                    Settings.topicPrefix(), ConfigDef.Importance.HIGH,
                    "Changes of an org and type go to the topic <prefix>.<orgId>.<type>.marketing.")
            .define(MarketingChangesSourceConnector.PAGE_SIZE, ConfigDef.Type.INT,
                    MarketingChangesSourceConnector.DEFAULT_PAGE_SIZE, ConfigDef.Range.between(1, 10_000),
                    ConfigDef.Importance.MEDIUM, "Records a poll reads at most from one feed: one transaction with"
                            + " exactly-once support on.")
            .define(MarketingChangesSourceConnector.POLL_INTERVAL_MS, ConfigDef.Type.LONG,
                    MarketingChangesSourceConnector.DEFAULT_POLL_INTERVAL_MS,
                    ConfigDef.Range.between(0, Duration.ofHours(1).toMillis()), ConfigDef.Importance.MEDIUM,
                    "How long an (org, type) rests once its feed is read to the end.");

    /** Copies the collections. */
    public MarketingSourceSettings {
        orgs = List.copyOf(orgs);
        types = List.copyOf(types);
        originals = Map.copyOf(originals);
    }

    /**
     * @param props the connector's properties
     * @return the settings
     * @throws ConfigException if a setting is missing or invalid (the message names the key, not the value)
     */
    public static MarketingSourceSettings parse(Map<String, String> props) {
        AbstractConfig c = new AbstractConfig(CONFIG, props, false);
        return new MarketingSourceSettings(
                Settings.parseOrgs(MarketingChangesSourceConnector.ORGS, c.getList(MarketingChangesSourceConnector.ORGS)),
                c.getClass(MarketingChangesSourceConnector.MARKETING_STORE_FACTORY),
                c.getClass(MarketingChangesSourceConnector.STATE_STORE_FACTORY),
                Settings.parseTypes(MarketingChangesSourceConnector.OBJECT_TYPES,
                        c.getList(MarketingChangesSourceConnector.OBJECT_TYPES), Settings.Types.TWO_WAY),
                c.getString(MarketingChangesSourceConnector.TOPIC_PREFIX),
                c.getInt(MarketingChangesSourceConnector.PAGE_SIZE),
                Duration.ofMillis(c.getLong(MarketingChangesSourceConnector.POLL_INTERVAL_MS)), props);
    }

    /**
     * @param props a task's properties: the connector's, with {@link SourceSettings#TASK_ORGS}
     * @return the settings, {@link #orgs()} being the task's orgs
     * @throws ConfigException if invalid
     */
    public static MarketingSourceSettings parseTask(Map<String, String> props) {
        MarketingSourceSettings all = parse(props);
        String mine = props.get(SourceSettings.TASK_ORGS);
        if (mine == null) {
            throw new ConfigException(SourceSettings.TASK_ORGS + " is missing: the connector sets it for each task");
        }
        List<String> orgs = Settings.parseOrgs(SourceSettings.TASK_ORGS, List.of(mine.split(",")));
        for (String org : orgs) {
            if (!all.orgs().contains(org)) {
                throw new ConfigException(SourceSettings.TASK_ORGS + ": org " + org + " is not in "
                        + MarketingChangesSourceConnector.ORGS);
            }
        }
        return new MarketingSourceSettings(orgs, all.factory(), all.stateFactory(), all.types(), all.topicPrefix(), all.pageSize(),
                all.pollInterval(), props);
    }

    /**
     * @param org an org
     * @param type a type
     * @return the topic of that org's marketing changes of that type: {@code <prefix>.<org>.<type>.marketing}
     */
    public String topic(String org, ObjectType type) {
        return topicPrefix + "." + org + "." + type.apiName() + ".marketing";
    }

    /** @return the settings without the properties as given (they may hold credentials): keys only */
    @Override
    public String toString() {
        return "MarketingSourceSettings[orgs=" + orgs + ", factory=" + factory.getName() + ", stateFactory="
                + stateFactory.getName() + ", types=" + types
                + ", topicPrefix=" + topicPrefix + ", pageSize=" + pageSize + ", pollInterval=" + pollInterval
                + ", keys=" + new java.util.TreeSet<>(originals.keySet()) + "]";
    }
}
