package dev.crmsync.crm;

import dev.crmsync.model.FieldValue;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a value against its field's describe as Salesforce checks a write, so that a record the
 * CRM would refuse is refused before it is sent (the engine) or refused the way the CRM refuses it
 * (the fakes). Each problem carries Salesforce's own status code, the field's name and a reason
 * that never quotes the value:
 * <ul>
 *   <li>{@code INVALID_TYPE_ON_FIELD_IN_RECORD}: a value of the wrong kind (text in a number field);</li>
 *   <li>{@code NUMBER_OUTSIDE_VALID_RANGE}: a number that is not finite as a double (e.g. {@code 1E+400}),
 *       has more integer digits than the field's precision minus its scale ({@code 1e23} in an
 *       18-digit field), or, in an {@code int} field, has a fraction ({@code 1.5}) or lies outside
 *       the 32-bit range ({@code 2^31}) or the field's digits;</li>
 *   <li>{@code FIELD_INTEGRITY_EXCEPTION}: a date or date-time outside the range Salesforce accepts,
 *       1700-01-01T00:00:00Z to 4000-12-31T00:00:00Z ("Only dates within a certain range are valid.
 *       The earliest valid date is 1700-01-01T00:00:00Z GMT ... The latest valid date is
 *       4000-12-31T00:00:00Z GMT", Salesforce Data Loader Guide, "Data Import Dates");</li>
 *   <li>{@code STRING_TOO_LONG}: text longer than the field's length;</li>
 *   <li>{@code INVALID_EMAIL_ADDRESS}: an e-mail field's text not shaped {@code local@domain.tld};</li>
 *   <li>{@code INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST}: a value a restricted picklist does not list
 *       (each {@code ;}-part of a multi-select picklist).</li>
 * </ul>
 * Digits after the field's scale are not a problem: Salesforce rounds them.
 */
public final class FieldChecks {

    /** The earliest date Salesforce accepts. */
    public static final LocalDate MIN_DATE = LocalDate.of(1700, 1, 1);
    /** The latest date Salesforce accepts. */
    public static final LocalDate MAX_DATE = LocalDate.of(4000, 12, 31);
    /** The earliest date-time Salesforce accepts. */
    public static final Instant MIN_DATE_TIME = Instant.parse("1700-01-01T00:00:00Z");
    /** The latest date-time Salesforce accepts. */
    public static final Instant MAX_DATE_TIME = Instant.parse("4000-12-31T00:00:00Z");

    private static final BigDecimal INT_MIN = BigDecimal.valueOf(Integer.MIN_VALUE);
    private static final BigDecimal INT_MAX = BigDecimal.valueOf(Integer.MAX_VALUE);
    /** Salesforce's e-mail shape: a local part, one {@code @}, a dotted domain; no spaces. */
    private static final Pattern EMAIL = Pattern.compile(
            "[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+");

    private FieldChecks() {
    }

    /**
     * Why the CRM refuses a value in a field.
     *
     * @param code Salesforce's status code
     * @param field the field's API name
     * @param reason why, naming the field, never quoting the value
     */
    public record Problem(String code, String field, String reason) {
        /** Checks nulls. */
        public Problem {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * @param value a number
     * @return true if it is finite as an IEEE double, as Salesforce's JSON parser reads numbers
     */
    public static boolean finiteAsDouble(BigDecimal value) {
        return Double.isFinite(Objects.requireNonNull(value, "value must not be null").doubleValue());
    }

    /**
     * Checks a value against a field as the CRM checks a write. {@link FieldValue#NULL} passes
     * (whether a field may be empty is the create's and the update's business).
     *
     * @param field the field's describe
     * @param value the value to write
     * @return the problem, or empty if the CRM takes the value
     */
    public static Optional<Problem> check(FieldSchema field, FieldValue value) {
        Objects.requireNonNull(field, "field must not be null");
        Objects.requireNonNull(value, "value must not be null");
        String f = field.name();
        if (value.isNull()) {
            return Optional.empty();
        }
        if (!field.type().accepts(value)) {
            return problem("INVALID_TYPE_ON_FIELD_IN_RECORD", f, "a " + kind(value) + " value does not fit a "
                    + field.type() + " field");
        }
        if (value instanceof FieldValue.Number n) {
            return number(field, n.value());
        }
        if (value instanceof FieldValue.Date d) {
            return d.value().isBefore(MIN_DATE) || d.value().isAfter(MAX_DATE)
                    ? problem("FIELD_INTEGRITY_EXCEPTION", f, "invalid date: outside " + MIN_DATE + " to " + MAX_DATE)
                    : Optional.empty();
        }
        if (value instanceof FieldValue.DateTime d) {
            return d.value().isBefore(MIN_DATE_TIME) || d.value().isAfter(MAX_DATE_TIME)
                    ? problem("FIELD_INTEGRITY_EXCEPTION", f, "invalid date-time: outside " + MIN_DATE_TIME + " to "
                    + MAX_DATE_TIME)
                    : Optional.empty();
        }
        if (value instanceof FieldValue.Text t) {
            return text(field, t.value());
        }
        return Optional.empty();
    }

    private static Optional<Problem> number(FieldSchema field, BigDecimal v) {
        String f = field.name();
        if (!finiteAsDouble(v)) {
            return problem("NUMBER_OUTSIDE_VALID_RANGE", f, "the number is not finite as a double");
        }
        int integerDigits = Math.max(0, v.precision() - v.scale());
        if (field.type() == FieldType.INT) {
            if (v.stripTrailingZeros().scale() > 0) {
                return problem("NUMBER_OUTSIDE_VALID_RANGE", f, "an integer field takes no fraction");
            }
            if (v.compareTo(INT_MIN) < 0 || v.compareTo(INT_MAX) > 0) {
                return problem("NUMBER_OUTSIDE_VALID_RANGE", f, "outside the 32-bit integer range");
            }
            if (field.precision() > 0 && integerDigits > field.precision()) {
                return problem("NUMBER_OUTSIDE_VALID_RANGE", f, "more than " + field.precision() + " digits");
            }
            return Optional.empty();
        }
        int allowed = field.precision() - field.scale();
        if (field.precision() > 0 && integerDigits > allowed) {
            return problem("NUMBER_OUTSIDE_VALID_RANGE", f, "more than " + allowed
                    + " digits before the decimal point (precision " + field.precision() + ", scale " + field.scale() + ")");
        }
        return Optional.empty();
    }

    private static Optional<Problem> text(FieldSchema field, String v) {
        String f = field.name();
        FieldType type = field.type();
        if (field.length() > 0 && type != FieldType.REFERENCE && type != FieldType.ID && v.length() > field.length()) {
            return problem("STRING_TOO_LONG", f, v.length() + " characters, the field takes at most " + field.length());
        }
        if (type == FieldType.EMAIL && !v.isEmpty() && !EMAIL.matcher(v).matches()) {
            return problem("INVALID_EMAIL_ADDRESS", f, "not an e-mail address");
        }
        if (field.restrictedPicklist() && !v.isEmpty()) {
            if (type == FieldType.PICKLIST && !field.picklistValues().contains(v)) {
                return problem("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", f, "bad value for restricted picklist field");
            }
            if (type == FieldType.MULTIPICKLIST) {
                for (String part : v.split(";", -1)) {
                    if (!field.picklistValues().contains(part)) {
                        return problem("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", f,
                                "bad value for restricted picklist field");
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Problem> problem(String code, String field, String reason) {
        return Optional.of(new Problem(code, field, field + ": " + reason));
    }

    private static String kind(FieldValue v) {
        if (v instanceof FieldValue.Text) {
            return "text";
        } else if (v instanceof FieldValue.Number) {
            return "number";
        } else if (v instanceof FieldValue.Bool) {
            return "boolean";
        } else if (v instanceof FieldValue.Date) {
            return "date";
        } else if (v instanceof FieldValue.DateTime) {
            return "date-time";
        } else if (v instanceof FieldValue.Ref) {
            return "reference";
        }
        return "null";
    }
}
