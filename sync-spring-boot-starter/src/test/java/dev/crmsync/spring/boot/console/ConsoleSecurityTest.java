package dev.crmsync.spring.boot.console;

import static dev.crmsync.spring.boot.console.ConsoleApplication.OPERATOR;
import static dev.crmsync.spring.boot.console.ConsoleApplication.OUTSIDER;
import static dev.crmsync.spring.boot.console.ConsoleApplication.PASSWORD_SUFFIX;
import static dev.crmsync.spring.boot.console.ConsoleApplication.VIEWER;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.cookie;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import jakarta.servlet.http.Cookie;
import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.jdbc.JdbcStores;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.spring.boot.CrmsyncAutoConfiguration;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/**
 * The console's security and its write operations over HTTP (MockMvc, through the real filter chain and the
 * host's users): nothing anonymous, read for the viewer, writes for the operator only and only with the CSRF
 * token, 400 with a code on bad input, 404 for an unknown failure, conflict or record; and a real parked
 * failure re-driven and a real manual conflict resolved through the endpoint.
 */
@SpringBootTest(classes = ConsoleApplication.class, properties = {
        "spring.datasource.url=jdbc:h2:mem:crmsync-console-security;DB_CLOSE_DELAY=-1",
        "crmsync.auto-start=false",
        "crmsync.engine-id=console-security",
        "crmsync.object-types=Lead,Contact",
        "crmsync.max-attempts=1",
        "crmsync.conflict.fields.Contact.Title=manual",
        "crmsync.jdbc.schema=console_security",
        "crmsync.salesforce.allow-http-for-loopback=true",
        "crmsync.salesforce.credentials.kind=client-credentials",
        "crmsync.salesforce.credentials.client-id=console-app",
        "crmsync.salesforce.credentials.client-secret=console-secret",
        "management.endpoints.web.exposure.include=health,crmsync"})
@AutoConfigureMockMvc
@Import(ConsoleSecurityTest.Clock.class)
@DirtiesContext
class ConsoleSecurityTest {

    static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");
    static final ManualClock CLOCK = new ManualClock(T0);
    static final InMemoryCrm CRM = InMemoryCrm.builder().clock(CLOCK).seed(131).build();
    static final FakeSalesforceServer SF = FakeSalesforceServer.builder().crm(CRM).clock(CLOCK)
            .connectedApp("console-app", "console-secret").build().start();
    static final String ENDPOINT = "/actuator/crmsync";

    @TestConfiguration
    static class Clock {
        @Bean(CrmsyncAutoConfiguration.CLOCK_BEAN)
        ManualClock crmsyncClock() {
            return CLOCK;
        }
    }

    @DynamicPropertySource
    static void salesforce(DynamicPropertyRegistry registry) {
        registry.add("crmsync.salesforce.login-url", () -> SF.baseUri().toString());
    }

    @AfterAll
    static void stopServer() {
        SF.close();
    }

    @Autowired MockMvc mvc;
    @Autowired SyncEngine engine;
    @Autowired JdbcStores stores;

    @BeforeEach
    void clean() {
        CRM.clearRules();
    }

    private SyncReport cycle() {
        CLOCK.advance(Duration.ofMinutes(1));
        return engine.runCycle();
    }

    private static MockHttpServletRequestBuilder write(String action, String json) {
        return post(ENDPOINT + "/" + action).contentType(MediaType.APPLICATION_JSON).content(json);
    }

    /**
     * The CSRF token as the page sends it: the XSRF-TOKEN cookie of a real answer (the login page), echoed in the
     * X-XSRF-TOKEN header.
     */
    private RequestPostProcessor token() throws Exception {
        Cookie cookie = mvc.perform(get("/crmsync/login.html")).andReturn().getResponse().getCookie("XSRF-TOKEN");
        assertNotNull(cookie, "the login page sets the XSRF-TOKEN cookie");
        return token(cookie, cookie.getValue());
    }

    private RequestPostProcessor token(String header) throws Exception {
        Cookie cookie = mvc.perform(get("/crmsync/login.html")).andReturn().getResponse().getCookie("XSRF-TOKEN");
        assertNotNull(cookie, "the login page sets the XSRF-TOKEN cookie");
        return token(cookie, header);
    }

    private static RequestPostProcessor token(Cookie cookie, String header) {
        return request -> {
            request.setCookies(cookie);
            request.addHeader("X-XSRF-TOKEN", header);
            return request;
        };
    }

    private static RequestPostProcessor as(String user) {
        return httpBasic(user, user + PASSWORD_SUFFIX);
    }

    @Test
    void anonymousIsRefusedEverywhereButTheLoginPage() throws Exception {
        mvc.perform(get(ENDPOINT)).andExpect(status().isUnauthorized());
        mvc.perform(write("redrive-all", "{\"type\":\"Lead\"}").with(token()))
                .andExpect(status().isUnauthorized());
        mvc.perform(get("/crmsync/console.html").accept(MediaType.TEXT_HTML))
                .andExpect(status().isFound()).andExpect(redirectedUrl("/crmsync/login.html"));
        mvc.perform(get("/crmsync/login.html")).andExpect(status().isOk())
                .andExpect(cookie().exists("XSRF-TOKEN"));
        mvc.perform(get(ENDPOINT).with(httpBasic(OPERATOR, "wrong"))).andExpect(status().isUnauthorized());
    }

    @Test
    void theRestOfTheApplicationKeepsBootsDefaultSecurity() throws Exception {
        // the console's chain matches its own paths only: Boot's default chains still guard everything else
        // (a console chain matching every path would have made Boot's back off and left this open: 404)
        int status = mvc.perform(get("/reports/quarterly")).andReturn().getResponse().getStatus();
        assertTrue(status == 401 || status == 302, "anonymous elsewhere is refused by the application's own chain, got "
                + status);
        mvc.perform(get("/reports/quarterly").with(as(OUTSIDER))).andExpect(status().isNotFound());
    }

    @Test
    void aUserWithoutAConsoleRoleIsForbidden() throws Exception {
        mvc.perform(get(ENDPOINT).with(as(OUTSIDER))).andExpect(status().isForbidden());
        mvc.perform(get("/crmsync/console.html").with(as(OUTSIDER))).andExpect(status().isForbidden());
    }

    @Test
    void theViewerReadsButEveryWriteIsForbidden() throws Exception {
        mvc.perform(get(ENDPOINT).with(as(VIEWER))).andExpect(status().isOk())
                .andExpect(jsonPath("$.operator").value(false))
                .andExpect(jsonPath("$.failures").isArray());
        mvc.perform(get("/crmsync/console.html").with(as(VIEWER))).andExpect(status().isOk());
        for (String action : List.of("redrive", "redrive-all", "resolve", "push")) {
            mvc.perform(write(action, "{\"type\":\"Lead\"}").with(as(VIEWER)).with(token()))
                    .andExpect(status().isForbidden());
        }
    }

    @Test
    void anOperatorWriteWithoutTheCsrfTokenIsRefusedAndWithItAccepted() throws Exception {
        mvc.perform(write("redrive-all", "{\"type\":\"Lead\"}").with(as(OPERATOR)))
                .andExpect(status().isForbidden());
        mvc.perform(write("redrive-all", "{\"type\":\"Lead\"}").with(as(OPERATOR)).with(token("not-the-token")))
                .andExpect(status().isForbidden());
        mvc.perform(write("redrive-all", "{\"type\":\"Lead\"}").with(as(OPERATOR)).with(token()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("REDRIVEN"))
                .andExpect(jsonPath("$.count").value(0));
    }

    @Test
    void badInputIsAnswered400WithACodeAndAnUnknownTarget404() throws Exception {
        Map<String, String[]> cases = Map.ofEntries(
                Map.entry("redrive", new String[] {"{}", "MISSING_ID"}),
                Map.entry("redrive-all", new String[] {"{\"type\":\"no such/type\"}", "BAD_TYPE"}),
                Map.entry("resolve", new String[] {"{\"id\":\"Contact/003000000000001AAA/Title\",\"choice\":\"both\"}",
                        "BAD_CHOICE"}),
                Map.entry("push", new String[] {"{\"type\":\"Account\",\"marketingId\":\"m-1\"}", "TYPE_NOT_PUSHABLE"}),
                Map.entry("explode", new String[] {"{}", "UNKNOWN_ACTION"}));
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            mvc.perform(write(c.getKey(), c.getValue()[0]).with(as(OPERATOR)).with(token()))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.code").value(c.getValue()[1]));
        }
        mvc.perform(write("redrive", "{\"id\":\"not an id\"}").with(as(OPERATOR)).with(token()))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.code").value("BAD_ID"));
        mvc.perform(write("push", "{\"type\":\"Lead\"}").with(as(OPERATOR)).with(token()))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.code").value("MISSING_MARKETING_ID"));
        mvc.perform(write("redrive", "{\"id\":\"Lead/CRM/crm:00Q000000000001AAA\"}").with(as(OPERATOR))
                        .with(token()))
                .andExpect(status().isNotFound()).andExpect(jsonPath("$.code").value("FAILURE_NOT_FOUND"));
        mvc.perform(write("resolve", "{\"id\":\"Contact/003000000000001AAA/Title\",\"choice\":\"crm\"}")
                        .with(as(OPERATOR)).with(token()))
                .andExpect(status().isNotFound()).andExpect(jsonPath("$.code").value("CONFLICT_NOT_FOUND"));
        mvc.perform(write("push", "{\"type\":\"Lead\",\"marketingId\":\"no-such-person\"}").with(as(OPERATOR))
                        .with(token()))
                .andExpect(status().isNotFound()).andExpect(jsonPath("$.code").value("RECORD_NOT_FOUND"));
    }

    @Test
    void aParkedFailureIsListedWithItsReasonAndReDrivenByTheOperator() throws Exception {
        CrmId lead = CRM.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"),
                "Company", FieldValue.text("Acme")));
        cycle();
        MarketingRecord stored = stores.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(lead)).get(lead);
        CRM.addValidationRule(ObjectType.LEAD, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Title is reserved",
                v -> FieldValue.text("Chief").equals(v.get("Title")));
        stores.marketingStore().saveLocal(ObjectType.LEAD, stored.marketingId(), Map.of("Title", FieldValue.text("Chief")));
        cycle();
        assertEquals(1, engine.parkedFailures().size(), () -> engine.parkedFailures().toString());
        String id = "Lead/CRM/crm:" + lead.value();

        mvc.perform(get(ENDPOINT).with(as(VIEWER))).andExpect(status().isOk())
                .andExpect(jsonPath("$.failures[0].id").value(id))
                .andExpect(jsonPath("$.failures[0].code").value("FIELD_CUSTOM_VALIDATION_EXCEPTION"))
                .andExpect(jsonPath("$.failures[0].reason").value("the CRM answered FIELD_CUSTOM_VALIDATION_EXCEPTION"))
                .andExpect(jsonPath("$.failures[0].side").value("CRM"))
                .andExpect(jsonPath("$.types.Lead.rejected").value(1))
                .andExpect(content().string(not(containsString("Chief"))));

        CRM.clearRules();
        mvc.perform(write("redrive", "{\"id\":\"" + id + "\"}").with(as(OPERATOR)).with(token()))
                .andExpect(status().isOk()).andExpect(jsonPath("$.result").value("REDRIVEN"));
        assertTrue(engine.parkedFailures().isEmpty(), () -> engine.parkedFailures().toString());
        mvc.perform(write("redrive", "{\"id\":\"" + id + "\"}").with(as(OPERATOR)).with(token()))
                .andExpect(status().isNotFound());
        cycle();
        assertEquals(FieldValue.text("Chief"), CRM.get(ObjectType.LEAD, lead).orElseThrow().get("Title"));
    }

    @Test
    void aManualConflictShowsItsValuesToTheOperatorOnlyAndIsResolved() throws Exception {
        CrmId contact = CRM.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("Roe"),
                "Title", FieldValue.text("Engineer")));
        cycle();
        MarketingRecord stored = stores.marketingStore().findByCrmIds(ObjectType.CONTACT, List.of(contact)).get(contact);
        CLOCK.advance(Duration.ofSeconds(5));
        CRM.update(ObjectType.CONTACT, contact, Map.of("Title", FieldValue.text("Crm-side title")));
        stores.marketingStore().saveLocal(ObjectType.CONTACT, stored.marketingId(),
                Map.of("Title", FieldValue.text("Marketing-side title")));
        cycle();
        assertEquals(1, engine.parkedConflicts().size(), () -> engine.parkedConflicts().toString());
        String id = "Contact/" + contact.value() + "/Title";

        mvc.perform(get(ENDPOINT).with(as(VIEWER))).andExpect(status().isOk())
                .andExpect(jsonPath("$.conflicts[0].id").value(id))
                .andExpect(jsonPath("$.conflicts[0].field").value("Title"))
                .andExpect(jsonPath("$.conflicts[0].crmValue").doesNotExist())
                .andExpect(content().string(not(containsString("side title"))));
        mvc.perform(get(ENDPOINT).with(as(OPERATOR))).andExpect(status().isOk())
                .andExpect(jsonPath("$.operator").value(true))
                .andExpect(jsonPath("$.conflicts[0].crmValue").value("Crm-side title"))
                .andExpect(jsonPath("$.conflicts[0].marketingValue").value("Marketing-side title"));

        mvc.perform(write("resolve", "{\"id\":\"" + id + "\",\"choice\":\"marketing\"}").with(as(OPERATOR))
                        .with(token()))
                .andExpect(status().isOk()).andExpect(jsonPath("$.result").value("RESOLVED"));
        assertTrue(engine.parkedConflicts().isEmpty());
        cycle();
        assertEquals(FieldValue.text("Marketing-side title"),
                CRM.get(ObjectType.CONTACT, contact).orElseThrow().get("Title"));
    }
}
