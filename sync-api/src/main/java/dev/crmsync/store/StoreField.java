package dev.crmsync.store;

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
}
