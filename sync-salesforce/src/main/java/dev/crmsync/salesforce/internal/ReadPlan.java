package dev.crmsync.salesforce.internal;

import dev.crmsync.model.SafeText;
import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.crm.Cursor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one read selects and how its rows become {@link SyncRecord}s: the requested fields that
 * describe knows (others are skipped with a warning, as the integration user cannot see them),
 * plus what the read path needs — {@code Id}, the stamp field and {@code IsDeleted}, which travel
 * in the record itself rather than among its fields. Merge and conversion fields
 * ({@code MasterRecordId}, {@code IsConverted}, {@code ConvertedContactId}, …) are ordinary
 * readable fields: they come when asked for, as every readable field does. Field names are checked
 * for form before describe is even consulted.
 */
public final class ReadPlan {

    private static final Logger LOG = LoggerFactory.getLogger(ReadPlan.class);

    private final ObjectInfo info;
    private final List<String> select;
    private final Set<String> outputs;
    private final String stampField;
    private final boolean hasIsDeleted;

    private ReadPlan(ObjectInfo info, List<String> select, Set<String> outputs) {
        this.info = info;
        this.select = List.copyOf(select);
        this.outputs = Set.copyOf(outputs);
        this.stampField = info.stampField();
        this.hasIsDeleted = info.has("IsDeleted");
    }

    /**
     * Checks that every requested name is a well-formed API name, before anything is sent.
     *
     * @param requested the names
     * @param what what they are, for the message
     * @throws IllegalArgumentException naming the first malformed one
     */
    public static void checkNames(Collection<String> requested, String what) {
        for (String f : requested) {
            Soql.requireIdentifier(f, what);
        }
    }

    /**
     * @param info the describe
     * @param requested the fields the caller asked for (well-formed; see {@link #checkNames})
     * @return the plan
     */
    public static ReadPlan of(ObjectInfo info, Collection<String> requested) {
        checkNames(requested, "field");
        String stamp = info.stampField();
        LinkedHashSet<String> select = new LinkedHashSet<>();
        select.add("Id");
        select.add(stamp);
        if (info.has("IsDeleted")) {
            select.add("IsDeleted");
        }
        LinkedHashSet<String> outputs = new LinkedHashSet<>();
        List<String> skipped = new ArrayList<>();
        for (String f : requested) {
            if (info.selectable(f)) {
                select.add(f);
                outputs.add(f);
            } else {
                skipped.add(f);
            }
        }
        if (!skipped.isEmpty()) {
            LOG.warn("skipping fields of {} that the integration user cannot read or that cannot be queried: {}",
                    info.type(), skipped);
        }
        return new ReadPlan(info, new ArrayList<>(select), outputs);
    }

    /** @return the describe this plan was built from */
    public ObjectInfo info() {
        return info;
    }

    /** @return the SELECT list */
    public List<String> select() {
        return select;
    }

    /** @return the fields each record carries */
    public Set<String> outputs() {
        return outputs;
    }

    /** @return the stamp field */
    public String stampField() {
        return stampField;
    }

    /**
     * @param after read strictly after this position
     * @param upperBound an inclusive stamp bound, or null
     * @param ordered true to ORDER BY (stamp, Id) (REST), false for Bulk, which must not sort
     * @return the SOQL text
     */
    public String soql(Cursor after, Instant upperBound, boolean ordered) {
        List<String> conds = new ArrayList<>();
        conds.add(Soql.after(stampField, after));
        if (upperBound != null) {
            conds.add(Soql.notAfter(stampField, upperBound));
        }
        return Soql.select(select, info.type().apiName(), conds, ordered ? stampField : null);
    }

    /**
     * @param ids record ids
     * @return SOQL selecting those records
     */
    public String soqlForIds(Collection<CrmId> ids) {
        return Soql.select(select, info.type().apiName(), List.of(Soql.idIn(ids)), null);
    }

    /**
     * @param rec a REST record
     * @return the record
     * @throws IllegalArgumentException if a value does not fit its field
     */
    public SyncRecord fromJson(JsonNode rec) {
        return build(name -> {
            JsonNode n = rec.get(name);
            return n;
        }, (node, type) -> ValueCodec.fromJson(node, type));
    }

    /**
     * @param cells a Bulk CSV row, by column name (a missing column reads as null)
     * @return the record
     * @throws IllegalArgumentException if a value does not fit its field
     */
    public SyncRecord fromCells(Function<String, String> cells) {
        return build(cells, (cell, type) -> ValueCodec.fromText(cell, type));
    }

    @FunctionalInterface
    private interface Decoder<T> {
        FieldValue decode(T raw, FieldType type);
    }

    private <T> SyncRecord build(Function<String, T> raw, Decoder<T> decoder) {
        FieldValue id = decoder.decode(raw.apply("Id"), FieldType.ID);
        if (!(id instanceof FieldValue.Ref ref)) {
            throw new IllegalArgumentException("a " + info.type() + " row has no Id");
        }
        CrmId crmId = ref.id();
        FieldValue stamp = decoder.decode(raw.apply(stampField), FieldType.DATETIME);
        if (!(stamp instanceof FieldValue.DateTime dt)) {
            throw new SyncException("record has no " + stampField, info.type(), crmId, null);
        }
        boolean deleted = false;
        if (hasIsDeleted) {
            deleted = decoder.decode(raw.apply("IsDeleted"), FieldType.BOOLEAN) instanceof FieldValue.Bool b && b.value();
        }
        Map<String, FieldValue> fields = new LinkedHashMap<>();
        for (String f : outputs) {
            try {
                fields.put(f, decoder.decode(raw.apply(f), info.typeOf(f)));
            } catch (IllegalArgumentException e) {
                throw new SyncException("field " + SafeText.name(f) + ": " + SafeText.bounded(e.getMessage()), info.type(),
                        crmId, null);
            }
        }
        return new SyncRecord(info.type(), crmId, fields, dt.value(), deleted);
    }
}
