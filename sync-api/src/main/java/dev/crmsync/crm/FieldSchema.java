package dev.crmsync.crm;

import java.util.List;
import java.util.Objects;

/**
 * One field of a described object, as the integration user sees it.
 *
 * @param name the API name
 * @param type the data type
 * @param readable true if the integration user may read it (hidden fields are never synced)
 * @param createable true if it may be set on create
 * @param updateable true if it may be set on update
 * @param calculated true for a formula or roll-up field (its changes do not bump the modification stamp)
 * @param length the maximum length of text values, 0 when not applicable
 * @param referenceTo for references: the object types it may point at (API names)
 */
public record FieldSchema(String name, FieldType type, boolean readable, boolean createable, boolean updateable,
                          boolean calculated, int length, List<String> referenceTo) {

    /** Checks nulls and ranges, copies the list. */
    public FieldSchema {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isBlank()) {
            throw new IllegalArgumentException("field name must not be blank");
        }
        if (length < 0) {
            throw new IllegalArgumentException("length of field '" + name + "' must be >= 0, was " + length);
        }
        referenceTo = List.copyOf(referenceTo);
    }

    /**
     * A readable, createable, updateable, non-formula field.
     *
     * @param name the API name
     * @param type the type
     * @return the field
     */
    public static FieldSchema of(String name, FieldType type) {
        return new FieldSchema(name, type, true, true, true, false, type == FieldType.STRING ? 255 : 0, List.of());
    }
}
