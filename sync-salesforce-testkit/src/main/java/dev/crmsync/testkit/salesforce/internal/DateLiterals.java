package dev.crmsync.testkit.salesforce.internal;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.Set;

/**
 * SOQL's relative date literals as ranges of days {@code [from, to)}, relative to "today" on the
 * server's clock in UTC (the org's time zone here), as the SOQL reference defines them: weeks start
 * on Sunday (the en_US locale), quarters are calendar quarters (no custom fiscal year), and
 * {@code LAST_N_DAYS:n} includes today while {@code NEXT_N_DAYS:n} starts tomorrow. A comparison
 * with a literal compares with its range: {@code =} inside it, {@code <} before its first day,
 * {@code <=} before its end, {@code >} from its end on, {@code >=} from its first day on.
 */
final class DateLiterals {

    /** The literals without a number. */
    static final Set<String> FIXED = Set.of("YESTERDAY", "TODAY", "TOMORROW", "LAST_WEEK", "THIS_WEEK",
            "NEXT_WEEK", "LAST_MONTH", "THIS_MONTH", "NEXT_MONTH", "LAST_90_DAYS", "NEXT_90_DAYS", "THIS_QUARTER",
            "LAST_QUARTER", "NEXT_QUARTER", "THIS_YEAR", "LAST_YEAR", "NEXT_YEAR");

    /** The literals that take {@code :n}. */
    static final Set<String> WITH_N = Set.of("LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO", "LAST_N_WEEKS",
            "NEXT_N_WEEKS", "N_WEEKS_AGO", "LAST_N_MONTHS", "NEXT_N_MONTHS", "N_MONTHS_AGO", "LAST_N_QUARTERS",
            "NEXT_N_QUARTERS", "N_QUARTERS_AGO", "LAST_N_YEARS", "NEXT_N_YEARS", "N_YEARS_AGO");

    private DateLiterals() {
    }

    /**
     * @param name a literal's name, upper case
     * @param n its number (0 for a literal without one)
     * @param today today in the org's time zone
     * @return {@code [from, to)}: the first day in the range and the first day after it
     */
    static LocalDate[] range(String name, int n, LocalDate today) {
        LocalDate week = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.SUNDAY));
        LocalDate month = today.withDayOfMonth(1);
        LocalDate quarter = month.withMonth(((today.getMonthValue() - 1) / 3) * 3 + 1);
        LocalDate year = today.withDayOfYear(1);
        return switch (name) {
            case "YESTERDAY" -> days(today.minusDays(1), 1);
            case "TODAY" -> days(today, 1);
            case "TOMORROW" -> days(today.plusDays(1), 1);
            case "LAST_WEEK" -> days(week.minusWeeks(1), 7);
            case "THIS_WEEK" -> days(week, 7);
            case "NEXT_WEEK" -> days(week.plusWeeks(1), 7);
            case "LAST_MONTH" -> span(month.minusMonths(1), month);
            case "THIS_MONTH" -> span(month, month.plusMonths(1));
            case "NEXT_MONTH" -> span(month.plusMonths(1), month.plusMonths(2));
            case "LAST_90_DAYS" -> span(today.minusDays(90), today.plusDays(1));
            case "NEXT_90_DAYS" -> days(today.plusDays(1), 90);
            case "THIS_QUARTER" -> span(quarter, quarter.plusMonths(3));
            case "LAST_QUARTER" -> span(quarter.minusMonths(3), quarter);
            case "NEXT_QUARTER" -> span(quarter.plusMonths(3), quarter.plusMonths(6));
            case "THIS_YEAR" -> span(year, year.plusYears(1));
            case "LAST_YEAR" -> span(year.minusYears(1), year);
            case "NEXT_YEAR" -> span(year.plusYears(1), year.plusYears(2));
            case "LAST_N_DAYS" -> span(today.minusDays(n), today.plusDays(1));
            case "NEXT_N_DAYS" -> days(today.plusDays(1), n);
            case "N_DAYS_AGO" -> days(today.minusDays(n), 1);
            case "LAST_N_WEEKS" -> span(week.minusWeeks(n), week);
            case "NEXT_N_WEEKS" -> span(week.plusWeeks(1), week.plusWeeks(1 + (long) n));
            case "N_WEEKS_AGO" -> days(week.minusWeeks(n), 7);
            case "LAST_N_MONTHS" -> span(month.minusMonths(n), month);
            case "NEXT_N_MONTHS" -> span(month.plusMonths(1), month.plusMonths(1 + (long) n));
            case "N_MONTHS_AGO" -> span(month.minusMonths(n), month.minusMonths(n - 1L));
            case "LAST_N_QUARTERS" -> span(quarter.minusMonths(3L * n), quarter);
            case "NEXT_N_QUARTERS" -> span(quarter.plusMonths(3), quarter.plusMonths(3 + 3L * n));
            case "N_QUARTERS_AGO" -> span(quarter.minusMonths(3L * n), quarter.minusMonths(3L * n - 3));
            case "LAST_N_YEARS" -> span(year.minusYears(n), year);
            case "NEXT_N_YEARS" -> span(year.plusYears(1), year.plusYears(1 + (long) n));
            case "N_YEARS_AGO" -> span(year.minusYears(n), year.minusYears(n - 1L));
            default -> throw new IllegalArgumentException("not a date literal: " + name);
        };
    }

    private static LocalDate[] days(LocalDate from, long count) {
        return new LocalDate[] {from, from.plusDays(count)};
    }

    private static LocalDate[] span(LocalDate from, LocalDate to) {
        return new LocalDate[] {from, to};
    }
}
