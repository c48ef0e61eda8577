package dev.crmsync.salesforce;

import static dev.crmsync.salesforce.SalesforceReadTest.drain;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.crm.Cursor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Captures all log output (every level, every logger but HttpClient's raw header and wire dumps) and
 * every exception of runs with faults, and checks that no credential, token, key or signature
 * appears in any of it.
 */
class NoSecretsInLogsTest {

    /** Access tokens the fake server issues: the org id, '!', a long random part. */
    private static final Pattern ISSUED_TOKEN = Pattern.compile("00D[A-Za-z0-9]{12}![A-Za-z0-9._\\-]{20,}");
    /** The base64url JWT header {"alg":"RS256"}: the start of every assertion the source signs. */
    private static final String JWT_HEADER = Base64.getUrlEncoder().withoutPadding()
            .encodeToString("{\"alg\":\"RS256\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    private final List<String> thrown = new ArrayList<>();

    private void expectFailure(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            StringWriter w = new StringWriter();
            e.printStackTrace(new PrintWriter(w));
            thrown.add(w.toString());
        }
    }

    private void run(FakeOrg org, SalesforceCrmSource sf, Consumer<SalesforceCrmSource> more) {
        thrown.add(sf.toString());
        expectFailure(() -> {
            sf.availableTypes();
            sf.describe(ObjectType.LEAD);
        });
        org.server.faults().failNext("/queryAll", 1, 503, "SERVER_UNAVAILABLE", "down", Duration.ofSeconds(1));
        org.server.faults().failNext("/queryMore", 1, 429, "REQUEST_LIMIT_EXCEEDED", "slow down", null);
        org.server.faults().dropConnectionNext("/describe", 1);
        org.server.faults().truncateBodyNext("/queryMore", 1);
        org.server.faults().nonJsonBodyNext("/queryAll", 1);
        expectFailure(() -> {
            try (ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of("Email"), Cursor.START, 200))) {
                s.nextPage();
                org.server.faults().expireAccessTokens();
                drain(s);
            }
        });
        expectFailure(() -> sf.describe(ObjectType.CONTACT));
        more.accept(sf);
    }

    @Test
    void noSecretAppearsInAnyLogLineOrExceptionOfARunWithFaults() {
        LogCapture.clear();
        List<String> secrets = new ArrayList<>(List.of(FakeOrg.CLIENT_SECRET, FakeOrg.REFRESH_TOKEN, FakeOrg.FIXED_TOKEN,
                FakeOrg.CONSUMER_KEY, Base64.getEncoder().encodeToString(FakeOrg.keys().getPrivate().getEncoded()),
                Base64.getMimeEncoder().encodeToString(FakeOrg.keys().getPrivate().getEncoded()).substring(0, 60),
                "wrong-but-secret-value"));
        try (FakeOrg org = new FakeOrg(b -> b.redirectConvertedLeadWrites(false), b -> b.rotateRefreshTokens(true))) {
            List<CrmId> leads = org.leads(1_200);
            org.crm.lockRecord(leads.get(0), 1);
            org.crm.addValidationRule(ObjectType.LEAD, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "no CEOs",
                    f -> FieldValue.text("CEO").equals(f.get("Title")));
            Consumer<SalesforceCrmSource> writesAndBulk = sf -> {
                expectFailure(() -> sf.write(ObjectType.LEAD, List.of(
                        new CrmWrite.Update(leads.get(0), Map.of("Title", FieldValue.text("CFO"))),
                        new CrmWrite.Update(leads.get(1), Map.of("Title", FieldValue.text("CEO"))),
                        new CrmWrite.Create("m-1", Map.of("LastName", FieldValue.text("No company"))))));
                org.server.faults().failNext("/composite/sobjects", 1, 500, "UNKNOWN_EXCEPTION", "boom", null);
                expectFailure(() -> sf.write(ObjectType.LEAD, List.of(new CrmWrite.Create("m-2",
                        Map.of("LastName", FieldValue.text("x"), "Company", FieldValue.text("y"))))));
                org.server.faults().bulkJobsNeverComplete(true);
                expectFailure(() -> {
                    try (ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of("Email"), Cursor.START,
                            200))) {
                        drain(s);
                    }
                });
                org.server.faults().bulkJobsNeverComplete(false);
                org.server.faults().failNext("/queryAll", 1, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.",
                        null);
                expectFailure(() -> sf.fetch(ObjectType.LEAD, leads.subList(0, 3), Set.of("Email")));
            };
            try (SalesforceCrmSource sf = org.open(org.source().pageSize(200).bulkThreshold(500)
                    .bulkJobTimeout(Duration.ofMinutes(1)))) {
                run(org, sf, writesAndBulk);
            }
            try (SalesforceCrmSource sf = org.open(org.base().credentials(org.refreshCredentials()).pageSize(200))) {
                run(org, sf, s -> { });
            }
            try (SalesforceCrmSource sf = org.open(org.base().credentials(org.clientCredentials()).pageSize(200))) {
                run(org, sf, s -> { });
            }
            try (SalesforceCrmSource sf = org.open(org.base().credentials(org.fixedToken()).pageSize(200))) {
                run(org, sf, s -> { });
            }
            try (SalesforceCrmSource sf = org.open(org.base().credentials(SalesforceCredentials.clientCredentials(
                    FakeOrg.CLIENT_ID, "wrong-but-secret-value")))) {
                run(org, sf, s -> { });
            }
            secrets.addAll(org.rotatedRefreshTokens);
            assertFalse(org.rotatedRefreshTokens.isEmpty(), "the refresh flow rotated tokens");
        }

        String logs = LogCapture.text();
        String all = logs + "\n" + String.join("\n", thrown);
        assertTrue(logs.contains("renewing it"), "the capture saw the token renewals");
        assertTrue(logs.contains("retry"), "the capture saw the retries");
        assertTrue(logs.contains("Bulk API"), "the capture saw the Bulk fallback");
        assertTrue(LogCapture.lines().stream().anyMatch(l -> l.startsWith("DEBUG org.apache.hc")),
                "HttpClient's own DEBUG output is captured too");
        assertTrue(thrown.size() >= 5, "failures were provoked: " + thrown.size());
        for (String secret : secrets) {
            assertFalse(all.contains(secret), () -> "a secret leaked: " + excerpt(all, secret));
        }
        assertFalse(ISSUED_TOKEN.matcher(all).find(), () -> "an access token leaked: " + excerpt(all, null));
        assertFalse(all.contains(JWT_HEADER), "a JWT assertion leaked");
        assertFalse(Pattern.compile("Bearer\\s+00D|Authorization:\\s*\\S").matcher(all).find(),
                "an Authorization header leaked");
        assertTrue(ISSUED_TOKEN.matcher("00Dabcdefghijkl!AQ4AQFake.Token-Value_1234567890").find(), "the pattern works");
    }

    @Test
    void noSecretAppearsInTheLogsOfEngineCyclesWithFaults() {
        LogCapture.clear();
        List<String> secrets = new ArrayList<>(List.of(FakeOrg.CLIENT_SECRET, FakeOrg.REFRESH_TOKEN, FakeOrg.FIXED_TOKEN,
                FakeOrg.CONSUMER_KEY, Base64.getEncoder().encodeToString(FakeOrg.keys().getPrivate().getEncoded())));
        try (FakeOrg org = new FakeOrg(b -> { }, b -> b.rotateRefreshTokens(true));
             SalesforceCrmSource sf = org.open(org.base().credentials(org.refreshCredentials()).bulkThreshold(2_500)
                     .budget(new ApiBudget(1.0, 0.80)));
             dev.crmsync.core.SyncEngine engine = dev.crmsync.core.SyncEngine.builder().crmSource(sf)
                     .marketingStore(new dev.crmsync.store.memory.InMemoryMarketingStore(org.clock))
                     .syncStateStore(new dev.crmsync.store.memory.InMemorySyncStateStore()).clock(org.clock)
                     .objectTypes(ObjectType.ACCOUNT, ObjectType.LEAD, ObjectType.CONTACT).build()) {
            org.leads(3_000);
            org.server.faults().expireAccessTokensAfter(4);
            org.server.faults().failNext("/queryAll", 1, 503, "SERVER_UNAVAILABLE", "down", Duration.ofSeconds(3));
            org.server.faults().dropConnectionNext("/jobs/query", 1);
            org.server.faults().truncateBodyNext("/describe", 1);
            org.clock.advance(Duration.ofMinutes(5));
            thrown.add(engine.runCycle().toTable());
            org.server.faults().usedApiCalls(11_999);
            org.leads(10);
            org.clock.advance(Duration.ofMinutes(5));
            thrown.add(engine.runCycle().toTable());
            org.server.faults().expireAccessTokens();
            org.server.faults().usedApiCalls(0);
            org.clock.advance(Duration.ofMinutes(5));
            thrown.add(engine.runCycle().toTable());
            secrets.addAll(org.rotatedRefreshTokens);
            assertFalse(org.rotatedRefreshTokens.isEmpty());
        }
        String all = LogCapture.text() + "\n" + String.join("\n", thrown);
        assertTrue(all.contains("QUOTA"), "the run hit its budget");
        assertTrue(all.contains("Cycle "), "the engine's own lines were captured");
        for (String secret : secrets) {
            assertFalse(all.contains(secret), () -> "a secret leaked: " + excerpt(all, secret));
        }
        assertFalse(ISSUED_TOKEN.matcher(all).find(), () -> "an access token leaked: " + excerpt(all, null));
        assertFalse(all.contains(JWT_HEADER), "a JWT assertion leaked");
        assertFalse(Pattern.compile("Bearer\\s+00D|Authorization:\\s*\\S").matcher(all).find(),
                "an Authorization header leaked");
    }

    private static String excerpt(String text, String secret) {
        int i = secret == null ? 0 : text.indexOf(secret);
        if (secret == null) {
            var m = ISSUED_TOKEN.matcher(text);
            i = m.find() ? m.start() : 0;
        }
        return text.substring(Math.max(0, i - 200), Math.min(text.length(), i + 100));
    }
}
