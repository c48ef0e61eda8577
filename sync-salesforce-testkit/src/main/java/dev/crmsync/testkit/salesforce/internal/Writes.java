package dev.crmsync.testkit.salesforce.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.crm.FieldChecks;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * sObject Collections create ({@code POST /composite/sobjects}) and update
 * ({@code PATCH /composite/sobjects}): at most 200 records, processed in chunks of consecutive
 * records of one type (at most 10), each chunk one {@link CrmSource#write} call, results in input
 * order with per-record {@code statusCode} errors.
 *
 * <p>With {@code allOrNone=true}, a record that fails validation here stops every write; a
 * record the CRM rejects makes the server undo the chunk's other writes: updates are written
 * back with their previous values, creates are removed through the undo hook when one is given
 * (an {@code InMemoryCrm} deletes them). Unlike Salesforce's rollback, the undo bumps
 * modification stamps.
 */
final class Writes {

    private static final int MAX_RECORDS = 200;
    private static final int MAX_CHUNKS = 10;

    private final CrmSource crm;
    private final BiConsumer<ObjectType, CrmId> undoCreate;

    /** A per-record failure found before the CRM is called. */
    private record RecordError(String code, String message, List<String> fields) {
    }

    /** One input record, parsed. */
    private static final class Item {
        final int index;
        final ObjectType type;
        CrmId id;
        final Map<String, FieldValue> fields = new LinkedHashMap<>();
        RecordError error;
        CrmWriteResult result;

        Item(int index, ObjectType type) {
            this.index = index;
            this.type = type;
        }
    }

    /**
     * @param crm the backing CRM
     * @param undoCreate removes a created record when an all-or-none request fails, or null
     */
    Writes(CrmSource crm, BiConsumer<ObjectType, CrmId> undoCreate) {
        this.crm = Objects.requireNonNull(crm, "crm");
        this.undoCreate = undoCreate;
    }

    /**
     * @param body the request body
     * @param create true for POST (create), false for PATCH (update)
     * @return the per-record results
     */
    ArrayNode write(JsonNode body, boolean create) {
        if (!body.isObject()) {
            throw new ApiException(400, "JSON_PARSER_ERROR", "Expected a JSON object with allOrNone and records");
        }
        boolean allOrNone = body.path("allOrNone").asBoolean(false);
        JsonNode records = body.path("records");
        if (!records.isArray() || records.isEmpty()) {
            throw new ApiException(400, "REQUIRED_FIELD_MISSING", "At least 1 record is required.");
        }
        if (records.size() > MAX_RECORDS) {
            throw new ApiException(400, "EXCEEDED_ID_LIMIT",
                    "record limit reached. cannot submit more than " + MAX_RECORDS + " records into this call");
        }
        Map<ObjectType, Map<String, FieldSchema>> catalogs = new HashMap<>();
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            items.add(parse(records.get(i), i, create, catalogs));
        }
        List<List<Item>> chunks = new ArrayList<>();
        for (Item it : items) {
            if (chunks.isEmpty() || !chunks.get(chunks.size() - 1).get(0).type.equals(it.type)) {
                chunks.add(new ArrayList<>());
            }
            chunks.get(chunks.size() - 1).add(it);
        }
        if (chunks.size() > MAX_CHUNKS) {
            throw new ApiException(400, "INVALID_BATCH_REQUEST", "The request has " + chunks.size()
                    + " chunks of consecutive records of one type; at most " + MAX_CHUNKS + " are allowed");
        }
        boolean anyError = items.stream().anyMatch(it -> it.error != null);
        if (!(allOrNone && anyError)) {
            List<Item> done = new ArrayList<>();
            Map<CrmId, Map<String, FieldValue>> before = new HashMap<>();
            for (List<Item> chunk : chunks) {
                if (allOrNone && !create) {
                    remember(chunk, before);
                }
                runChunk(chunk, create);
                done.addAll(chunk);
                if (allOrNone && chunk.stream().anyMatch(it -> it.result instanceof CrmWriteResult.Rejected)) {
                    undo(done, before);
                    anyError = true;
                    break;
                }
            }
        }
        ArrayNode out = SfJson.array();
        for (Item it : items) {
            out.add(result(it, allOrNone && anyError));
        }
        return out;
    }

    private Item parse(JsonNode rec, int index, boolean create, Map<ObjectType, Map<String, FieldSchema>> catalogs) {
        if (!rec.isObject()) {
            throw new ApiException(400, "JSON_PARSER_ERROR", "Each record must be a JSON object (record " + index + ")");
        }
        String typeName = rec.path("attributes").path("type").asText("");
        if (typeName.isEmpty()) {
            throw new ApiException(400, "INVALID_TYPE", "No SObject Type defined in JSON for record " + index);
        }
        ObjectType type = resolveType(typeName);
        Map<String, FieldSchema> catalog = catalogs.computeIfAbsent(type, t -> {
            ObjectSchema schema = crm.describe(t).orElseThrow(() -> invalidType(typeName));
            Map<String, FieldSchema> m = new HashMap<>();
            schema.fields().stream().filter(FieldSchema::readable)
                    .forEach(f -> m.put(f.name().toLowerCase(Locale.ROOT), f));
            return m;
        });
        Item item = new Item(index, type);
        String rawId = null;
        for (Map.Entry<String, JsonNode> e : rec.properties()) {
            String name = e.getKey();
            if (name.equals("attributes")) {
                continue;
            }
            if (name.equalsIgnoreCase("id")) {
                rawId = e.getValue().isNull() ? null : e.getValue().asText();
                continue;
            }
            FieldSchema f = catalog.get(name.toLowerCase(Locale.ROOT));
            if (f == null) {
                throw new ApiException(400, "INVALID_FIELD", "No such column '" + name + "' on sobject of type "
                        + type.apiName());
            }
            try {
                item.fields.put(f.name(), convert(e.getValue(), f, type));
            } catch (RecordErrorException x) {
                if (item.error == null) {
                    item.error = x.error;
                }
            }
        }
        if (create) {
            if (rawId != null) {
                item.error = new RecordError("INVALID_FIELD", "cannot specify Id in an insert call", List.of("Id"));
            }
        } else if (rawId == null || rawId.isEmpty()) {
            item.error = new RecordError("MISSING_ARGUMENT", "Id not specified in an update call", List.of());
        } else {
            try {
                item.id = CrmId.of(rawId);
            } catch (IllegalArgumentException e) {
                item.error = new RecordError("MALFORMED_ID", "malformed id " + rawId, List.of());
            }
        }
        return item;
    }

    private ObjectType resolveType(String name) {
        for (ObjectType t : crm.availableTypes()) {
            if (t.apiName().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw invalidType(name);
    }

    private static ApiException invalidType(String name) {
        return new ApiException(400, "INVALID_TYPE", "sObject type '" + name + "' is not supported.");
    }

    private static final class RecordErrorException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient RecordError error;

        RecordErrorException(RecordError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }

    /** Converts a JSON value to the field's type, leniently where Salesforce is (numbers and booleans as strings). */
    private static FieldValue convert(JsonNode v, FieldSchema f, ObjectType type) throws RecordErrorException {
        if (v.isNull()) {
            return FieldValue.NULL;
        }
        if (v.isContainerNode()) {
            throw parserError(v, f);
        }
        FieldType t = f.type();
        switch (t) {
            case ID, REFERENCE:
                try {
                    return FieldValue.ref(CrmId.of(v.asText()));
                } catch (IllegalArgumentException e) {
                    throw new RecordErrorException(new RecordError("MALFORMED_ID", f.name() + ": id value of incorrect "
                            + "type: " + v.asText(), List.of(f.name())));
                }
            case BOOLEAN:
                if (v.isBoolean()) {
                    return FieldValue.bool(v.booleanValue());
                }
                if (v.isTextual() && (v.asText().equalsIgnoreCase("true") || v.asText().equalsIgnoreCase("false"))) {
                    return FieldValue.bool(Boolean.parseBoolean(v.asText().toLowerCase(Locale.ROOT)));
                }
                throw parserError(v, f);
            case INT, DOUBLE, CURRENCY, PERCENT:
                BigDecimal n;
                try {
                    n = v.isNumber() ? v.decimalValue() : new BigDecimal(v.asText().trim());
                } catch (NumberFormatException e) {
                    throw parserError(v, f);
                }
                // Salesforce's JSON parser reads a number as a double: one no double holds (1E+400)
                // fails the whole request, 400 JSON_PARSER_ERROR
                if (!FieldChecks.finiteAsDouble(n) || (v.isNumber() && !Double.isFinite(v.doubleValue()))) {
                    throw parserError(v, f);
                }
                return FieldValue.number(n);
            case DATE:
                String s = v.asText();
                // a four-digit ISO year, as Salesforce parses a date: -5000 and 99999 are not dates
                if (!s.matches("\\d{4}-\\d{2}-\\d{2}.*")) {
                    throw parserError(v, f);
                }
                try {
                    return FieldValue.date(LocalDate.parse(s.length() > 10 ? s.substring(0, 10) : s));
                } catch (DateTimeException e) {
                    throw parserError(v, f);
                }
            case DATETIME:
                return FieldValue.dateTime(SfFormats.parseDateTime(v.asText()).orElseThrow(() -> parserError(v, f)));
            default:
                return FieldValue.text(v.asText());
        }
    }

    private static ApiException parserError(JsonNode v, FieldSchema f) {
        return new ApiException(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of "
                + SfJson.sfType(f.type()) + " from " + (v.isTextual() ? "VALUE_STRING" : v.getNodeType().name())
                + " value " + v + " or request may be missing a required field", List.of(f.name()));
    }

    private void remember(List<Item> chunk, Map<CrmId, Map<String, FieldValue>> before) {
        ObjectType type = chunk.get(0).type;
        List<CrmId> idsToRead = new ArrayList<>();
        java.util.Set<String> fieldNames = new java.util.HashSet<>();
        for (Item it : chunk) {
            if (it.error == null && it.id != null) {
                idsToRead.add(it.id);
                fieldNames.addAll(it.fields.keySet());
            }
        }
        if (idsToRead.isEmpty()) {
            return;
        }
        for (SyncRecord r : crm.fetch(type, idsToRead, fieldNames)) {
            Map<String, FieldValue> old = new HashMap<>();
            for (String name : fieldNames) {
                old.put(name, r.get(name));
            }
            before.put(r.id(), old);
        }
    }

    private void runChunk(List<Item> chunk, boolean create) {
        ObjectType type = chunk.get(0).type;
        List<Item> toWrite = new ArrayList<>();
        List<CrmWrite> batch = new ArrayList<>();
        for (Item it : chunk) {
            if (it.error != null) {
                continue;
            }
            toWrite.add(it);
            batch.add(create ? new CrmWrite.Create("record-" + it.index, it.fields) : new CrmWrite.Update(it.id, it.fields));
        }
        if (batch.isEmpty()) {
            return;
        }
        List<CrmWriteResult> results;
        try {
            results = crm.write(type, batch);
        } catch (IllegalArgumentException e) {
            for (Item it : toWrite) {
                it.error = new RecordError("INVALID_TYPE_FOR_OPERATION", "entity type " + type.apiName()
                        + " does not support " + (create ? "insert" : "update") + " on this server", List.of());
            }
            return;
        }
        for (int i = 0; i < toWrite.size(); i++) {
            toWrite.get(i).result = i < results.size() ? results.get(i)
                    : new CrmWriteResult.Rejected("UNKNOWN_EXCEPTION", "no result for this record", List.of(), false);
        }
    }

    private void undo(List<Item> done, Map<CrmId, Map<String, FieldValue>> before) {
        Map<ObjectType, List<CrmWrite>> restores = new LinkedHashMap<>();
        for (Item it : done) {
            if (it.result instanceof CrmWriteResult.Written w) {
                if (w.created()) {
                    if (undoCreate != null) {
                        undoCreate.accept(it.type, w.id());
                    }
                } else if (before.containsKey(w.id())) {
                    restores.computeIfAbsent(it.type, t -> new ArrayList<>())
                            .add(new CrmWrite.Update(w.id(), before.get(w.id())));
                }
            }
        }
        restores.forEach(crm::write);
    }

    private static ObjectNode result(Item it, boolean rolledBack) {
        ObjectNode o = SfJson.object();
        CrmWriteResult r = it.result;
        if (it.error == null && r instanceof CrmWriteResult.Written w && !rolledBack) {
            o.put("id", w.id().value());
            o.put("success", true);
            o.putArray("errors");
            return o;
        }
        if (it.id != null) {
            o.put("id", it.id.value());
        }
        o.put("success", false);
        ArrayNode errors = o.putArray("errors");
        ObjectNode e = errors.addObject();
        if (it.error != null) {
            e.put("statusCode", it.error.code());
            e.put("message", it.error.message());
            it.error.fields().forEach(e.putArray("fields")::add);
        } else if (r instanceof CrmWriteResult.Rejected rej) {
            e.put("statusCode", rej.code());
            e.put("message", rej.message());
            ArrayNode fields = e.putArray("fields");
            rej.fields().forEach(fields::add);
        } else {
            e.put("statusCode", "ALL_OR_NONE_OPERATION_ROLLED_BACK");
            e.put("message", "Record rolled back because not all records were valid and the request was using "
                    + "AllOrNone header");
            e.putArray("fields");
        }
        return o;
    }
}
