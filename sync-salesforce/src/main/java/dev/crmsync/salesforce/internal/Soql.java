package dev.crmsync.salesforce.internal;

import dev.crmsync.model.CrmId;
import dev.crmsync.crm.Cursor;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * SOQL text: identifier checks, literal escaping and the keyset queries the source issues.
 *
 * <p>Nothing a caller supplies reaches a query unchecked: identifiers must be well formed
 * ({@link #requireIdentifier}) and come from describe ({@link ObjectInfo#selectable}); every
 * literal is escaped ({@link #quote}). Record ids and instants are the only literals the source
 * ever needs, and both are validated types, but they are escaped all the same.
 */
public final class Soql {

    /**
     * An API name: a letter, then letters, digits and underscores, at most 80 characters, not ending
     * with an underscore. Relationship paths ({@code Owner.Name}) are deliberately not accepted.
     */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,79}");

    private static final DateTimeFormatter DATETIME_LITERAL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private Soql() {
    }

    /**
     * @param name a would-be API name
     * @return true if it is a well-formed API name (it may still not exist)
     */
    public static boolean isWellFormedIdentifier(String name) {
        return name != null && IDENTIFIER.matcher(name).matches() && !name.endsWith("_");
    }

    /**
     * Checks that a name can be an API name, before anything is sent anywhere.
     *
     * @param name the would-be API name
     * @param what what it names, for the message (e.g. "field of Lead")
     * @return the name
     * @throws IllegalArgumentException if it is not a well-formed API name
     */
    public static String requireIdentifier(String name, String what) {
        if (!isWellFormedIdentifier(name)) {
            throw new IllegalArgumentException("invalid " + what + " name " + display(name)
                    + ": an API name is a letter followed by letters, digits or underscores (at most 80)");
        }
        return name;
    }

    /**
     * Shows a possibly hostile string safely in a message: quoted, control characters escaped,
     * abbreviated.
     *
     * @param s the string or null
     * @return a printable rendering
     */
    public static String display(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("'");
        int limit = Math.min(s.length(), 60);
        for (int i = 0; i < limit; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (s.length() > limit) {
            sb.append('…');
        }
        return sb.append('\'').toString();
    }

    /**
     * Escapes a string for use inside a single-quoted SOQL literal: backslash, both quotes,
     * newline, carriage return, tab, backspace and form feed get SOQL's backslash escapes.
     *
     * @param value the raw value
     * @return the escaped text, without the surrounding quotes
     * @throws IllegalArgumentException for another control character, which SOQL cannot express
     */
    public static String escape(String value) {
        Objects.requireNonNull(value, "value");
        StringBuilder sb = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\'' -> sb.append("\\'");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        throw new IllegalArgumentException("a SOQL literal cannot hold control character U+"
                                + String.format("%04X", (int) c) + " (in " + display(value) + ")");
                    }
                    sb.append(c);
                }
            }
        }
        return sb.toString();
    }

    /**
     * @param value a raw value
     * @return the value as an escaped, single-quoted SOQL string literal
     */
    public static String quote(String value) {
        return "'" + escape(value) + "'";
    }

    /**
     * @param instant an instant with whole seconds
     * @return the unquoted SOQL date-time literal, e.g. {@code 2024-01-01T00:00:00Z}
     */
    public static String dateTime(Instant instant) {
        return DATETIME_LITERAL.format(instant);
    }

    /**
     * The keyset condition "strictly after this cursor" on (stamp field, Id), or null when the
     * cursor is {@link Cursor#START} (everything).
     *
     * <p>Stamps have whole seconds, so a cursor with a fraction of a second becomes
     * {@code stamp >= } the next whole second, which selects exactly the same records.
     *
     * @param stampField the validated stamp field (normally {@code SystemModstamp})
     * @param after the cursor
     * @return the condition, or null for no condition
     */
    public static String after(String stampField, Cursor after) {
        requireIdentifier(stampField, "stamp field");
        if (after.modstamp().equals(Instant.EPOCH) && after.lastId() == null) {
            return null;
        }
        Instant ts = after.modstamp();
        Instant whole = ts.truncatedTo(ChronoUnit.SECONDS);
        if (!whole.equals(ts)) {
            return stampField + " >= " + dateTime(whole.plusSeconds(1));
        }
        if (after.lastId() == null) {
            return stampField + " >= " + dateTime(ts);
        }
        String lit = dateTime(ts);
        return "(" + stampField + " > " + lit + " OR (" + stampField + " = " + lit
                + " AND Id > " + quote(after.lastId().value()) + "))";
    }

    /**
     * @param stampField the validated stamp field
     * @param end an inclusive upper bound, whole seconds
     * @return {@code stamp <= end}
     */
    public static String notAfter(String stampField, Instant end) {
        requireIdentifier(stampField, "stamp field");
        return stampField + " <= " + dateTime(end.truncatedTo(ChronoUnit.SECONDS));
    }

    /**
     * @param ids record ids, at least one
     * @return {@code Id IN ('…','…')}
     */
    public static String idIn(Collection<CrmId> ids) {
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("at least one id is required");
        }
        StringJoiner j = new StringJoiner(",", "Id IN (", ")");
        ids.forEach(id -> j.add(quote(id.value())));
        return j.toString();
    }

    /**
     * Builds {@code SELECT f1, f2 FROM Type [WHERE c1 AND c2] [ORDER BY stamp, Id]}.
     *
     * @param fields validated field names, no duplicates
     * @param type the validated object API name
     * @param conditions conditions to AND together (nulls skipped)
     * @param orderByStamp the stamp field to order by (then Id), or null for no ORDER BY
     * @return the SOQL text
     */
    public static String select(List<String> fields, String type, List<String> conditions, String orderByStamp) {
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("a SELECT needs at least one field");
        }
        StringBuilder sb = new StringBuilder("SELECT ");
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(requireIdentifier(fields.get(i), "field"));
        }
        sb.append(" FROM ").append(requireIdentifier(type, "object type"));
        List<String> conds = conditions.stream().filter(Objects::nonNull).toList();
        if (!conds.isEmpty()) {
            sb.append(" WHERE ").append(String.join(" AND ", conds));
        }
        if (orderByStamp != null) {
            sb.append(" ORDER BY ").append(requireIdentifier(orderByStamp, "stamp field")).append(", Id");
        }
        return sb.toString();
    }
}
