package dev.crmsync.salesforce.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An object describe as the source uses it: the engine-facing {@link ObjectSchema}, the fields
 * that may be named in SOQL and written, and the system fields the read path relies on (the
 * modification stamp, {@code IsDeleted}, merge and conversion fields).
 *
 * <p>Describe lists only the fields the integration user can see (field-level security), so every
 * listed field is readable. Fields Salesforce marks {@code deprecatedAndHidden}, and names that are
 * not well-formed API names, are left out.
 */
public final class ObjectInfo {

    private static final Logger LOG = LoggerFactory.getLogger(ObjectInfo.class);

    /** Stamp fields in order of preference (SystemModstamp is indexed and bumped by system changes too). */
    private static final List<String> STAMP_FIELDS = List.of("SystemModstamp", "LastModifiedDate", "CreatedDate");

    /** Fields that travel in {@link dev.crmsync.model.SyncRecord} itself, not among its fields. */
    private static final java.util.Set<String> RECORD_LEVEL = java.util.Set.of("Id", "IsDeleted", "SystemModstamp");

    private final ObjectSchema schema;
    private final Map<String, FieldSchema> fields;
    private final String stampField;
    private final String lastModified;

    private ObjectInfo(ObjectSchema all, String stampField, String lastModified) {
        this.fields = all.fieldsByName();
        this.schema = new ObjectSchema(all.type(), all.fields().stream()
                .filter(f -> !RECORD_LEVEL.contains(f.name())).toList(),
                all.queryable(), all.createable(), all.updateable());
        this.stampField = stampField;
        this.lastModified = lastModified;
    }

    /**
     * Maps an object describe.
     *
     * @param type the type described
     * @param describe the describe JSON ({@code GET /sobjects/{Type}/describe})
     * @param lastModified the response's {@code Last-Modified} (or {@code Date}) header, for the next
     *     {@code If-Modified-Since}; may be null
     * @return the info
     */
    public static ObjectInfo fromDescribe(ObjectType type, JsonNode describe, String lastModified) {
        List<FieldSchema> list = new ArrayList<>();
        JsonNode fs = describe.path("fields");
        Map<String, Boolean> filterable = new LinkedHashMap<>();
        for (JsonNode f : fs) {
            String name = f.path("name").asText("");
            if (!Soql.isWellFormedIdentifier(name)) {
                LOG.warn("ignoring field {} of {}: not a well-formed API name", Soql.display(name), type);
                continue;
            }
            if (f.path("deprecatedAndHidden").asBoolean(false)) {
                continue;
            }
            List<String> refs = new ArrayList<>();
            f.path("referenceTo").forEach(r -> refs.add(r.asText()));
            FieldType ft = fieldType(f.path("type").asText(""));
            int length = Math.max(0, f.path("length").asInt(0));
            list.add(field(name, ft, f, length, refs));
            filterable.put(name, f.path("filterable").asBoolean(true));
        }
        boolean queryable = describe.path("queryable").asBoolean(true);
        ObjectSchema all = new ObjectSchema(type, list, queryable,
                describe.path("createable").asBoolean(false), describe.path("updateable").asBoolean(false));
        String stamp = null;
        for (String candidate : STAMP_FIELDS) {
            Optional<FieldSchema> f = all.field(candidate);
            if (f.isPresent() && f.get().type() == FieldType.DATETIME
                    && filterable.getOrDefault(candidate, true)) {
                stamp = candidate;
                break;
            }
        }
        return new ObjectInfo(all, stamp, lastModified);
    }

    /**
     * One field's describe facts: what a write may carry ({@code precision}/{@code scale}, for
     * {@code int} fields {@code digits}; the active {@code picklistValues} and
     * {@code restrictedPicklist}; {@code nillable}, {@code defaultedOnCreate}, {@code externalId}).
     * A describe whose scale exceeds its precision (never seen) keeps the precision and drops the scale.
     */
    private static FieldSchema field(String name, FieldType ft, JsonNode f, int length, List<String> refs) {
        int precision = Math.max(0, ft == FieldType.INT ? f.path("digits").asInt(0) : f.path("precision").asInt(0));
        int scale = Math.max(0, f.path("scale").asInt(0));
        if (scale > precision) {
            scale = precision == 0 ? 0 : precision;
        }
        List<String> picklist = new ArrayList<>();
        for (JsonNode v : f.path("picklistValues")) {
            if (v.path("active").asBoolean(true) && v.path("value").isTextual()) {
                picklist.add(v.path("value").asText());
            }
        }
        return FieldSchema.builder(name, ft)
                .createable(f.path("createable").asBoolean(false))
                .updateable(f.path("updateable").asBoolean(false))
                .calculated(f.path("calculated").asBoolean(false))
                .length(length)
                .referenceTo(refs)
                .precision(precision, scale)
                .picklist(picklist, f.path("restrictedPicklist").asBoolean(false))
                .nillable(f.path("nillable").asBoolean(true))
                .defaultedOnCreate(f.path("defaultedOnCreate").asBoolean(false))
                .externalId(f.path("externalId").asBoolean(false))
                .build();
    }

    /**
     * @param sfType a describe {@code type}
     * @return the engine's field type ({@link FieldType#OTHER} for types it does not name)
     */
    public static FieldType fieldType(String sfType) {
        return switch (sfType.toLowerCase(Locale.ROOT)) {
            case "id" -> FieldType.ID;
            case "reference" -> FieldType.REFERENCE;
            case "string", "encryptedstring", "combobox" -> FieldType.STRING;
            case "textarea" -> FieldType.TEXTAREA;
            case "boolean" -> FieldType.BOOLEAN;
            case "int", "long" -> FieldType.INT;
            case "double" -> FieldType.DOUBLE;
            case "currency" -> FieldType.CURRENCY;
            case "percent" -> FieldType.PERCENT;
            case "date" -> FieldType.DATE;
            case "datetime" -> FieldType.DATETIME;
            case "time" -> FieldType.TIME;
            case "email" -> FieldType.EMAIL;
            case "phone" -> FieldType.PHONE;
            case "url" -> FieldType.URL;
            case "picklist" -> FieldType.PICKLIST;
            case "multipicklist" -> FieldType.MULTIPICKLIST;
            case "base64" -> FieldType.BASE64;
            case "address" -> FieldType.ADDRESS;
            case "location" -> FieldType.LOCATION;
            default -> FieldType.OTHER;
        };
    }

    /**
     * @return the engine-facing schema: every described field except {@code Id}, {@code IsDeleted} and
     *     {@code SystemModstamp}, which travel in the record itself
     */
    public ObjectSchema schema() {
        return schema;
    }

    /** @return the object type */
    public ObjectType type() {
        return schema.type();
    }

    /** @return the header value to send as {@code If-Modified-Since}, or null */
    public String lastModified() {
        return lastModified;
    }

    /**
     * @return the modification stamp field the read path orders by
     * @throws SyncException if the object has none (it cannot be read incrementally)
     */
    public String stampField() {
        if (stampField == null) {
            throw new SyncException("object " + type() + " has no filterable SystemModstamp, LastModifiedDate or "
                    + "CreatedDate field; it cannot be read incrementally");
        }
        return stampField;
    }

    /** @return true if the object has a usable stamp field */
    public boolean hasStampField() {
        return stampField != null;
    }

    /** @param name a field name @return the field, if described */
    public Optional<FieldSchema> field(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    /** @param name a field name @return true if described */
    public boolean has(String name) {
        return fields.containsKey(name);
    }

    /**
     * @param name a field name
     * @return true if it is described and may appear in a SELECT (not a compound or binary field)
     */
    public boolean selectable(String name) {
        FieldSchema f = fields.get(name);
        return f != null && !f.type().isUnsyncable();
    }

    /**
     * @param name a field name
     * @return its type
     * @throws IllegalArgumentException if not described
     */
    public FieldType typeOf(String name) {
        FieldSchema f = fields.get(Objects.requireNonNull(name, "name"));
        if (f == null) {
            throw new IllegalArgumentException("field " + Soql.display(name) + " is not described on " + type());
        }
        return f.type();
    }

    @Override
    public String toString() {
        return "ObjectInfo[" + type() + ", " + fields.size() + " fields, stamp=" + stampField + "]";
    }
}
