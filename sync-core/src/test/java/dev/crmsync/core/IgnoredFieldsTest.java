package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.SyncCounts;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.MarketingRecord;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 3: Marketo's ignored fields (Contact's mailing address, Account's shipping
 * address, LastModifiedDate on every type…) do not sync by default; the list is replaceable per
 * type, can be turned off, and an explicit field selection wins over it. The cursor is untouched.
 */
class IgnoredFieldsTest {

    @Test
    void marketoListIsTheDefaultPerType() {
        assertTrue(IgnoredFields.marketoDefault(ObjectType.CONTACT).containsAll(Set.of("MailingStreet", "MailingCity",
                "OtherStreet", "HomePhone", "ReportsToId", "SystemModstamp", "LastModifiedDate", "CreatedById")));
        assertTrue(IgnoredFields.marketoDefault(ObjectType.ACCOUNT).contains("ShippingCity"));
        assertFalse(IgnoredFields.marketoDefault(ObjectType.ACCOUNT).contains("BillingCity"));
        assertEquals(IgnoredFields.ON_EVERY_TYPE, IgnoredFields.marketoDefault(ObjectType.LEAD));
        assertEquals(IgnoredFields.ON_EVERY_TYPE, IgnoredFields.marketoDefault(ObjectType.of("Whizbang__c")));
        assertThrows(NullPointerException.class, () -> IgnoredFields.marketoDefault(null));
    }

    @Test
    void accountShippingAddressAndLastModifiedDateNeverReachTheStoreByDefault() {
        EngineHarness h = new EngineHarness();
        h.crm.addField(ObjectType.ACCOUNT, FieldSchema.builder("LastModifiedDate", FieldType.DATETIME)
                .updateable(false).createable(false).build());
        CrmId id = h.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Acme"),
                "BillingCity", FieldValue.text("Lyon"), "ShippingCity", FieldValue.text("Turin"),
                "ShippingStreet", FieldValue.text("Via Roma 1")));
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
            engine.runCycle();
            MarketingRecord stored = h.store.findByCrmIds(ObjectType.ACCOUNT, List.of(id)).get(id);
            assertEquals(FieldValue.text("Lyon"), stored.get("BillingCity"));
            assertFalse(stored.fields().containsKey("ShippingCity"), stored.fields().keySet().toString());
            assertFalse(stored.fields().containsKey("ShippingStreet"));
            assertFalse(stored.fields().containsKey("LastModifiedDate"));

            // a change only in an ignored field is skipped, and the cursor still moves on
            h.clock.advance(Duration.ofMinutes(1));
            h.crm.update(ObjectType.ACCOUNT, id, Map.of("ShippingCity", FieldValue.text("Milan")));
            SyncReport r = engine.runCycle();
            SyncCounts c = r.type(ObjectType.ACCOUNT).orElseThrow().counts();
            assertEquals(1, c.read(), r::toTable);
            assertEquals(1, c.skipped(), r::toTable);
            h.clock.advance(Duration.ofMinutes(10));
            h.crm.update(ObjectType.ACCOUNT, id, Map.of("BillingCity", FieldValue.text("Paris")));
            SyncReport next = engine.runCycle();
            assertEquals(1, next.type(ObjectType.ACCOUNT).orElseThrow().counts().updated(), next::toTable);
            assertEquals(FieldValue.text("Paris"), h.store.findByCrmIds(ObjectType.ACCOUNT, List.of(id)).get(id)
                    .get("BillingCity"));
        }
    }

    @Test
    void aContactsMailingAddressIsNotSyncedEitherWayByDefault() {
        BidiHarness h = new BidiHarness();
        CrmId id = h.contact("Hopper", "Title", "Admiral", "MailingCity", "Arlington");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            assertEquals(FieldValue.text("Admiral"), h.storeValue(ObjectType.CONTACT, id, "Title"));
            assertFalse(h.inStore(ObjectType.CONTACT, id).fields().containsKey("MailingCity"));
            // the host writes an ignored field: nothing goes to the CRM
            h.edit(ObjectType.CONTACT, id, "MailingCity", "Boston");
            long writes = h.crmWrites();
            h.cycle(engine);
            assertEquals(writes, h.crmWrites(), "an ignored field is never written to the CRM");
            assertEquals(FieldValue.text("Arlington"), h.crmValue(ObjectType.CONTACT, id, "MailingCity"));
        }
    }

    @Test
    void aTypesListCanBeReplacedAndTheDefaultTurnedOff() {
        EngineHarness h = new EngineHarness();
        CrmId id = h.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Acme"),
                "ShippingCity", FieldValue.text("Turin"), "Phone", FieldValue.text("555")));
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT)
                .ignoredFields(ObjectType.ACCOUNT, List.of("Phone")).build()) {
            engine.runCycle();
        }
        MarketingRecord replaced = h.store.findByCrmIds(ObjectType.ACCOUNT, List.of(id)).get(id);
        assertEquals(FieldValue.text("Turin"), replaced.get("ShippingCity"), "the type's own list replaced Marketo's");
        assertFalse(replaced.fields().containsKey("Phone"));

        EngineHarness all = new EngineHarness();
        CrmId a = all.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Acme"),
                "ShippingCity", FieldValue.text("Turin")));
        try (SyncEngine engine = all.builder().objectTypes(ObjectType.ACCOUNT).syncAllReadableFields().build()) {
            engine.runCycle();
        }
        assertEquals(FieldValue.text("Turin"),
                all.store.findByCrmIds(ObjectType.ACCOUNT, List.of(a)).get(a).get("ShippingCity"));
    }

    @Test
    void anExplicitSelectionWinsOverTheIgnoredList() {
        EngineHarness h = new EngineHarness();
        CrmId id = h.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Acme"),
                "ShippingCity", FieldValue.text("Turin"), "BillingCity", FieldValue.text("Lyon")));
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT)
                .fields(ObjectType.ACCOUNT, List.of("Name", "ShippingCity")).build()) {
            engine.runCycle();
        }
        MarketingRecord stored = h.store.findByCrmIds(ObjectType.ACCOUNT, List.of(id)).get(id);
        assertEquals(FieldValue.text("Turin"), stored.get("ShippingCity"));
        assertFalse(stored.fields().containsKey("BillingCity"));
    }

    @Test
    void ignoredFieldsValidatesItsArguments() {
        SyncEngine.Builder b = SyncEngine.builder();
        assertThrows(NullPointerException.class, () -> b.ignoredFields(null, List.of()));
        assertThrows(NullPointerException.class, () -> b.ignoredFields(ObjectType.LEAD, null));
        assertThrows(IllegalArgumentException.class, () -> b.ignoredFields(ObjectType.LEAD, List.of(" ")));
        assertThrows(IllegalArgumentException.class, () -> b.ignoredFields(ObjectType.LEAD, Arrays.asList("A", null)));
    }
}
