package dev.crmsync.testkit.salesforce.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Writes records, describes and errors in Salesforce's JSON shapes. */
public final class SfJson {

    /** Shared mapper: plain (non-scientific) numbers. Decimals go in as {@link DecimalNode}s, kept exact. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private static final Map<String, String> STANDARD_KEY_PREFIX = Map.of(
            "Account", "001", "Contact", "003", "Lead", "00Q", "User", "005", "Opportunity", "006",
            "Campaign", "701", "CampaignMember", "00v", "OpportunityContactRole", "00K", "Task", "00T", "Event", "00U");

    private static final Set<String> MERGEABLE = Set.of("Account", "Contact", "Lead");

    /** The id a real org gives every object's Master record type. */
    static final String MASTER_RECORD_TYPE_ID = "012000000000000AAA";

    /** Objects without record types (their describe lists none). */
    private static final Set<String> NO_RECORD_TYPES = Set.of("User", "OpportunityContactRole");

    private static final Set<String> NOT_NILLABLE = Set.of("Id", "IsDeleted", "SystemModstamp", "CreatedDate",
            "CreatedById", "LastModifiedDate", "LastModifiedById");

    private SfJson() {
    }

    /** @return a new empty object node */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** @return a new empty array node */
    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /**
     * @param node a JSON tree
     * @return its UTF-8 bytes
     */
    public static byte[] bytes(JsonNode node) {
        try {
            return escapeUnpairedSurrogates(MAPPER.writeValueAsString(node)).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /**
     * Writes each unpaired UTF-16 surrogate of a JSON text as its {@code \\uXXXX} escape, as a
     * server whose strings are UTF-16 (Salesforce's) sends a value holding one: valid JSON, and the
     * client sees the surrogate rather than the {@code ?} that encoding it to UTF-8 would leave.
     * (Outside string literals JSON has no surrogates, so only values are touched.)
     *
     * @param json a JSON text
     * @return the same JSON with unpaired surrogates escaped
     */
    static String escapeUnpairedSurrogates(String json) {
        StringBuilder out = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < json.length()
                    && Character.isLowSurrogate(json.charAt(i + 1));
            if (paired) {
                if (out != null) {
                    out.append(c).append(json.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (out == null) {
                    out = new StringBuilder(json.length() + 16).append(json, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? json : out.toString();
    }

    /**
     * @param text any Java text
     * @return its UTF-8 bytes, an unpaired surrogate as its 3-byte form (as a UTF-16 server that
     *     does not check writes it; Java's encoder would write {@code ?})
     */
    static byte[] utf8KeepingSurrogates(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(text.length() + 16);
        int from = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                out.writeBytes(text.substring(from, i).getBytes(StandardCharsets.UTF_8));
                out.write(0xE0 | c >>> 12);
                out.write(0x80 | (c >>> 6 & 0x3F));
                out.write(0x80 | (c & 0x3F));
                from = i + 1;
            }
        }
        out.writeBytes(text.substring(from).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /**
     * The whole-request error body {@code [{"message":..,"errorCode":..}]}.
     *
     * @param errorCode the code
     * @param message the message
     * @param fields the fields, or null to leave the key out
     * @return the body
     */
    public static ArrayNode error(String errorCode, String message, List<String> fields) {
        ObjectNode e = object();
        e.put("message", message);
        e.put("errorCode", errorCode);
        if (fields != null) {
            ArrayNode f = e.putArray("fields");
            fields.forEach(f::add);
        }
        ArrayNode a = array();
        a.add(e);
        return a;
    }

    /**
     * A field value as Salesforce REST writes it.
     *
     * @param v the value
     * @param type the field's describe type (decides number scale)
     * @return the JSON node
     */
    public static JsonNode value(FieldValue v, FieldType type) {
        if (v.isNull()) {
            return NullNode.getInstance();
        }
        if (v instanceof FieldValue.Text t) {
            return TextNode.valueOf(t.value());
        }
        if (v instanceof FieldValue.Number n) {
            return DecimalNode.valueOf(scaled(n.value(), type));
        }
        if (v instanceof FieldValue.Bool b) {
            return BooleanNode.valueOf(b.value());
        }
        if (v instanceof FieldValue.Date d) {
            return TextNode.valueOf(d.value().toString());
        }
        if (v instanceof FieldValue.DateTime d) {
            return TextNode.valueOf(SfFormats.jsonDateTime(d.value()));
        }
        return TextNode.valueOf(((FieldValue.Ref) v).id().value());
    }

    /** Integers as integers; doubles, currency and percent with at least one decimal ({@code 300.0}), as Salesforce does. */
    static BigDecimal scaled(BigDecimal value, FieldType type) {
        if (type == FieldType.INT) {
            return value.scale() < 0 ? value.setScale(0, RoundingMode.UNNECESSARY) : value;
        }
        if (type == FieldType.DOUBLE || type == FieldType.CURRENCY || type == FieldType.PERCENT) {
            return value.scale() < 1 ? value.setScale(1, RoundingMode.UNNECESSARY) : value;
        }
        return value.scale() < 0 ? value.setScale(0, RoundingMode.UNNECESSARY) : value;
    }

    /**
     * A record as query and retrieve return it: {@code attributes} then the columns in order.
     *
     * @param type the object type
     * @param r the record
     * @param columns the columns
     * @param version the API version of the request
     * @return the JSON object
     */
    public static ObjectNode record(ObjectType type, SyncRecord r, List<QueryEngine.Column> columns, String version) {
        ObjectNode o = object();
        ObjectNode attributes = o.putObject("attributes");
        attributes.put("type", type.apiName());
        attributes.put("url", "/services/data/v" + version + "/sobjects/" + type.apiName() + "/" + r.id().value());
        for (QueryEngine.Column c : columns) {
            if (c.hops().isEmpty() && c.type() == FieldType.ADDRESS) {
                o.set(c.name(), address(r, c.name()));
                continue;
            }
            if (c.hops().isEmpty()) {
                o.set(c.name(), value(QueryEngine.value(r, c.name()), c.type()));
                continue;
            }
            // a parent field: nested objects with their own attributes, null where a reference is empty
            ObjectNode at = o;
            String prefix = "";
            for (QueryEngine.Hop h : c.hops()) {
                prefix = prefix.isEmpty() ? h.relationshipName() : prefix + "." + h.relationshipName();
                JsonNode existing = at.get(h.relationshipName());
                if (existing != null && existing.isNull()) {
                    at = null;
                    break;
                }
                if (existing == null) {
                    FieldValue parentId = r.get(prefix + "." + QueryEngine.ID);
                    if (parentId.isNull()) {
                        at.putNull(h.relationshipName());
                        at = null;
                        break;
                    }
                    ObjectNode child = at.putObject(h.relationshipName());
                    ObjectNode attrs = child.putObject("attributes");
                    attrs.put("type", h.target().apiName());
                    attrs.put("url", "/services/data/v" + version + "/sobjects/" + h.target().apiName() + "/"
                            + parentId.asText());
                    at = child;
                } else {
                    at = (ObjectNode) existing;
                }
            }
            if (at != null) {
                at.set(c.fieldName(), value(r.get(c.name()), c.type()));
            }
        }
        return o;
    }

    /**
     * A compound address as a real org writes it in a record: an object of its components
     * ({@code city}, {@code country}, {@code geocodeAccuracy}, {@code latitude}, {@code longitude},
     * {@code postalCode}, {@code state}, {@code street}), or null when every component is empty.
     *
     * @param r the record, holding the components
     * @param compound the compound field's name
     * @return the JSON value
     */
    static JsonNode address(SyncRecord r, String compound) {
        ObjectNode o = object();
        boolean any = false;
        for (Map.Entry<String, String> e : QueryEngine.addressComponents(compound).entrySet()) {
            FieldValue v = r.get(e.getValue());
            any |= !v.isNull();
            boolean number = e.getKey().equals("latitude") || e.getKey().equals("longitude");
            o.set(e.getKey(), value(v, number ? FieldType.DOUBLE : FieldType.STRING));
        }
        return any ? o : NullNode.getInstance();
    }

    /**
     * @param type a type
     * @return its 3-character key prefix, or null when not known (custom objects)
     */
    public static String keyPrefix(ObjectType type) {
        return STANDARD_KEY_PREFIX.get(type.apiName());
    }

    /**
     * An entry of the global describe ({@code GET /sobjects}).
     *
     * @param s the schema
     * @param version the API version of the request
     * @param keyPrefix the 3-character prefix of the type's ids
     * @return the entry
     */
    public static ObjectNode globalEntry(ObjectSchema s, String version, String keyPrefix) {
        ObjectNode o = object();
        String name = s.type().apiName();
        o.put("activateable", false);
        o.put("createable", s.createable());
        o.put("custom", s.type().isCustom());
        o.put("customSetting", false);
        o.put("deletable", s.createable());
        o.put("deprecatedAndHidden", false);
        o.put("feedEnabled", false);
        o.put("keyPrefix", keyPrefix);
        o.put("label", label(name));
        o.put("labelPlural", plural(label(name)));
        o.put("layoutable", true);
        o.put("mergeable", MERGEABLE.contains(name));
        o.put("name", name);
        o.put("queryable", s.queryable());
        o.put("replicateable", s.queryable());
        o.put("retrieveable", s.queryable());
        o.put("searchable", true);
        o.put("triggerable", true);
        o.put("undeletable", s.createable());
        o.put("updateable", s.updateable());
        ObjectNode urls = o.putObject("urls");
        String base = "/services/data/v" + version + "/sobjects/" + name;
        urls.put("rowTemplate", base + "/{ID}");
        urls.put("describe", base + "/describe");
        urls.put("sobject", base);
        return o;
    }

    /**
     * The object describe ({@code GET /sobjects/{Type}/describe}): the global entry's flags plus
     * {@code fields} (readable ones only), {@code childRelationships} and {@code recordTypeInfos}.
     *
     * @param s the schema
     * @param version the API version of the request
     * @param keyPrefix the 3-character prefix of the type's ids
     * @return the describe
     */
    public static ObjectNode describe(ObjectSchema s, String version, String keyPrefix) {
        return describe(s, version, keyPrefix, List.of());
    }

    /**
     * The object describe with its child relationships.
     *
     * @param s the schema
     * @param version the API version of the request
     * @param keyPrefix the 3-character prefix of the type's ids
     * @param children the relationships of the types whose references point at this one
     * @return the describe
     */
    public static ObjectNode describe(ObjectSchema s, String version, String keyPrefix,
                                      List<QueryEngine.ChildRelationship> children) {
        ObjectNode o = globalEntry(s, version, keyPrefix);
        ArrayNode rels = o.putArray("childRelationships");
        for (QueryEngine.ChildRelationship c : children) {
            ObjectNode r = rels.addObject();
            r.put("cascadeDelete", false);
            r.put("childSObject", c.child().apiName());
            r.put("deprecatedAndHidden", false);
            r.put("field", c.field());
            r.putArray("junctionIdListNames");
            r.putArray("junctionReferenceTo");
            r.put("relationshipName", c.name());
            r.put("restrictedDelete", false);
        }
        ArrayNode fields = o.putArray("fields");
        Map<String, FieldSchema> catalog = QueryEngine.catalog(s);
        Map<String, String> compoundOf = new java.util.HashMap<>();
        for (FieldSchema f : catalog.values()) {
            if (f.type() == FieldType.ADDRESS) {
                QueryEngine.addressComponents(f.name()).values().forEach(c -> compoundOf.put(c, f.name()));
            }
        }
        for (FieldSchema f : catalog.values()) {
            ObjectNode field = field(f);
            field.put("compoundFieldName", compoundOf.get(f.name()));
            fields.add(field);
        }
        ArrayNode recordTypes = o.putArray("recordTypeInfos");
        if (!NO_RECORD_TYPES.contains(s.type().apiName())) {
            // every object that supports record types has the Master one, with this fixed id
            ObjectNode master = recordTypes.addObject();
            master.put("active", true);
            master.put("available", true);
            master.put("defaultRecordTypeMapping", true);
            master.put("developerName", "Master");
            master.put("master", true);
            master.put("name", "Master");
            master.put("recordTypeId", MASTER_RECORD_TYPE_ID);
            master.putObject("urls").put("layout", "/services/data/v" + version + "/sobjects/" + s.type().apiName()
                    + "/describe/layouts/" + MASTER_RECORD_TYPE_ID);
        }
        return o;
    }

    /** One entry of {@code fields[]} in a describe. */
    static ObjectNode field(FieldSchema f) {
        FieldType t = f.type();
        String name = f.name();
        boolean custom = name.endsWith("__c");
        boolean number = t == FieldType.INT || t == FieldType.DOUBLE || t == FieldType.CURRENCY || t == FieldType.PERCENT;
        boolean textual = !number && t != FieldType.BOOLEAN && t != FieldType.DATE && t != FieldType.DATETIME
                && !t.isUnsyncable();
        int length = t == FieldType.ID || t == FieldType.REFERENCE ? 18 : textual ? f.length() : 0;
        if (length == 0 && t == FieldType.PICKLIST) {
            length = 255;   // a picklist defined without a length is 255 characters, as in a real org
        }
        ObjectNode o = object();
        o.put("aggregatable", QueryEngine.sortable(f));
        o.put("autoNumber", false);
        o.put("byteLength", length * 3);
        o.put("calculated", f.calculated());
        o.put("calculatedFormula", f.calculated() ? "/* formula */" : null);
        o.put("cascadeDelete", false);
        o.put("caseSensitive", false);
        o.put("createable", f.createable());
        o.put("custom", custom);
        o.putNull("defaultValue");
        o.put("defaultedOnCreate", t == FieldType.ID || t == FieldType.BOOLEAN || NOT_NILLABLE.contains(name)
                || f.defaultedOnCreate());
        o.put("dependentPicklist", false);
        o.put("deprecatedAndHidden", false);
        o.put("digits", t == FieldType.INT ? (f.precision() > 0 ? f.precision() : 9) : 0);
        o.put("externalId", f.externalId());
        // a compound address is filterable in a real org's describe (by DISTANCE in WHERE), though
        // never sortable or groupable
        o.put("filterable", QueryEngine.filterable(f) || t == FieldType.ADDRESS || t == FieldType.LOCATION);
        // decimals and date-times cannot be grouped by in a real org (integers and dates can)
        o.put("groupable", QueryEngine.sortable(f) && !(number && t != FieldType.INT) && t != FieldType.DATETIME);
        o.put("htmlFormatted", false);
        o.put("idLookup", t == FieldType.ID);
        o.put("label", label(name));
        o.put("length", length);
        o.put("name", name);
        o.put("nameField", name.equals("Name"));
        o.put("namePointing", false);
        o.put("nillable", f.nillable() && !(t == FieldType.ID || t == FieldType.BOOLEAN || NOT_NILLABLE.contains(name)));
        o.put("permissionable", custom);
        ArrayNode picklist = o.putArray("picklistValues");
        for (String v : f.picklistValues()) {
            ObjectNode p = picklist.addObject();
            p.put("active", true);
            p.put("defaultValue", false);
            p.put("label", v);
            p.putNull("validFor");
            p.put("value", v);
        }
        o.put("polymorphicForeignKey", false);
        o.put("queryByDistance", t == FieldType.ADDRESS || t == FieldType.LOCATION);
        o.put("precision", number && t != FieldType.INT ? (f.precision() > 0 ? f.precision() : 18) : 0);
        ArrayNode refs = o.putArray("referenceTo");
        f.referenceTo().forEach(refs::add);
        o.put("relationshipName", relationshipName(f));
        o.put("restrictedPicklist", f.restrictedPicklist());
        o.put("scale", !number || t == FieldType.INT ? 0 : f.precision() > 0 ? f.scale()
                : t == FieldType.CURRENCY || t == FieldType.PERCENT ? 2 : 0);
        o.put("soapType", soapType(t));
        o.put("sortable", QueryEngine.sortable(f));
        o.put("type", sfType(t));
        o.put("unique", false);
        o.put("updateable", f.updateable());
        return o;
    }

    /**
     * @param t a type
     * @return the describe {@code type} string
     */
    public static String sfType(FieldType t) {
        return switch (t) {
            case OTHER -> "anyType";
            default -> t.name().toLowerCase(Locale.ROOT);
        };
    }

    private static String soapType(FieldType t) {
        return switch (t) {
            case ID, REFERENCE -> "tns:ID";
            case BOOLEAN -> "xsd:boolean";
            case INT -> "xsd:int";
            case DOUBLE, CURRENCY, PERCENT -> "xsd:double";
            case DATE -> "xsd:date";
            case DATETIME -> "xsd:dateTime";
            case TIME -> "xsd:time";
            case BASE64 -> "xsd:base64Binary";
            case ADDRESS -> "urn:address";
            case LOCATION -> "urn:location";
            case OTHER -> "xsd:anyType";
            default -> "xsd:string";
        };
    }

    /**
     * @param f a field
     * @return its relationship's name ({@code Account} for {@code AccountId}, {@code Foo__r} for
     *     {@code Foo__c}), or null when it is not a reference
     */
    static String relationshipName(FieldSchema f) {
        if (f.type() != FieldType.REFERENCE) {
            return null;
        }
        String n = f.name();
        if (n.endsWith("__c")) {
            return n.substring(0, n.length() - 3) + "__r";
        }
        if (n.endsWith("Id") && n.length() > 2) {
            return n.substring(0, n.length() - 2);
        }
        return null;
    }

    /** "CampaignMember" → "Campaign Member"; "Foo_Bar__c" → "Foo Bar". */
    static String label(String apiName) {
        String n = apiName.endsWith("__c") ? apiName.substring(0, apiName.length() - 3) : apiName;
        int ns = n.indexOf("__");
        if (ns >= 0) {
            n = n.substring(ns + 2);
        }
        n = n.replace('_', ' ');
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (i > 0 && Character.isUpperCase(c) && Character.isLowerCase(n.charAt(i - 1))) {
                sb.append(' ');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    static String plural(String label) {
        if (label.endsWith("y") && !label.endsWith("ay") && !label.endsWith("ey")) {
            return label.substring(0, label.length() - 1) + "ies";
        }
        return label.endsWith("s") ? label + "es" : label + "s";
    }
}
