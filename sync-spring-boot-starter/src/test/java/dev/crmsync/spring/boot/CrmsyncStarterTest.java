package dev.crmsync.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.jdbc.JdbcStores;
import dev.crmsync.micrometer.SyncMetrics;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.spring.boot.sample.SampleApplication;
import dev.crmsync.store.LeaseAttempt;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The sample application against the fake Salesforce server (over HTTP, JWT bearer with a PEM key file) and H2:
 * the properties bind into the beans, and one real cycle — an Account the store rejects, a Contact lease held by
 * another instance — shows in the report, the meters and the health.
 */
@SpringBootTest(classes = SampleApplication.class, properties = {
        "spring.datasource.url=jdbc:h2:mem:crmsync-starter-test;DB_CLOSE_DELAY=-1",
        "crmsync.auto-start=false",
        "crmsync.pause=1h",
        "crmsync.engine-id=starter-test",
        "crmsync.object-types=User,Account,Lead,contact",
        "crmsync.fields.Account=Name,Notes__c",
        "crmsync.conflict.types.Lead=crm-wins",
        "crmsync.conflict.fields.Contact.Title=manual",
        "crmsync.health.max-cycles-without-completion=2",
        "crmsync.jdbc.schema=starter_test",
        "crmsync.salesforce.allow-http-for-loopback=true",
        "crmsync.salesforce.credentials.kind=jwt-bearer",
        "crmsync.salesforce.credentials.client-id=starter-app",
        "crmsync.salesforce.credentials.username=integration@example.com"})
class CrmsyncStarterTest {

    static final ManualClock CRM_CLOCK = new ManualClock(SampleApplication.T0);
    static final InMemoryCrm CRM = InMemoryCrm.builder().clock(CRM_CLOCK).seed(13).build();
    static final KeyPair KEYS = rsa();
    static final FakeSalesforceServer SF = FakeSalesforceServer.builder().crm(CRM).clock(CRM_CLOCK)
            .jwtSubject("starter-app", "integration@example.com", KEYS.getPublic()).build().start();

    @DynamicPropertySource
    static void salesforce(DynamicPropertyRegistry registry) throws Exception {
        Path pem = Files.createTempFile("crmsync-starter", ".pem");
        pem.toFile().deleteOnExit();
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(KEYS.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        registry.add("crmsync.salesforce.login-url", () -> SF.baseUri().toString());
        registry.add("crmsync.salesforce.credentials.private-key", () -> pem.toUri().toString());
    }

    @AfterAll
    static void stopServer() {
        SF.close();
    }

    @Autowired CrmsyncProperties properties;
    @Autowired SyncEngine engine;
    @Autowired SalesforceCrmSource crmSource;
    @Autowired JdbcStores stores;
    @Autowired ConflictPolicy policy;
    @Autowired SyncLifecycle lifecycle;
    @Autowired SyncMetrics metrics;
    @Autowired SyncHealthIndicator health;
    @Autowired MeterRegistry meters;
    @Autowired SampleApplication.CycleReports cycles;

    @Test
    void thePropertiesBindIntoTheBeans() {
        assertEquals("starter-test", engine.engineId());
        assertEquals(List.of("User", "Account", "Lead", "contact"), properties.getObjectTypes());
        assertEquals(List.of("Name", "Notes__c"), properties.getFields().get("Account"));
        assertEquals(CrmsyncProperties.Rule.MANUAL, properties.getConflict().getFields().get("Contact").get("Title"));
        assertEquals(CrmsyncProperties.CredentialsKind.JWT_BEARER, properties.getSalesforce().getCredentials().getKind());
        assertEquals(2, properties.getHealth().getMaxCyclesWithoutCompletion());
        assertNotNull(crmSource);
        assertNotNull(policy);
        assertNotNull(metrics);
        assertFalse(lifecycle.isAutoStartup(), "crmsync.auto-start=false: the host starts it");
        assertEquals(Duration.ofHours(1), properties.getPause());
        assertFalse(properties.getSalesforce().getCredentials().toString().contains("starter-app"),
                "no credential in toString()");
    }

    @Test
    void aRealCycleWithARejectedRecordAndABlockedLeaseShowsInTheMetersAndTheHealth() throws Exception {
        CRM.insert(ObjectType.USER, Map.of("LastName", FieldValue.text("Owner")));
        CRM.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Acme")));
        // longer than the JDBC store's maxTextLength (131,072): the store rejects it, the others go on
        CRM.addField(ObjectType.ACCOUNT, FieldSchema.builder("Notes__c", FieldType.TEXTAREA).length(200_000).build());
        CRM.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Too long"),
                "Notes__c", FieldValue.text("x".repeat(JdbcStores.DEFAULT_MAX_TEXT_LENGTH + 1))));
        CrmId lead = CRM.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"),
                "Company", FieldValue.text("Acme")));
        CRM.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("Roe")));
        CRM_CLOCK.advance(Duration.ofMinutes(1));
        // another engine instance on the same database holds the Contact lease
        LeaseAttempt other = stores.syncStateStore().tryAcquireLease("crmsync:Contact", "other-engine", "other-host",
                Duration.ofMinutes(10));
        assertInstanceOf(LeaseAttempt.Granted.class, other);
        assertEquals(Status.UNKNOWN, health.health().getStatus(), "no cycle yet");

        lifecycle.start();
        assertTrue(lifecycle.isRunning());
        SyncReport report = cycles.reports.poll(120, TimeUnit.SECONDS);
        assertNotNull(report, "a cycle ran");

        assertEquals(1, report.type(ObjectType.ACCOUNT).orElseThrow().counts().failed(), report::toTable);
        assertInstanceOf(TypeOutcome.Blocked.class, report.type(ObjectType.CONTACT).orElseThrow().outcome(),
                report::toTable);
        assertEquals(1, stores.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(lead)).size(),
                "the lead reached H2");

        assertEquals(1.0, meters.get(SyncMetrics.REJECTIONS).tag("type", "Account").counter().count());
        assertEquals(1.0, meters.get(SyncMetrics.LEASE_BLOCKED).tag("type", "Contact").gauge().value());
        assertEquals(1.0, meters.get(SyncMetrics.LEASE_HELD).tag("type", "Account").gauge().value());

        Health h = health.health();
        assertEquals(Status.DOWN, h.getStatus(), h::toString);
        assertEquals(List.of("LEASE_BLOCKED:Contact"), h.getDetails().get("problems"), h::toString);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> types = (Map<String, Map<String, Object>>) h.getDetails().get("types");
        assertEquals(1L, types.get("Account").get("rejected"), h::toString);
        assertEquals("blocked", types.get("Contact").get("outcome"), h::toString);
        assertEquals("done", types.get("Lead").get("outcome"), h::toString);
        String shown = h.toString();
        assertFalse(shown.contains("other-engine") || shown.contains("xxxx") || shown.contains("Too long"),
                "codes and type names only: " + shown);
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
