package dev.crmsync.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A typed field value. Equality is exact and type-aware: {@code number("1.0")} equals
 * {@code number("1.00")}, {@code text("")} is not {@link #NULL}, and {@code text("1")} is not
 * {@code number("1")}.
 *
 * <p>Picklists, e-mails, phones, URLs and other string-like CRM types are {@link Text};
 * a multi-select picklist is its {@code ;}-joined text, as the CRM sends it.
 */
public sealed interface FieldValue
        permits FieldValue.Text, FieldValue.Number, FieldValue.Bool, FieldValue.Date,
                FieldValue.DateTime, FieldValue.Ref, FieldValue.Null {

    /** The absent value. */
    FieldValue NULL = Null.INSTANCE;

    /** @return true for {@link #NULL} */
    default boolean isNull() {
        return this == NULL;
    }

    /**
     * @return true for {@link #NULL} and for empty or all-whitespace text: what "prefer CRM
     *     unless blank" and the merge rule "a value beats an empty field" treat as no value
     */
    default boolean isBlank() {
        return isNull() || (this instanceof Text t && t.value().isBlank());
    }

    /** @return the value as plain text, as a CSV cell or a log line would show it; {@code null} for NULL */
    @Nullable String asText();

    /** Text of any length. @param value the text, not null (use {@link #NULL}) */
    record Text(String value) implements FieldValue {
        /** Checks for null. */
        public Text {
            Objects.requireNonNull(value, "text value (use FieldValue.NULL for no value)");
        }

        @Override
        public String asText() {
            return value;
        }
    }

    /** A number, compared by value: its scale is normalised. @param value the number */
    record Number(BigDecimal value) implements FieldValue {
        /** Checks for null and normalises the scale, so 1.0 and 1.00 are equal. */
        public Number {
            Objects.requireNonNull(value, "number value (use FieldValue.NULL for no value)");
            value = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
        }

        @Override
        public String asText() {
            return value.toPlainString();
        }
    }

    /** A boolean (checkbox). {@code false} is a value, not emptiness. @param value the flag */
    record Bool(boolean value) implements FieldValue {
        @Override
        public String asText() {
            return Boolean.toString(value);
        }
    }

    /** A calendar date without time or zone. @param value the date */
    record Date(LocalDate value) implements FieldValue {
        /** Checks for null. */
        public Date {
            Objects.requireNonNull(value, "date value (use FieldValue.NULL for no value)");
        }

        @Override
        public String asText() {
            return value.toString();
        }
    }

    /** An instant (CRM date-time fields are UTC). @param value the instant */
    record DateTime(Instant value) implements FieldValue {
        /** Checks for null. */
        public DateTime {
            Objects.requireNonNull(value, "date-time value (use FieldValue.NULL for no value)");
        }

        @Override
        public String asText() {
            return value.toString();
        }
    }

    /** A reference (lookup) to another CRM record, by id. @param id the referenced record */
    record Ref(CrmId id) implements FieldValue {
        /** Checks for null. */
        public Ref {
            Objects.requireNonNull(id, "reference id (use FieldValue.NULL for no value)");
        }

        @Override
        public String asText() {
            return id.value();
        }
    }

    /** The absent value; use {@link FieldValue#NULL}. */
    enum Null implements FieldValue {
        /** The one instance. */
        INSTANCE;

        @Override
        public @Nullable String asText() {
            return null;
        }
    }

    /** @param value text, not null @return a text value */
    static FieldValue text(String value) {
        return new Text(value);
    }

    /** @param value text or null @return a text value, or {@link #NULL} for null */
    static FieldValue textOrNull(@Nullable String value) {
        return value == null ? NULL : new Text(value);
    }

    /** @param value a number @return a number value */
    static FieldValue number(BigDecimal value) {
        return new Number(value);
    }

    /**
     * @param value a decimal literal such as {@code "12.50"}
     * @return a number value
     * @throws NumberFormatException if not a decimal literal
     */
    static FieldValue number(String value) {
        return new Number(new BigDecimal(value));
    }

    /** @param value a whole number @return a number value */
    static FieldValue number(long value) {
        return new Number(BigDecimal.valueOf(value));
    }

    /** @param value the flag @return a boolean value */
    static FieldValue bool(boolean value) {
        return new Bool(value);
    }

    /** @param value a date @return a date value */
    static FieldValue date(LocalDate value) {
        return new Date(value);
    }

    /** @param value an instant @return a date-time value */
    static FieldValue dateTime(Instant value) {
        return new DateTime(value);
    }

    /** @param id a record id @return a reference value */
    static FieldValue ref(CrmId id) {
        return new Ref(id);
    }

    /** @param id a 15- or 18-character record id @return a reference value */
    static FieldValue ref(String id) {
        return new Ref(CrmId.of(id));
    }
}
