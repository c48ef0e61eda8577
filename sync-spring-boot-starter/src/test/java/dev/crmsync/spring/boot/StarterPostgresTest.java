package dev.crmsync.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.crmsync.core.report.SyncReport;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.spring.boot.sample.SampleApplication;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The sample application on PostgreSQL (when {@code CRMSYNC_PG_URL} is set, as {@code .ci/run} sets it; skipped
 * with a message otherwise, failed with {@code -Dcrmsync.pg.required=true}): a cycle lands in a schema of its
 * own, dropped afterwards.
 */
class StarterPostgresTest {

    @Test
    void aCycleOnPostgresqlThroughTheStarter() throws Exception {
        String url = System.getenv("CRMSYNC_PG_URL");
        if (url == null || url.isBlank()) {
            String msg = "PostgreSQL tests skipped: set CRMSYNC_PG_URL (e.g. jdbc:postgresql://127.0.0.1:5432/test?user=postgres)";
            if (Boolean.getBoolean("crmsync.pg.required")) {
                fail(msg);
            }
            Assumptions.abort(msg);
        }
        String schema = "crmsync_starter_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10)
                .toLowerCase(Locale.ROOT);
        ManualClock clock = new ManualClock(SampleApplication.T0);
        InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(19).build();
        crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Acme")));
        crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"), "Company", FieldValue.text("Acme")));
        exec(url, "CREATE SCHEMA " + schema);
        try (FakeSalesforceServer sf = FakeSalesforceServer.builder().crm(crm).clock(clock).build().start();
             ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class)
                     .web(WebApplicationType.NONE).properties(
                             "spring.datasource.url=" + url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                             "crmsync.object-types=Account,Lead",
                             "crmsync.pause=1h",
                             "crmsync.jdbc.schema=" + schema,
                             "crmsync.salesforce.login-url=" + sf.baseUri(),
                             "crmsync.salesforce.allow-http-for-loopback=true",
                             "crmsync.salesforce.credentials.kind=client-credentials",
                             "crmsync.salesforce.credentials.client-id=" + FakeSalesforceServer.DEFAULT_CLIENT_ID,
                             "crmsync.salesforce.credentials.client-secret=" + FakeSalesforceServer.DEFAULT_CLIENT_SECRET)
                     .run()) {
            SyncReport report = context.getBean(SampleApplication.CycleReports.class).reports.poll(120, TimeUnit.SECONDS);
            assertNotNull(report, "a cycle ran");
            assertTrue(report.isComplete(), report::toTable);
            assertEquals(2, report.totals().created(), report::toTable);
        } finally {
            exec(url, "DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private static void exec(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
