package dev.crmsync.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.SyncCounts;
import dev.crmsync.core.report.SyncReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {

    @TempDir
    Path dir;

    @Test
    void overHttpTheSecondCycleMovesOnlyTheChangedAndDeletedRecords() {
        String printed = runAndCheck(true);
        assertTrue(printed.contains("fake Salesforce server listens on http://127.0.0.1:"), printed);
    }

    @Test
    void inMemoryTheSecondCycleMovesOnlyTheChangedAndDeletedRecords() {
        String printed = runAndCheck(false);
        assertTrue(printed.contains("in-memory CRM directly"), printed);
    }

    private String runAndCheck(boolean overHttp) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        Clock fixed = Clock.fixed(Instant.parse("2024-06-01T12:00:00Z"), ZoneOffset.UTC);
        Demo demo = new Demo(fixed, new PrintStream(buffer, true, StandardCharsets.UTF_8), overHttp,
                Demo.Database.h2File(dir.resolve("demo")));
        SyncReport second = demo.run();
        checkTwoWay(demo.twoWay(), buffer.toString(StandardCharsets.UTF_8));

        assertTrue(second.isComplete(), second::toTable);
        SyncCounts c = second.totals();
        assertEquals(350, c.updated(), second::toTable);
        assertEquals(40, c.deleted());
        assertEquals(0, c.created());
        assertEquals(390, c.read(), "nothing but the changes is read");
        String printed = buffer.toString(StandardCharsets.UTF_8);
        // cycle ids: engine id, instance token, number
        assertTrue(java.util.regex.Pattern.compile("Cycle demo-[0-9a-z]+-[0-9a-f]{6}-1: COMPLETE").matcher(printed).find(),
                printed);
        assertTrue(java.util.regex.Pattern.compile("Cycle demo-[0-9a-z]+-[0-9a-f]{6}-2: COMPLETE").matcher(printed).find(),
                printed);
        assertTrue(printed.lines().anyMatch(l -> l.startsWith("Total") && l.contains("7950")), printed);
        assertTrue(printed.contains("embedded H2 file, jdbc:h2:file:"), printed);
        // the demo ends with a plain SQL query against the lead table, and its typed result
        assertTrue(printed.contains("SELECT lastname, company, email, annualrevenue, title FROM salesforce.lead WHERE title = 'Head of Purchasing'"), printed);
        assertTrue(printed.contains("lastname     | company         | email"), printed);
        assertTrue(java.util.regex.Pattern.compile("Prospect \\d+ +\\| Prospect Co \\d+ +\\| lead\\d+@example\\.net +\\| \\d{6,8} +\\| Head of Purchasing")
                .matcher(printed).find(), printed);
        assertTrue(printed.contains("(5 rows)"), printed);
        return printed;
    }

    /** The third act: each two-way behaviour visible in its report, and both sides agreeing afterwards. */
    private static void checkTwoWay(Demo.TwoWay w, String printed) {
        SyncReport r = w.report();
        assertTrue(r.isComplete(), r::toTable);
        assertTrue(printed.contains("Lead " + w.editedBothWays() + " in the CRM: Title 'VP Marketing', Phone '+1 555 0100'"),
                printed);
        assertTrue(printed.contains("conflict: Lead " + w.conflicted() + " field Title changed on both sides; the marketing"
                + " value wins"), printed);
        assertTrue(printed.contains("Lead " + w.conflicted() + ": CRM Title 'Title from marketing', marketing title"
                + " 'Title from marketing'"), printed);
        assertTrue(w.pushed() != null, printed);
        assertTrue(printed.contains("Nora Newcomer is Lead " + w.pushed() + " in the CRM"), printed);
        assertTrue(printed.contains("converted: Lead " + w.converted() + " became Contact"), printed);
        assertTrue(printed.contains("into " + w.survivor() + "; marketing person"), printed);
        assertTrue(printed.contains("campaign member " + w.member() + " in the CRM: Status 'Responded'"), printed);
        assertTrue(printed.contains("a cycle copied them (1 campaign, 3 members)"), printed);
    }
}
