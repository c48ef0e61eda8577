package dev.crmsync.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.salesforce.SalesforceCredentials;
import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, items 7 and 8 end to end over HTTP: the engine on {@link SalesforceCrmSource} against
 * the {@link FakeSalesforceServer}. A lead owned by a queue (a {@code Group} of type Queue, id
 * {@code 00G…}) reaches the store with its owner empty and nothing loops; a campaign's member
 * statuses reach the store; a member whose status its campaign lacks comes back as a rejected
 * record on {@code Status}, and the other members go on.
 */
class QueuesAndMemberStatusesOverTheWireTest {

    private static final String MARKETING_ID = "Marketing_Id__c";

    private final ManualClock clock = new ManualClock(Instant.parse("2024-06-01T12:00:00Z"));
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(23).build();
    private final InMemoryMarketingStore store = new InMemoryMarketingStore(clock);
    private final InMemorySyncStateStore state = new InMemorySyncStateStore(clock);
    private final FakeSalesforceServer sf;
    private final SalesforceCrmSource source;

    QueuesAndMemberStatusesOverTheWireTest() {
        for (ObjectType t : List.of(ObjectType.LEAD, ObjectType.CONTACT, ObjectType.CAMPAIGN)) {
            crm.addField(t, FieldSchema.of(MARKETING_ID, FieldType.STRING));
        }
        sf = FakeSalesforceServer.builder().crm(crm).clock(clock).build().start();
        source = SalesforceCrmSource.builder()
                .credentials(SalesforceCredentials.accessToken(FakeSalesforceServer.DEFAULT_ACCESS_TOKEN, sf.baseUri()))
                .allowHttpForLoopback(true).clock(clock).sleeper(clock::advance).build();
    }

    @AfterEach
    void stop() {
        source.close();
        sf.close();
    }

    private SyncEngine engine() {
        return SyncEngine.builder().crmSource(source).marketingStore(store).syncStateStore(state).clock(clock)
                .engineId("wire-test").marketingIdField(MARKETING_ID)
                .objectTypes(List.of(ObjectType.USER, ObjectType.LEAD, ObjectType.CONTACT, ObjectType.CAMPAIGN,
                        ObjectType.CAMPAIGN_MEMBER_STATUS, ObjectType.CAMPAIGN_MEMBER))
                .build();
    }

    private SyncReport cycle(SyncEngine engine) {
        clock.advance(Duration.ofMinutes(5));
        return engine.runCycle();
    }

    private long crmWrites() {
        return sf.requestCount(null, ".*/composite/.*");
    }

    @Test
    void aQueueOwnedLeadReachesTheStoreWithItsOwnerEmptyAndNothingLoops() {
        CrmId queue = crm.insert(ObjectType.GROUP, Map.of("Name", FieldValue.text("Inbound"),
                "DeveloperName", FieldValue.text("Inbound"), "Type", FieldValue.text("Queue")));
        CrmId user = crm.insert(ObjectType.USER, Map.of("Username", FieldValue.text("rep@example.com"),
                "LastName", FieldValue.text("Rep")));
        CrmId queued = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Queued"),
                "Company", FieldValue.text("Acme"), "OwnerId", FieldValue.ref(queue)));
        CrmId owned = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Owned"),
                "Company", FieldValue.text("Acme"), "OwnerId", FieldValue.ref(user)));
        try (SyncEngine engine = engine()) {
            SyncReport first = cycle(engine);
            assertTrue(first.isComplete(), first::toTable);
            assertEquals(0, first.totals().failed(), first::toTable);
            Map<CrmId, MarketingRecord> leads = store.findByCrmIds(ObjectType.LEAD, List.of(queued, owned));
            assertEquals(FieldValue.NULL, leads.get(queued).get("OwnerId"));
            assertEquals(FieldValue.ref(user), leads.get(owned).get("OwnerId"));

            // a host edit of another field is written over HTTP; the queue stays the owner in the CRM
            store.saveLocal(ObjectType.LEAD, leads.get(queued).marketingId(), Map.of("Title", FieldValue.text("CFO")));
            SyncReport edit = cycle(engine);
            assertEquals(0, edit.totals().failed(), edit::toTable);
            SyncRecord inCrm = crm.get(ObjectType.LEAD, queued).orElseThrow();
            assertEquals(FieldValue.text("CFO"), inCrm.get("Title"));
            assertEquals(FieldValue.ref(queue), inCrm.get("OwnerId"));

            long writes = crmWrites();
            SyncReport quiet = cycle(engine);
            assertTrue(quiet.isComplete(), quiet::toTable);
            assertEquals(writes, crmWrites(), "a quiet cycle writes nothing");
            assertEquals(FieldValue.NULL, store.findByCrmIds(ObjectType.LEAD, List.of(queued)).get(queued).get("OwnerId"));
        }
    }

    @Test
    void aMemberWhoseStatusItsCampaignLacksIsRejectedOnStatusOverHttpAndTheOthersProceed() {
        CrmId campaign = crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("Webinar"),
                "IsActive", FieldValue.bool(true)));
        CrmId doe = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"), "Company", FieldValue.text("A")));
        CrmId roe = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Roe"), "Company", FieldValue.text("A")));
        try (SyncEngine engine = engine()) {
            SyncReport first = cycle(engine);
            assertEquals(0, first.totals().failed(), first::toTable);
            assertEquals(2, store.size(ObjectType.CAMPAIGN_MEMBER_STATUS), "the campaign's statuses reached the store");

            MarketingRecord bad = store.saveLocal(ObjectType.CAMPAIGN_MEMBER, null, Map.of(
                    "CampaignId", FieldValue.ref(campaign), "LeadId", FieldValue.ref(doe),
                    "Status", FieldValue.text("Attended")));
            store.saveLocal(ObjectType.CAMPAIGN_MEMBER, null, Map.of("CampaignId", FieldValue.ref(campaign),
                    "LeadId", FieldValue.ref(roe)));
            SyncReport report = cycle(engine);
            assertEquals(1, report.totals().failed(), report::toTable);
            List<SyncRecord> members = crm.records(ObjectType.CAMPAIGN_MEMBER);
            assertEquals(1, members.size());
            assertEquals(FieldValue.ref(roe), members.get(0).get("LeadId"));
            assertEquals(FieldValue.text("Sent"), members.get(0).get("Status"), "no status: the campaign's default");
            FailedRecord f = state.failure(ObjectType.CAMPAIGN_MEMBER, RecordKey.marketing(bad.marketingId()),
                    SyncSide.CRM).orElseThrow();
            assertEquals("INVALID_MEMBER_STATUS", f.code(), "the engine's own check: Salesforce would give it the default");
            assertTrue(f.message().contains("Status"), f.message());
            assertFalse(f.message().contains("Attended"), f.message());
            assertFalse(f.parked());
        }
    }
}
