package dev.crmsync.salesforce.internal;

import dev.crmsync.model.SafeText;
import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldLayout;
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

    // the SELECT list as columns, for the streaming readers: a row's raw values go in a column array
    private final String[] columns;
    private final FieldType[] columnTypes;
    private final FieldLayout columnIndex;
    private final int deletedColumn;
    private final String[] outputNames;
    private final int[] outputColumns;
    private final FieldLayout outputLayout;

    private ReadPlan(ObjectInfo info, List<String> select, Set<String> outputs) {
        this.info = info;
        this.select = List.copyOf(select);
        this.outputs = Set.copyOf(outputs);
        this.stampField = info.stampField();
        this.hasIsDeleted = info.has("IsDeleted");
        this.columns = this.select.toArray(new String[0]);
        this.columnTypes = new FieldType[columns.length];
        Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < columns.length; i++) {
            index.put(columns[i], i);
            columnTypes[i] = info.has(columns[i]) ? info.typeOf(columns[i]) : FieldType.STRING;
        }
        columnTypes[0] = FieldType.ID;          // select starts with Id, then the stamp
        columnTypes[1] = FieldType.DATETIME;
        this.columnIndex = FieldLayout.of(this.select);
        this.deletedColumn = hasIsDeleted ? index.get("IsDeleted") : -1;
        if (deletedColumn >= 0) {
            columnTypes[deletedColumn] = FieldType.BOOLEAN;
        }
        this.outputNames = new String[outputs.size()];
        this.outputColumns = new int[outputs.size()];
        int k = 0;
        for (String f : outputs) {
            outputNames[k] = f;
            outputColumns[k++] = index.get(f);
        }
        this.outputLayout = FieldLayout.of(List.of(outputNames));
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

    /** @return the SELECT list's column count: the length of a raw row for {@link #fromRaw} */
    int columnCount() {
        return columns.length;
    }

    /**
     * @param name a field name as a REST record spells it
     * @return its column in a raw row, or -1 if the plan does not select it
     */
    int column(String name) {
        return columnIndex.indexOf(name);
    }

    /**
     * @param header a Bulk CSV header row
     * @return for each column of a raw row, the cell holding it (names matched ignoring case), or -1
     */
    int[] cellsOf(String[] header) {
        Map<String, Integer> at = new java.util.HashMap<>();
        for (int i = 0; i < header.length; i++) {
            at.putIfAbsent(header[i].toLowerCase(java.util.Locale.ROOT), i);
        }
        int[] cells = new int[columns.length];
        for (int c = 0; c < columns.length; c++) {
            Integer i = at.get(columns[c].toLowerCase(java.util.Locale.ROOT));
            cells[c] = i == null ? -1 : i;
        }
        return cells;
    }

    /** A JSON number of a REST record, kept as its text until the field's type says what it is. */
    record JsonNumber(String text) {
    }

    /** A JSON object or array where a REST record should hold a plain value. */
    static final Object STRUCTURED = new Object();

    /**
     * The record of one raw row, decoded field by field as {@link #fromJson} and {@link #fromCells}
     * do (same values, same errors), without a map per row.
     *
     * @param raw by column ({@link #column}): a {@code String} (JSON string or CSV cell), a
     *     {@link JsonNumber}, a {@code Boolean}, {@link #STRUCTURED}, or null for a missing or null value
     * @return the record
     * @throws IllegalArgumentException if a value does not fit its field
     */
    SyncRecord fromRaw(Object[] raw) {
        CrmId crmId = idOf(raw);
        FieldValue stamp = decodeRaw(raw[1], FieldType.DATETIME);
        if (!(stamp instanceof FieldValue.DateTime dt)) {
            throw new SyncException("record has no " + stampField, info.type(), crmId, null);
        }
        return fromRaw(raw, crmId, dt.value());
    }

    /**
     * As {@link #fromRaw(Object[])}, for a row whose id and stamp were decoded already (by
     * {@link #idOf} and {@link #stampOf}: a Bulk row's sort key), so they are not decoded again.
     *
     * @param raw a raw row
     * @param crmId its id, as {@link #idOf} decodes it
     * @param modstamp its stamp, as {@link #stampOf} decodes it
     * @return the record
     * @throws SyncException if a value does not fit its field
     */
    SyncRecord fromRaw(Object[] raw, CrmId crmId, Instant modstamp) {
        FieldValue id = null;
        FieldValue stamp = null;
        boolean deleted = deletedColumn >= 0
                && decodeRaw(raw[deletedColumn], FieldType.BOOLEAN) instanceof FieldValue.Bool b && b.value();
        FieldValue[] values = new FieldValue[outputNames.length];
        for (int k = 0; k < outputNames.length; k++) {
            int c = outputColumns[k];
            FieldValue v;
            if (c == 0) {
                v = id == null ? id = FieldValue.ref(crmId) : id;
            } else if (c == 1) {
                v = stamp == null ? stamp = FieldValue.dateTime(modstamp) : stamp;
            } else {
                try {
                    v = decodeRaw(raw[c], columnTypes[c]);
                } catch (IllegalArgumentException e) {
                    throw new SyncException("field " + SafeText.name(outputNames[k]) + ": "
                            + SafeText.bounded(e.getMessage()), info.type(), crmId, null);
                }
            }
            values[k] = v;
        }
        // a map of the plan's layout: the names and their index shared, SyncRecord keeps it without a copy
        return new SyncRecord(info.type(), crmId, outputLayout.map(values), modstamp, deleted);
    }

    /**
     * @param raw a raw row (see {@link #fromRaw})
     * @return its record's id, as {@link #fromRaw} decodes it
     * @throws IllegalArgumentException if it has none
     */
    CrmId idOf(Object[] raw) {
        if (decodeRaw(raw[0], FieldType.ID) instanceof FieldValue.Ref ref) {
            return ref.id();
        }
        throw new IllegalArgumentException("a " + info.type() + " row has no Id");
    }

    /**
     * @param raw a raw row (see {@link #fromRaw})
     * @return its record's stamp, as {@link #fromRaw} decodes it
     * @throws SyncException if it has none
     */
    Instant stampOf(Object[] raw) {
        if (decodeRaw(raw[1], FieldType.DATETIME) instanceof FieldValue.DateTime dt) {
            return dt.value();
        }
        throw new SyncException("record has no " + stampField, info.type(), idOf(raw), null);
    }

    private static FieldValue decodeRaw(Object raw, FieldType type) {
        if (raw == null) {
            return FieldValue.NULL;
        }
        if (raw instanceof String text) {
            return ValueCodec.fromText(text, type);
        }
        if (raw instanceof JsonNumber n) {
            return ValueCodec.fromJsonNumber(n.text(), type);
        }
        if (raw instanceof Boolean b) {
            return type == FieldType.BOOLEAN ? FieldValue.bool(b) : ValueCodec.fromText(b.toString(), type);
        }
        throw new IllegalArgumentException("unexpected structured value for a " + type + " field");
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
