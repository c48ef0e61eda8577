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
