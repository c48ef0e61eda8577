package dev.crmsync.spring.boot.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The operator console in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, driven
 * by Selenium without Selenium Manager): the application runs on a random port with the fake Salesforce server and
 * H2; a Lead's marketing-side change is rejected by a Salesforce validation rule and parked; the operator logs in,
 * the page shows the parked record with its reason, the rule is removed, a click re-drives the record, the next
 * cycle applies it and the CRM holds the value. Runs whenever {@value #CHROMIUM} and {@value #CHROMEDRIVER} exist
 * (CI installs them and fails when this test did not run).
 */
@SpringBootTest(classes = ConsoleApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "spring.datasource.url=jdbc:h2:mem:crmsync-console-browser;DB_CLOSE_DELAY=-1",
                "crmsync.auto-start=false",
                "crmsync.engine-id=console-browser",
                "crmsync.object-types=Lead",
                "crmsync.max-attempts=1",
                "crmsync.jdbc.schema=console_browser",
                "crmsync.salesforce.allow-http-for-loopback=true",
                "crmsync.salesforce.credentials.kind=client-credentials",
                "crmsync.salesforce.credentials.client-id=console-app",
                "crmsync.salesforce.credentials.client-secret=console-secret",
                "management.endpoints.web.exposure.include=health,crmsync",
                "server.address=127.0.0.1"})
@Import(ConsoleBrowserTest.Clock.class)
@EnabledIf("browserInstalled")
@DirtiesContext
class ConsoleBrowserTest {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    /** How long the page may take to reach a state (a bound, not a pause: the waits poll the page). */
    static final Duration PAGE_WAIT = Duration.ofSeconds(30);

    static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");
    static final ManualClock CLOCK = new ManualClock(T0);
    static final InMemoryCrm CRM = InMemoryCrm.builder().clock(CLOCK).seed(1313).build();
    static final FakeSalesforceServer SF = FakeSalesforceServer.builder().crm(CRM).clock(CLOCK)
            .connectedApp("console-app", "console-secret").build().start();

    static boolean browserInstalled() {
        return Files.isExecutable(Paths.get(CHROMIUM)) && Files.isExecutable(Paths.get(CHROMEDRIVER));
    }

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

    @LocalServerPort int port;
    @Autowired SyncEngine engine;
    @Autowired JdbcStores stores;

    Path profile;
    ChromeDriverService service;
    WebDriver browser;

    @BeforeEach
    void startBrowser() throws IOException {
        profile = Files.createTempDirectory("crmsync-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1500,1000", "--user-data-dir=" + profile);
        // the driver and the browser are given: Selenium Manager is never asked (it would try the network)
        service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stopBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    private SyncReport cycle() {
        CLOCK.advance(Duration.ofMinutes(1));
        return engine.runCycle();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, PAGE_WAIT);
    }

    private void screenshot(String name) throws IOException {
        Path target = Paths.get("target", "console-screenshots");
        Files.createDirectories(target);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void theOperatorSeesAParkedRecordReDrivesItWithAClickAndTheNextCycleAppliesIt() throws Exception {
        // a Lead in both places, then a marketing-side Title that a Salesforce validation rule rejects: parked
        CrmId lead = CRM.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"),
                "Company", FieldValue.text("Acme")));
        cycle();
        MarketingRecord stored = stores.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(lead)).get(lead);
        CRM.addValidationRule(ObjectType.LEAD, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Title is reserved",
                v -> FieldValue.text("Chief Marketing Officer").equals(v.get("Title")));
        stores.marketingStore().saveLocal(ObjectType.LEAD, stored.marketingId(),
                Map.of("Title", FieldValue.text("Chief Marketing Officer")));
        SyncReport rejected = cycle();
        assertEquals(1, rejected.type(ObjectType.LEAD).orElseThrow().counts().failed(), rejected::toTable);
        assertEquals(1, engine.parkedFailures().size(), () -> engine.parkedFailures().toString());

        // the console asks for a login; the operator logs in
        browser.get(url("/crmsync/console.html"));
        waiting().until(ExpectedConditions.urlContains("/crmsync/login.html"));
        browser.findElement(By.id("username")).sendKeys(ConsoleApplication.OPERATOR);
        browser.findElement(By.id("password")).sendKeys(ConsoleApplication.OPERATOR + ConsoleApplication.PASSWORD_SUFFIX);
        browser.findElement(By.id("submit")).click();
        waiting().until(ExpectedConditions.urlContains("/crmsync/console.html"));

        // the page shows the parked record with its reason, and the Lead's status
        String failureId = "Lead/CRM/crm:" + lead.value();
        By row = By.cssSelector("#failures tr.failure[data-id='" + failureId + "']");
        WebElement failure = waiting().until(ExpectedConditions.visibilityOfElementLocated(row));
        assertEquals("FIELD_CUSTOM_VALIDATION_EXCEPTION", failure.findElement(By.cssSelector("td.code")).getText());
        assertEquals("the CRM answered FIELD_CUSTOM_VALIDATION_EXCEPTION",
                failure.findElement(By.cssSelector("td.reason")).getText());
        assertEquals(lead.value(), failure.findElement(By.cssSelector("td.key")).getText());
        WebElement leadStatus = browser.findElement(By.cssSelector("#types tr[data-type='Lead']"));
        assertEquals("1", leadStatus.findElement(By.cssSelector("td.rejected")).getText());
        // the backlog the last run found: the host's one change to the CRM, and the CRM's count to marketing
        dev.crmsync.core.report.Backlog backlog = engine.backlog().get(ObjectType.LEAD);
        assertEquals("to marketing " + backlog.crmToMarketing().getAsLong() + ", to CRM 1",
                leadStatus.findElement(By.cssSelector("td.backlog")).getText());
        assertEquals("operator", browser.findElement(By.id("role")).getText());
        assertFalse(browser.getPageSource().contains("Chief Marketing Officer"), "no record value on the page");
        screenshot("parked.png");

        // the cause is removed; a click re-drives the record (a CSRF-protected write)
        CRM.clearRules();
        failure.findElement(By.cssSelector("button.redrive")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Re-driven Lead"));
        waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#failures tr.failure"), 0));
        assertTrue(engine.parkedFailures().isEmpty(), "the click re-drove it: " + engine.parkedFailures());

        // the next cycle applies it: the CRM holds the value, and the page says so after a refresh
        SyncReport applied = cycle();
        assertEquals(0, applied.type(ObjectType.LEAD).orElseThrow().counts().failed(), applied::toTable);
        assertEquals(FieldValue.text("Chief Marketing Officer"), CRM.get(ObjectType.LEAD, lead).orElseThrow().get("Title"));
        browser.findElement(By.id("refresh")).click();
        waiting().until(ExpectedConditions.textToBe(By.cssSelector("#types tr[data-type='Lead'] td.rejected"), "0"));
        assertEquals("3", browser.findElement(By.id("cycles")).getText());
        screenshot("applied.png");
    }
}
