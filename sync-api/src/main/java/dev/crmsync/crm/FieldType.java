package dev.crmsync.crm;

import dev.crmsync.model.FieldValue;

/** A CRM field's data type, as describe reports it (Salesforce's {@code type}). */
public enum FieldType {
    /** The record id. */ ID,
    /** A lookup to another record. */ REFERENCE,
    /** Single-line text. */ STRING,
    /** Long text. */ TEXTAREA,
    /** Checkbox. */ BOOLEAN,
    /** Whole number. */ INT,
    /** Decimal number. */ DOUBLE,
    /** Money. */ CURRENCY,
    /** Percentage. */ PERCENT,
    /** Calendar date. */ DATE,
    /** Instant. */ DATETIME,
    /** Time of day (kept as text). */ TIME,
    /** E-mail address. */ EMAIL,
    /** Phone number. */ PHONE,
    /** URL. */ URL,
    /** Single-select picklist. */ PICKLIST,
    /** Multi-select picklist ({@code ;}-joined text). */ MULTIPICKLIST,
    /** Binary content (not synced). */ BASE64,
    /** Compound address (not synced; its component fields are). */ ADDRESS,
    /** Compound geolocation (not synced; its component fields are). */ LOCATION,
    /** Anything else (kept as text). */ OTHER;

    /** @return true for compound and binary types, which the engine never syncs */
    public boolean isUnsyncable() {
        return this == BASE64 || this == ADDRESS || this == LOCATION;
    }

    /**
     * @param value a value
     * @return true if a value of that kind fits this type ({@link FieldValue#NULL} fits every type)
     */
    public boolean accepts(FieldValue value) {
        if (value.isNull()) {
            return true;
        }
        return switch (this) {
            case ID, REFERENCE -> value instanceof FieldValue.Ref;
            case BOOLEAN -> value instanceof FieldValue.Bool;
            case INT, DOUBLE, CURRENCY, PERCENT -> value instanceof FieldValue.Number;
            case DATE -> value instanceof FieldValue.Date;
            case DATETIME -> value instanceof FieldValue.DateTime;
            case BASE64, ADDRESS, LOCATION -> false;
            default -> value instanceof FieldValue.Text;
        };
    }
}
