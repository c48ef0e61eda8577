package dev.crmsync.kafka.connect.internal;

import dev.crmsync.kafka.connect.ConflictPolicyFactory;
import dev.crmsync.kafka.connect.CrmSourceFactory;
import dev.crmsync.kafka.connect.MarketingStoreFactory;
import dev.crmsync.kafka.connect.MergeSinkConnector;
import dev.crmsync.kafka.connect.SyncStateStoreFactory;
import dev.crmsync.model.ObjectType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The merge sink's settings, parsed and validated.
 *
 * @param crmFactory the {@link CrmSourceFactory} class
 * @param storeFactory the {@link MarketingStoreFactory} class
 * @param stateFactory the {@link SyncStateStoreFactory} class
 * @param policyFactory the {@link ConflictPolicyFactory} class
 * @param topicPrefix the sources' topic prefix
 * @param leaseTtl how long a partition's lease lasts unless renewed
 * @param owner the lease owner: the connector's name
 * @param originals the properties as given
 */
public record MergeSettings(Class<?> crmFactory, Class<?> storeFactory, Class<?> stateFactory, Class<?> policyFactory,
                            String topicPrefix, Duration leaseTtl, String owner, Map<String, String> originals) {

    /** Suffix of the marketing change-feed topics. */
    public static final String MARKETING_SUFFIX = ".marketing";

    /** The connector's configuration definition (Connect adds {@code topics} / {@code topics.regex}). */
    public static final ConfigDef CONFIG = new ConfigDef()
            .define(MergeSinkConnector.CRM_SOURCE_FACTORY, ConfigDef.Type.CLASS, ConfigDef.NO_DEFAULT_VALUE,
                    Settings.implementing(CrmSourceFactory.class), ConfigDef.Importance.HIGH,
                    "Builds each org's CrmSource: the merge's CRM writes (and reads by id) go through it.")
            .define(MergeSinkConnector.MARKETING_STORE_FACTORY, ConfigDef.Type.CLASS, ConfigDef.NO_DEFAULT_VALUE,
                    Settings.implementing(MarketingStoreFactory.class), ConfigDef.Importance.HIGH,
                    "Builds each org's marketing store (a BidirectionalStore).")
            .define(MergeSinkConnector.STATE_STORE_FACTORY, ConfigDef.Type.CLASS, ConfigDef.NO_DEFAULT_VALUE,
                    Settings.implementing(SyncStateStoreFactory.class), ConfigDef.Importance.HIGH,
                    "Builds each org's SyncStateStore: merge bases, partition leases, the failure book.")
            .define(MergeSinkConnector.CONFLICT_POLICY_FACTORY, ConfigDef.Type.CLASS,
                    ConflictPolicyFactory.MarketoDefaults.class, Settings.implementing(ConflictPolicyFactory.class),
                    ConfigDef.Importance.MEDIUM, "Builds each org's ConflictPolicy (default: Marketo's defaults).")
            .define(MergeSinkConnector.TOPIC_PREFIX, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                    Settings.topicPrefix(), ConfigDef.Importance.HIGH,
                    "The sources' topic prefix: <prefix>.<orgId>.<type> (CRM) and <prefix>.<orgId>.<type>.marketing.")
            .define(MergeSinkConnector.LEASE_TTL_MS, ConfigDef.Type.LONG, MergeSinkConnector.DEFAULT_LEASE_TTL_MS,
                    ConfigDef.Range.between(1_000, Duration.ofHours(1).toMillis()), ConfigDef.Importance.LOW,
                    "How long a task's lease on a partition number lasts unless renewed (each put renews it).");

    /** Copies the map. */
    public MergeSettings {
        originals = Map.copyOf(originals);
    }

    /**
     * @param props the properties
     * @return the settings
     * @throws ConfigException if a setting is missing or invalid (the message names the key, never a value)
     */
    public static MergeSettings parse(Map<String, String> props) {
        AbstractConfig c = new AbstractConfig(CONFIG, props, false);
        String name = props.getOrDefault("name", "crmsync-merge");
        return new MergeSettings(c.getClass(MergeSinkConnector.CRM_SOURCE_FACTORY),
                c.getClass(MergeSinkConnector.MARKETING_STORE_FACTORY),
                c.getClass(MergeSinkConnector.STATE_STORE_FACTORY),
                c.getClass(MergeSinkConnector.CONFLICT_POLICY_FACTORY),
                c.getString(MergeSinkConnector.TOPIC_PREFIX),
                Duration.ofMillis(c.getLong(MergeSinkConnector.LEASE_TTL_MS)), name, props);
    }

    /**
     * @param type a two-way type
     * @return the fields merged for it ({@code merge.fields.<Type>})
     * @throws ConfigException if the type has none
     */
    public List<String> mergeFields(ObjectType type) {
        List<String> fields = list(MergeSinkConnector.MERGE_FIELDS_PREFIX + type.apiName());
        if (fields.isEmpty()) {
            throw new ConfigException(MergeSinkConnector.MERGE_FIELDS_PREFIX + type.apiName()
                    + " must list the fields merged for " + type);
        }
        return fields;
    }

    /**
     * @param type a two-way type
     * @return the fields the integration user cannot update ({@code crm.owned.fields.<Type>}): always the CRM's
     */
    public Set<String> crmOwnedFields(ObjectType type) {
        return new LinkedHashSet<>(list(MergeSinkConnector.CRM_OWNED_FIELDS_PREFIX + type.apiName()));
    }

    private List<String> list(String key) {
        String v = originals.get(key);
        List<String> out = new ArrayList<>();
        if (v != null) {
            for (String f : v.split(",")) {
                if (!f.isBlank()) {
                    out.add(f.trim());
                }
            }
        }
        return out;
    }

    /**
     * What a topic carries.
     *
     * @param org the org
     * @param type the two-way type
     * @param marketing true for the marketing change feed, false for the CRM's changes
     */
    public record Topic(String org, ObjectType type, boolean marketing) {
    }

    /**
     * @param topic a topic name
     * @return the org, type and side it carries, if it is {@code <prefix>.<org>.<type>[.marketing]} of a two-way type
     */
    public Optional<Topic> topic(String topic) {
        if (!topic.startsWith(topicPrefix + ".")) {
            return Optional.empty();
        }
        String rest = topic.substring(topicPrefix.length() + 1);
        boolean marketing = rest.endsWith(MARKETING_SUFFIX);
        if (marketing) {
            rest = rest.substring(0, rest.length() - MARKETING_SUFFIX.length());
        }
        int dot = rest.indexOf('.');
        if (dot <= 0 || dot == rest.length() - 1) {
            return Optional.empty();
        }
        String org = rest.substring(0, dot);
        ObjectType type;
        try {
            type = ObjectType.of(rest.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!type.isBidirectional() || !Settings.ORG_ID.matcher(org).matches()) {
            return Optional.empty();
        }
        return Optional.of(new Topic(org, type, marketing));
    }

    /** @return the settings without the properties as given (they may hold credentials): keys only */
    @Override
    public String toString() {
        return "MergeSettings[topicPrefix=" + topicPrefix + ", leaseTtl=" + leaseTtl + ", owner=" + owner + ", keys="
                + new java.util.TreeSet<>(originals.keySet()) + "]";
    }
}
