package dev.crmsync.kafka.connect.internal;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.jspecify.annotations.Nullable;

/**
 * The Connect form of a marketing store's change (its change feed, two-way types): key the CRM id, or the marketing
 * id for a record not yet linked to a CRM record; value a {@link Struct} of {@value #VALUE_SCHEMA_NAME}:
 *
 * <pre>
 * org          string             the org id
 * type         string             the object type's API name
 * marketingId  string             the store's own id
 * crmId        string (optional)  the linked CRM id; absent while the record is marketing-only
 * modstamp     Timestamp          when the record last changed in the store
 * deleted      boolean            true when the host deleted the record (a {@code HostDeletion} of the feed)
 * fields       map&lt;string, {@value RecordCodec#FIELD_SCHEMA_NAME}&gt;   the record's current values, as in
 *                                 {@link RecordCodec} (exact text by kind)
 * </pre>
 */
public final class MarketingCodec {

    /** Name of the value schema. */
    public static final String VALUE_SCHEMA_NAME = "dev.crmsync.MarketingRecord";

    /** The record's value. */
    public static final Schema VALUE_SCHEMA = SchemaBuilder.struct().name(VALUE_SCHEMA_NAME).version(1)
            .field("org", Schema.STRING_SCHEMA)
            .field("type", Schema.STRING_SCHEMA)
            .field("marketingId", Schema.STRING_SCHEMA)
            .field("crmId", Schema.OPTIONAL_STRING_SCHEMA)
            .field("modstamp", Timestamp.SCHEMA)
            .field("deleted", Schema.BOOLEAN_SCHEMA)
            .field("fields", SchemaBuilder.map(Schema.STRING_SCHEMA, RecordCodec.FIELD_SCHEMA).build())
            .build();

    /** A placeholder CRM id used only to carry the field values through {@link RecordCodec}'s field codec. */
    private static final CrmId CARRIER = CrmId.of("000000000000000");

    private MarketingCodec() {
    }

    /**
     * @param record a record of the feed
     * @return its key: the CRM id, or the marketing id while it is not linked
     */
    public static String key(MarketingRecord record) {
        return record.crmId() == null ? record.marketingId() : record.crmId().value();
    }

    /**
     * @param org the org
     * @param record a record of the store's feed
     * @param deleted true for a host deletion
     * @return its value
     */
    public static Struct encode(String org, MarketingRecord record, boolean deleted) {
        @SuppressWarnings("unchecked")
        Map<String, Struct> fields = (Map<String, Struct>) RecordCodec.encode(org,
                new SyncRecord(record.type(), CARRIER, record.fields(), record.localModstamp(), false)).get("fields");
        return new Struct(VALUE_SCHEMA)
                .put("org", org)
                .put("type", record.type().apiName())
                .put("marketingId", record.marketingId())
                .put("crmId", record.crmId() == null ? null : record.crmId().value())
                .put("modstamp", Date.from(record.localModstamp()))
                .put("deleted", deleted)
                .put("fields", new LinkedHashMap<>(fields));
    }

    /**
     * A decoded change.
     *
     * @param org the org
     * @param record the record as the store held it
     * @param deleted true for a host deletion
     */
    public record Decoded(String org, MarketingRecord record, boolean deleted) {
    }

    /**
     * @param value a value of {@link #VALUE_SCHEMA} (or its schemaless map form)
     * @return the change
     * @throws DataException if the value is not of that form (the message names the part, never a value)
     */
    public static Decoded decode(Object value) {
        String org = string(value, "org");
        String type = string(value, "type");
        String marketingId = string(value, "marketingId");
        Object crm = part(value, "crmId");
        Object stamp = part(value, "modstamp");
        Instant modstamp;
        if (stamp instanceof Date d) {
            modstamp = d.toInstant();
        } else if (stamp instanceof Number n) {
            modstamp = Instant.ofEpochMilli(n.longValue());
        } else {
            throw new DataException("not a crmsync marketing record: no modstamp");
        }
        Object deleted = part(value, "deleted");
        if (!(deleted instanceof Boolean)) {
            throw new DataException("not a crmsync marketing record: no deleted flag");
        }
        Map<String, Object> carrier = new HashMap<>();
        carrier.put("org", org);
        carrier.put("type", type);
        carrier.put("id", CARRIER.value());
        carrier.put("modstamp", modstamp.toEpochMilli());
        carrier.put("deleted", Boolean.FALSE);
        carrier.put("fields", part(value, "fields"));
        SyncRecord fields = RecordCodec.decode(carrier).record();
        CrmId crmId;
        try {
            crmId = crm == null ? null : CrmId.of(String.valueOf(crm));
        } catch (IllegalArgumentException e) {
            throw new DataException("not a crmsync marketing record: malformed crmId");
        }
        Map<String, FieldValue> values = new LinkedHashMap<>(fields.fields());
        return new Decoded(org, new MarketingRecord(ObjectType.of(type), marketingId, crmId, values, false, null, modstamp),
                (Boolean) deleted);
    }

    private static String string(Object value, String name) {
        Object v = part(value, name);
        if (!(v instanceof String s)) {
            throw new DataException("not a crmsync marketing record: no " + name);
        }
        return s;
    }

    private static @Nullable Object part(Object value, String name) {
        if (value instanceof Struct s) {
            if (s.schema().field(name) == null) {
                throw new DataException("not a crmsync marketing record: no " + name + " in " + s.schema().name());
            }
            return s.get(name);
        }
        if (value instanceof Map<?, ?> m) {
            return m.get(name);
        }
        throw new DataException("not a crmsync marketing record: a " + value.getClass().getSimpleName() + " value");
    }
}
