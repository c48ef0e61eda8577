package dev.crmsync.kafka.connect.internal;

import dev.crmsync.core.HostDeletes;
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
 * @param partitions the partition count of every two-way topic (how a task tells its booked records from others')
 * @param hostDeletes what becomes of the CRM record when the host deletes a linked record
 * @param retryInterval the least time between two attempts of a booked record
 * @param createConfirmTimeout how long a create whose answer was lost waits to come back on the CRM topic before it
 *     is sent again (types without a marketing-id field)
 * @param owner the lease owner: the connector's name
 * @param originals the properties as given
 */
public record MergeSettings(Class<?> crmFactory, Class<?> storeFactory, Class<?> stateFactory, Class<?> policyFactory,
                            String topicPrefix, Duration leaseTtl, int partitions, HostDeletes hostDeletes,
                            Duration retryInterval, Duration createConfirmTimeout, String owner,
                            Map<String, String> originals) {

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
                    "How long a task's lease on a partition number lasts unless renewed (each put renews it).")
            .define(MergeSinkConnector.TOPIC_PARTITIONS, ConfigDef.Type.INT, ConfigDef.NO_DEFAULT_VALUE,
                    ConfigDef.Range.between(1, 100_000), ConfigDef.Importance.HIGH,
                    "The partition count of the two-way topics (both topics of every type have it). With it and the"
                            + " default partitioner over the string keys (key.converter StringConverter) a task tells"
                            + " which booked records are its own to retry; a record on another partition fails the task.")
            .define(MergeSinkConnector.HOST_DELETES, ConfigDef.Type.STRING, HostDeletes.DELETE_IN_CRM.name(),
                    ConfigDef.ValidString.in(HostDeletes.DELETE_IN_CRM.name(), HostDeletes.KEEP_IN_CRM.name()),
                    ConfigDef.Importance.MEDIUM, "What becomes of the CRM record when the host deletes a linked record:"
                            + " DELETE_IN_CRM (the default, as the embedded engine's) or KEEP_IN_CRM.")
            .define(MergeSinkConnector.RETRY_INTERVAL_MS, ConfigDef.Type.LONG, MergeSinkConnector.DEFAULT_RETRY_INTERVAL_MS,
                    ConfigDef.Range.between(0, Duration.ofDays(1).toMillis()), ConfigDef.Importance.LOW,
                    "The least time between two attempts of a record in the failure book; each put retries at most "
                            + MergeSinkConnector.RETRIES_PER_PUT + " records that are due.")
            .define(MergeSinkConnector.CREATE_CONFIRM_TIMEOUT_MS, ConfigDef.Type.LONG,
                    MergeSinkConnector.DEFAULT_CREATE_CONFIRM_TIMEOUT_MS,
                    ConfigDef.Range.between(0, Duration.ofDays(7).toMillis()), ConfigDef.Importance.LOW,
                    "How long a create whose answer was lost waits for the record it made to come back on the CRM"
                            + " topic (it is then linked) before it is sent again; set it above the CRM source's lag."
                            + " Types with marketing.id.field.<Type> send idempotent upserts instead and never wait.");

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
                Duration.ofMillis(c.getLong(MergeSinkConnector.LEASE_TTL_MS)),
                c.getInt(MergeSinkConnector.TOPIC_PARTITIONS),
                HostDeletes.valueOf(c.getString(MergeSinkConnector.HOST_DELETES)),
                Duration.ofMillis(c.getLong(MergeSinkConnector.RETRY_INTERVAL_MS)),
                Duration.ofMillis(c.getLong(MergeSinkConnector.CREATE_CONFIRM_TIMEOUT_MS)), name, props);
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

    /**
     * @param type a two-way type
     * @return the CRM's external-id field that holds the marketing id ({@code marketing.id.field.<Type>}), if any:
     *     creates are then sent as upserts by it
     */
    public Optional<String> marketingIdField(ObjectType type) {
        String v = originals.get(MergeSinkConnector.MARKETING_ID_FIELD_PREFIX + type.apiName());
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
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
        return "MergeSettings[topicPrefix=" + topicPrefix + ", leaseTtl=" + leaseTtl + ", partitions=" + partitions
                + ", hostDeletes=" + hostDeletes + ", retryInterval=" + retryInterval + ", owner=" + owner + ", keys="
                + new java.util.TreeSet<>(originals.keySet()) + "]";
    }
}
