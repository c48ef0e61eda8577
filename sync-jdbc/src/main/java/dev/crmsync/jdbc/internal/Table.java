package dev.crmsync.jdbc.internal;

import dev.crmsync.model.ObjectType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One object type's marketing table as the store knows it: its quoted, schema-qualified name and
 * its field columns. Immutable: the catalog swaps in a new one when a column is added.
 *
 * @param type the object type
 * @param name the table's name (lower case, unquoted)
 * @param qualified the schema-qualified, quoted name to use in SQL
 * @param columns the field columns, by field API name, in column order
 * @param version a number unique to this load of the table in this JVM: SQL built for it carries it
 *     in a comment, so a statement the driver prepared for an older shape of the table is never reused
 *     (PostgreSQL refuses a cached plan whose result type changed)
 */
public record Table(ObjectType type, String name, String qualified, Map<String, Column> columns, long version) {

    /** The system columns, in table order (the H2 trigger relies on these positions). */
    public static final List<String> SYSTEM = List.of("_marketing_id", "_crm_id", "_crm_deleted", "_crm_modstamp",
            "_local_modstamp", "_change_xid", "_change_seq", "_engine_write", "_other");

    /** Checks nulls and copies the map (keeping its order). */
    public Table {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(qualified, "qualified");
        columns = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    }

    /** @return the table's name for SQL, with the comment that ties a statement to this version */
    public String sql() {
        return qualified + " /* v" + version + " */";
    }

    /** @param field a field API name @return its column, or null if it has none */
    public Column column(String field) {
        return columns.get(field);
    }
}
