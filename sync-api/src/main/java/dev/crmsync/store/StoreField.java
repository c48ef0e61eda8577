package dev.crmsync.store;

import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.ObjectSchema;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A field the engine syncs for an object type, as the store needs to know it to give the field a
 * typed home (a column): its API name, its kind, and its size. The engine derives these from the
 * CRM describe and passes them to {@link MarketingStore#prepareType}.
 *
 * @param name the field's API name, not blank
 * @param kind what values it holds
 * @param length for text kinds: the most characters (0 when not known: unbounded text)
 * @param precision for decimal kinds: the most digits in all (0 when not known: unbounded);
 *     for {@link Kind#INTEGER}/{@link Kind#LONG}: the most digits (0 when not known)
 * @param scale for decimal kinds: the most digits after the point (0 otherwise)
 */
public record StoreField(String name, Kind kind, int length, int precision, int scale) {

    /** What a field holds, and so which {@link dev.crmsync.model.FieldValue} kind its values are. */
    public enum Kind {
        /** Single-line text ({@code FieldValue.Text}). */ TEXT,
        /** Single-select picklist ({@code FieldValue.Text}). */ PICKLIST,
        /** Multi-select picklist, {@code ;}-joined as the CRM spells it ({@code FieldValue.Text}). */ MULTIPICKLIST,
        /** E-mail address ({@code FieldValue.Text}). */ EMAIL,
        /** Phone number ({@code FieldValue.Text}). */ PHONE,
        /** URL ({@code FieldValue.Text}). */ URL,
        /** Long text ({@code FieldValue.Text}). */ TEXTAREA,
        /** Time of day, as the CRM spells it ({@code FieldValue.Text}). */ TIME,
        /** Whole number that fits 32 bits ({@code FieldValue.Number}). */ INTEGER,
        /** Whole number that fits 64 bits ({@code FieldValue.Number}). */ LONG,
        /** Binary floating point ({@code FieldValue.Number}; only values a double holds exactly). */ DOUBLE,
        /** Decimal number ({@code FieldValue.Number}). */ DECIMAL,
        /** Money, a decimal ({@code FieldValue.Number}). */ CURRENCY,
        /** Percentage, a decimal ({@code FieldValue.Number}). */ PERCENT,
        /** Checkbox ({@code FieldValue.Bool}). */ BOOLEAN,
        /** Calendar date ({@code FieldValue.Date}). */ DATE,
        /** Instant ({@code FieldValue.DateTime}). */ DATETIME,
        /** Reference to another record ({@code FieldValue.Ref}). */ REFERENCE,
        /** A record id ({@code FieldValue.Ref}). */ ID;

        /** @return true for the kinds whose values are {@code FieldValue.Text} */
        public boolean isText() {
            return switch (this) {
                case TEXT, PICKLIST, MULTIPICKLIST, EMAIL, PHONE, URL, TEXTAREA, TIME -> true;
                default -> false;
            };
        }

        /** @return true for the kinds whose values are {@code FieldValue.Number} */
        public boolean isNumber() {
            return switch (this) {
                case INTEGER, LONG, DOUBLE, DECIMAL, CURRENCY, PERCENT -> true;
                default -> false;
            };
        }
    }

    /** Checks nulls and ranges. */
    public StoreField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a store field's name must not be blank");
        }
        if (length < 0 || precision < 0 || scale < 0 || (precision > 0 && scale > precision)) {
            throw new IllegalArgumentException("field '" + name + "': length, precision and scale must be >= 0 and scale <= precision,"
                    + " were " + length + ", " + precision + ", " + scale);
        }
    }

    /**
     * @param name the API name
     * @param kind the kind
     * @return a field of that kind with no size limits
     */
    public static StoreField of(String name, Kind kind) {
        return new StoreField(name, kind, 0, 0, 0);
    }

    /**
     * The store fields of a type's synced fields, as the engine hands them to
     * {@link MarketingStore#prepareType}: one per field the describe knows, typed from the field's CRM type and
     * sized from its length, precision and scale (see {@link #forCrmField}). Anything else that prepares a store
     * for a type (the Kafka Connect sink) uses the same mapping.
     *
     * @param schema the type's describe
     * @param synced the names of the fields synced
     * @return their store fields, in describe order; compound and binary fields are left out
     */
    public static List<StoreField> forSyncedFields(ObjectSchema schema, Collection<String> synced) {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(synced, "synced");
        List<StoreField> out = new ArrayList<>();
        for (FieldSchema f : schema.fieldsByName().values()) {
            if (synced.contains(f.name()) && !f.type().isUnsyncable()) {
                out.add(forCrmField(f));
            }
        }
        return List.copyOf(out);
    }

    /**
     * A CRM field's store field: ids and references 18 characters; text kinds their describe length; integers of
     * up to 9 digits {@link Kind#INTEGER}, longer or unknown {@link Kind#LONG}; Salesforce's "double" number
     * fields exact decimals of their declared precision and scale, as currency and percent are.
     *
     * @param f a synced CRM field
     * @return its store field
     * @throws IllegalArgumentException for a type that is not synced (binary, compound address or location)
     */
    public static StoreField forCrmField(FieldSchema f) {
        Objects.requireNonNull(f, "f");
        return switch (f.type()) {
            case ID -> new StoreField(f.name(), Kind.ID, 18, 0, 0);
            case REFERENCE -> new StoreField(f.name(), Kind.REFERENCE, 18, 0, 0);
            case STRING, OTHER -> new StoreField(f.name(), Kind.TEXT, f.length(), 0, 0);
            case TEXTAREA -> new StoreField(f.name(), Kind.TEXTAREA, f.length(), 0, 0);
            case EMAIL -> new StoreField(f.name(), Kind.EMAIL, f.length(), 0, 0);
            case PHONE -> new StoreField(f.name(), Kind.PHONE, f.length(), 0, 0);
            case URL -> new StoreField(f.name(), Kind.URL, f.length(), 0, 0);
            case PICKLIST -> new StoreField(f.name(), Kind.PICKLIST, f.length(), 0, 0);
            case MULTIPICKLIST -> new StoreField(f.name(), Kind.MULTIPICKLIST, f.length(), 0, 0);
            case TIME -> new StoreField(f.name(), Kind.TIME, 0, 0, 0);
            case BOOLEAN -> of(f.name(), Kind.BOOLEAN);
            case DATE -> of(f.name(), Kind.DATE);
            case DATETIME -> of(f.name(), Kind.DATETIME);
            // describe's digits for an int: up to 9 fit 32 bits; unknown or more: 64 bits
            case INT -> f.precision() > 0 && f.precision() <= 9
                    ? new StoreField(f.name(), Kind.INTEGER, 0, f.precision(), 0)
                    : new StoreField(f.name(), Kind.LONG, 0, f.precision(), 0);
            case DOUBLE -> new StoreField(f.name(), Kind.DECIMAL, 0, f.precision(), scale(f));
            case CURRENCY -> new StoreField(f.name(), Kind.CURRENCY, 0, f.precision(), scale(f));
            case PERCENT -> new StoreField(f.name(), Kind.PERCENT, 0, f.precision(), scale(f));
            case BASE64, ADDRESS, LOCATION -> throw new IllegalArgumentException("not a synced field type: " + f.type());
        };
    }

    private static int scale(FieldSchema f) {
        return Math.min(f.scale(), f.precision() == 0 ? f.scale() : f.precision());
    }
}
