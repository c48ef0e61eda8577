package dev.crmsync.crm;

import java.util.List;
import java.util.Objects;

/**
 * One field of a described object, as the integration user sees it: the facts of Salesforce's
 * field describe that decide what a write may carry. Build one with {@link #builder(String, FieldType)}
 * (or {@link #of(String, FieldType)} for a plain read/write field); {@link FieldChecks} checks a value
 * against it as the CRM would.
 *
 * @param name the API name
 * @param type the data type
 * @param readable true if the integration user may read it (hidden fields are never synced)
 * @param createable true if it may be set on create
 * @param updateable true if it may be set on update
 * @param calculated true for a formula or roll-up field (its changes do not bump the modification stamp)
 * @param length the maximum length of text values, 0 when not applicable
 * @param referenceTo for references: the object types it may point at (API names)
 * @param precision for {@code double}, {@code currency} and {@code percent}: the most digits in all
 *     (describe's {@code precision}); for {@code int}: the most digits (describe's {@code digits});
 *     0 when not known or not applicable
 * @param scale for {@code double}, {@code currency} and {@code percent}: the most digits after the
 *     decimal point (describe's {@code scale}); 0 otherwise
 * @param picklistValues for picklists: the active values (describe's {@code picklistValues[].value})
 * @param restrictedPicklist true if the picklist takes only its listed values (describe's {@code restrictedPicklist})
 * @param nillable true if the field may be empty (describe's {@code nillable})
 * @param defaultedOnCreate true if the CRM fills it on create when left empty (describe's {@code defaultedOnCreate})
 * @param externalId true for an external-id field, usable as the key of an upsert (describe's {@code externalId})
 */
public record FieldSchema(String name, FieldType type, boolean readable, boolean createable, boolean updateable,
                          boolean calculated, int length, List<String> referenceTo, int precision, int scale,
                          List<String> picklistValues, boolean restrictedPicklist, boolean nillable,
                          boolean defaultedOnCreate, boolean externalId) {

    /** Checks nulls and ranges, copies the lists. */
    public FieldSchema {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isBlank()) {
            throw new IllegalArgumentException("field name must not be blank");
        }
        if (length < 0) {
            throw new IllegalArgumentException("length of field '" + name + "' must be >= 0, was " + length);
        }
        if (precision < 0) {
            throw new IllegalArgumentException("precision of field '" + name + "' must be >= 0, was " + precision);
        }
        if (scale < 0 || (precision > 0 && scale > precision)) {
            throw new IllegalArgumentException("scale of field '" + name + "' must be between 0 and the precision ("
                    + precision + "), was " + scale);
        }
        referenceTo = List.copyOf(referenceTo);
        picklistValues = List.copyOf(picklistValues);
    }

    /**
     * The field as older releases built it: nillable, no precision, scale or picklist values, not an
     * external id.
     *
     * @param name the API name
     * @param type the data type
     * @param readable true if readable
     * @param createable true if it may be set on create
     * @param updateable true if it may be set on update
     * @param calculated true for a formula or roll-up field
     * @param length the maximum text length, 0 when not applicable
     * @param referenceTo for references: the object types it may point at
     */
    public FieldSchema(String name, FieldType type, boolean readable, boolean createable, boolean updateable,
                       boolean calculated, int length, List<String> referenceTo) {
        this(name, type, readable, createable, updateable, calculated, length, referenceTo, 0, 0, List.of(), false,
                true, false, false);
    }

    /**
     * A readable, createable, updateable, nillable, non-formula field (text: 255 characters).
     *
     * @param name the API name
     * @param type the type
     * @return the field
     */
    public static FieldSchema of(String name, FieldType type) {
        return builder(name, type).build();
    }

    /**
     * Starts a field: readable, createable, updateable, nillable, not calculated, text of 255
     * characters (for {@link FieldType#STRING}), no precision, no picklist values.
     *
     * @param name the API name, not blank
     * @param type the type
     * @return a builder
     */
    public static Builder builder(String name, FieldType type) {
        return new Builder(name, type);
    }

    /** @return a builder holding this field's facts, to change some of them */
    public Builder toBuilder() {
        Builder b = new Builder(name, type);
        b.readable = readable;
        b.createable = createable;
        b.updateable = updateable;
        b.calculated = calculated;
        b.length = length;
        b.referenceTo = referenceTo;
        b.precision = precision;
        b.scale = scale;
        b.picklistValues = picklistValues;
        b.restrictedPicklist = restrictedPicklist;
        b.nillable = nillable;
        b.defaultedOnCreate = defaultedOnCreate;
        b.externalId = externalId;
        return b;
    }

    /**
     * @return true if a create must give it a value: createable, not nillable and not filled by the
     *     CRM (Salesforce's "required" fields; booleans are never nillable but always defaulted)
     */
    public boolean requiredOnCreate() {
        return createable && !nillable && !defaultedOnCreate && !calculated && type != FieldType.BOOLEAN;
    }

    /** Builds a {@link FieldSchema}; every setter returns this. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final FieldType type;
        private boolean readable = true;
        private boolean createable = true;
        private boolean updateable = true;
        private boolean calculated;
        private int length;
        private List<String> referenceTo = List.of();
        private int precision;
        private int scale;
        private List<String> picklistValues = List.of();
        private boolean restrictedPicklist;
        private boolean nillable = true;
        private boolean defaultedOnCreate;
        private boolean externalId;

        private Builder(String name, FieldType type) {
            this.name = Objects.requireNonNull(name, "name must not be null");
            this.type = Objects.requireNonNull(type, "type must not be null");
            this.length = type == FieldType.STRING ? 255 : type == FieldType.REFERENCE || type == FieldType.ID ? 18 : 0;
        }

        /** @param readable true if the integration user may read it @return this */
        public Builder readable(boolean readable) {
            this.readable = readable;
            return this;
        }

        /** @param createable true if a create may set it @return this */
        public Builder createable(boolean createable) {
            this.createable = createable;
            return this;
        }

        /** @param updateable true if an update may set it @return this */
        public Builder updateable(boolean updateable) {
            this.updateable = updateable;
            return this;
        }

        /** @param calculated true for a formula or roll-up field @return this */
        public Builder calculated(boolean calculated) {
            this.calculated = calculated;
            return this;
        }

        /** @param length the maximum text length, at least 0 @return this */
        public Builder length(int length) {
            if (length < 0) {
                throw new IllegalArgumentException("length must be >= 0, was " + length);
            }
            this.length = length;
            return this;
        }

        /** @param referenceTo the object types a reference may point at @return this */
        public Builder referenceTo(List<String> referenceTo) {
            this.referenceTo = List.copyOf(Objects.requireNonNull(referenceTo, "referenceTo must not be null"));
            return this;
        }

        /**
         * @param precision most digits in all (for {@code int}: describe's {@code digits}), at least 0
         * @param scale most digits after the point, between 0 and {@code precision}
         * @return this
         */
        public Builder precision(int precision, int scale) {
            if (precision < 0 || scale < 0 || scale > precision) {
                throw new IllegalArgumentException("precision must be >= 0 and scale between 0 and the precision, was "
                        + precision + " and " + scale);
            }
            this.precision = precision;
            this.scale = scale;
            return this;
        }

        /**
         * @param values the active picklist values
         * @param restricted true if the picklist takes only these values
         * @return this
         */
        public Builder picklist(List<String> values, boolean restricted) {
            this.picklistValues = List.copyOf(Objects.requireNonNull(values, "values must not be null"));
            this.restrictedPicklist = restricted;
            return this;
        }

        /** @param nillable true if the field may be empty @return this */
        public Builder nillable(boolean nillable) {
            this.nillable = nillable;
            return this;
        }

        /** @param defaultedOnCreate true if the CRM fills it on create when left empty @return this */
        public Builder defaultedOnCreate(boolean defaultedOnCreate) {
            this.defaultedOnCreate = defaultedOnCreate;
            return this;
        }

        /** @param externalId true for an external-id field @return this */
        public Builder externalId(boolean externalId) {
            this.externalId = externalId;
            return this;
        }

        /** @return the field */
        public FieldSchema build() {
            return new FieldSchema(name, type, readable, createable, updateable, calculated, length, referenceTo,
                    precision, scale, picklistValues, restrictedPicklist, nillable, defaultedOnCreate, externalId);
        }
    }
}
