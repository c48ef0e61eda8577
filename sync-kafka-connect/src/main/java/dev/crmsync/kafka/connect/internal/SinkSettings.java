package dev.crmsync.kafka.connect.internal;

import dev.crmsync.kafka.connect.MarketingStoreFactory;
import dev.crmsync.kafka.connect.StoreSinkConnector;
import dev.crmsync.model.ObjectType;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The sink connector's settings, parsed and validated.
 *
 * @param factory the {@link MarketingStoreFactory} class
 * @param topicPrefix the prefix of the topics read ({@code <prefix>.<orgId>.<type>})
 * @param originals the properties as given (the per-org and shared store settings are read from them)
 */
public record SinkSettings(Class<?> factory, String topicPrefix, Map<String, String> originals) {

    /** The prefix of the store settings every org gets. */
    public static final String STORE_PREFIX = "store.";

    /** The connector's configuration definition (Connect adds {@code topics} / {@code topics.regex}). */
    public static final ConfigDef CONFIG = new ConfigDef()
            .define(StoreSinkConnector.MARKETING_STORE_FACTORY, ConfigDef.Type.CLASS, ConfigDef.NO_DEFAULT_VALUE,
                    Settings.implementing(MarketingStoreFactory.class), ConfigDef.Importance.HIGH,
                    "A class implementing dev.crmsync.kafka.connect.MarketingStoreFactory that builds the store an"
                            + " org's records are written to; it gets store.<key> and org.<orgId>.<key> settings.")
            .define(StoreSinkConnector.TOPIC_PREFIX, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                    Settings.topicPrefix(), ConfigDef.Importance.HIGH,
                    "The source connector's topic prefix: topics are <prefix>.<orgId>.<type>, which names the org and"
                            + " the type of a tombstone.");

    /** Copies the map. */
    public SinkSettings {
        originals = Map.copyOf(originals);
    }

    /**
     * @param props the properties
     * @return the settings
     * @throws ConfigException if a setting is missing or invalid
     */
    public static SinkSettings parse(Map<String, String> props) {
        AbstractConfig c = new AbstractConfig(CONFIG, props, false);
        return new SinkSettings(c.getClass(StoreSinkConnector.MARKETING_STORE_FACTORY),
                c.getString(StoreSinkConnector.TOPIC_PREFIX), props);
    }

    /** @return the settings without the properties as given (they may hold credentials): keys only */
    @Override
    public String toString() {
        return "SinkSettings[factory=" + factory.getName() + ", topicPrefix=" + topicPrefix + ", keys="
                + new java.util.TreeSet<>(originals.keySet()) + "]";
    }

    /**
     * The org and type a topic name carries.
     *
     * @param topic a topic name
     * @return the org and type, or empty if the topic is not {@code <prefix>.<orgId>.<type>}
     */
    public Optional<Map.Entry<String, ObjectType>> orgAndType(String topic) {
        String p = topicPrefix + ".";
        if (!topic.startsWith(p)) {
            return Optional.empty();
        }
        String rest = topic.substring(p.length());
        int dot = rest.indexOf('.');
        if (dot <= 0 || dot == rest.length() - 1 || rest.indexOf('.', dot + 1) >= 0) {
            return Optional.empty();
        }
        String org = rest.substring(0, dot);
        if (!Settings.ORG_ID.matcher(org).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Map.entry(org, ObjectType.of(rest.substring(dot + 1))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
