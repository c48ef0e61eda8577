package dev.crmsync.kafka.connect.internal;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.jspecify.annotations.Nullable;

/**
 * The Connect form of a CRM record: key the CRM id (a string), value a {@link Struct} of one fixed schema for every
 * org and type, {@value #VALUE_SCHEMA_NAME}:
 *
 * <pre>
 * org       string             the org id
 * type      string             the object type's API name
 * id        string             the 18-character CRM id
 * modstamp  Timestamp          the CRM's modification stamp (millisecond precision; Salesforce's are whole seconds)
 * deleted   boolean            true when the CRM deleted (or merged away) the record
 * fields    map&lt;string, {@value #FIELD_SCHEMA_NAME}&gt;   by field API name: kind (text, number, boolean, date,
 *                              datetime, ref, null) and value (the value as text: a plain decimal, an ISO-8601
 *                              date or instant, an id; absent for null)
 * </pre>
 *
 * <p>The same schema for every type, rather than one per type built from describe: a record carries only the fields
 * read (absent means not read, not empty), a field becoming readable must not evolve a schema per org, and values
 * travel exactly ({@code 1.0} stays a number, {@code "1.0"} text; Connect's {@code Decimal} would fix one scale per
 * field). Decoding also accepts the schemaless map form of the same value (a JSON converter with schemas off).
 */
public final class RecordCodec {

    /** Name of the value schema. */
    public static final String VALUE_SCHEMA_NAME = "dev.crmsync.CrmRecord";
    /** Name of a field value's schema. */
    public static final String FIELD_SCHEMA_NAME = "dev.crmsync.FieldValue";

    /** A field value: its kind and its text. */
    public static final Schema FIELD_SCHEMA = SchemaBuilder.struct().name(FIELD_SCHEMA_NAME).version(1)
            .field("kind", Schema.STRING_SCHEMA)
            .field("value", Schema.OPTIONAL_STRING_SCHEMA)
            .build();

    /** The record's value. */
    public static final Schema VALUE_SCHEMA = SchemaBuilder.struct().name(VALUE_SCHEMA_NAME).version(1)
            .field("org", Schema.STRING_SCHEMA)
            .field("type", Schema.STRING_SCHEMA)
            .field("id", Schema.STRING_SCHEMA)
            .field("modstamp", Timestamp.SCHEMA)
            .field("deleted", Schema.BOOLEAN_SCHEMA)
            .field("fields", SchemaBuilder.map(Schema.STRING_SCHEMA, FIELD_SCHEMA).build())
            .build();

    /** The key: the CRM id. */
    public static final Schema KEY_SCHEMA = Schema.STRING_SCHEMA;

    private RecordCodec() {
    }

    /**
     * @param org the org
     * @param record a CRM record
     * @return its value
     */
    public static Struct encode(String org, SyncRecord record) {
        Map<String, Struct> fields = new LinkedHashMap<>();
        record.fields().forEach((name, value) -> fields.put(name, encodeValue(value)));
        return new Struct(VALUE_SCHEMA)
                .put("org", org)
                .put("type", record.type().apiName())
                .put("id", record.id().value())
                .put("modstamp", Date.from(record.modstamp()))
                .put("deleted", record.deleted())
                .put("fields", fields);
    }

    private static Struct encodeValue(FieldValue v) {
        String kind;
        if (v instanceof FieldValue.Text) {
            kind = "text";
        } else if (v instanceof FieldValue.Number) {
            kind = "number";
        } else if (v instanceof FieldValue.Bool) {
            kind = "boolean";
        } else if (v instanceof FieldValue.Date) {
            kind = "date";
        } else if (v instanceof FieldValue.DateTime) {
            kind = "datetime";
        } else if (v instanceof FieldValue.Ref) {
            kind = "ref";
        } else {
            kind = "null";
        }
        return new Struct(FIELD_SCHEMA).put("kind", kind).put("value", v.asText());
    }

    /** A decoded value: the record and the org it came from. @param org the org @param record the record */
    public record Decoded(String org, SyncRecord record) {
    }

    /**
     * Decodes a value (a {@link Struct} of {@link #VALUE_SCHEMA}, or its schemaless map form).
     *
     * @param value the value
     * @return the org and the record
     * @throws DataException if the value is not of that form (the message names the part, never a value)
     */
    public static Decoded decode(Object value) {
        String org = string(value, "org");
        ObjectType type;
        CrmId id;
        try {
            type = ObjectType.of(string(value, "type"));
            id = CrmId.of(string(value, "id"));
        } catch (IllegalArgumentException e) {
            throw new DataException("not a crmsync record: malformed type or id");
        }
        Object stamp = part(value, "modstamp");
        Instant modstamp;
        if (stamp instanceof Date d) {
            modstamp = d.toInstant();
        } else if (stamp instanceof Number n) {
            modstamp = Instant.ofEpochMilli(n.longValue());
        } else {
            throw new DataException("not a crmsync record: " + type + " " + id + " has no modstamp");
        }
        Object deleted = part(value, "deleted");
        if (!(deleted instanceof Boolean)) {
            throw new DataException("not a crmsync record: " + type + " " + id + " has no deleted flag");
        }
        Object rawFields = part(value, "fields");
        if (!(rawFields instanceof Map<?, ?> map)) {
            throw new DataException("not a crmsync record: " + type + " " + id + " has no fields map");
        }
        Map<String, FieldValue> fields = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = String.valueOf(e.getKey());
            fields.put(name, decodeValue(type, id, name, e.getValue()));
        }
        return new Decoded(org, new SyncRecord(type, id, fields, modstamp, (Boolean) deleted));
    }

    private static FieldValue decodeValue(ObjectType type, CrmId id, String name, @Nullable Object raw) {
        Object kindPart = raw == null ? null : part(raw, "kind");
        Object textPart = raw == null ? null : part(raw, "value");
        if (!(kindPart instanceof String kind) || (textPart != null && !(textPart instanceof String))) {
            throw new DataException("not a crmsync record: " + type + " " + id + ", field " + name + " is malformed");
        }
        String text = (String) textPart;
        if (kind.equals("null")) {
            return FieldValue.NULL;
        }
        if (text == null) {
            throw new DataException(type + " " + id + ", field " + name + ": a " + kind + " value without text");
        }
        try {
            switch (kind) {
                case "text":
                    return FieldValue.text(text);
                case "number":
                    return FieldValue.number(new BigDecimal(text));
                case "boolean":
                    return FieldValue.bool(Boolean.parseBoolean(text));
                case "date":
                    return FieldValue.date(LocalDate.parse(text));
                case "datetime":
                    return FieldValue.dateTime(Instant.parse(text));
                case "ref":
                    return FieldValue.ref(CrmId.of(text));
                default:
                    throw new DataException(type + " " + id + ", field " + name + ": unknown kind " + kind);
            }
        } catch (RuntimeException e) {
            if (e instanceof DataException) {
                throw e;
            }
            throw new DataException(type + " " + id + ", field " + name + ": not a valid " + kind + " value");
        }
    }

    private static String string(Object value, String name) {
        Object v = part(value, name);
        if (!(v instanceof String s)) {
            throw new DataException("not a crmsync record: no " + name);
        }
        return s;
    }

    private static @Nullable Object part(Object value, String name) {
        if (value instanceof Struct s) {
            if (s.schema().field(name) == null) {
                throw new DataException("not a crmsync record: no " + name + " in " + s.schema().name());
            }
            return s.get(name);
        }
        if (value instanceof Map<?, ?> m) {
            return m.get(name);
        }
        throw new DataException("not a crmsync record: a " + value.getClass().getSimpleName() + " value");
    }
}
