package dev.crmsync.testkit.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The laws SOQL's relative date literals keep, on any day. */
class DateLiteralProperties {

    @Provide
    Arbitrary<LocalDate> days() {
        return Arbitraries.integers().between(0, 365 * 130).map(n -> LocalDate.of(1970, 1, 1).plusDays(n));
    }

    private static boolean holds(LocalDate[] r, LocalDate d) {
        return !d.isBefore(r[0]) && d.isBefore(r[1]);
    }

    @Property
    void everyRangeIsNonEmptyAndTheCurrentPeriodsHoldToday(@ForAll("days") LocalDate today,
                                                          @ForAll @IntRange(min = 1, max = 400) int n) {
        for (String name : DateLiterals.FIXED) {
            LocalDate[] r = DateLiterals.range(name, 0, today);
            assertTrue(r[0].isBefore(r[1]), name);
            assertEquals(name.startsWith("THIS_") || name.equals("TODAY") || name.equals("LAST_90_DAYS"),
                    holds(r, today), name + " on " + today);
        }
        for (String name : DateLiterals.WITH_N) {
            LocalDate[] r = DateLiterals.range(name, n, today);
            assertTrue(r[0].isBefore(r[1]), name + ":" + n);
            assertEquals(name.equals("LAST_N_DAYS"), holds(r, today), name + ":" + n + " on " + today);
        }
    }

    @Property
    void lastThisAndNextPeriodsTileTheCalendar(@ForAll("days") LocalDate today) {
        for (String unit : List.of("WEEK", "MONTH", "QUARTER", "YEAR")) {
            LocalDate[] last = DateLiterals.range("LAST_" + unit, 0, today);
            LocalDate[] now = DateLiterals.range("THIS_" + unit, 0, today);
            LocalDate[] next = DateLiterals.range("NEXT_" + unit, 0, today);
            assertEquals(last[1], now[0], unit);
            assertEquals(now[1], next[0], unit);
            assertEquals(last[0], DateLiterals.range("LAST_N_" + unit + "S", 1, today)[0], unit);
            assertEquals(next[1], DateLiterals.range("NEXT_N_" + unit + "S", 1, today)[1], unit);
            assertEquals(last[0], DateLiterals.range("N_" + unit + "S_AGO", 1, today)[0], unit);
        }
        assertEquals(DayOfWeek.SUNDAY, DateLiterals.range("THIS_WEEK", 0, today)[0].getDayOfWeek());
        assertFalse(holds(DateLiterals.range("NEXT_N_DAYS", 1, today), today));
    }
}
