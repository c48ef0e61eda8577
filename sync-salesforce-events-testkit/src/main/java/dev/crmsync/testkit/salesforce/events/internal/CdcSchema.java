package dev.crmsync.testkit.salesforce.events.internal;

import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.FieldValue;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.jspecify.annotations.Nullable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The change-event schema of one object, built from the fake org's describe in Salesforce's CDC shape: a
 * record {@code {Type}ChangeEvent} in namespace {@code com.sforce.eventbus}, {@code ChangeEventHeader} first,
 * then one nullable field per readable, syncable object field (booleans as {@code boolean}, integers as
 * {@code int}, decimals as {@code double}, dates as {@code int} days, date-times as {@code long} epoch
 * milliseconds, everything else {@code string}). Compound fields are not nested here: the fake's objects
 * hold their parts as plain fields (a documented difference from a real org's Name and address records).
 */
public final class CdcSchema {

    private static final Schema HEADER = SchemaBuilder.record("ChangeEventHeader").namespace("com.sforce.eventbus")
            .fields()
            .requiredString("entityName")
            .name("recordIds").type().array().items().stringType().noDefault()
            .name("changeType").type().enumeration("ChangeType").namespace("com.sforce.eventbus")
            .symbols("CREATE", "UPDATE", "DELETE", "UNDELETE", "GAP_CREATE", "GAP_UPDATE", "GAP_DELETE",
                    "GAP_UNDELETE", "GAP_OVERFLOW").noDefault()
            .requiredString("changeOrigin")
            .requiredString("transactionKey")
            .requiredInt("sequenceNumber")
            .requiredLong("commitTimestamp")
            .requiredLong("commitNumber")
            .requiredString("commitUser")
            .name("nulledFields").type().array().items().stringType().noDefault()
            .name("diffFields").type().array().items().stringType().noDefault()
            .name("changedFields").type().array().items().stringType().noDefault()
            .endRecord();

    private final String entity;
    private final Schema schema;
    private final Map<String, FieldType> types;
    private final String id;
    private final String json;

    private CdcSchema(String entity, Schema schema, Map<String, FieldType> types) {
        this.entity = entity;
        this.schema = schema;
        this.types = types;
        this.json = schema.toString();
        this.id = fingerprint(json);
    }

    /**
     * @param describe the object's describe
     * @return its change-event schema
     */
    public static CdcSchema of(ObjectSchema describe) {
        String api = describe.type().apiName();
        String name = api.endsWith("__c") ? api.substring(0, api.length() - 3) + "__ChangeEvent" : api + "ChangeEvent";
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record(name).namespace("com.sforce.eventbus")
                .fields().name("ChangeEventHeader").type(HEADER).noDefault();
        Map<String, FieldType> types = new java.util.LinkedHashMap<>();
        for (FieldSchema f : describe.fields()) {
            if (!f.readable() || f.type().isUnsyncable() || f.type() == FieldType.ID) {
                continue;
            }
            types.put(f.name(), f.type());
            fields = switch (f.type()) {
                case BOOLEAN -> fields.optionalBoolean(f.name());
                case INT -> fields.optionalInt(f.name());
                case DOUBLE, CURRENCY, PERCENT -> fields.optionalDouble(f.name());
                case DATE -> fields.optionalInt(f.name());
                case DATETIME -> fields.optionalLong(f.name());
                default -> fields.optionalString(f.name());
            };
        }
        return new CdcSchema(api, fields.endRecord(), Map.copyOf(types));
    }

    /** @return the object's API name */
    public String entity() {
        return entity;
    }

    /** @return the schema id: a fingerprint of its JSON, as Salesforce's ids are */
    public String id() {
        return id;
    }

    /** @return the schema as JSON (GetSchema's answer) */
    public String json() {
        return json;
    }

    /**
     * Encodes one event.
     *
     * @param header        the header's values (entityName is this schema's)
     * @param values        field values to carry (fields the schema lacks are left out)
     * @param changedFields names for the {@code changedFields} bitmap
     * @param nulledFields  names for the {@code nulledFields} bitmap
     * @return the Avro binary payload
     */
    public byte[] encode(Header header, Map<String, FieldValue> values, List<String> changedFields,
                         List<String> nulledFields) {
        GenericRecord h = new GenericData.Record(HEADER);
        h.put("entityName", entity);
        h.put("recordIds", header.recordIds());
        h.put("changeType", new GenericData.EnumSymbol(HEADER.getField("changeType").schema(), header.changeType()));
        h.put("changeOrigin", header.changeOrigin());
        h.put("transactionKey", header.transactionKey());
        h.put("sequenceNumber", header.sequenceNumber());
        h.put("commitTimestamp", header.commitTimestamp());
        h.put("commitNumber", header.commitNumber());
        h.put("commitUser", header.commitUser());
        h.put("nulledFields", bitmap(nulledFields));
        h.put("diffFields", List.of());
        h.put("changedFields", bitmap(changedFields));
        GenericRecord event = new GenericData.Record(schema);
        event.put("ChangeEventHeader", h);
        values.forEach((name, v) -> {
            FieldType t = types.get(name);
            if (t != null && !v.isNull()) {
                event.put(name, avro(t, v));
            }
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        try {
            new GenericDatumWriter<GenericRecord>(schema).write(event, enc);
            enc.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private List<String> bitmap(List<String> names) {
        BigInteger bits = BigInteger.ZERO;
        for (String n : names) {
            Schema.Field f = schema.getField(n);
            if (f != null) {
                bits = bits.setBit(f.pos());
            }
        }
        return bits.signum() == 0 ? List.of() : List.of("0x" + bits.toString(16).toUpperCase(java.util.Locale.ROOT));
    }

    private static @Nullable Object avro(FieldType t, FieldValue v) {
        if (v instanceof FieldValue.Bool b) {
            return b.value();
        }
        if (v instanceof FieldValue.Number n) {
            return t == FieldType.INT ? (Object) n.value().intValue() : (Object) n.value().doubleValue();
        }
        if (v instanceof FieldValue.Date d) {
            return (int) d.value().toEpochDay();
        }
        if (v instanceof FieldValue.DateTime dt) {
            return dt.value().toEpochMilli();
        }
        if (v instanceof FieldValue.Ref r) {
            return r.id().value();
        }
        if (v instanceof FieldValue.Text s) {
            return s.value();
        }
        return null;
    }

    private static String fingerprint(String json) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 11);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A change event header's values.
     *
     * @param recordIds       the records
     * @param changeType      the change type's name
     * @param changeOrigin    the API client
     * @param transactionKey  the transaction
     * @param sequenceNumber  the position in the transaction (from 1)
     * @param commitTimestamp epoch milliseconds
     * @param commitNumber    the commit's system change number
     * @param commitUser      the user's id
     */
    public record Header(List<String> recordIds, String changeType, String changeOrigin, String transactionKey,
                         int sequenceNumber, long commitTimestamp, long commitNumber, String commitUser) {
        /** Copies the ids. */
        public Header {
            recordIds = List.copyOf(recordIds);
        }
    }
}
