package dev.crmsync.core;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.MarketingRecord;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 1, Marketo's sync filter: records outside it do not sync either way; one that
 * leaves it stops syncing and is flagged, not deleted; one that enters it is copied in full.
 */
class SyncFilterTest {

    private static final String SYNC = "Sync_To_Marketing__c";

    private final BidiHarness h = new BidiHarness();

    SyncFilterTest() {
        h.crm.addField(ObjectType.LEAD, FieldSchema.of(SYNC, FieldType.BOOLEAN));
        h.crm.addField(ObjectType.ACCOUNT, FieldSchema.of(SYNC, FieldType.BOOLEAN));
    }

    private SyncEngine engine() {
        return h.builder().objectTypes(ObjectType.LEAD).syncFilter(ObjectType.LEAD, SyncFilter.checkbox(SYNC)).build();
    }

    private static TypeReport lead(SyncReport r) {
        return r.type(ObjectType.LEAD).orElseThrow();
    }

    @Test
    void aCrmRecordOutsideTheFilterIsNotCopied() {
        CrmId in = h.lead("In", "Acme", SYNC, true);
        CrmId out = h.lead("Out", "Acme", SYNC, false);
        CrmId unset = h.lead("Unset", "Acme");
        try (SyncEngine engine = engine()) {
            TypeReport r = lead(h.cycle(engine));
            assertEquals(1, r.counts().created(), r::toString);
            assertEquals(2, r.counts().skipped(), r::toString);
        }
        assertTrue(h.stored(ObjectType.LEAD, in).isPresent());
        assertTrue(h.stored(ObjectType.LEAD, out).isEmpty(), "false: outside");
        assertTrue(h.stored(ObjectType.LEAD, unset).isEmpty(), "empty: outside");
        assertEquals(FieldValue.bool(true), h.storeValue(ObjectType.LEAD, in, SYNC), "the filter's field is copied");
    }

    @Test
    void aRecordThatLeavesTheFilterIsFlaggedNotDeletedAndStopsSyncingBothWaysUntilItEntersAgainInFull() {
        CrmId lead = h.lead("Doe", "Acme", SYNC, true, "Title", "first");
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            h.cycle(engine);
            // it leaves the filter, with a change of its title in the same edit
            h.crm.update(ObjectType.LEAD, lead, fields(SYNC, false, "Title", "while out"));
            SyncReport left = h.cycle(engine);
            MarketingRecord flagged = h.inStore(ObjectType.LEAD, lead);
            assertFalse(flagged.crmDeleted(), "kept, not deleted");
            assertEquals(FieldValue.bool(false), flagged.get(SYNC), "flagged: the store shows the checkbox");
            assertEquals(FieldValue.text("first"), flagged.get("Title"), "the CRM's change is not copied");
            assertTrue(lead(left).notes().stream().anyMatch(n -> n.contains("outside the sync filter")), lead(left)::toString);

            // neither way while outside: a host edit is not written to the CRM, a CRM edit not copied
            h.edit(ObjectType.LEAD, lead, "Title", "host while out");
            h.crm.update(ObjectType.LEAD, lead, fields("Phone", "555"));
            long writes = h.crmWrites();
            h.cycle(engine);
            h.cycle(engine);
            assertEquals(writes, h.crmWrites(), "nothing written to the CRM for a record outside the filter");
            assertEquals(FieldValue.text("while out"), h.crmValue(ObjectType.LEAD, lead, "Title"));
            assertEquals(FieldValue.NULL, h.storeValue(ObjectType.LEAD, lead, "Phone"));

            // it enters again: copied in full (the host's edit made while outside was not synced, and goes)
            h.crm.update(ObjectType.LEAD, lead, fields(SYNC, true));
            SyncReport entered = h.cycle(engine);
            assertTrue(lead(entered).notes().stream().anyMatch(n -> n.contains("entered the sync filter")),
                    lead(entered)::toString);
            assertEquals(FieldValue.text("while out"), h.storeValue(ObjectType.LEAD, lead, "Title"));
            assertEquals(FieldValue.text("555"), h.storeValue(ObjectType.LEAD, lead, "Phone"));
            assertEquals(FieldValue.bool(true), h.storeValue(ObjectType.LEAD, lead, SYNC));

            // and syncs both ways again
            h.edit(ObjectType.LEAD, lead, "Title", "host again");
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals(FieldValue.text("host again"), h.crmValue(ObjectType.LEAD, lead, "Title"));
    }

    @Test
    void theFiltersFieldIsTheCrmsAHostEditOfItIsNotWrittenBack() {
        CrmId lead = h.lead("Doe", "Acme", SYNC, true);
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, SYNC, false);
            h.cycle(engine);
            h.cycle(engine);
        }
        assertEquals(FieldValue.bool(true), h.crmValue(ObjectType.LEAD, lead, SYNC), "the CRM decides who syncs");
        assertEquals(FieldValue.bool(true), h.storeValue(ObjectType.LEAD, lead, SYNC), "the CRM's value wins back");
    }

    @Test
    void aPersonTheHostCreatesIsCreatedInsideTheFilter() {
        MarketingRecord p = h.store.saveLocal(ObjectType.LEAD, null, fields("LastName", "New", "Company", "Acme"));
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            engine.pushNow(p.marketingId());
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        MarketingRecord linked = h.byMid(ObjectType.LEAD, p.marketingId());
        assertEquals(FieldValue.bool(true), h.crmValue(ObjectType.LEAD, linked.crmId(), SYNC));
        assertEquals(FieldValue.bool(true), linked.get(SYNC));
    }

    @Test
    void aOneWayTypeFollowsTheFilterToo() {
        CrmId in = h.crm.insert(ObjectType.ACCOUNT, fields("Name", "In", SYNC, true, "Industry", "Retail"));
        CrmId out = h.crm.insert(ObjectType.ACCOUNT, fields("Name", "Out", SYNC, false));
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT)
                .syncFilter(ObjectType.ACCOUNT, SyncFilter.checkbox(SYNC)).build()) {
            TypeReport r = h.cycle(engine).type(ObjectType.ACCOUNT).orElseThrow();
            assertEquals(1, r.counts().created());
            assertTrue(h.stored(ObjectType.ACCOUNT, out).isEmpty());
            h.crm.update(ObjectType.ACCOUNT, in, fields(SYNC, false, "Industry", "Banking"));
            h.cycle(engine);
            assertEquals(FieldValue.bool(false), h.storeValue(ObjectType.ACCOUNT, in, SYNC), "flagged");
            assertEquals(FieldValue.text("Retail"), h.storeValue(ObjectType.ACCOUNT, in, "Industry"), "not copied");
            h.crm.update(ObjectType.ACCOUNT, in, fields(SYNC, true));
            h.cycle(engine);
            assertEquals(FieldValue.text("Banking"), h.storeValue(ObjectType.ACCOUNT, in, "Industry"), "copied in full");
        }
    }

    @Test
    void aPredicateFilterDecidesOnTheFieldsItNames() {
        CrmId us = h.lead("Us", "Acme", "Country", "US");
        CrmId fr = h.lead("Fr", "Acme", "Country", "FR");
        SyncFilter usOnly = SyncFilter.matching(Set.of("Country"),
                v -> v.get("Country").equals(FieldValue.text("US")));
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.LEAD).syncFilter(ObjectType.LEAD, usOnly).build()) {
            h.cycle(engine);
        }
        assertTrue(h.stored(ObjectType.LEAD, us).isPresent());
        assertTrue(h.stored(ObjectType.LEAD, fr).isEmpty());
        assertEquals("SyncFilter[predicate over Country]", usOnly.toString(), "names fields, never values");
    }

    @Test
    void aFilterOnAFieldTheIntegrationUserCannotReadFailsTheTypeRatherThanSyncEverything() {
        h.lead("Doe", "Acme", SYNC, true);
        h.crm.hideField(ObjectType.LEAD, SYNC);
        try (SyncEngine engine = engine()) {
            SyncReport r = h.run(engine);
            TypeOutcome.Failed f = assertInstanceOf(TypeOutcome.Failed.class, lead(r).outcome(), r::toTable);
            assertTrue(f.reason().contains(SYNC), f.reason());
        }
        assertEquals(0, h.data.size(ObjectType.LEAD));
    }

    @Test
    void theFilterAndTheBuilderCheckTheirArguments() {
        assertThrows(NullPointerException.class, () -> SyncFilter.checkbox(null));
        assertThrows(IllegalArgumentException.class, () -> SyncFilter.checkbox("not a name"));
        assertThrows(IllegalArgumentException.class, () -> SyncFilter.matching(Set.of(), v -> true));
        assertThrows(NullPointerException.class, () -> SyncFilter.matching(Set.of("A"), null));
        assertThrows(NullPointerException.class, () -> h.builder().syncFilter(null, SyncFilter.checkbox(SYNC)));
        assertThrows(NullPointerException.class, () -> h.builder().syncFilter(ObjectType.LEAD, null));
        assertEquals(List.of(SYNC), List.copyOf(SyncFilter.checkbox(SYNC).fields()));
    }
}
