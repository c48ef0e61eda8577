package dev.crmsync.core;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.ParkedConflict;
import org.junit.jupiter.api.Test;

/** Conflict policies and per-field rules, as the engine applies them. */
class ConflictRulesEngineTest {

    private final BidiHarness h = new BidiHarness();

    private SyncEngine engine(ConflictPolicy policy) {
        return h.builder().conflictPolicy(policy).build();
    }

    @Test
    void crmWinsOverridesTheLeadDefault() {
        CrmId lead = h.lead("Doe", "Acme", "Title", "t0");
        try (SyncEngine engine = engine(ConflictPolicy.crmWins())) {
            h.cycle(engine);
            h.crm.update(ObjectType.LEAD, lead, fields("Title", "crm"));
            h.edit(ObjectType.LEAD, lead, "Title", "mkt");
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("crm"), h.storeValue(ObjectType.LEAD, lead, "Title"));
    }

    @Test
    void lastWriterWinsTakesTheLaterSide() {
        CrmId contact = h.contact("Roe", "Title", "t0");
        try (SyncEngine engine = engine(ConflictPolicy.lastWriterWins())) {
            h.cycle(engine);
            h.crm.update(ObjectType.CONTACT, contact, fields("Title", "crm"));
            h.tick();
            h.edit(ObjectType.CONTACT, contact, "Title", "mkt, later");
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("mkt, later"), h.crmValue(ObjectType.CONTACT, contact, "Title"));
    }

    @Test
    void alwaysCrmOverwritesAMarketingEditInsteadOfPushingIt() {
        CrmId lead = h.lead("Doe", "Acme", "Email", "crm@example.com");
        ConflictPolicy p = ConflictPolicy.builder().field(ObjectType.LEAD, "Email", ConflictPolicy.alwaysCrm()).build();
        try (SyncEngine engine = engine(p)) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "Email", "mkt@example.com");
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(FieldValue.text("crm@example.com"), h.crmValue(ObjectType.LEAD, lead, "Email"));
        assertEquals(FieldValue.text("crm@example.com"), h.storeValue(ObjectType.LEAD, lead, "Email"));
    }

    @Test
    void alwaysMarketingOverwritesACrmEditInsteadOfReadingIt() {
        CrmId lead = h.lead("Doe", "Acme", "Email", "one@example.com");
        ConflictPolicy p = ConflictPolicy.builder().field(ObjectType.LEAD, "Email", ConflictPolicy.alwaysMarketing())
                .build();
        try (SyncEngine engine = engine(p)) {
            h.cycle(engine);
            assertEquals(FieldValue.text("one@example.com"), h.storeValue(ObjectType.LEAD, lead, "Email"),
                    "the first copy takes the CRM's value");
            h.crm.update(ObjectType.LEAD, lead, fields("Email", "crm@example.com"));
            h.cycle(engine);
            assertEquals(FieldValue.text("one@example.com"), h.crmValue(ObjectType.LEAD, lead, "Email"),
                    "a CRM edit is overwritten");
            h.edit(ObjectType.LEAD, lead, "Email", "mkt@example.com");
            h.crm.update(ObjectType.LEAD, lead, fields("Email", "crm2@example.com"));
            h.cycle(engine);
            h.assertQuiet(engine);
            h.edit(ObjectType.LEAD, lead, "Email", null);
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(FieldValue.NULL, h.crmValue(ObjectType.LEAD, lead, "Email"), "clearing it is a marketing edit");
        assertEquals(FieldValue.NULL, h.storeValue(ObjectType.LEAD, lead, "Email"));
    }

    @Test
    void alwaysMarketingWinsAConflictWithoutAskingThePolicy() {
        CrmId contact = h.contact("Roe", "Title", "t0");
        ConflictPolicy p = ConflictPolicy.builder().type(ObjectType.CONTACT, c -> {
            throw new AssertionError("not asked");
        }).field(ObjectType.CONTACT, "Title", ConflictPolicy.alwaysMarketing()).build();
        try (SyncEngine engine = engine(p)) {
            h.cycle(engine);
            h.crm.update(ObjectType.CONTACT, contact, fields("Title", "crm"));
            h.edit(ObjectType.CONTACT, contact, "Title", "mkt");
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(FieldValue.text("mkt"), h.crmValue(ObjectType.CONTACT, contact, "Title"));
    }

    @Test
    void aBlankMarketingValueNeverErasesACrmValueTheSidesNeverAgreedOn() {
        CrmId lead = h.lead("Doe", "Acme", "Email", "crm@example.com");
        try (SyncEngine engine = h.builder().fields(ObjectType.LEAD, java.util.List.of("LastName", "Company")).build()) {
            h.cycle(engine);
        }
        assertEquals(FieldValue.NULL, h.storeValue(ObjectType.LEAD, lead, "Email"), "Email not synced yet");
        // the host now syncs Email, owned by the marketing side; the CRM changes the record so that it is read
        ConflictPolicy p = ConflictPolicy.builder().field(ObjectType.LEAD, "Email", ConflictPolicy.alwaysMarketing())
                .build();
        h.crm.update(ObjectType.LEAD, lead, fields("Title", "CTO"));
        try (SyncEngine engine = h.builder().conflictPolicy(p)
                .fields(ObjectType.LEAD, java.util.List.of("LastName", "Company", "Title", "Email")).build()) {
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(FieldValue.text("crm@example.com"), h.crmValue(ObjectType.LEAD, lead, "Email"), "not erased");
        assertEquals(FieldValue.text("crm@example.com"), h.storeValue(ObjectType.LEAD, lead, "Email"));
    }

    @Test
    void marketoDefaultsPushACampaignsTypeAndActualCostOneWay() {
        CrmId campaign = h.crm.insert(ObjectType.CAMPAIGN, fields("Name", "Spring", "IsActive", true,
                "Type", "Webinar"));
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.store.saveLocal(ObjectType.CAMPAIGN, h.inStore(ObjectType.CAMPAIGN, campaign).marketingId(),
                    java.util.Map.of("ActualCost", FieldValue.number(new java.math.BigDecimal("1250.00"))));
            h.crm.update(ObjectType.CAMPAIGN, campaign, fields("Type", "Email", "Name", "Spring 2025"));
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(FieldValue.text("Webinar"), h.crmValue(ObjectType.CAMPAIGN, campaign, "Type"),
                "the CRM's edit of Type is not read back");
        assertEquals(FieldValue.text("Webinar"), h.storeValue(ObjectType.CAMPAIGN, campaign, "Type"));
        assertEquals(FieldValue.number(new java.math.BigDecimal("1250")),
                h.crmValue(ObjectType.CAMPAIGN, campaign, "ActualCost"), "the period cost reaches the CRM");
        assertEquals(FieldValue.text("Spring 2025"), h.storeValue(ObjectType.CAMPAIGN, campaign, "Name"),
                "other campaign fields sync both ways");
    }

    @Test
    void preferCrmUnlessBlankFillsABlankCrmFieldFromMarketing() {
        CrmId contact = h.contact("Roe", "Phone", "1");
        CrmId blank = h.contact("Poe");
        ConflictPolicy p = ConflictPolicy.builder()
                .field(ObjectType.CONTACT, "Phone", ConflictPolicy.preferCrmUnlessBlank()).build();
        try (SyncEngine engine = engine(p)) {
            h.cycle(engine);
            h.edit(ObjectType.CONTACT, contact, "Phone", "2");
            h.edit(ObjectType.CONTACT, blank, "Phone", "3");
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("1"), h.storeValue(ObjectType.CONTACT, contact, "Phone"), "CRM value kept");
        assertEquals(FieldValue.text("3"), h.crmValue(ObjectType.CONTACT, blank, "Phone"), "blank CRM field filled");
    }

    @Test
    void dontSyncLeavesTheFieldAloneOnBothSides() {
        CrmId lead = h.lead("Doe", "Acme", "Description", "crm notes");
        ConflictPolicy p = ConflictPolicy.builder()
                .field(ObjectType.LEAD, "Description", ConflictPolicy.dontSync()).build();
        try (SyncEngine engine = engine(p)) {
            h.cycle(engine);
            assertFalse(h.inStore(ObjectType.LEAD, lead).fields().containsKey("Description"));
            h.edit(ObjectType.LEAD, lead, "Description", "marketing notes");
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("crm notes"), h.crmValue(ObjectType.LEAD, lead, "Description"));
        assertEquals(FieldValue.text("marketing notes"), h.storeValue(ObjectType.LEAD, lead, "Description"));
    }

    @Test
    void twoWayGivesAFieldToTheLastWriterWhileTheTypeKeepsItsPolicy() {
        CrmId contact = h.contact("Roe", "Title", "t0", "Phone", "p0");
        ConflictPolicy p = ConflictPolicy.builder().field(ObjectType.CONTACT, "Title", ConflictPolicy.twoWay()).build();
        try (SyncEngine engine = engine(p)) {
            h.cycle(engine);
            h.crm.update(ObjectType.CONTACT, contact, fields("Title", "crm", "Phone", "crm"));
            h.tick();
            h.edit(ObjectType.CONTACT, contact, "Title", "mkt", "Phone", "mkt");
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("mkt"), h.crmValue(ObjectType.CONTACT, contact, "Title"), "two-way: last writer");
        assertEquals(FieldValue.text("crm"), h.storeValue(ObjectType.CONTACT, contact, "Phone"), "Contact: CRM wins");
    }

    @Test
    void manualParksTheConflictAndKeepsBothValuesUntilResolved() {
        CrmId lead = h.lead("Doe", "Acme", "Title", "t0", "Phone", "p0");
        ConflictPolicy p = ConflictPolicy.builder().field(ObjectType.LEAD, "Title", ConflictPolicy.manual()).build();
        try (SyncEngine engine = engine(p)) {
            h.cycle(engine);
            h.crm.update(ObjectType.LEAD, lead, fields("Title", "crm"));
            h.edit(ObjectType.LEAD, lead, "Title", "mkt", "Phone", "p1");
            h.cycle(engine);
            ParkedConflict c = engine.parkedConflicts().get(0);
            assertEquals("Title", c.field());
            assertEquals(FieldValue.text("t0"), c.base());
            assertEquals(FieldValue.text("crm"), c.crmValue());
            assertEquals(FieldValue.text("mkt"), c.marketingValue());
            assertEquals(FieldValue.text("crm"), h.crmValue(ObjectType.LEAD, lead, "Title"), "left as it is");
            assertEquals(FieldValue.text("mkt"), h.storeValue(ObjectType.LEAD, lead, "Title"), "left as it is");
            assertEquals(FieldValue.text("p1"), h.crmValue(ObjectType.LEAD, lead, "Phone"), "other fields sync");
            h.assertQuiet(engine);
            assertTrue(engine.resolveConflict(c, Resolution.CRM));
            assertFalse(engine.resolveConflict(c, Resolution.CRM), "resolved once");
            h.cycle(engine);
            assertTrue(engine.parkedConflicts().isEmpty());
            h.assertQuiet(engine);
        }
        assertEquals(FieldValue.text("crm"), h.storeValue(ObjectType.LEAD, lead, "Title"));
    }

    @Test
    void resolveConflictRefusesAPark() {
        try (SyncEngine engine = h.engine()) {
            ParkedConflict c = new ParkedConflict(ObjectType.LEAD, h.lead("Doe", "Acme"), "1", "Title",
                    FieldValue.NULL, FieldValue.NULL, FieldValue.NULL, "x", BidiHarness.T0);
            assertThrows(IllegalArgumentException.class, () -> engine.resolveConflict(c, Resolution.park("later")));
            assertFalse(engine.resolveConflict(c, Resolution.CRM));
        }
    }

    @Test
    void aFieldTheCrmDoesNotLetUsUpdateIsOwnedByTheCrm() {
        CrmId campaign = h.campaign("Spring");
        try (SyncEngine engine = engine(ConflictPolicy.marketingWins())) {
            h.cycle(engine);
            h.edit(ObjectType.CAMPAIGN, campaign, "NumberOfLeads", 99);
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(h.crmValue(ObjectType.CAMPAIGN, campaign, "NumberOfLeads"),
                h.storeValue(ObjectType.CAMPAIGN, campaign, "NumberOfLeads"));
    }
}
