package dev.crmsync.salesforce.internal;

import dev.crmsync.model.SafeText;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches through sObject Collections ({@code POST} creates, {@code PATCH} updates,
 * {@code PATCH /composite/sobjects/{type}/{field}} upserts by external id, at most 200 records a
 * call, {@code allOrNone=false}) and maps every per-record result to a {@link CrmWriteResult}
 * (an upsert's {@code created} flag to {@link CrmWriteResult.Written#created()}).
 *
 * <ul>
 *   <li>A record naming a field describe does not know is rejected with {@code INVALID_FIELD}, one
 *       setting a field describe says the integration user cannot create or update with
 *       {@code INVALID_FIELD_FOR_INSERT_UPDATE}, as Salesforce would, without being sent.</li>
 *   <li>An upsert on a field describe does not mark {@code externalId} is rejected with
 *       {@code NOT_FOUND} without being sent; several records holding the value come back as
 *       {@code DUPLICATE_EXTERNAL_ID}, a data error.</li>
 *   <li>{@code UNABLE_TO_LOCK_ROW} and {@code ALL_OR_NONE_OPERATION_ROLLED_BACK} are retriable
 *       rejections; validation, duplicate and other data errors are not.</li>
 *   <li>An update of a converted lead ({@code CANNOT_UPDATE_CONVERTED_LEAD}) is redirected to the
 *       lead's {@code ConvertedContactId}, with the fields the contact has.</li>
 *   <li>An update of a record merged away ({@code ENTITY_IS_DELETED}) is retried once on its
 *       {@code MasterRecordId}, found through {@code queryAll} (unless turned off).</li>
 * </ul>
 */
public final class CollectionsWriter {

    private static final Logger LOG = LoggerFactory.getLogger(CollectionsWriter.class);

    /** Largest sObject Collections batch. */
    public static final int MAX_BATCH = 200;

    private final SourceContext ctx;
    private final boolean redirectMerged;

    /**
     * @param ctx the source's shared parts
     * @param redirectMerged true to retry an update of a merged-away record on its master
     */
    public CollectionsWriter(SourceContext ctx, boolean redirectMerged) {
        this.ctx = ctx;
        this.redirectMerged = redirectMerged;
    }

    /**
     * @param type a bidirectional type
     * @param writes at most 200 writes
     * @return one result per write, in input order
     */
    public List<CrmWriteResult> write(ObjectType type, List<? extends CrmWrite> writes) {
        for (CrmWrite w : writes) {
            ReadPlan.checkNames(w.fields().keySet(), "field of " + type);
        }
        if (writes.isEmpty()) {
            return List.of();
        }
        ObjectInfo info = ctx.describer().require(type);
        CrmWriteResult[] results = new CrmWriteResult[writes.size()];
        List<Integer> creates = new ArrayList<>();
        List<Integer> updates = new ArrayList<>();
        Map<String, List<Integer>> upserts = new LinkedHashMap<>();
        for (int i = 0; i < writes.size(); i++) {
            CrmWrite w = writes.get(i);
            if (w instanceof CrmWrite.Upsert u) {
                ReadPlan.checkNames(List.of(u.externalIdField()), "external-id field of " + type);
                Optional<CrmWriteResult.Rejected> refused = notExternalId(info, u.externalIdField())
                        .or(() -> precheck(info, u.allFields(), true));
                if (refused.isPresent()) {
                    results[i] = refused.get();
                } else {
                    upserts.computeIfAbsent(info.field(u.externalIdField()).orElseThrow().name(),
                            k -> new ArrayList<>()).add(i);
                }
                continue;
            }
            boolean create = w instanceof CrmWrite.Create;
            Optional<CrmWriteResult.Rejected> refused = precheck(info, w.fields(), create);
            if (refused.isPresent()) {
                results[i] = refused.get();
            } else {
                (create ? creates : updates).add(i);
            }
        }
        for (Map.Entry<String, List<Integer>> e : upserts.entrySet()) {
            List<ObjectNode> records = new ArrayList<>();
            for (int i : e.getValue()) {
                records.add(record(info, null, ((CrmWrite.Upsert) writes.get(i)).allFields(), true, null));
            }
            List<Outcome> out = upsert(type, e.getKey(), records);
            for (int k = 0; k < e.getValue().size(); k++) {
                Outcome o = out.get(k);
                results[e.getValue().get(k)] = o.toResult(null, o.created());
            }
        }
        if (!creates.isEmpty()) {
            List<ObjectNode> records = new ArrayList<>();
            for (int i : creates) {
                records.add(record(info, null, writes.get(i).fields(), true, null));
            }
            List<Outcome> out = send(type, "POST", records);
            for (int k = 0; k < creates.size(); k++) {
                results[creates.get(k)] = out.get(k).toResult(null, true);
            }
        }
        if (!updates.isEmpty()) {
            List<ObjectNode> records = new ArrayList<>();
            List<Integer> sent = new ArrayList<>();
            for (int i : updates) {
                CrmWrite.Update u = (CrmWrite.Update) writes.get(i);
                ObjectNode rec = record(info, u.id(), u.fields(), false, null);
                if (rec.size() <= 2) {
                    results[i] = new CrmWriteResult.Written(u.id(), false, null); // nothing to change
                } else {
                    records.add(rec);
                    sent.add(i);
                }
            }
            if (!records.isEmpty()) {
                List<Outcome> out = send(type, "PATCH", records);
                List<Integer> converted = new ArrayList<>();
                List<Integer> merged = new ArrayList<>();
                for (int k = 0; k < sent.size(); k++) {
                    int i = sent.get(k);
                    Outcome o = out.get(k);
                    CrmWrite.Update u = (CrmWrite.Update) writes.get(i);
                    if (o.is("CANNOT_UPDATE_CONVERTED_LEAD") && type.equals(ObjectType.LEAD)) {
                        converted.add(i);
                    } else if (redirectMerged && o.is("ENTITY_IS_DELETED") && info.has(SyncRecord.MASTER_RECORD_ID)) {
                        merged.add(i);
                    }
                    results[i] = o.toResult(u.id(), false);
                }
                if (!converted.isEmpty()) {
                    redirectConverted(writes, converted, results);
                }
                if (!merged.isEmpty()) {
                    redirectMerged(info, writes, merged, results);
                }
            }
        }
        return List.of(results);
    }

    /**
     * Refuses, as Salesforce would ({@code NOT_FOUND}: "Provided external ID field does not exist or
     * is not accessible"), an upsert on a field describe does not mark {@code externalId}.
     */
    private static Optional<CrmWriteResult.Rejected> notExternalId(ObjectInfo info, String field) {
        Optional<FieldSchema> f = info.field(field);
        if (f.isPresent() && f.get().externalId()) {
            return Optional.empty();
        }
        LOG.warn("not upserting a {} record: {} is not an external-id field the integration user can see",
                info.type(), SafeText.name(field));
        return Optional.of(new CrmWriteResult.Rejected("NOT_FOUND", "Provided external ID field does not exist or is"
                + " not accessible: " + SafeText.name(field), List.of(field), false));
    }

    /**
     * Upserts through sObject Collections: {@code PATCH /composite/sobjects/{type}/{field}} with
     * {@code allOrNone=false}; each record carries {@code attributes.type} and the external id, and
     * each result a {@code created} flag. Idempotent, so the client may repeat it after a timeout.
     */
    private List<Outcome> upsert(ObjectType type, String field, List<ObjectNode> records) {
        ApiCall call = ApiCall.json("collections.upsert", "PATCH", "/composite/sobjects/" + type.apiName() + "/" + field,
                collectionBody(records));
        return outcomes(type, "PATCH (upsert on " + field + ")", records.size(), ctx.api().sendJson(call).body());
    }

    /** Refuses, as Salesforce would, a record naming unknown fields or setting fields the user cannot set. */
    private static Optional<CrmWriteResult.Rejected> precheck(ObjectInfo info, Map<String, FieldValue> fields,
                                                             boolean create) {
        List<String> unknown = new ArrayList<>();
        List<String> readOnly = new ArrayList<>();
        for (String name : new TreeSet<>(fields.keySet())) {
            Optional<FieldSchema> f = info.field(name);
            if (f.isEmpty()) {
                unknown.add(name);
            } else if (f.get().type().isUnsyncable() || !(create ? f.get().createable() : f.get().updateable())) {
                readOnly.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            LOG.warn("not writing a {} record: fields {} are not visible to the integration user", info.type(),
                    SafeText.names(unknown));
            return Optional.of(new CrmWriteResult.Rejected("INVALID_FIELD", "No such column '" + SafeText.name(unknown.get(0))
                    + "' on sobject of type " + info.type().apiName(), unknown, false));
        }
        if (!readOnly.isEmpty()) {
            LOG.warn("not writing a {} record: fields {} cannot be {} by the integration user", info.type(),
                    SafeText.names(readOnly),
                    create ? "created" : "updated");
            return Optional.of(new CrmWriteResult.Rejected("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to "
                    + (create ? "create" : "update") + " fields: " + SafeText.names(readOnly)
                    + ". Please check the security settings of this field and verify that it is read/write for your "
                    + "profile or permission set.", readOnly, false));
        }
        return Optional.empty();
    }

    /** A JSON record with the fields the target can take; {@code skipped} collects the others (or null to send all). */
    private ObjectNode record(ObjectInfo info, CrmId id, Map<String, FieldValue> fields, boolean create,
                              java.util.Set<String> skipped) {
        ObjectNode rec = ctx.json().createObjectNode();
        rec.putObject("attributes").put("type", info.type().apiName());
        if (id != null) {
            rec.put("id", id.value());
        }
        for (Map.Entry<String, FieldValue> e : new java.util.TreeMap<>(fields).entrySet()) {
            if (skipped != null) {
                Optional<FieldSchema> f = info.field(e.getKey());
                boolean writable = f.isPresent() && !f.get().type().isUnsyncable()
                        && (create ? f.get().createable() : f.get().updateable());
                if (!writable) {
                    skipped.add(e.getKey());
                    continue;
                }
            }
            ValueCodec.putJson(rec, e.getKey(), e.getValue());
        }
        return rec;
    }

    private void redirectConverted(List<? extends CrmWrite> writes, List<Integer> idx, CrmWriteResult[] results) {
        Map<CrmId, Integer> byLead = new LinkedHashMap<>();
        idx.forEach(i -> byLead.put(((CrmWrite.Update) writes.get(i)).id(), i));
        Map<CrmId, CrmId> contactOf = lookup(ObjectType.LEAD, byLead.keySet(), SyncRecord.CONVERTED_CONTACT_ID, false);
        ObjectInfo contact = ctx.describer().require(ObjectType.CONTACT);
        List<ObjectNode> records = new ArrayList<>();
        List<Integer> sent = new ArrayList<>();
        List<CrmId> targets = new ArrayList<>();
        for (Map.Entry<CrmId, Integer> e : byLead.entrySet()) {
            CrmId target = contactOf.get(e.getKey());
            if (target == null) {
                continue; // no contact to redirect to: keep the rejection
            }
            LOG.info("lead {} was converted; writing its update to contact {}", e.getKey(), target);
            Map<String, FieldValue> fields = writes.get(e.getValue()).fields();
            java.util.Set<String> notOnContact = new TreeSet<>();
            ObjectNode rec = record(contact, target, fields, false, notOnContact);
            if (!notOnContact.isEmpty()) {
                LOG.debug("lead fields not written to contact {}: {}", target, notOnContact);
            }
            if (rec.size() <= 2) {
                results[e.getValue()] = new CrmWriteResult.Written(target, false, null);
                continue;
            }
            records.add(rec);
            sent.add(e.getValue());
            targets.add(target);
        }
        if (records.isEmpty()) {
            return;
        }
        List<Outcome> out = send(ObjectType.CONTACT, "PATCH", records);
        for (int k = 0; k < sent.size(); k++) {
            results[sent.get(k)] = out.get(k).toResult(targets.get(k), false);
        }
    }

    private void redirectMerged(ObjectInfo info, List<? extends CrmWrite> writes, List<Integer> idx,
                                CrmWriteResult[] results) {
        Map<CrmId, Integer> byLoser = new LinkedHashMap<>();
        idx.forEach(i -> byLoser.put(((CrmWrite.Update) writes.get(i)).id(), i));
        Map<CrmId, CrmId> masterOf = lookup(info.type(), byLoser.keySet(), SyncRecord.MASTER_RECORD_ID, true);
        List<ObjectNode> records = new ArrayList<>();
        List<Integer> sent = new ArrayList<>();
        List<CrmId> targets = new ArrayList<>();
        for (Map.Entry<CrmId, Integer> e : byLoser.entrySet()) {
            CrmId master = masterOf.get(e.getKey());
            if (master == null) {
                continue; // deleted, not merged: keep the rejection
            }
            LOG.info("{} {} was merged into {}; writing its update to the master record", info.type(), e.getKey(), master);
            records.add(record(info, master, writes.get(e.getValue()).fields(), false, null));
            sent.add(e.getValue());
            targets.add(master);
        }
        if (records.isEmpty()) {
            return;
        }
        List<Outcome> out = send(info.type(), "PATCH", records);
        for (int k = 0; k < sent.size(); k++) {
            results[sent.get(k)] = out.get(k).toResult(targets.get(k), false);
        }
    }

    /**
     * Deletes records: {@code DELETE /composite/sobjects?ids=…&allOrNone=false} (idempotent: a
     * record already deleted answers {@code ENTITY_IS_DELETED}, taken as deleted, so the call may
     * be repeated after a timeout).
     *
     * @param type a bidirectional type
     * @param ids at most {@value #MAX_BATCH} distinct ids
     * @return one result per id, in input order
     */
    public List<CrmWriteResult> delete(ObjectType type, List<CrmId> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        if (ids.size() > MAX_BATCH) {
            throw new IllegalArgumentException("at most " + MAX_BATCH + " records per call, got " + ids.size());
        }
        StringBuilder joined = new StringBuilder();
        for (CrmId id : ids) {
            joined.append(joined.length() == 0 ? "" : ",").append(id.value());
        }
        ApiCall call = new ApiCall("collections.delete", "DELETE", "/composite/sobjects", Map.of(), Map.of(), null, null, true)
                .withQuery("ids", joined.toString()).withQuery("allOrNone", "false");
        List<Outcome> out = outcomes(type, "DELETE", ids.size(), ctx.api().sendJson(call).body());
        List<CrmWriteResult> results = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            Outcome o = out.get(i);
            results.add(!o.success() && (o.is("ENTITY_IS_DELETED") || o.is("INVALID_CROSS_REFERENCE_KEY"))
                    ? new CrmWriteResult.Written(ids.get(i), false, null)        // gone already: deleted
                    : o.toResult(ids.get(i), false));
        }
        return results;
    }

    /** Reads one reference field of some records (queryAll when deleted records matter). */
    private Map<CrmId, CrmId> lookup(ObjectType type, java.util.Collection<CrmId> ids, String field, boolean all) {
        String soql = Soql.select(List.of("Id", field), type.apiName(), List.of(Soql.idIn(ids)), null);
        Map<CrmId, CrmId> out = new LinkedHashMap<>();
        String endpoint = all ? "queryAll" : "query";
        ApiCall call = ApiCall.get(endpoint, all ? "/queryAll" : "/query").withQuery("q", soql);
        while (call != null) {
            JsonNode page = ctx.api().sendJson(call).body();
            if (page == null) {
                break;
            }
            for (JsonNode rec : page.path("records")) {
                FieldValue id = ValueCodec.fromJson(rec.get("Id"), dev.crmsync.crm.FieldType.ID);
                FieldValue target = ValueCodec.fromJson(rec.get(field), dev.crmsync.crm.FieldType.REFERENCE);
                if (id instanceof FieldValue.Ref r && target instanceof FieldValue.Ref t) {
                    out.put(r.id(), t.id());
                }
            }
            String next = page.path("nextRecordsUrl").asText("");
            call = page.path("done").asBoolean(true) || next.isEmpty() ? null : ApiCall.get("queryMore", next);
        }
        return out;
    }

    private List<Outcome> send(ObjectType type, String method, List<ObjectNode> records) {
        boolean create = method.equals("POST");
        ApiCall call = ApiCall.json(create ? "collections.create" : "collections.update", method, "/composite/sobjects",
                collectionBody(records));
        if (create) {
            call = call.nonIdempotent();
        }
        return outcomes(type, method, records.size(), ctx.api().sendJson(call).body());
    }

    /** An sObject Collections body: {@code allOrNone=false} and at most {@value #MAX_BATCH} records. */
    private String collectionBody(List<ObjectNode> records) {
        if (records.size() > MAX_BATCH) {
            throw new IllegalArgumentException("at most " + MAX_BATCH + " records per call, got " + records.size());
        }
        ObjectNode body = ctx.json().createObjectNode();
        body.put("allOrNone", false);
        ArrayNode arr = body.putArray("records");
        records.forEach(arr::add);
        return body.toString();
    }

    private static List<Outcome> outcomes(ObjectType type, String method, int sent, JsonNode resp) {
        if (resp == null || !resp.isArray() || resp.size() != sent) {
            throw new SyncException("sObject Collections " + method + " of " + type + " answered "
                    + (resp == null ? "nothing" : resp.size() + " results") + " for " + sent + " records",
                    type, null, null);
        }
        List<Outcome> out = new ArrayList<>();
        for (JsonNode r : resp) {
            out.add(Outcome.of(r));
        }
        return out;
    }

    /** One per-record result as Salesforce sent it ({@code created} only in upsert results). */
    private record Outcome(boolean success, String id, List<ApiError> errors, boolean created) {
        static Outcome of(JsonNode r) {
            return new Outcome(r.path("success").asBoolean(false), r.path("id").asText(""),
                    ApiError.fromNode(r.path("errors")), r.path("created").asBoolean(false));
        }

        boolean is(String code) {
            return !success && ErrorClassifier.has(errors, code);
        }

        CrmWriteResult toResult(CrmId requested, boolean created) {
            if (success) {
                CrmId id = requested;
                if (!this.id.isEmpty()) {
                    try {
                        id = CrmId.of(this.id);
                    } catch (IllegalArgumentException e) {
                        if (id == null) {
                            throw new SyncException("sObject Collections returned an invalid id "
                                    + Soql.display(this.id), e);
                        }
                    }
                }
                if (id == null) {
                    throw new SyncException("sObject Collections reported a created record without an id");
                }
                return new CrmWriteResult.Written(id, created, null);
            }
            ApiError e = errors.isEmpty() ? new ApiError("UNKNOWN_EXCEPTION", "rejected without details", List.of())
                    : errors.get(0);
            boolean retriable = e.code().equals("UNABLE_TO_LOCK_ROW")
                    || e.code().equals("ALL_OR_NONE_OPERATION_ROLLED_BACK");
            return new CrmWriteResult.Rejected(e.code(), e.message(), e.fields(), retriable);
        }
    }
}
