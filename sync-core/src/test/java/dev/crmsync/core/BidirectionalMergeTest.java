package dev.crmsync.core;

import dev.crmsync.core.report.SyncReport;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.SyncBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The three-way merge of Leads, Contacts and Campaigns, end to end over the fakes. */
class BidirectionalMergeTest {

    private final BidiHarness h = new BidiHarness();

    @Test
    void crmRecordsReachTheStoreWithABase() {
        CrmId lead = h.lead("Doe", "Acme", "Title", "CTO");
        try (SyncEngine engine = h.engine()) {
            SyncReport r = h.cycle(engine);
            assertEquals(1, r.type(ObjectType.LEAD).orElseThrow().counts().created(), r::toTable);
        }
        assertEquals(FieldValue.text("CTO"), h.storeValue(ObjectType.LEAD, lead, "Title"));
        SyncBase base = h.state.bases(ObjectType.LEAD, List.of(lead)).get(lead);
        assertEquals(FieldValue.text("CTO"), base.get("Title"));
        assertEquals(h.inStore(ObjectType.LEAD, lead).marketingId(), base.marketingId());
    }

    @Test
    void aMarketingChangeReachesTheCrm() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "Title", "VP Sales");
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("VP Sales"), h.crmValue(ObjectType.LEAD, lead, "Title"));
    }

    @Test
    void aCrmChangeReachesTheStore() {
        CrmId contact = h.contact("Roe");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.crm.update(ObjectType.CONTACT, contact, fields("Title", "Buyer"));
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("Buyer"), h.storeValue(ObjectType.CONTACT, contact, "Title"));
    }

    @Test
    void leadConflictEndsWithTheMarketingValueOnBothSides() {
        CrmId lead = h.lead("Doe", "Acme", "Title", "CTO");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.crm.update(ObjectType.LEAD, lead, fields("Title", "crm title"));
            h.edit(ObjectType.LEAD, lead, "Title", "marketing title");
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("marketing title"), h.crmValue(ObjectType.LEAD, lead, "Title"));
        assertEquals(FieldValue.text("marketing title"), h.storeValue(ObjectType.LEAD, lead, "Title"));
    }

    @Test
    void contactConflictEndsWithTheCrmValueOnBothSides() {
        CrmId contact = h.contact("Roe", "Title", "Buyer");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.edit(ObjectType.CONTACT, contact, "Title", "marketing title");
            h.crm.update(ObjectType.CONTACT, contact, fields("Title", "crm title"));
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("crm title"), h.crmValue(ObjectType.CONTACT, contact, "Title"));
        assertEquals(FieldValue.text("crm title"), h.storeValue(ObjectType.CONTACT, contact, "Title"));
    }

    @Test
    void campaignConflictEndsWithTheCrmValue() {
        CrmId campaign = h.campaign("Spring");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.edit(ObjectType.CAMPAIGN, campaign, "Status", "Planned");
            h.crm.update(ObjectType.CAMPAIGN, campaign, fields("Status", "In Progress"));
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("In Progress"), h.storeValue(ObjectType.CAMPAIGN, campaign, "Status"));
        assertEquals(FieldValue.text("In Progress"), h.crmValue(ObjectType.CAMPAIGN, campaign, "Status"));
    }

    @Test
    void differentFieldsChangedOnEachSideBothSurvive() {
        CrmId contact = h.contact("Roe", "Title", "Buyer", "Phone", "1");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.crm.update(ObjectType.CONTACT, contact, fields("Title", "Head buyer"));
            h.edit(ObjectType.CONTACT, contact, "Phone", "2");
            h.cycle(engine);
        }
        for (var side : List.of(h.inCrm(ObjectType.CONTACT, contact).fields(),
                h.inStore(ObjectType.CONTACT, contact).fields())) {
            assertEquals(FieldValue.text("Head buyer"), side.get("Title"));
            assertEquals(FieldValue.text("2"), side.get("Phone"));
        }
    }

    @Test
    void bothSidesChangedToTheSameValueIsNoConflict() {
        CrmId lead = h.lead("Doe", "Acme", "Title", "CTO");
        List<Conflict> seen = new ArrayList<>();
        try (SyncEngine engine = h.builder().listener(new SyncListener() {
            @Override
            public void onConflict(Conflict conflict, Resolution resolution) {
                seen.add(conflict);
            }
        }).build()) {
            h.cycle(engine);
            h.crm.update(ObjectType.LEAD, lead, fields("Title", "CEO"));
            h.edit(ObjectType.LEAD, lead, "Title", "CEO");
            long writes = h.crmWrites();
            h.cycle(engine);
            assertEquals(writes, h.crmWrites());
        }
        assertTrue(seen.isEmpty(), seen::toString);
    }

    @Test
    void theEnginesOwnWritesDoNotComeBackAsChanges() {
        CrmId lead = h.lead("Doe", "Acme");
        CrmId contact = h.contact("Roe");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "Title", "marketing");
            h.crm.update(ObjectType.CONTACT, contact, fields("Title", "crm"));
            h.cycle(engine);
            h.assertQuiet(engine);
            h.assertQuiet(engine);
        }
    }

    @Test
    void aQuietCycleMakesZeroWritesOnEitherSide() {
        for (int i = 0; i < 5; i++) {
            h.lead("L" + i, "Acme");
            h.contact("C" + i);
        }
        CrmId campaign = h.campaign("Spring");
        h.crm.insert(ObjectType.CAMPAIGN_MEMBER, fields("CampaignId", campaign,
                "LeadId", h.crm.records(ObjectType.LEAD).get(0).id(), "Status", "Sent"));
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.clock.advance(java.time.Duration.ofHours(1));
            h.assertQuiet(engine);
        }
    }

    @Test
    void echoedValuesAreComparedWithTheBaseNotWrittenAgain() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "Title", "x");
            h.cycle(engine);
            // the CRM's change stream now shows the engine's own write: nothing moves
            long storeWrites = h.storeWrites();
            SyncReport r = h.cycle(engine);
            assertEquals(storeWrites, h.storeWrites(), r::toTable);
        }
    }

    @Test
    void crmWritesGoInBatchesOfAtMostTheCrmsLimit() {
        BidiHarness small = new BidiHarness(InMemoryCrm.builder().maxWriteBatch(3));
        List<CrmId> leads = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            leads.add(small.lead("L" + i, "Acme"));
        }
        try (SyncEngine engine = small.engine()) {
            small.cycle(engine);
            for (CrmId id : leads) {
                small.edit(ObjectType.LEAD, id, "Title", "t");
            }
            long before = small.crmWrites();
            small.cycle(engine);
            assertEquals(4, small.crmWrites() - before, "10 updates in batches of at most 3");
        }
        for (CrmId id : leads) {
            assertEquals(FieldValue.text("t"), small.crmValue(ObjectType.LEAD, id, "Title"));
        }
    }

    @Test
    void aMarketingRecordFlaggedDeletedIsNotPushed() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.crm.delete(ObjectType.LEAD, lead);
            h.cycle(engine);
            assertTrue(h.inStore(ObjectType.LEAD, lead).crmDeleted());
            h.edit(ObjectType.LEAD, lead, "Title", "still here");
            long writes = h.crmWrites();
            h.cycle(engine);
            assertEquals(writes, h.crmWrites());
        }
    }

    @Test
    void anUndeletedRecordIsRevivedInTheStore() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.crm.delete(ObjectType.LEAD, lead);
            h.cycle(engine);
            h.crm.undelete(ObjectType.LEAD, lead);
            h.cycle(engine);
        }
        assertFalse(h.inStore(ObjectType.LEAD, lead).crmDeleted());
    }

    @Test
    void aFieldOutsideTheSelectionIsNeverWritten() {
        CrmId lead = h.lead("Doe", "Acme", "Title", "CTO");
        try (SyncEngine engine = h.builder().fields(ObjectType.LEAD, List.of("LastName", "Company", "Email")).build()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "Title", "not synced");
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("CTO"), h.crmValue(ObjectType.LEAD, lead, "Title"));
        assertFalse(h.inStore(ObjectType.LEAD, lead).fields().containsKey("Phone"));
    }

    @Test
    void aConflictIsReportedToTheListener() {
        CrmId lead = h.lead("Doe", "Acme", "Title", "CTO");
        List<Resolution> seen = new ArrayList<>();
        List<Conflict> conflicts = new ArrayList<>();
        try (SyncEngine engine = h.builder().listener(new SyncListener() {
            @Override
            public void onConflict(Conflict conflict, Resolution resolution) {
                conflicts.add(conflict);
                seen.add(resolution);
            }
        }).build()) {
            h.cycle(engine);
            h.crm.update(ObjectType.LEAD, lead, fields("Title", "a"));
            h.edit(ObjectType.LEAD, lead, "Title", "b");
            h.cycle(engine);
        }
        assertEquals(List.of(Resolution.MARKETING), seen);
        Conflict c = conflicts.get(0);
        assertEquals("Title", c.field());
        assertEquals(FieldValue.text("CTO"), c.base());
        assertEquals(FieldValue.text("a"), c.crmValue());
        assertEquals(FieldValue.text("b"), c.marketingValue());
        assertInstanceOf(CrmId.class, c.crmId());
        assertEquals(Map.of(), Map.of());
    }
}
