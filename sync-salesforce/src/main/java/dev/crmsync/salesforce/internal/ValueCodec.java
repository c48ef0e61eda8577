package dev.crmsync.salesforce.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Salesforce wire values into {@link FieldValue}s and back, driven by the describe type.
 * REST (JSON) and Bulk (CSV text) values of one record normalise to equal values:
 *
 * <ul>
 *   <li>numbers (int, double, currency, percent) become {@link FieldValue.Number} ({@code 300.0},
 *       {@code 300} and {@code "300"} are equal);</li>
 *   <li>dates become {@link FieldValue.Date}; date-times, in any of Salesforce's spellings
 *       ({@code +0000}, {@code Z}, {@code +00:00}, with or without millis), {@link FieldValue.DateTime};</li>
 *   <li>checkboxes become {@link FieldValue.Bool}; ids and lookups {@link FieldValue.Ref};</li>
 *   <li>everything else is {@link FieldValue.Text}, exactly as sent (quotes, backslashes, newlines,
 *       unicode untouched);</li>
 *   <li>JSON {@code null}, a missing CSV cell and the empty string are {@link FieldValue#NULL}:
 *       Salesforce stores no empty strings, and Bulk CSV cannot tell them apart.</li>
 * </ul>
 */
public final class ValueCodec {

    private static final Pattern OFFSET = Pattern.compile("([+-])(\\d{2}):?(\\d{2})$");
    private static final DateTimeFormatter WRITE_DATETIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ", Locale.ROOT).withZone(ZoneOffset.UTC);

    private ValueCodec() {
    }

    /**
     * A JSON value of a REST record.
     *
     * @param node the JSON value (null or missing means null)
     * @param type the field's describe type
     * @return the value
     * @throws IllegalArgumentException if the value does not fit the type
     */
    public static FieldValue fromJson(JsonNode node, FieldType type) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return FieldValue.NULL;
        }
        if (node.isContainerNode()) {
            throw new IllegalArgumentException("unexpected structured value for a " + type + " field");
        }
        if (node.isNumber() && isNumeric(type)) {
            return FieldValue.number(node.decimalValue());
        }
        if (node.isBoolean() && type == FieldType.BOOLEAN) {
            return FieldValue.bool(node.booleanValue());
        }
        return fromText(node.asText(), type);
    }

    /**
     * A CSV cell of a Bulk result (or any textual value).
     *
     * @param cell the text, or null for a missing value
     * @param type the field's describe type
     * @return the value
     * @throws IllegalArgumentException if the text does not fit the type
     */
    public static FieldValue fromText(String cell, FieldType type) {
        if (cell == null || cell.isEmpty()) {
            return FieldValue.NULL;
        }
        try {
            return switch (type) {
                case ID, REFERENCE -> FieldValue.ref(CrmId.of(cell));
                case BOOLEAN -> bool(cell);
                case INT, DOUBLE, CURRENCY, PERCENT -> FieldValue.number(new BigDecimal(cell.trim()));
                case DATE -> FieldValue.date(parseDate(cell));
                case DATETIME -> FieldValue.dateTime(parseDateTime(cell));
                default -> FieldValue.text(cell);
            };
        } catch (NumberFormatException | DateTimeException e) {
            throw new IllegalArgumentException("a value of " + cell.length() + " characters is not a valid " + type);
        }
    }

    /**
     * A JSON number of a REST record, by its text, as {@link #fromJson} reads a number node.
     *
     * @param text the number as the JSON spells it
     * @param type the field's describe type
     * @return the value
     * @throws IllegalArgumentException if the value does not fit the type
     */
    public static FieldValue fromJsonNumber(String text, FieldType type) {
        if (isNumeric(type)) {
            try {
                return FieldValue.number(new BigDecimal(text));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a value of " + text.length() + " characters is not a valid " + type);
            }
        }
        return fromText(text, type);
    }

    private static boolean isNumeric(FieldType type) {
        return switch (type) {
            case INT, DOUBLE, CURRENCY, PERCENT -> true;
            default -> false;
        };
    }

    private static final FieldValue TRUE = FieldValue.bool(true);
    private static final FieldValue FALSE = FieldValue.bool(false);

    private static FieldValue bool(String cell) {
        if (cell.equals("true")) {          // as Salesforce writes them: no trim, no case-folding
            return TRUE;
        }
        if (cell.equals("false")) {
            return FALSE;
        }
        String t = cell.trim();
        if (t.equalsIgnoreCase("true")) {
            return TRUE;
        }
        if (t.equalsIgnoreCase("false")) {
            return FALSE;
        }
        throw new IllegalArgumentException("a value of " + cell.length() + " characters is not a boolean");
    }

    /**
     * Parses a Salesforce date-time: {@code 2013-05-07T22:07:19.000+0000}, {@code …Z},
     * {@code …+00:00}, with or without fractional seconds.
     *
     * @param text the text
     * @return the instant
     * @throws DateTimeException if unparseable
     */
    public static Instant parseDateTime(String text) {
        Instant fast = parseCommonDateTime(text);
        if (fast != null) {
            return fast;
        }
        String t = text.trim();
        if (t.endsWith("Z") || t.endsWith("z")) {
            return Instant.parse(t.substring(0, t.length() - 1) + "Z");
        }
        Matcher m = OFFSET.matcher(t);
        if (m.find()) {
            String iso = t.substring(0, m.start()) + m.group(1) + m.group(2) + ":" + m.group(3);
            return OffsetDateTime.parse(iso).toInstant();
        }
        throw new DateTimeException("no zone offset in date-time " + Soql.display(text));
    }

    /**
     * The spelling Salesforce writes in REST and Bulk results, {@code yyyy-MM-ddTHH:mm:ss.SSS+0000} or
     * {@code …Z} (UTC, three fraction digits), read without regular expressions or a formatter.
     *
     * @return the instant, or null if the text is spelled otherwise (the general path reads it)
     */
    private static Instant parseCommonDateTime(String t) {
        int n = t.length();
        boolean zulu = n == 24 && t.charAt(23) == 'Z';
        if (!(zulu || n == 28 && t.charAt(23) == '+' && t.startsWith("0000", 24))) {
            return null;
        }
        if (t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
                || t.charAt(16) != ':' || t.charAt(19) != '.') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        int millis = digits(t, 20, 3);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 28 && day > LocalDate.of(year, month, 1).lengthOfMonth()
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || millis < 0) {
            return null;   // the general path reports it (or reads what it can)
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400L + hour * 3_600L + minute * 60L + second, millis * 1_000_000L);
    }

    /** A date as Salesforce writes it, {@code yyyy-MM-dd}, without a formatter; any other spelling the general way. */
    private static LocalDate parseDate(String cell) {
        if (cell.length() == 10 && cell.charAt(4) == '-' && cell.charAt(7) == '-') {
            int year = digits(cell, 0, 4);
            int month = digits(cell, 5, 2);
            int day = digits(cell, 8, 2);
            if (year >= 0 && month >= 0 && day >= 0) {
                return LocalDate.of(year, month, day);      // DateTimeException if out of range, as parse throws
            }
        }
        return LocalDate.parse(cell.trim());
    }

    /** @return the decimal number of {@code len} digits at {@code from}, or -1 if one is not a digit */
    private static int digits(String t, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /**
     * @param instant an instant
     * @return Salesforce's spelling, {@code 2013-05-07T22:07:19.000+0000}
     */
    public static String formatDateTime(Instant instant) {
        return WRITE_DATETIME.format(instant);
    }

    /**
     * Puts a value into a JSON record for a write: text as a string, numbers as numbers,
     * dates as {@code yyyy-MM-dd}, date-times in Salesforce's spelling, refs as their id, NULL as
     * JSON {@code null} (which clears the field).
     *
     * @param record the JSON record
     * @param field the field name (validated by the caller)
     * @param value the value
     */
    public static void putJson(ObjectNode record, String field, FieldValue value) {
        if (value.isNull()) {
            record.putNull(field);
        } else if (value instanceof FieldValue.Text t) {
            record.put(field, t.value());
        } else if (value instanceof FieldValue.Number n) {
            record.put(field, n.value());
        } else if (value instanceof FieldValue.Bool b) {
            record.put(field, b.value());
        } else if (value instanceof FieldValue.Date d) {
            record.put(field, d.value().toString());
        } else if (value instanceof FieldValue.DateTime dt) {
            record.put(field, formatDateTime(dt.value()));
        } else if (value instanceof FieldValue.Ref r) {
            record.put(field, r.id().value());
        } else {
            throw new IllegalArgumentException("unsupported value kind " + value.getClass().getSimpleName());
        }
    }
}
