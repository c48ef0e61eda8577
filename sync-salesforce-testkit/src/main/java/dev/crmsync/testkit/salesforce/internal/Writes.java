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

    private static final int MAX_DELETE_IDS = 200;

    private final CrmSource crm;
    private final BiConsumer<ObjectType, CrmId> undoCreate;
    private final BiConsumer<ObjectType, CrmId> deleter;
    private final BiConsumer<ObjectType, CrmId> undeleter;
    private final java.util.function.Function<String, java.util.Optional<ObjectType>> typeOfPrefix;

    /**
     * What a composite request with {@code allOrNone} gives back when one of its subrequests fails:
     * the undo of each write done so far, run newest first. Null where no rollback is wanted.
     */
    static final class Journal {
        private final List<Runnable> undo = new ArrayList<>();

        void add(Runnable r) {
            undo.add(r);
        }

        void rollBack() {
            for (int i = undo.size() - 1; i >= 0; i--) {
                undo.get(i).run();
            }
            undo.clear();
        }
    }

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
        this(crm, undoCreate, null, null, p -> java.util.Optional.empty());
    }

    /**
     * @param crm the backing CRM
     * @param undoCreate removes a created record when an all-or-none request fails, or null
     * @param deleter deletes a live record to the recycle bin, or null (deletes are refused)
     * @param undeleter restores a deleted record (an all-or-none composite rolled back), or null
     * @param typeOfPrefix the type whose ids carry a 3-character key prefix
     */
    Writes(CrmSource crm, BiConsumer<ObjectType, CrmId> undoCreate, BiConsumer<ObjectType, CrmId> deleter,
           BiConsumer<ObjectType, CrmId> undeleter,
           java.util.function.Function<String, java.util.Optional<ObjectType>> typeOfPrefix) {
        this.crm = Objects.requireNonNull(crm, "crm");
        this.undoCreate = undoCreate;
        this.deleter = deleter;
        this.undeleter = undeleter;
        this.typeOfPrefix = Objects.requireNonNull(typeOfPrefix, "typeOfPrefix");
    }

    /**
     * @param body the request body
     * @param create true for POST (create), false for PATCH (update)
     * @return the per-record results
     */
    ArrayNode write(JsonNode body, boolean create) {
        return write(body, create, null);
    }

    /**
     * @param body the request body
     * @param create true for POST (create), false for PATCH (update)
     * @param journal where the undo of the writes goes (a composite request), or null
     * @return the per-record results
     */
    ArrayNode write(JsonNode body, boolean create, Journal journal) {
        JsonNode records = records(body);
        boolean allOrNone = body.path("allOrNone").asBoolean(false);
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
                if ((allOrNone || journal != null) && !create) {
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
            if (journal != null && !(allOrNone && anyError)) {
                journal.add(() -> undo(done, before));
            }
        }
        ArrayNode out = SfJson.array();
        for (Item it : items) {
            out.add(result(it, allOrNone && anyError));
        }
        return out;
    }

    /** The answer to a single-record upsert: a status and body, or (300) the records that matched. */
    record Single(int status, JsonNode body, List<String> matches) {
    }

    /**
     * sObject Collections upsert ({@code PATCH /composite/sobjects/{type}/{field}}): at most 200
     * records, all of the URL's type, each with {@code attributes.type} and the external id and no
     * {@code Id}; one {@link CrmSource#write} call of {@link CrmWrite.Upsert}s; each result carries
     * {@code created}. A field describe does not mark {@code externalId} is refused as a whole,
     * {@code 404 NOT_FOUND}, as Salesforce answers.
     *
     * @param body the request body
     * @param type the URL's type
     * @param fieldName the URL's external-id field
     * @return the per-record results
     */
    ArrayNode upsert(JsonNode body, ObjectType type, String fieldName) {
        return upsert(body, type, fieldName, null);
    }

    /**
     * @param body the request body
     * @param type the URL's type
     * @param fieldName the URL's external-id field
     * @param journal where the undo of the writes goes (a composite request), or null
     * @return the per-record results
     */
    ArrayNode upsert(JsonNode body, ObjectType type, String fieldName, Journal journal) {
        FieldSchema key = externalIdField(type, fieldName);
        JsonNode records = records(body);
        boolean allOrNone = body.path("allOrNone").asBoolean(false);
        Map<ObjectType, Map<String, FieldSchema>> catalogs = new HashMap<>();
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            Item it = parse(records.get(i), i, true, catalogs);
            if (!it.type.equals(type)) {
                throw new ApiException(400, "INVALID_TYPE", "The record " + i + " is of type " + it.type.apiName()
                        + "; an upsert takes records of " + type.apiName() + " only");
            }
            requireExternalId(it, key);
            items.add(it);
        }
        boolean anyError = items.stream().anyMatch(it -> it.error != null);
        if (!(allOrNone && anyError)) {
            Map<CrmId, Map<String, FieldValue>> before = new HashMap<>();
            if (allOrNone || journal != null) {
                rememberUpserted(items, type, key, before);
            }
            runUpserts(items, type, key);
            anyError = items.stream().anyMatch(it -> it.result instanceof CrmWriteResult.Rejected);
            if (allOrNone && anyError) {
                undo(items, before);     // creates removed, updated records given their values back
            } else if (journal != null) {
                journal.add(() -> undo(items, before));
            }
        }
        ArrayNode out = SfJson.array();
        for (Item it : items) {
            ObjectNode o = result(it, allOrNone && anyError);
            o.put("created", !(allOrNone && anyError) && it.error == null
                    && it.result instanceof CrmWriteResult.Written w && w.created());
            out.add(o);
        }
        return out;
    }

    /**
     * A single-record upsert ({@code PATCH /sobjects/{type}/{field}/{value}}): 201 with a body when
     * a record was created, 200 with a body ({@code created:false}) when one was updated, 300 with
     * the matching records' URLs when several hold the value, 404 {@code NOT_FOUND} for a field that
     * is not an external id, and 400 with the error for a rejected record.
     *
     * @param body the record's fields
     * @param type the type
     * @param fieldName the external-id field
     * @param value the external id
     * @return the answer
     */
    Single upsertOne(JsonNode body, ObjectType type, String fieldName, String value) {
        return upsertOne(body, type, fieldName, value, null);
    }

    /**
     * @param body the record's fields
     * @param type the type
     * @param fieldName the external-id field
     * @param value the external id
     * @param journal where the undo of the write goes (a composite request), or null
     * @return the answer
     */
    Single upsertOne(JsonNode body, ObjectType type, String fieldName, String value, Journal journal) {
        FieldSchema key = externalIdField(type, fieldName);
        if (!body.isObject()) {
            throw new ApiException(400, "JSON_PARSER_ERROR", "Expected a JSON object with the record's fields");
        }
        ObjectNode rec = body.deepCopy();
        if (!rec.has("attributes")) {
            rec.putObject("attributes").put("type", type.apiName());
        }
        JsonNode given = rec.get(key.name());
        if (given != null && !given.isNull() && !given.asText().equals(value)) {
            throw new ApiException(400, "INVALID_FIELD", "The external id " + key.name() + " in the body does not"
                    + " match the one in the URL", List.of(key.name()));
        }
        rec.put(key.name(), value);
        Item it = parse(rec, 0, true, new HashMap<>());
        requireExternalId(it, key);
        Map<CrmId, Map<String, FieldValue>> before = new HashMap<>();
        if (it.error == null) {
            if (journal != null) {
                rememberUpserted(List.of(it), type, key, before);
            }
            runUpserts(List.of(it), type, key);
        }
        if (it.error == null && it.result instanceof CrmWriteResult.Written w) {
            if (journal != null) {
                journal.add(() -> undo(List.of(it), before));
            }
            ObjectNode o = SfJson.object();
            o.put("id", w.id().value());
            o.put("success", true);
            o.putArray("errors");
            o.put("created", w.created());
            return new Single(w.created() ? 201 : 200, o, List.of());
        }
        String code = it.error != null ? it.error.code() : ((CrmWriteResult.Rejected) it.result).code();
        String message = it.error != null ? it.error.message() : ((CrmWriteResult.Rejected) it.result).message();
        List<String> fields = it.error != null ? it.error.fields() : ((CrmWriteResult.Rejected) it.result).fields();
        if (code.equals("DUPLICATE_EXTERNAL_ID")) {
            return new Single(300, null, matching(type, key, value));
        }
        ArrayNode err = SfJson.array();
        ObjectNode e = err.addObject();
        e.put("message", message);
        e.put("errorCode", code);
        fields.forEach(e.putArray("fields")::add);
        return new Single(400, err, List.of());
    }

    /**
     * A single-record create ({@code POST /sobjects/{type}}): the body is the record's fields (an
     * {@code attributes} entry is optional and must name the URL's type), checked as a
     * collections create checks each record; 201 with {@code {id, success, errors}}, or 400 with
     * the error array.
     *
     * @param body the record's fields
     * @param type the URL's type
     * @param journal where the undo of the write goes (a composite request), or null
     * @return the answer
     */
    Single createOne(JsonNode body, ObjectType type, Journal journal) {
        Item it = parse(single(body, type, null), 0, true, new HashMap<>());
        if (it.error == null) {
            runChunk(List.of(it), true);
        }
        if (it.error == null && it.result instanceof CrmWriteResult.Written w) {
            if (journal != null) {
                journal.add(() -> undo(List.of(it), Map.of()));
            }
            ObjectNode o = SfJson.object();
            o.put("id", w.id().value());
            o.put("success", true);
            o.putArray("errors");
            return new Single(201, o, List.of());
        }
        return failure(it, 400);
    }

    /**
     * A single-record update ({@code PATCH /sobjects/{type}/{id}}): 204 with no body; 404
     * {@code NOT_FOUND} for an id no record of the type has, 404 {@code ENTITY_IS_DELETED} for one
     * in the recycle bin, 400 with the error array for a rejected record.
     *
     * @param body the fields to change
     * @param type the URL's type
     * @param rawId the URL's id
     * @param journal where the undo of the write goes (a composite request), or null
     * @return the answer
     */
    Single updateOne(JsonNode body, ObjectType type, String rawId, Journal journal) {
        CrmId id = existing(type, rawId);
        Item it = parse(single(body, type, id), 0, false, new HashMap<>());
        Map<CrmId, Map<String, FieldValue>> before = new HashMap<>();
        if (it.error == null) {
            remember(List.of(it), before);
            runChunk(List.of(it), false);
        }
        if (it.error == null && it.result instanceof CrmWriteResult.Written) {
            if (journal != null) {
                journal.add(() -> undo(List.of(it), before));
            }
            return new Single(204, null, List.of());
        }
        return failure(it, 400);
    }

    /**
     * A single-record delete ({@code DELETE /sobjects/{type}/{id}}): 204 with no body; 404
     * {@code NOT_FOUND} for an id no record of the type has, 404 {@code ENTITY_IS_DELETED} for one
     * already in the recycle bin.
     *
     * @param type the URL's type
     * @param rawId the URL's id
     * @param journal where the undo of the delete goes (a composite request), or null
     * @return the answer
     */
    Single deleteOne(ObjectType type, String rawId, Journal journal) {
        CrmId id = existing(type, rawId);
        RecordError refused = deletable(type, id);
        if (refused != null) {
            return error(refused.code().equals("ENTITY_IS_DELETED") ? 404 : 400, refused);
        }
        deleter.accept(type, id);
        if (journal != null && undeleter != null) {
            journal.add(() -> undeleter.accept(type, id));
        }
        return new Single(204, null, List.of());
    }

    /**
     * sObject Collections delete ({@code DELETE /composite/sobjects?ids=&allOrNone=}): at most 200
     * ids of any types; one result per id in input order, {@code {id, success, errors}} ({@code id}
     * left out for a malformed one). With {@code allOrNone}, nothing is deleted when any id fails,
     * and the others answer {@code ALL_OR_NONE_OPERATION_ROLLED_BACK}.
     *
     * @param idsParam the {@code ids} parameter (comma-separated), or null
     * @param allOrNone the {@code allOrNone} parameter
     * @param journal where the undo of the deletes goes (a composite request), or null
     * @return the per-record results
     */
    ArrayNode deleteMany(String idsParam, boolean allOrNone, Journal journal) {
        if (idsParam == null || idsParam.isBlank()) {
            throw new ApiException(400, "REQUIRED_FIELD_MISSING", "At least 1 Id is required.");
        }
        String[] raw = idsParam.split(",", -1);
        if (raw.length > MAX_DELETE_IDS) {
            throw new ApiException(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than "
                    + MAX_DELETE_IDS + " records into this call");
        }
        List<CrmId> ids = new ArrayList<>();
        List<ObjectType> types = new ArrayList<>();
        List<RecordError> errors = new ArrayList<>();
        java.util.Set<CrmId> seen = new java.util.HashSet<>();
        for (String r : raw) {
            String t = r.trim();
            CrmId id = null;
            ObjectType type = null;
            RecordError err = null;
            try {
                id = CrmId.of(t);
                type = typeOfPrefix.apply(id.keyPrefix()).orElse(null);
            } catch (IllegalArgumentException e) {
                id = null;
            }
            if (id == null || type == null) {
                id = null;
                err = new RecordError("MALFORMED_ID", "malformed id " + t, List.of());
            } else if (!seen.add(id)) {
                err = new RecordError("INVALID_ID_FIELD", "duplicate id in the request: " + id.value(), List.of());
            } else {
                err = deletable(type, id);
                if (err != null && err.code().equals("NOT_FOUND")) {
                    err = new RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", List.of());
                }
            }
            ids.add(id);
            types.add(type);
            errors.add(err);
        }
        boolean anyError = errors.stream().anyMatch(Objects::nonNull);
        boolean rolledBack = allOrNone && anyError;
        ArrayNode out = SfJson.array();
        for (int i = 0; i < ids.size(); i++) {
            CrmId id = ids.get(i);
            RecordError err = errors.get(i);
            if (err == null && !rolledBack) {
                ObjectType type = types.get(i);
                deleter.accept(type, id);
                if (journal != null && undeleter != null) {
                    journal.add(() -> undeleter.accept(type, id));
                }
            }
            ObjectNode o = out.addObject();
            if (id != null) {
                o.put("id", id.value());
            }
            o.put("success", err == null && !rolledBack);
            ArrayNode errs = o.putArray("errors");
            if (err != null || rolledBack) {
                ObjectNode e = errs.addObject();
                e.put("statusCode", err != null ? err.code() : "ALL_OR_NONE_OPERATION_ROLLED_BACK");
                e.put("message", err != null ? err.message() : "Record rolled back because not all records were "
                        + "valid and the request was using AllOrNone header");
                ArrayNode f = e.putArray("fields");
                if (err != null) {
                    err.fields().forEach(f::add);
                }
            }
        }
        return out;
    }

    /** Why a record cannot be deleted (NOT_FOUND, ENTITY_IS_DELETED, ...), or null when it can. */
    private RecordError deletable(ObjectType type, CrmId id) {
        ObjectSchema schema = crm.describe(type).orElse(null);
        if (schema == null) {
            return new RecordError("NOT_FOUND", "The requested resource does not exist", List.of());
        }
        if (deleter == null || !schema.createable()) {
            return new RecordError("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id",
                    List.of());
        }
        List<SyncRecord> found = crm.fetch(type, List.of(id), java.util.Set.of());
        if (found.isEmpty() || !found.get(0).id().equals(id)) {
            return new RecordError("NOT_FOUND", "The requested resource does not exist", List.of());
        }
        if (found.get(0).deleted()) {
            return new RecordError("ENTITY_IS_DELETED", "entity is deleted", List.of());
        }
        return null;
    }

    /**
     * The id of a record of the type named in a URL, or 404 as Salesforce answers: {@code NOT_FOUND}
     * for a malformed id, another type's id or one no record has; {@code ENTITY_IS_DELETED} for a
     * record in the recycle bin.
     */
    CrmId existing(ObjectType type, String rawId) {
        CrmId id;
        try {
            id = CrmId.of(rawId);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound();
        }
        if (!typeOfPrefix.apply(id.keyPrefix()).map(type::equals).orElse(false)) {
            throw ApiException.notFound();
        }
        List<SyncRecord> found = crm.fetch(type, List.of(id), java.util.Set.of());
        if (found.isEmpty() || !found.get(0).id().equals(id)) {
            throw ApiException.notFound();
        }
        if (found.get(0).deleted()) {
            throw entityIsDeleted();
        }
        return id;
    }

    /** @return 404 ENTITY_IS_DELETED, as Salesforce answers for a record in the recycle bin */
    static ApiException entityIsDeleted() {
        return new ApiException(404, "ENTITY_IS_DELETED", "entity is deleted", List.of());
    }

    /** A single-record body as a collections record of the type (with the id for an update). */
    private static ObjectNode single(JsonNode body, ObjectType type, CrmId id) {
        if (!body.isObject()) {
            throw new ApiException(400, "JSON_PARSER_ERROR", "Expected a JSON object with the record's fields");
        }
        ObjectNode rec = body.deepCopy();
        JsonNode attrType = rec.path("attributes").path("type");
        if (!attrType.isMissingNode() && !attrType.asText().equalsIgnoreCase(type.apiName())) {
            throw new ApiException(400, "INVALID_TYPE", "The record is of type " + attrType.asText()
                    + "; the URL names " + type.apiName());
        }
        rec.remove("attributes");
        ObjectNode withType = SfJson.object();
        withType.putObject("attributes").put("type", type.apiName());
        JsonNode givenId = null;
        for (Map.Entry<String, JsonNode> e : rec.properties()) {
            if (e.getKey().equalsIgnoreCase("id")) {
                givenId = e.getValue();
            } else {
                withType.set(e.getKey(), e.getValue());
            }
        }
        if (id != null) {
            if (givenId != null && !givenId.isNull() && !givenId.asText().equals(id.value())) {
                throw new ApiException(400, "INVALID_FIELD", "The Id in the body does not match the one in the URL",
                        List.of("Id"));
            }
            withType.put("Id", id.value());
        } else if (givenId != null) {
            withType.set("Id", givenId);
        }
        return withType;
    }

    private static Single failure(Item it, int status) {
        if (it.error != null) {
            return error(status, it.error);
        }
        CrmWriteResult.Rejected rej = (CrmWriteResult.Rejected) it.result;
        RecordError e = new RecordError(rej.code(), rej.message(), rej.fields());
        return error(rej.code().equals("ENTITY_IS_DELETED") ? 404 : status, e);
    }

    private static Single error(int status, RecordError error) {
        ArrayNode err = SfJson.array();
        ObjectNode e = err.addObject();
        e.put("message", error.message());
        e.put("errorCode", error.code());
        error.fields().forEach(e.putArray("fields")::add);
        return new Single(status, err, List.of());
    }

    private FieldSchema externalIdField(ObjectType type, String fieldName) {
        ObjectSchema schema = crm.describe(type).orElseThrow(() -> invalidType(type.apiName()));
        return schema.fields().stream().filter(f -> f.readable() && f.name().equalsIgnoreCase(fieldName)
                && f.externalId()).findFirst().orElseThrow(() -> new ApiException(404, "NOT_FOUND",
                "Provided external ID field does not exist or is not accessible: " + fieldName));
    }

    private static void requireExternalId(Item it, FieldSchema key) {
        FieldValue v = it.fields.get(key.name());
        if (it.error == null && (v == null || v.isBlank())) {
            it.error = new RecordError("MISSING_ARGUMENT", key.name() + " not specified", List.of(key.name()));
        }
    }

    private void runUpserts(List<Item> items, ObjectType type, FieldSchema key) {
        List<Item> toWrite = new ArrayList<>();
        List<CrmWrite> batch = new ArrayList<>();
        for (Item it : items) {
            if (it.error != null) {
                continue;
            }
            Map<String, FieldValue> rest = new LinkedHashMap<>(it.fields);
            FieldValue ext = rest.remove(key.name());
            toWrite.add(it);
            batch.add(new CrmWrite.Upsert("record-" + it.index, key.name(), ext.asText(), rest));
        }
        writeItems(type, toWrite, batch, "upsert");
    }

    /** Sends one CRM write call for the items and keeps each one's result. */
    private void writeItems(ObjectType type, List<Item> toWrite, List<CrmWrite> batch, String operation) {
        if (batch.isEmpty()) {
            return;
        }
        List<CrmWriteResult> results;
        try {
            results = crm.write(type, batch);
        } catch (IllegalArgumentException e) {
            for (Item it : toWrite) {
                it.error = new RecordError("INVALID_TYPE_FOR_OPERATION", "entity type " + type.apiName()
                        + " does not support " + operation + " on this server", List.of());
            }
            return;
        }
        for (int i = 0; i < toWrite.size(); i++) {
            toWrite.get(i).result = i < results.size() ? results.get(i)
                    : new CrmWriteResult.Rejected("UNKNOWN_EXCEPTION", "no result for this record", List.of(), false);
        }
    }

    /** The live records of a type holding an external id (case-insensitively), by id. */
    private List<String> matching(ObjectType type, FieldSchema key, String value) {
        return byExternalId(type, key).getOrDefault(value.toLowerCase(Locale.ROOT), List.of());
    }

    /** The ids of a type's live records by external id (lower case), read in one pass. */
    private Map<String, List<String>> byExternalId(ObjectType type, FieldSchema key) {
        Map<String, List<String>> ids = new HashMap<>();
        try (dev.crmsync.crm.ChangeStream s = crm.openChanges(new dev.crmsync.crm.ChangeQuery(type,
                java.util.Set.of(key.name()), dev.crmsync.crm.Cursor.START, Math.max(1, crm.maxPageSize())))) {
            for (List<SyncRecord> page = s.nextPage(); !page.isEmpty(); page = s.nextPage()) {
                for (SyncRecord r : page) {
                    if (!r.deleted() && r.get(key.name()) instanceof FieldValue.Text t) {
                        ids.computeIfAbsent(t.value().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                                .add(r.id().value());
                    }
                }
            }
        }
        return ids;
    }

    /**
     * Before an all-or-none upsert: the values of the records it will update (one existing record
     * holds the item's external id), so that a rejection later in the request can give them back.
     */
    private void rememberUpserted(List<Item> items, ObjectType type, FieldSchema key,
                                  Map<CrmId, Map<String, FieldValue>> before) {
        Map<String, List<String>> existing = byExternalId(type, key);
        List<Item> updates = new ArrayList<>();
        for (Item it : items) {
            FieldValue ext = it.fields.get(key.name());
            List<String> ids = it.error != null || ext == null ? List.of()
                    : existing.getOrDefault(ext.asText().toLowerCase(Locale.ROOT), List.of());
            if (ids.size() == 1) {
                Item u = new Item(it.index, it.type);
                u.id = CrmId.of(ids.get(0));
                u.fields.putAll(it.fields);
                updates.add(u);
            }
        }
        if (!updates.isEmpty()) {
            remember(updates, before);
        }
    }

    /** The records of an sObject Collections body, checked as Salesforce checks the envelope. */
    private static JsonNode records(JsonNode body) {
        if (!body.isObject()) {
            throw new ApiException(400, "JSON_PARSER_ERROR", "Expected a JSON object with allOrNone and records");
        }
        JsonNode records = body.path("records");
        if (!records.isArray() || records.isEmpty()) {
            throw new ApiException(400, "REQUIRED_FIELD_MISSING", "At least 1 record is required.");
        }
        if (records.size() > MAX_RECORDS) {
            throw new ApiException(400, "EXCEEDED_ID_LIMIT",
                    "record limit reached. cannot submit more than " + MAX_RECORDS + " records into this call");
        }
        return records;
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
        writeItems(type, toWrite, batch, create ? "insert" : "update");
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
        // (an upsert adds its created flag to this)
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
