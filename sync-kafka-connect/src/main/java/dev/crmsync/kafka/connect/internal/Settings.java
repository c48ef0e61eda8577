package dev.crmsync.kafka.connect.internal;

import dev.crmsync.model.ObjectType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Validators and helpers both connectors' settings share. Messages name keys and ids, never a setting's value. */
public final class Settings {

    /** What an org id may hold: it becomes part of a topic name. */
    public static final Pattern ORG_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** What a topic prefix may hold (Kafka's topic characters). */
    public static final Pattern TOPIC_PREFIX = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    /** The prefix of per-org settings: {@code org.<orgId>.<key>}. */
    public static final String ORG_PREFIX = "org.";

    private Settings() {
    }

    /**
     * @param orgId an org
     * @param originals the connector's properties
     * @param sharedPrefix a prefix of settings every org gets (without the org), or null
     * @return the org's {@code org.<orgId>.} settings, prefix removed, over the shared ones
     */
    public static Map<String, String> orgSettings(String orgId, Map<String, String> originals,
                                                  @org.jspecify.annotations.Nullable String sharedPrefix) {
        Map<String, String> out = new LinkedHashMap<>();
        if (sharedPrefix != null) {
            originals.forEach((k, v) -> {
                if (k.startsWith(sharedPrefix) && k.length() > sharedPrefix.length()) {
                    out.put(k.substring(sharedPrefix.length()), v);
                }
            });
        }
        String prefix = ORG_PREFIX + orgId + ".";
        originals.forEach((k, v) -> {
            if (k.startsWith(prefix) && k.length() > prefix.length()) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** @return a validator of a non-empty list of distinct org ids */
    public static ConfigDef.Validator orgIds() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                parseOrgs(name, value);
            }

            @Override
            public String toString() {
                return "a non-empty list of distinct org ids (letters, digits, '_' and '-', at most 64 characters)";
            }
        };
    }

    /**
     * @param name the key
     * @param value the parsed list
     * @return the org ids
     * @throws ConfigException if the list is empty, an id is malformed or repeats
     */
    public static List<String> parseOrgs(String name, @org.jspecify.annotations.Nullable Object value) {
        List<String> orgs = strings(name, value);
        if (orgs.isEmpty()) {
            throw new ConfigException(name + " must list at least one org");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < orgs.size(); i++) {
            String org = orgs.get(i);
            if (!ORG_ID.matcher(org).matches()) {
                throw new ConfigException(name + ": entry " + (i + 1) + " is not an org id (letters, digits, '_' and"
                        + " '-', 1 to 64 characters)");
            }
            if (!seen.add(org)) {
                throw new ConfigException(name + ": org " + org + " is listed twice");
            }
        }
        return orgs;
    }

    /** Which object types a list may hold. */
    public enum Types {
        /** Every type (the CRM source: one-way types for the store sink, two-way ones for the merge sink). */
        ANY,
        /** Two-way types only: Lead, Contact, Campaign, CampaignMember (the marketing store's change feed). */
        TWO_WAY
    }

    /**
     * @param which the types allowed
     * @return a validator of a non-empty list of distinct object types of that kind
     */
    public static ConfigDef.Validator types(Types which) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                parseTypes(name, value, which);
            }

            @Override
            public String toString() {
                return which == Types.ANY ? "a non-empty list of distinct object types (API names)"
                        : "a non-empty list of distinct two-way object types (Lead, Contact, Campaign, CampaignMember)";
            }
        };
    }

    /**
     * @param name the key
     * @param value the parsed list
     * @param which the types allowed
     * @return the object types
     * @throws ConfigException if the list is empty, a name is not an object type, repeats, or is not of the kind allowed
     */
    public static List<ObjectType> parseTypes(String name, @org.jspecify.annotations.Nullable Object value, Types which) {
        List<String> names = strings(name, value);
        if (names.isEmpty()) {
            throw new ConfigException(name + " must list at least one object type");
        }
        List<ObjectType> types = new ArrayList<>();
        for (String n : names) {
            ObjectType type;
            try {
                type = ObjectType.of(n);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name + ": '" + n + "' is not an object type name: " + e.getMessage());
            }
            if (which == Types.TWO_WAY && !type.isBidirectional()) {
                throw new ConfigException(name + ": " + type + " syncs one way; the marketing store's change feed"
                        + " holds two-way types only (Lead, Contact, Campaign, CampaignMember)");
            }
            if (types.contains(type)) {
                throw new ConfigException(name + ": " + type + " is listed twice");
            }
            types.add(type);
        }
        return types;
    }

    /** @return a validator of a topic prefix */
    public static ConfigDef.Validator topicPrefix() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (!(value instanceof String s) || !TOPIC_PREFIX.matcher(s).matches()) {
                    throw new ConfigException(name + " must be 1 to 100 of Kafka's topic characters (letters, digits,"
                            + " '.', '_', '-')");
                }
            }

            @Override
            public String toString() {
                return "1 to 100 letters, digits, '.', '_' or '-'";
            }
        };
    }

    /**
     * @param type the interface the class must implement
     * @return a validator of a class that implements {@code type} and has a public no-argument constructor
     */
    public static ConfigDef.Validator implementing(Class<?> type) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (!(value instanceof Class<?> c)) {
                    throw new ConfigException(name + " must name a class implementing " + type.getName());
                }
                if (!type.isAssignableFrom(c)) {
                    throw new ConfigException(name + ": " + c.getName() + " does not implement " + type.getName());
                }
                try {
                    c.getConstructor();
                } catch (NoSuchMethodException e) {
                    throw new ConfigException(name + ": " + c.getName() + " has no public no-argument constructor");
                }
            }

            @Override
            public String toString() {
                return "a class implementing " + type.getName() + " with a public no-argument constructor";
            }
        };
    }

    /**
     * Creates an instance of a validated factory class.
     *
     * @param type the interface
     * @param c the class
     * @param <T> the interface
     * @return a new instance
     * @throws ConfigException if it cannot be created
     */
    public static <T> T instantiate(Class<T> type, Class<?> c) {
        try {
            return type.cast(c.getConstructor().newInstance());
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new ConfigException("cannot create " + c.getName() + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static List<String> strings(String name, @org.jspecify.annotations.Nullable Object value) {
        if (!(value instanceof List<?> list)) {
            throw new ConfigException(name + " must be a list");
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            String s = String.valueOf(o).trim();
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * A source connector's task configurations: its orgs spread over at most {@code maxTasks} tasks in contiguous
     * groups, each task's configuration the connector's with its orgs in {@link SourceSettings#TASK_ORGS}.
     *
     * @param props the connector's configuration
     * @param orgs its orgs, at least one
     * @param maxTasks {@code tasks.max}
     * @return one configuration per task
     */
    public static List<Map<String, String>> taskConfigs(Map<String, String> props, List<String> orgs, int maxTasks) {
        List<Map<String, String>> configs = new java.util.ArrayList<>();
        for (List<String> group : org.apache.kafka.connect.util.ConnectorUtils.groupPartitions(orgs,
                Math.min(Math.max(1, maxTasks), orgs.size()))) {
            Map<String, String> config = new java.util.HashMap<>(props);
            config.put(SourceSettings.TASK_ORGS, String.join(",", group));
            configs.add(config);
        }
        return configs;
    }
}
