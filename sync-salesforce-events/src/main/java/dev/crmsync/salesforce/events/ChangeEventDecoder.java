package dev.crmsync.salesforce.events;

import dev.crmsync.salesforce.events.internal.FieldBitmaps;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decodes the Avro payload of a Change Data Capture event into a {@link ChangeEvent}, for one event schema
 * (the schema GetSchema returns for the event's schema id; one decoder per schema, reusable and thread-safe).
 *
 * <p>The schema is Salesforce's CDC shape: a record with a {@code ChangeEventHeader} field (entityName,
 * recordIds, changeType, changeOrigin, transactionKey, sequenceNumber, commitTimestamp, commitNumber,
 * commitUser, nulledFields, diffFields, changedFields) and one field per object field, each a union with
 * null; compound fields (Name, addresses) are nested records. The header's bitmaps are expanded by the
 * schema's field order (see {@link ChangeEvent}).
 *
 * <p>Which values an event carries: for {@code UPDATE}, the changed fields; for {@code CREATE} and
 * {@code UNDELETE}, every field with a value; for {@code DELETE} and gap events, none. Errors name the
 * problem, never a value.
 */
public final class ChangeEventDecoder {

    private static final String HEADER = "ChangeEventHeader";

    private final Schema schema;
    private final GenericDatumReader<GenericRecord> reader;

    private ChangeEventDecoder(Schema schema) {
        this.schema = schema;
        this.reader = new GenericDatumReader<>(schema, schema, GenericData.get());
    }

    /**
     * A decoder for one event schema.
     *
     * @param schemaJson the Avro schema as JSON (GetSchema's {@code schema_json})
     * @return the decoder
     * @throws IllegalArgumentException if the JSON is not an Avro record schema with a
     *                                  {@code ChangeEventHeader} field
     */
    public static ChangeEventDecoder forSchema(String schemaJson) {
        Objects.requireNonNull(schemaJson, "schemaJson");
        Schema schema;
        try {
            schema = new Schema.Parser().parse(schemaJson);
        } catch (SchemaParseException e) {
            throw new IllegalArgumentException("not an Avro schema: " + e.getMessage(), e);
        }
        if (schema.getType() != Schema.Type.RECORD || schema.getField(HEADER) == null) {
            throw new IllegalArgumentException("not a change event schema: no " + HEADER + " field");
        }
        return new ChangeEventDecoder(schema);
    }

    /** @return the full name of the schema's record (e.g. {@code com.sforce.eventbus.LeadChangeEvent}) */
    public String schemaName() {
        return schema.getFullName();
    }

    /**
     * Decodes one event.
     *
     * @param payload  the event's payload (Avro binary)
     * @param replayId the event's replay id
     * @return the decoded event
     * @throws IllegalArgumentException if the payload does not decode with the schema or its header is malformed
     */
    public ChangeEvent decode(byte[] payload, ReplayId replayId) {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(replayId, "replayId");
        GenericRecord record;
        try {
            BinaryDecoder in = DecoderFactory.get().binaryDecoder(payload, null);
            record = reader.read(null, in);
            if (!in.isEnd()) {
                throw new IllegalArgumentException("the payload has bytes after the event (" + replayId + ")");
            }
        } catch (IOException | AvroRuntimeException | ClassCastException | IndexOutOfBoundsException e) {
            // the cause's message is left out: Avro may quote data it could not read
            throw new IllegalArgumentException("the payload does not decode with schema " + schema.getFullName()
                    + " (" + replayId + "): " + e.getClass().getSimpleName());
        }
        if (!(record.get(HEADER) instanceof GenericRecord header)) {
            throw new IllegalArgumentException("the event has no " + HEADER + " (" + replayId + ")");
        }
        ChangeType type;
        String typeName = text(header, "changeType");
        try {
            type = ChangeType.valueOf(typeName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown changeType " + typeName + " (" + replayId + ")", e);
        }
        List<String> changed = FieldBitmaps.expand(schema, strings(header, "changedFields"));
        List<String> nulled = FieldBitmaps.expand(schema, strings(header, "nulledFields"));
        List<String> diff = FieldBitmaps.expand(schema, strings(header, "diffFields"));
        Map<String, Object> values = new LinkedHashMap<>();
        switch (type) {
            case UPDATE -> {
                for (String name : changed) {
                    Object value = valueAt(record, name);
                    if (value != null) {
                        values.put(name, value);
                    }
                }
            }
            case CREATE, UNDELETE -> {
                for (Schema.Field field : schema.getFields()) {
                    if (!field.name().equals(HEADER)) {
                        putAll(values, field.name(), record.get(field.pos()));
                    }
                }
            }
            default -> {
                // DELETE and gap events carry no values
            }
        }
        return new ChangeEvent(text(header, "entityName"), strings(header, "recordIds"), type,
                optionalText(header, "changeOrigin"), Instant.ofEpochMilli(number(header, "commitTimestamp")),
                number(header, "commitNumber"), optionalText(header, "commitUser"), optionalText(header, "transactionKey"),
                (int) number(header, "sequenceNumber"), changed, nulled, diff, values, replayId);
    }

    private static void putAll(Map<String, Object> values, String name, Object value) {
        if (value instanceof GenericRecord nested) {
            for (Schema.Field part : nested.getSchema().getFields()) {
                putAll(values, name + "." + part.name(), nested.get(part.pos()));
            }
        } else if (value != null) {
            values.put(name, plain(value));
        }
    }

    private static Object valueAt(GenericRecord record, String dotted) {
        int dot = dotted.indexOf('.');
        if (dot < 0) {
            Object value = record.get(dotted);
            return value instanceof GenericRecord ? null : plain(value);
        }
        Object outer = record.get(dotted.substring(0, dot));
        return outer instanceof GenericRecord nested ? plain(nested.get(dotted.substring(dot + 1))) : null;
    }

    private static Object plain(Object value) {
        if (value instanceof CharSequence || value instanceof GenericData.EnumSymbol) {
            return value.toString();
        }
        return value;
    }

    private static String text(GenericRecord header, String field) {
        Object value = header.hasField(field) ? header.get(field) : null;
        if (value == null) {
            throw new IllegalArgumentException(HEADER + "." + field + " is missing");
        }
        return value.toString();
    }

    private static String optionalText(GenericRecord header, String field) {
        Object value = header.hasField(field) ? header.get(field) : null;
        return value == null ? "" : value.toString();
    }

    private static long number(GenericRecord header, String field) {
        Object value = header.hasField(field) ? header.get(field) : null;
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException(HEADER + "." + field + " is missing");
        }
        return n.longValue();
    }

    private static List<String> strings(GenericRecord header, String field) {
        Object value = header.hasField(field) ? header.get(field) : null;
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object item : list) {
                out.add(String.valueOf(item));
            }
        }
        return out;
    }
}
