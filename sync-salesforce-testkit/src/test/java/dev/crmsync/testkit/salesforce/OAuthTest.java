package dev.crmsync.testkit.salesforce;

import static dev.crmsync.testkit.salesforce.FakeSf.enc;
import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OAuthTest {

    private static final String TOKEN = "/services/oauth2/token";
    private static final String KEY = "consumer-key";
    private static final String USER = "integration@example.com";
    private static KeyPair keys;
    private static KeyPair otherKeys;

    private FakeSf sf;

    @BeforeAll
    static void keys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        keys = g.generateKeyPair();
        otherKeys = g.generateKeyPair();
    }

    @AfterEach
    void stop() {
        if (sf != null) {
            sf.close();
        }
    }

    private FakeSf server() {
        sf = FakeSf.start(b -> b.connectedApp("app-id", "app-secret")
                .jwtSubject(KEY, USER, keys.getPublic())
                .refreshToken("refresh-1")
                .fixedAccessToken(null));
        return sf;
    }

    static String jwt(PrivateKey key, String iss, String sub, String aud, long exp) throws GeneralSecurityException {
        Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
        String header = e.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8));
        String claims = e.encodeToString(("{\"iss\":\"" + iss + "\",\"sub\":\"" + sub + "\",\"aud\":\"" + aud
                + "\",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + e.encodeToString(s.sign());
    }

    private long in3Minutes() {
        return sf.clock.instant().plus(Duration.ofMinutes(3)).getEpochSecond();
    }

    private HttpResponse<String> jwtGrant(String assertion) {
        return sf.form(TOKEN, "grant_type=" + enc("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion="
                + enc(assertion));
    }

    private static void assertOAuthError(HttpResponse<String> r, String error, String description) {
        assertEquals(400, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals(error, body.path("error").asText(), r.body());
        assertEquals(description, body.path("error_description").asText(), r.body());
    }

    @Test
    void jwtBearerIssuesATokenThatOpensTheApi() throws Exception {
        server();
        HttpResponse<String> r = jwtGrant(jwt(keys.getPrivate(), KEY, USER, "https://login.salesforce.com", in3Minutes()));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode t = json(r);
        assertEquals(sf.server.baseUri().toString(), t.path("instance_url").asText());
        assertEquals("Bearer", t.path("token_type").asText());
        assertEquals(Long.toString(sf.clock.millis()), t.path("issued_at").asText());
        assertTrue(t.path("id").asText().startsWith(sf.server.baseUri() + "/id/00D"), t.path("id").asText());
        assertFalse(t.has("refresh_token"), "JWT responses carry no refresh token");
        assertFalse(t.has("expires_in"), "Salesforce sends no expires_in");

        sf.token = t.path("access_token").asText();
        assertEquals(200, sf.get(sf.v("/limits")).statusCode());
    }

    @Test
    void jwtSignedWithAnotherKeyIsAnInvalidGrant() throws Exception {
        server();
        assertOAuthError(jwtGrant(jwt(otherKeys.getPrivate(), KEY, USER, "https://login.salesforce.com", in3Minutes())),
                "invalid_grant", "invalid assertion");
    }

    @Test
    void jwtWithATamperedSubjectIsAnInvalidGrant() throws Exception {
        server();
        String good = jwt(keys.getPrivate(), KEY, USER, "https://login.salesforce.com", in3Minutes());
        String[] p = good.split("\\.");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(("{\"iss\":\"" + KEY
                + "\",\"sub\":\"admin@example.com\",\"aud\":\"https://login.salesforce.com\",\"exp\":" + in3Minutes()
                + "}").getBytes(StandardCharsets.UTF_8));
        assertOAuthError(jwtGrant(p[0] + "." + forged + "." + p[2]), "invalid_grant", "invalid assertion");
    }

    @Test
    void expiredJwtIsAnInvalidGrant() throws Exception {
        server();
        long past = sf.clock.instant().minusSeconds(1).getEpochSecond();
        assertOAuthError(jwtGrant(jwt(keys.getPrivate(), KEY, USER, "https://login.salesforce.com", past)),
                "invalid_grant", "expired authorization code");
    }

    @Test
    void aJwtThatExpiresMoreThanFiveMinutesAheadIsAnInvalidGrant() throws Exception {
        server();
        long fiveMinutes = sf.clock.instant().plusSeconds(300).getEpochSecond();
        assertEquals(200, jwtGrant(jwt(keys.getPrivate(), KEY, USER, "https://login.salesforce.com", fiveMinutes))
                .statusCode(), "five minutes ahead is accepted (clients commonly use 3 to 5)");
        long later = sf.clock.instant().plusSeconds(301).getEpochSecond();
        assertOAuthError(jwtGrant(jwt(keys.getPrivate(), KEY, USER, "https://login.salesforce.com", later)),
                "invalid_grant", "invalid assertion");
        long inMillis = sf.clock.instant().plusSeconds(180).toEpochMilli();     // a common client bug
        assertOAuthError(jwtGrant(jwt(keys.getPrivate(), KEY, USER, "https://login.salesforce.com", inMillis)),
                "invalid_grant", "invalid assertion");
    }

    @Test
    void jwtForAnotherAudienceIsAnInvalidGrant() throws Exception {
        server();
        assertOAuthError(jwtGrant(jwt(keys.getPrivate(), KEY, USER, "https://evil.example.com", in3Minutes())),
                "invalid_grant", "audience is invalid");
    }

    @Test
    void jwtAcceptsTheServerItselfAsAudience() throws Exception {
        server();
        HttpResponse<String> r = jwtGrant(jwt(keys.getPrivate(), KEY, USER, sf.server.baseUri().toString(),
                in3Minutes()));
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void jwtForAnUnknownUserIsRefused() throws Exception {
        server();
        assertOAuthError(jwtGrant(jwt(keys.getPrivate(), KEY, "someone@example.com", "https://login.salesforce.com",
                in3Minutes())), "invalid_grant", "user hasn't approved this consumer");
    }

    @Test
    void jwtFromAnUnknownAppIsAnInvalidClientId() throws Exception {
        server();
        assertOAuthError(jwtGrant(jwt(keys.getPrivate(), "other-key", USER, "https://login.salesforce.com",
                in3Minutes())), "invalid_client_id", "client identifier invalid");
    }

    @Test
    void garbageAssertionIsAnInvalidGrant() {
        server();
        assertOAuthError(jwtGrant("not.a.jwt"), "invalid_grant", "invalid assertion");
    }

    @Test
    void clientCredentialsInTheFormIssueATokenWithAVerifiableSignature() throws Exception {
        server();
        HttpResponse<String> r = sf.form(TOKEN, "grant_type=client_credentials&client_id=app-id&client_secret=app-secret");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode t = json(r);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("app-secret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = Base64.getEncoder().encodeToString(mac.doFinal(
                (t.path("id").asText() + t.path("issued_at").asText()).getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, t.path("signature").asText());
        assertFalse(t.has("refresh_token"));
    }

    @Test
    void clientCredentialsAsHttpBasicIssueAToken() {
        server();
        String basic = Base64.getEncoder().encodeToString("app-id:app-secret".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = sf.form(TOKEN, "grant_type=client_credentials", "Authorization", "Basic " + basic);
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void aWrongClientSecretIsAnInvalidClient() {
        server();
        assertOAuthError(sf.form(TOKEN, "grant_type=client_credentials&client_id=app-id&client_secret=nope"),
                "invalid_client", "invalid client credentials");
    }

    @Test
    void anUnknownClientIdIsAnInvalidClientId() {
        server();
        assertOAuthError(sf.form(TOKEN, "grant_type=client_credentials&client_id=who&client_secret=app-secret"),
                "invalid_client_id", "client identifier invalid");
    }

    @Test
    void thePasswordGrantIsNotSupported() {
        server();
        assertOAuthError(sf.form(TOKEN, "grant_type=password&client_id=app-id&client_secret=app-secret"
                + "&username=u&password=p"), "unsupported_grant_type", "grant type not supported");
    }

    @Test
    void refreshIssuesATokenWithoutANewRefreshTokenByDefault() {
        server();
        HttpResponse<String> r = sf.form(TOKEN, "grant_type=refresh_token&client_id=app-id&client_secret=app-secret"
                + "&refresh_token=refresh-1");
        assertEquals(200, r.statusCode(), r.body());
        assertFalse(json(r).has("refresh_token"));
        HttpResponse<String> again = sf.form(TOKEN, "grant_type=refresh_token&client_id=app-id&refresh_token=refresh-1");
        assertEquals(200, again.statusCode(), "the refresh token stays valid without rotation");
    }

    @Test
    void anUnknownRefreshTokenIsAnInvalidGrant() {
        server();
        assertOAuthError(sf.form(TOKEN, "grant_type=refresh_token&client_id=app-id&refresh_token=stale"),
                "invalid_grant", "expired access/refresh token");
    }

    @Test
    void aRefreshTokenIsAcceptedOnlyFromTheAppItWasIssuedTo() {
        sf = FakeSf.start(b -> b.connectedApp("app-id", "app-secret").connectedApp("other-app", "other-secret")
                .refreshToken("app-id", "refresh-1"));
        assertOAuthError(sf.form(TOKEN, "grant_type=refresh_token&client_id=other-app&client_secret=other-secret"
                + "&refresh_token=refresh-1"), "invalid_grant", "expired access/refresh token");
        assertEquals(200, sf.form(TOKEN, "grant_type=refresh_token&client_id=app-id&client_secret=app-secret"
                + "&refresh_token=refresh-1").statusCode());
    }

    @Test
    void aRefreshTokenWithoutItsAppIsRefusedWhenSeveralAppsAreRegistered() {
        FakeSalesforceServer.Builder b = FakeSalesforceServer.builder().crm(dev.crmsync.testkit.InMemoryCrm.builder().build())
                .connectedApp("a", "s").connectedApp("b", "t").refreshToken("r");
        assertThrows(IllegalStateException.class, b::build);
    }

    @Test
    void aRevokedRefreshTokenIsAnInvalidGrant() {
        server();
        sf.server.faults().revokeRefreshToken("refresh-1");
        assertOAuthError(sf.form(TOKEN, "grant_type=refresh_token&client_id=app-id&refresh_token=refresh-1"),
                "invalid_grant", "expired access/refresh token");
    }

    @Test
    void rotationHandsOutANewRefreshTokenAndRetiresTheOldOne() {
        sf = FakeSf.start(b -> b.connectedApp("app-id", "app-secret").refreshToken("refresh-1")
                .rotateRefreshTokens(true));
        HttpResponse<String> r = sf.form(TOKEN, "grant_type=refresh_token&client_id=app-id&refresh_token=refresh-1");
        assertEquals(200, r.statusCode(), r.body());
        String rotated = json(r).path("refresh_token").asText();
        assertFalse(rotated.isEmpty());
        assertNotEquals("refresh-1", rotated);
        assertOAuthError(sf.form(TOKEN, "grant_type=refresh_token&client_id=app-id&refresh_token=refresh-1"),
                "invalid_grant", "expired access/refresh token");
        assertEquals(200, sf.form(TOKEN, "grant_type=refresh_token&client_id=app-id&refresh_token="
                + enc(rotated)).statusCode());
    }

    @Test
    void eachGrantIssuesADistinctToken() {
        server();
        String a = json(sf.form(TOKEN, "grant_type=client_credentials&client_id=app-id&client_secret=app-secret"))
                .path("access_token").asText();
        String b = json(sf.form(TOKEN, "grant_type=client_credentials&client_id=app-id&client_secret=app-secret"))
                .path("access_token").asText();
        assertNotEquals(a, b);
        assertTrue(a.startsWith("00D"), "tokens look like Salesforce's: org id, '!', opaque text");
    }

    @Test
    void theTokenEndpointOnlyAcceptsPost() {
        server();
        assertEquals(405, sf.anonymous("GET", TOKEN, null).statusCode());
    }

    @Test
    void theDefaultServerAcceptsTheDefaultAppAndFixedToken() {
        sf = FakeSf.start();
        HttpResponse<String> r = sf.form(TOKEN, "grant_type=client_credentials&client_id="
                + FakeSalesforceServer.DEFAULT_CLIENT_ID + "&client_secret=" + FakeSalesforceServer.DEFAULT_CLIENT_SECRET);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(200, sf.get(sf.v("/limits")).statusCode());
    }
}
