package dev.crmsync.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.CycleOutcome;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.model.CredentialsRefusedException;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.spring.boot.sample.SampleApplication;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The sample application started and stopped as a host runs it: the scheduler starts with the context and the
 * engine closes with it; a wrong property fails startup with a message naming the property (and no secret);
 * refused credentials turn the health down.
 */
class StarterLifecycleTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final String SECRET = "s3cr3t-value-never-shown";

    private final ManualClock clock = new ManualClock(SampleApplication.T0);
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(17).build();
    private FakeSalesforceServer sf;

    @BeforeEach
    void server() {
        crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Acme")));
        sf = FakeSalesforceServer.builder().crm(crm).clock(clock).build().start();
    }

    @AfterEach
    void stop() {
        sf.close();
    }

    private List<String> base() {
        List<String> p = new ArrayList<>(List.of(
                "spring.datasource.url=jdbc:h2:mem:crmsync-lifecycle-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1",
                "crmsync.object-types=Account",
                "crmsync.pause=1h",
                "crmsync.salesforce.login-url=" + sf.baseUri(),
                "crmsync.salesforce.allow-http-for-loopback=true",
                "crmsync.salesforce.credentials.kind=client-credentials",
                "crmsync.salesforce.credentials.client-id=" + FakeSalesforceServer.DEFAULT_CLIENT_ID,
                "crmsync.salesforce.credentials.client-secret=" + FakeSalesforceServer.DEFAULT_CLIENT_SECRET));
        return p;
    }

    private static ConfigurableApplicationContext run(List<String> properties) {
        return new SpringApplicationBuilder(SampleApplication.class).web(WebApplicationType.NONE)
                .properties(properties.toArray(String[]::new)).run();
    }

    @Test
    void theEngineStartsWithTheContextAndStopsWithIt() throws Exception {
        SyncEngine engine;
        SyncLifecycle lifecycle;
        try (ConfigurableApplicationContext context = run(base())) {
            engine = context.getBean(SyncEngine.class);
            lifecycle = context.getBean(SyncLifecycle.class);
            assertTrue(lifecycle.isRunning(), "started with the context");
            SyncReport first = context.getBean(SampleApplication.CycleReports.class).reports.poll(120, TimeUnit.SECONDS);
            assertNotNull(first, "the first cycle ran on the scheduler");
            assertTrue(first.isComplete(), first::toTable);
            assertEquals(1, first.type(ObjectType.ACCOUNT).orElseThrow().counts().created(), first::toTable);
            assertEquals(Status.UP, context.getBean(SyncHealthIndicator.class).health().getStatus());
            assertFalse(engine.isClosed());
        }
        assertTrue(engine.isClosed(), "closed with the context");
        assertFalse(lifecycle.isRunning());
        assertThrows(IllegalStateException.class, lifecycle::start, "a closed engine does not run again");
    }

    @Test
    void refusedCredentialsTurnTheHealthDown() throws Exception {
        List<String> p = base();
        p.add("crmsync.salesforce.credentials.client-secret=" + SECRET);
        try (ConfigurableApplicationContext context = run(p)) {
            SyncReport report = context.getBean(SampleApplication.CycleReports.class).reports.poll(120, TimeUnit.SECONDS);
            assertNotNull(report);
            // the typed reason: the Salesforce source threw CredentialsRefusedException, the report carries its code
            CycleOutcome.Failed failed = assertInstanceOf(CycleOutcome.Failed.class, report.outcome(), report::toTable);
            assertEquals(CredentialsRefusedException.CODE, failed.code(), report::toTable);
            Health h = context.getBean(SyncHealthIndicator.class).health();
            assertEquals(Status.DOWN, h.getStatus(), h::toString);
            assertTrue(((List<?>) h.getDetails().get("problems")).contains(SyncStatus.CREDENTIALS_REFUSED), h::toString);
            assertFalse(h.toString().contains(SECRET), h::toString);
        }
    }

    @Test
    void aValueTheLibraryRefusesFailsStartupNamingTheProperty() {
        List<String> p = base();
        p.add("crmsync.pause=-1m");
        String message = startupFailure(p);
        assertTrue(message.contains("pause") && message.contains("must be positive"), message);
    }

    @Test
    void anUnknownPropertyFailsStartupNamingIt() {
        List<String> p = base();
        p.add("crmsync.pauze=1m");
        String message = startupFailure(p);
        assertTrue(message.contains("crmsync.pauze"), message);
    }

    @Test
    void aConflictRuleOnAOneWayTypeFailsStartupNamingTheType() {
        List<String> p = base();
        p.add("crmsync.conflict.types.Account=crm-wins");
        String message = startupFailure(p);
        assertTrue(message.contains("conflict.types[Account]") && message.contains("bidirectional"), message);
    }

    @Test
    void anUnknownConflictRuleFailsStartupNamingTheProperty() {
        List<String> p = base();
        p.add("crmsync.conflict.fields.Lead.Email=crm-always");
        String message = startupFailure(p);
        assertTrue(message.contains("crmsync.conflict.fields.lead.email")
                || message.contains("crmsync.conflict.fields.Lead.Email"), message);
    }

    @Test
    void aMissingSecretFailsStartupNamingItAndAPresentOneIsNeverShown() {
        List<String> p = base();
        p.removeIf(s -> s.startsWith("crmsync.salesforce.credentials."));
        p.add("crmsync.salesforce.credentials.kind=refresh-token");
        p.add("crmsync.salesforce.credentials.client-id=app");
        p.add("crmsync.salesforce.credentials.client-secret=" + SECRET);
        String message = startupFailure(p);
        assertTrue(message.contains("salesforce.credentials.refreshToken") && message.contains("refresh-token"),
                message);
        assertFalse(message.contains(SECRET), message);
    }

    /** @return every message in the startup failure's cause chain */
    private static String startupFailure(List<String> properties) {
        Throwable t = assertThrows(Throwable.class, () -> run(properties).close());
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        return all.toString();
    }
}
