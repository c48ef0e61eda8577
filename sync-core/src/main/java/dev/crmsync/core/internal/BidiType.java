package dev.crmsync.core.internal;

import dev.crmsync.model.SafeText;
import dev.crmsync.core.SyncFilter;
import dev.crmsync.core.FieldRule;
import dev.crmsync.core.report.UnwrittenField;
import dev.crmsync.crm.FieldChecks;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the engine syncs of one bidirectional type, for one cycle (or one push): the fields merged
 * both ways and each one's {@link FieldRule}, the fields read from the CRM, and the marketing-id
 * field. Immutable.
 */
final class BidiType {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BidiType.class);

    /** System fields read (when readable) even if the host does not sync them: they drive conversions and merges. */
    private static final List<String> SYSTEM_FIELDS = List.of(SyncRecord.IS_CONVERTED, SyncRecord.CONVERTED_CONTACT_ID,
            SyncRecord.MASTER_RECORD_ID);

    /** Fields a create must fill, per type (Salesforce's required fields). */
    private static final Map<ObjectType, List<String>> REQUIRED = Map.of(
            ObjectType.LEAD, List.of("LastName", "Company"),
            ObjectType.CONTACT, List.of("LastName"),
            ObjectType.CAMPAIGN, List.of("Name"));

    final ObjectType type;
    final ObjectSchema schema;
    /** Synced fields, in the CRM's order, with their effective rule. */
    final Map<String, FieldRule> rules;
    /** Fields read from the CRM: the synced ones plus the system ones needed. */
    final Set<String> read;
    /** The marketing-id field if this type has it and it is createable, else null. */
    final String marketingIdField;
    /** The marketing-id field as configured (the engine's own, never the host's to write), or null. */
    private final String configuredIdField;
    /**
     * True when the marketing-id field is an external id per describe: creates go as upserts on it
     * ({@link dev.crmsync.crm.CrmWrite.Upsert}), idempotent, so a lost answer is simply sent again.
     */
    final boolean upsertCreates;
    /** Which CRM records take part in the sync, or null for all; its fields are synced, CRM-owned. */
    final SyncFilter filter;
    /** CampaignMember only, when the engine syncs CampaignMemberStatus: each campaign's statuses, else null. */
    private MemberStatuses memberStatuses;

    private BidiType(ObjectType type, ObjectSchema schema, Map<String, FieldRule> rules, Set<String> read,
                     String marketingIdField, String configuredIdField, boolean upsertCreates, SyncFilter filter) {
        this.filter = filter;
        this.configuredIdField = configuredIdField;
        this.upsertCreates = upsertCreates;
        this.type = type;
        this.schema = schema;
        this.rules = Collections.unmodifiableMap(rules);
        this.read = Collections.unmodifiableSet(read);
        this.marketingIdField = marketingIdField;
    }

    /**
     * @param settings the engine's settings (policy, marketing-id field)
     * @param schema the type as the integration user sees it
     * @param selected the fields to sync: readable and selected by the host
     * @return the type's sync description
     * @throws SyncException if the policy's {@code fieldRule} throws or returns null
     */
    static BidiType of(EngineSettings settings, ObjectSchema schema, Set<String> selected) {
        ObjectType type = schema.type();
        String idField = settings.marketingIdField();
        Map<String, FieldSchema> byName = schema.fieldsByName();
        Map<String, FieldRule> rules = new LinkedHashMap<>();
        for (String f : byName.keySet()) {
            if (!selected.contains(f) || f.equals(idField)) {
                continue;
            }
            FieldRule rule;
            try {
                rule = settings.conflictPolicy().fieldRule(type, f);
            } catch (RuntimeException e) {
                throw new SyncException("conflict policy " + settings.conflictPolicy() + " threw from fieldRule for field '"
                        + SafeText.name(f) + "' of " + type + ": " + SafeText.describe(e), type, null,
                        SafeText.scrubbed(e));
            }
            if (rule == null) {
                throw new SyncException("conflict policy " + settings.conflictPolicy()
                        + " returned no fieldRule for field '" + f + "' of " + type, type, null, null);
            }
            if (rule == FieldRule.DONT_SYNC) {
                continue;
            }
            FieldSchema fs = byName.get(f);
            if (!fs.updateable() || fs.calculated()) {
                rule = FieldRule.ALWAYS_CRM;   // the CRM owns what the integration user cannot update
            }
            rules.put(f, rule);
        }
        SyncFilter filter = settings.syncFilters().get(type);
        if (filter != null) {
            for (String f : filter.fields()) {
                FieldSchema fs = byName.get(f);
                if (fs == null || !fs.readable()) {
                    throw new SyncException("the sync filter of " + type + " reads field '" + SafeText.name(f)
                            + "', which the integration user cannot read (or which does not exist): nothing of "
                            + type + " syncs until it can", type, null, null);
                }
                rules.put(f, FieldRule.ALWAYS_CRM);   // the filter's fields are the CRM's: read always, never written
            }
        }
        Set<String> read = new LinkedHashSet<>(rules.keySet());
        for (String f : SYSTEM_FIELDS) {
            FieldSchema fs = byName.get(f);
            if (fs != null && fs.readable()) {
                read.add(f);
            }
        }
        String marketingIdField = null;
        boolean upsert = false;
        if (idField != null) {
            FieldSchema fs = byName.get(idField);
            if (fs != null && fs.readable() && fs.createable()) {
                marketingIdField = idField;
                read.add(idField);
                upsert = fs.externalId() && fs.type() == dev.crmsync.crm.FieldType.STRING;
            }
        }
        if (!upsert && !type.equals(ObjectType.CAMPAIGN_MEMBER)
                && settings.firstWarning("creates-not-idempotent:" + type.apiName())) {
            LOG.warn("{}: creates are not idempotent: {}. A create whose answer is lost (a timeout) is recognised by"
                    + " its values and sent again only after the CRM's longest write plus the lookback; a CRM edit of"
                    + " the new record before the engine sees it can still lead to a second record. Mark the"
                    + " marketing-id field an External ID (and Unique) in the CRM to make creates upserts.", type,
                    idField == null ? "no marketingIdField is configured"
                            : marketingIdField == null ? "the marketing-id field " + SafeText.name(idField)
                            + " is missing or not createable for the integration user"
                            : "the marketing-id field " + SafeText.name(idField) + " is not an External ID field");
        }
        BidiType t = new BidiType(type, schema, rules, read, marketingIdField, idField, upsert, filter);
        if (type.equals(ObjectType.CAMPAIGN_MEMBER) && (settings.objectTypes().isEmpty()
                || settings.objectTypes().contains(ObjectType.CAMPAIGN_MEMBER_STATUS))) {
            t.memberStatuses = new MemberStatuses(settings.store());
        }
        return t;
    }

    /**
     * Describes a type outside a cycle's type run, with the host's field selection applied.
     *
     * @param settings the engine's settings
     * @param type the type
     * @return its description, or empty if the integration user cannot query it
     */
    static Optional<BidiType> describe(EngineSettings settings, ObjectType type) {
        Optional<ObjectSchema> schema = settings.crm().describe(type);
        if (schema.isEmpty() || !schema.get().queryable()) {
            return Optional.empty();
        }
        Set<String> selected = settings.syncedFields(type, schema.get().readableFieldNames());
        return Optional.of(of(settings, schema.get(), selected));
    }

    /** @return the synced field names */
    Set<String> synced() {
        return rules.keySet();
    }

    /** @param f a synced field @return its schema */
    FieldSchema field(String f) {
        return schema.field(f).orElseThrow();
    }

    /** @param f a field @return true if a create may set it */
    boolean createable(String f) {
        return schema.field(f).map(fs -> fs.createable() && !fs.calculated()).orElse(false);
    }

    /** @param f a field @return true if an update may set it */
    boolean updateable(String f) {
        return schema.field(f).map(fs -> fs.updateable() && !fs.calculated()).orElse(false);
    }

    /**
     * Why the CRM will not take a field of a host record, if it will not: the type has no such
     * field or the integration user cannot see it, or the user cannot write it (a system field
     * such as {@code Id} or {@code IsConverted}, a formula, a read-only field). A field the user
     * can write is taken whenever it is synced (one the host deselected is its own choice), and
     * the marketing-id field is the engine's.
     *
     * @param f a field of a host record
     * @return the reason, or null if the field is not one the CRM refuses
     */
    UnwrittenField.Reason unwritable(String f) {
        if (f.equals(configuredIdField)) {
            return null;
        }
        FieldSchema fs = schema.field(f).orElse(null);
        if (fs == null || !fs.readable()) {
            return UnwrittenField.Reason.NOT_IN_CRM;
        }
        return fs.updateable() && !fs.calculated() ? null : UnwrittenField.Reason.READ_ONLY;
    }

    /** @return the fields a create of this type must fill that this schema has */
    List<String> required() {
        return REQUIRED.getOrDefault(type, List.of()).stream().filter(f -> schema.field(f).isPresent()).toList();
    }

    /**
     * @param values values by field
     * @return the synced fields' values (NULL for absent ones), for a base
     */
    Map<String, FieldValue> syncedValues(Map<String, FieldValue> values) {
        Map<String, FieldValue> out = new LinkedHashMap<>();
        for (String f : rules.keySet()) {
            FieldValue v = values.get(f);
            if (v != null && !v.isNull()) {
                out.put(f, v);
            }
        }
        return out;
    }

    /**
     * Checks a value the engine is about to write to the CRM, as the CRM would ({@link FieldChecks}:
     * kind, numbers within precision and range, dates within Salesforce's range, text length,
     * e-mail shape, restricted picklists), so that one bad value is rejected without a request.
     *
     * @param what names the record, e.g. {@code Lead 00Q… (marketing id 17)}
     * @param f the field
     * @param v the value
     * @return the rejection, or null if the CRM can take it
     */
    Rejection check(String what, String f, FieldValue v) {
        FieldSchema fs = schema.field(f).orElse(null);
        if (fs == null) {
            return new Rejection("INVALID_FIELD", "field '" + f + "' of " + what + " does not exist in the CRM");
        }
        // the describe's facts (kind, precision and range, dates, length, e-mail, restricted picklists)
        java.util.Optional<FieldChecks.Problem> problem = FieldChecks.check(fs, v);
        if (problem.isPresent()) {
            return new Rejection(problem.get().code(), "field '" + f + "' of " + what + ": " + problem.get().reason());
        }
        return null;
    }

    /**
     * @param what the record, for the message
     * @param values values about to be sent
     * @return the first value the CRM would refuse, or null if it takes them all
     */
    Rejection firstRejection(String what, Map<String, FieldValue> values) {
        return firstRejection(what, values, null);
    }

    /**
     * As {@link #firstRejection(String, Map)}, and for a campaign member whose status is written, that the
     * status is one of its campaign's (as Marketo refuses a program member status the campaign lacks; Salesforce
     * would silently give it the campaign's default).
     *
     * @param what the record, for the message
     * @param values values about to be sent
     * @param crmRecord the CRM's record when these values update it (its campaign), or null for a create
     * @return the first value the CRM would refuse or the engine does not send, or null
     */
    Rejection firstRejection(String what, Map<String, FieldValue> values, SyncRecord crmRecord) {
        for (Map.Entry<String, FieldValue> e : values.entrySet()) {
            Rejection rej = check(what, e.getKey(), e.getValue());
            if (rej != null) {
                return rej;
            }
        }
        if (memberStatuses != null && values.containsKey("Status")) {
            FieldValue campaign = values.get("CampaignId");
            if ((campaign == null || campaign.isNull()) && crmRecord != null) {
                campaign = crmRecord.get("CampaignId");
            }
            if (memberStatuses.unknown(campaign, values.get("Status"))) {
                return new Rejection(INVALID_MEMBER_STATUS, "field 'Status' of " + what
                        + ": not one of its campaign's member statuses (CampaignMemberStatus)");
            }
        }
        return null;
    }

    /** The engine's code for a campaign member whose status its campaign lacks. */
    static final String INVALID_MEMBER_STATUS = "INVALID_MEMBER_STATUS";

    /** A rejection decided before any CRM call. @param code the reason code @param message the reason */
    record Rejection(String code, String message) {
    }
}
