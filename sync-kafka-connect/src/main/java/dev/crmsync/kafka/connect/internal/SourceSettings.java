package dev.crmsync.kafka.connect.internal;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.kafka.connect.CrmChangesSourceConnector;
import dev.crmsync.kafka.connect.CrmSourceFactory;
import dev.crmsync.model.ObjectType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The source connector's settings, parsed and validated.
 *
 * @param orgs the orgs (of the connector, or of one task)
 * @param factory the {@link CrmSourceFactory} class
 * @param types the object types to read
 * @param topicPrefix the topics' prefix
 * @param pageSize records per page (one page per poll)
 * @param pollInterval the pause once every partition of a task is caught up
 * @param lookback how far an incremental sweep steps back behind the cursor
 * @param dailyApiCalls by org, the CRM calls the task may make for it per UTC day (an org not in the map has no
 *     budget)
 * @param originals the properties as given (the per-org settings are read from them)
 */
public record SourceSettings(List<String> orgs, Class<?> factory, List<ObjectType> types, String topicPrefix,
                             int pageSize, Duration pollInterval, Duration lookback, Map<String, Long> dailyApiCalls,
                             Map<String, String> originals) {

    /** The task-only key listing the orgs a task reads (set by the connector, not by users). */
    public static final String TASK_ORGS = "task.orgs";

    /** Longest lookback accepted: a day. */
    public static final long MAX_LOOKBACK_MS = Duration.ofDays(1).toMillis();

    /** The connector's configuration definition. */
    public static final ConfigDef CONFIG = new ConfigDef()
            .define(CrmChangesSourceConnector.ORGS, ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Settings.orgIds(),
                    ConfigDef.Importance.HIGH, "The orgs to read, by id (letters, digits, '_', '-'). Each org's own"
                            + " settings are the properties org.<orgId>.<key>, handed to the CRM source factory.")
            .define(CrmChangesSourceConnector.CRM_SOURCE_FACTORY, ConfigDef.Type.CLASS, ConfigDef.NO_DEFAULT_VALUE,
                    Settings.implementing(CrmSourceFactory.class), ConfigDef.Importance.HIGH,
                    "A class implementing dev.crmsync.kafka.connect.CrmSourceFactory that builds each org's CrmSource.")
            .define(CrmChangesSourceConnector.OBJECT_TYPES, ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT_VALUE,
                    Settings.types(Settings.Types.ANY), ConfigDef.Importance.HIGH,
                    "The object types to read: one-way ones (Account, Opportunity, User, Task, Event, custom objects) for"
                            + " the store sink, two-way ones (Lead, Contact, Campaign, CampaignMember) for the merge sink.")
            .define(CrmChangesSourceConnector.TOPIC_PREFIX, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                    Settings.topicPrefix(), ConfigDef.Importance.HIGH,
                    "Records of an org and type go to the topic <prefix>.<orgId>.<type>.")
            .define(CrmChangesSourceConnector.PAGE_SIZE, ConfigDef.Type.INT, CrmChangesSourceConnector.DEFAULT_PAGE_SIZE,
                    ConfigDef.Range.between(1, ChangeQuery.MAX_PAGE_SIZE), ConfigDef.Importance.MEDIUM,
                    "Records a poll reads at most: one page of one (org, type), committed as one transaction with"
                            + " exactly-once support on (the source may cap it at its own maximum).")
            .define(CrmChangesSourceConnector.POLL_INTERVAL_MS, ConfigDef.Type.LONG,
                    CrmChangesSourceConnector.DEFAULT_POLL_INTERVAL_MS, ConfigDef.Range.between(0, Duration.ofHours(1).toMillis()),
                    ConfigDef.Importance.MEDIUM, "How long an (org, type) rests once it has read everything, before it"
                            + " reads its changes again.")
            .define(CrmChangesSourceConnector.LOOKBACK_MS, ConfigDef.Type.LONG,
                    CrmChangesSourceConnector.DEFAULT_LOOKBACK_MS, ConfigDef.Range.between(0, MAX_LOOKBACK_MS),
                    ConfigDef.Importance.LOW, "How far each incremental read steps back behind the cursor, to catch"
                            + " records that became visible late (the engine's lookback). Records in the window are"
                            + " sent again; the sink's upserts are idempotent. 0 turns it off.")
            .define(CrmChangesSourceConnector.DAILY_API_CALLS, ConfigDef.Type.LONG, 0L, ConfigDef.Range.atLeast(0),
                    ConfigDef.Importance.MEDIUM, "The CRM API calls a task may make for each org per UTC day; an org"
                            + " that spent them rests until the next UTC midnight while the others go on. 0: no budget."
                            + " org.<orgId>.daily.api.calls sets one org's budget.");

    /** Checks nulls, copies collections. */
    public SourceSettings {
        orgs = List.copyOf(orgs);
        types = List.copyOf(types);
        dailyApiCalls = Map.copyOf(dailyApiCalls);
        originals = Map.copyOf(originals);
    }

    /**
     * Parses the connector's properties.
     *
     * @param props the properties
     * @return the settings
     * @throws ConfigException if a setting is missing or invalid (the message names the key, not the value)
     */
    public static SourceSettings parse(Map<String, String> props) {
        AbstractConfig c = new AbstractConfig(CONFIG, props, false);
        List<String> orgs = Settings.parseOrgs(CrmChangesSourceConnector.ORGS, c.getList(CrmChangesSourceConnector.ORGS));
        return new SourceSettings(orgs,
                c.getClass(CrmChangesSourceConnector.CRM_SOURCE_FACTORY),
                Settings.parseTypes(CrmChangesSourceConnector.OBJECT_TYPES, c.getList(CrmChangesSourceConnector.OBJECT_TYPES),
                        Settings.Types.ANY),
                c.getString(CrmChangesSourceConnector.TOPIC_PREFIX),
                c.getInt(CrmChangesSourceConnector.PAGE_SIZE),
                Duration.ofMillis(c.getLong(CrmChangesSourceConnector.POLL_INTERVAL_MS)),
                Duration.ofMillis(c.getLong(CrmChangesSourceConnector.LOOKBACK_MS)),
                budgets(orgs, c.getLong(CrmChangesSourceConnector.DAILY_API_CALLS), props),
                props);
    }

    /**
     * Parses a task's properties: the connector's, with {@link #TASK_ORGS} naming the task's orgs.
     *
     * @param props the task's properties
     * @return the settings, {@link #orgs()} being the task's orgs
     * @throws ConfigException if invalid
     */
    public static SourceSettings parseTask(Map<String, String> props) {
        SourceSettings all = parse(props);
        String mine = props.get(TASK_ORGS);
        if (mine == null) {
            throw new ConfigException(TASK_ORGS + " is missing: the connector sets it for each task");
        }
        List<String> orgs = Settings.parseOrgs(TASK_ORGS, List.of(mine.split(",")));
        for (String org : orgs) {
            if (!all.orgs().contains(org)) {
                throw new ConfigException(TASK_ORGS + ": org " + org + " is not in " + CrmChangesSourceConnector.ORGS);
            }
        }
        return new SourceSettings(orgs, all.factory(), all.types(), all.topicPrefix(), all.pageSize(),
                all.pollInterval(), all.lookback(), all.dailyApiCalls(), props);
    }

    /** The orgs' daily budgets: an org's own {@code org.<orgId>.daily.api.calls}, else the connector's (0: none). */
    private static Map<String, Long> budgets(List<String> orgs, long shared, Map<String, String> props) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (String org : orgs) {
            String key = Settings.ORG_PREFIX + org + "." + CrmChangesSourceConnector.DAILY_API_CALLS;
            String own = props.get(key);
            long calls = shared;
            if (own != null) {
                try {
                    calls = Long.parseLong(own.trim());
                } catch (NumberFormatException e) {
                    throw new ConfigException(key + " must be a whole number of calls");
                }
                if (calls < 0) {
                    throw new ConfigException(key + " must be at least 0");
                }
            }
            if (calls > 0) {
                out.put(org, calls);
            }
        }
        return out;
    }

    /** @return the settings without the properties as given (they hold the orgs' credentials): keys only */
    @Override
    public String toString() {
        return "SourceSettings[orgs=" + orgs + ", factory=" + factory.getName() + ", types=" + types + ", topicPrefix="
                + topicPrefix + ", pageSize=" + pageSize + ", pollInterval=" + pollInterval + ", lookback=" + lookback
                + ", dailyApiCalls=" + dailyApiCalls + ", keys=" + new java.util.TreeSet<>(originals.keySet()) + "]";
    }

    /**
     * @param org an org
     * @param type a type
     * @return the topic of that org's records of that type
     */
    public String topic(String org, ObjectType type) {
        return topicPrefix + "." + org + "." + type.apiName();
    }
}
