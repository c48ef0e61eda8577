package dev.crmsync.salesforce;

import static dev.crmsync.salesforce.SalesforceReadTest.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.Cursor;
import dev.crmsync.model.CredentialsRefusedException;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.testkit.salesforce.RecordedRequest;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** OAuth 2.0 flows, token renewal, instance URL. */
class SalesforceAuthTest {

    private FakeOrg org = new FakeOrg();

    @AfterEach
    void close() {
        org.close();
    }

    private List<RecordedRequest> tokenRequests() {
        return org.requests("/services/oauth2/token");
    }

    @Test
    void jwtBearerFlowLogsInWithASignedAssertion() {
        try (SalesforceCrmSource sf = org.open(org.source())) {
            assertTrue(sf.availableTypes().contains(ObjectType.LEAD));
        }
        RecordedRequest token = tokenRequests().get(0);
        assertTrue(token.body().contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"),
                token.body());
        assertEquals(200, token.status());
    }

    @Test
    void clientCredentialsFlowLogsIn() {
        try (SalesforceCrmSource sf = org.open(org.base().credentials(org.clientCredentials()))) {
            assertTrue(sf.describe(ObjectType.CONTACT).isPresent());
        }
        assertTrue(tokenRequests().get(0).body().contains("grant_type=client_credentials"));
    }

    @Test
    void aRotatedRefreshTokenIsHandedToTheHost() {
        org.close();
        org = new FakeOrg(b -> { }, b -> b.rotateRefreshTokens(true));
        try (SalesforceCrmSource sf = org.open(org.base().credentials(org.refreshCredentials()))) {
            sf.describe(ObjectType.LEAD);
            org.server.faults().expireAccessTokens();
            sf.describe(ObjectType.CONTACT);
        }
        assertEquals(2, tokenRequests().size());
        assertEquals(2, org.rotatedRefreshTokens.size(), "each refresh rotated the token");
        assertFalse(org.rotatedRefreshTokens.contains(FakeOrg.REFRESH_TOKEN));
        assertEquals(200, tokenRequests().get(1).status(), "the second refresh used the rotated token");
    }

    @Test
    void aTokenThatExpiresMidReadIsRenewedOnceAndTheReadContinues() {
        org.leads(5_000);
        try (SalesforceCrmSource sf = org.open(org.source());
             ChangeStream s = sf.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of("Email"), Cursor.START, 2_000))) {
            List<SyncRecord> first = s.nextPage();
            org.server.faults().expireAccessTokens();
            List<SyncRecord> rest = drain(s);
            assertEquals(5_000, first.size() + rest.size());
            assertEquals(2L, sf.callCounts().get("oauth.token"));
        }
        assertEquals(1, org.requests("/query").stream().filter(r -> r.status() == 401).count());
    }

    @Test
    void aFixedTokenThatExpiresFailsClearlyWithoutShowingIt() {
        try (SalesforceCrmSource sf = org.open(org.base().credentials(org.fixedToken()))) {
            sf.describe(ObjectType.LEAD);
            org.server.faults().expireAccessTokens();
            CredentialsRefusedException e = assertThrows(CredentialsRefusedException.class,
                    () -> sf.describe(ObjectType.CONTACT));
            assertEquals("INVALID_SESSION_ID", e.errorCode());
            assertTrue(e.getMessage().contains("INVALID_SESSION_ID"), e.getMessage());
            assertFalse(e.getMessage().contains(FakeOrg.FIXED_TOKEN));
            assertTrue(tokenRequests().isEmpty());
        }
    }

    @Test
    void aRejectedGrantFailsWithTheOAuthErrorButNoSecret() {
        try (SalesforceCrmSource sf = org.open(org.base().credentials(SalesforceCredentials.clientCredentials(FakeOrg.CLIENT_ID,
                "wrong-secret-value")))) {
            // typed, so health checks need not read the message
            CredentialsRefusedException e = assertThrows(CredentialsRefusedException.class, sf::availableTypes);
            assertFalse(e.isRetriable());
            assertTrue(e.errorCode().startsWith("invalid_"), e.errorCode());
            assertTrue(e.getMessage().contains("invalid_"), e.getMessage());
            assertFalse(e.getMessage().contains("wrong-secret-value"));
        }
    }

    @Test
    void callsGoToTheInstanceUrlTheTokenEndpointReturnsWithTheBearerToken() {
        try (SalesforceCrmSource sf = org.open(org.source())) {
            sf.describe(ObjectType.LEAD);
        }
        RecordedRequest describe = org.requests("/sobjects/Lead/describe").get(0);
        assertTrue(describe.path().startsWith("/services/data/v62.0/"), describe.path());
        assertTrue(describe.header("Authorization").isPresent());
    }
}
