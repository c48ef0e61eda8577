package dev.crmsync.model;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One CRM record as the engine moves it: its type and id, its field values (only fields the
 * integration user can read and the host chose to sync), the CRM's modification stamp, and
 * whether the CRM has deleted it.
 *
 * <p>Well-known system fields travel as ordinary fields, named as Salesforce names them:
 * {@value #MASTER_RECORD_ID} on a record merged away, {@value #IS_CONVERTED} and
 * {@value #CONVERTED_CONTACT_ID} on a converted lead.
 *
 * @param type the object type
 * @param id the CRM id
 * @param fields field values by API name; absent fields were not read, {@link FieldValue#NULL} means empty
 * @param modstamp the CRM's modification stamp (Salesforce {@code SystemModstamp}, whole seconds)
 * @param deleted true when the CRM has deleted (or merged away) the record
 */
public record SyncRecord(ObjectType type, CrmId id, Map<String, FieldValue> fields, Instant modstamp, boolean deleted) {

    /** Field naming the surviving record of a merge, on the merged-away (deleted) record. */
    public static final String MASTER_RECORD_ID = "MasterRecordId";
    /** Boolean field: true on a lead that was converted. */
    public static final String IS_CONVERTED = "IsConverted";
    /** Field naming the contact a lead was converted into. */
    public static final String CONVERTED_CONTACT_ID = "ConvertedContactId";
    /** Field naming the account a lead was converted into. */
    public static final String CONVERTED_ACCOUNT_ID = "ConvertedAccountId";

    /**
     * Checks nulls and copies the field map ({@link Map#copyOf}: no null key or value), except a
     * map built by {@link FieldLayout#map}, which is already immutable and null-free and is kept as it is.
     */
    public SyncRecord {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(modstamp, "modstamp");
        fields = fields instanceof FieldLayout.LaidOut ? fields : Map.copyOf(fields);
    }

    /**
     * @param name a field API name
     * @return the value, or {@link FieldValue#NULL} when absent
     */
    public FieldValue get(String name) {
        FieldValue v = fields.get(name);
        return v == null ? FieldValue.NULL : v;
    }

    /** @return a copy with other fields */
    public SyncRecord withFields(Map<String, FieldValue> newFields) {
        return new SyncRecord(type, id, newFields, modstamp, deleted);
    }

    @Override
    public String toString() {
        return type + "[" + id + " @" + modstamp + (deleted ? " deleted" : "") + ", " + fields.size() + " fields]";
    }
}
