package dev.crmsync.testkit.salesforce.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Optional;

/** Salesforce's text formats for instants, in JSON and in Bulk CSV, and lenient parsing of client input. */
public final class SfFormats {

    /** REST JSON: {@code 2013-05-07T22:07:19.000+0000}. */
    private static final DateTimeFormatter JSON_DATETIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx").withZone(ZoneOffset.UTC);

    /** Bulk 2.0 CSV: {@code 2013-05-07T22:07:19.000Z}. */
    private static final DateTimeFormatter CSV_DATETIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** Accepts {@code ...ss}, {@code ...ss.SSS}, then {@code Z}, {@code +hh:mm} or {@code +hhmm}. */
    private static final DateTimeFormatter LENIENT = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
            .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter();

    private SfFormats() {
    }

    /**
     * @param instant an instant
     * @return it as REST JSON writes it
     */
    public static String jsonDateTime(Instant instant) {
        return JSON_DATETIME.format(instant);
    }

    /**
     * @param instant an instant
     * @return it as Bulk 2.0 CSV writes it
     */
    public static String csvDateTime(Instant instant) {
        return CSV_DATETIME.format(instant);
    }

    /**
     * Parses a date-time a client sent: ISO 8601 with {@code Z}, {@code +hh:mm} or {@code +hhmm},
     * with or without fractional seconds.
     *
     * @param text the text
     * @return the instant, or empty if it is not such a date-time
     */
    public static Optional<Instant> parseDateTime(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text.trim(), LENIENT).toInstant());
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The release label of an API version, e.g. {@code 62.0 → Winter '25}.
     *
     * @param major the major version (30 = Spring '14)
     * @return the label
     */
    public static String releaseLabel(int major) {
        int m = major - 30;
        int season = Math.floorMod(m, 3);
        int year = 14 + Math.floorDiv(m, 3) + (season == 2 ? 1 : 0);
        String name = switch (season) {
            case 0 -> "Spring";
            case 1 -> "Summer";
            default -> "Winter";
        };
        return name + " '" + String.format("%02d", Math.floorMod(year, 100));
    }
}
