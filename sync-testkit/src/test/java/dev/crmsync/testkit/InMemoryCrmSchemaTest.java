package dev.crmsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.crm.Cursor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Default schemas, schema drift, visibility, custom objects and calculated fields. */
class InMemoryCrmSchemaTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2024-07-01T00:00:00Z"));
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).build();

    private ObjectSchema describe(ObjectType type) {
        return crm.describe(type).orElseThrow();
    }

    private SyncRecord readOne(ObjectType type, Set<String> fields) {
        try (ChangeStream s = crm.openChanges(new ChangeQuery(type, fields, Cursor.START, 10))) {
            return s.nextPage().get(0);
        }
    }

    @Test
    void everyStandardTypeIsAvailableWithItsKeyFields() {
        Set<ObjectType> expected = new java.util.HashSet<>(ObjectType.STANDARD);
        expected.add(ObjectType.GROUP);
        assertEquals(expected, crm.availableTypes());
        assertTrue(describe(ObjectType.LEAD).readableFieldNames().containsAll(List.of("FirstName", "LastName", "Company",
                "Email", "Phone", "Title", "Status", "LeadSource", "Industry", "AnnualRevenue", "NumberOfEmployees",
                "OwnerId", "IsConverted", "ConvertedContactId", "ConvertedAccountId", "ConvertedDate", "MasterRecordId")));
        assertTrue(describe(ObjectType.CAMPAIGN_MEMBER).readableFieldNames().containsAll(
                List.of("CampaignId", "LeadId", "ContactId", "Status")));
        assertTrue(describe(ObjectType.OPPORTUNITY_CONTACT_ROLE).readableFieldNames().containsAll(
                List.of("OpportunityId", "ContactId", "Role", "IsPrimary")));
        assertTrue(describe(ObjectType.USER).readableFieldNames().containsAll(
                List.of("FirstName", "LastName", "Email", "Title", "Phone", "IsActive")));
        assertTrue(describe(ObjectType.TASK).readableFieldNames().containsAll(
                List.of("WhoId", "WhatId", "Subject", "ActivityDate", "Status")));
        assertTrue(describe(ObjectType.CONTACT).field("Id").isEmpty(), "Id travels in SyncRecord, not as a field");
    }

    @Test
    void systemFieldsAreReadOnlyAndFormulasCalculated() {
        ObjectSchema lead = describe(ObjectType.LEAD);
        for (String f : List.of("IsConverted", "ConvertedContactId", "MasterRecordId")) {
            FieldSchema s = lead.field(f).orElseThrow();
            assertTrue(s.readable() && !s.createable() && !s.updateable(), f);
        }
        assertEquals(List.of("Contact"), lead.field("ConvertedContactId").orElseThrow().referenceTo());
        assertTrue(describe(ObjectType.OPPORTUNITY).field("ExpectedRevenue").orElseThrow().calculated());
        assertTrue(describe(ObjectType.LEAD).field("Address").orElseThrow().type().isUnsyncable());
        assertTrue(describe(ObjectType.LEAD).createable() && !describe(ObjectType.ACCOUNT).createable());
    }

    @Test
    void anAddedFieldAppearsEmptyOnExistingRecords() {
        crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("a")));
        crm.addField(ObjectType.LEAD, FieldSchema.of("Score__c", FieldType.DOUBLE));
        assertTrue(describe(ObjectType.LEAD).field("Score__c").isPresent());
        assertEquals(FieldValue.NULL, readOne(ObjectType.LEAD, Set.of("Score__c")).get("Score__c"));
        assertEquals(Set.of("Score__c"), readOne(ObjectType.LEAD, Set.of("Score__c")).fields().keySet());
    }

    @Test
    void aRemovedFieldDisappearsWithItsValues() {
        crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("a"), "Title", FieldValue.text("CEO")));
        crm.removeField(ObjectType.LEAD, "Title");
        assertTrue(describe(ObjectType.LEAD).field("Title").isEmpty());
        assertFalse(readOne(ObjectType.LEAD, Set.of("Title")).fields().containsKey("Title"));
        crm.addField(ObjectType.LEAD, FieldSchema.of("Title", FieldType.STRING));
        assertEquals(FieldValue.NULL, readOne(ObjectType.LEAD, Set.of("Title")).get("Title"), "re-created field starts empty");
    }

    @Test
    void hiddenAndShownFieldsComeAndGo() {
        crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("a"), "Title", FieldValue.text("CEO")));
        crm.hideField(ObjectType.LEAD, "Title");
        assertFalse(readOne(ObjectType.LEAD, Set.of("Title")).fields().containsKey("Title"));
        assertFalse(crm.schema(ObjectType.LEAD).orElseThrow().field("Title").orElseThrow().readable());
        crm.showField(ObjectType.LEAD, "Title");
        assertEquals(FieldValue.text("CEO"), readOne(ObjectType.LEAD, Set.of("Title")).get("Title"));
    }

    @Test
    void hiddenTypeIsNotAvailableNotDescribedAndNotReadable() {
        crm.hideType(ObjectType.USER);
        assertFalse(crm.availableTypes().contains(ObjectType.USER));
        assertTrue(crm.describe(ObjectType.USER).isEmpty());
        assertThrows(SyncException.class, () -> crm.openChanges(new ChangeQuery(ObjectType.USER, Set.of(), Cursor.START, 1)));
        crm.showType(ObjectType.USER);
        assertTrue(crm.describe(ObjectType.USER).isPresent());
    }

    @Test
    void customObjectsGetCustomKeyPrefixesInDefinitionOrder() {
        ObjectType invoice = ObjectType.of("Invoice__c");
        ObjectType ticket = ObjectType.of("Ticket__c");
        assertThrows(IllegalArgumentException.class, () -> crm.insert(invoice, Map.of()));
        crm.defineType(invoice, List.of(FieldSchema.of("Amount__c", FieldType.CURRENCY)));
        crm.defineType(ticket, List.of(FieldSchema.of("Subject__c", FieldType.STRING)));
        CrmId i = crm.insert(invoice, Map.of("Amount__c", FieldValue.number("12.50")));
        CrmId t = crm.insert(ticket, Map.of());
        assertEquals("a0X", i.keyPrefix());
        assertEquals("a0Y", t.keyPrefix());
        assertEquals(java.util.Optional.of("a0Y"), crm.keyPrefix(ticket));
        assertEquals(java.util.Optional.of("00v"), crm.keyPrefix(ObjectType.CAMPAIGN_MEMBER));
        assertEquals(java.util.Optional.empty(), crm.keyPrefix(ObjectType.of("Nope__c")));
        assertTrue(crm.availableTypes().contains(invoice));
        assertEquals(FieldValue.number("12.5"), readOne(invoice, Set.of("Amount__c")).get("Amount__c"));
    }

    @Test
    void redefiningATypeKeepsValuesOfFieldsThatStay() {
        CrmId id = crm.insert(ObjectType.USER, Map.of("LastName", FieldValue.text("a"), "Title", FieldValue.text("x")));
        crm.defineType(ObjectType.USER, List.of(FieldSchema.of("LastName", FieldType.STRING),
                FieldSchema.of("Nickname__c", FieldType.STRING)));
        SyncRecord r = crm.get(ObjectType.USER, id).orElseThrow();
        assertEquals(Map.of("LastName", FieldValue.text("a")), r.fields());
        assertEquals(List.of("LastName", "Nickname__c"),
                describe(ObjectType.USER).fields().stream().map(FieldSchema::name).toList());
    }

    @Test
    void stampsBefore1970AreRefused() {
        InMemoryCrm old = InMemoryCrm.builder().clock(new ManualClock(Instant.parse("1969-12-31T23:59:59Z"))).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> old.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("a"))));
        assertTrue(e.getMessage().contains("1969"), e.getMessage());
        assertEquals(0, old.count(ObjectType.LEAD), "nothing half-created");
    }

    @Test
    void implicitFieldsCannotBeDefined() {
        assertThrows(IllegalArgumentException.class,
                () -> crm.addField(ObjectType.LEAD, FieldSchema.of("SystemModstamp", FieldType.DATETIME)));
    }

    @Test
    void calculatedValueChangesWithoutBumpingTheStamp() {
        CrmId opp = crm.insert(ObjectType.OPPORTUNITY, Map.of("Name", FieldValue.text("Deal")));
        Instant stamp = crm.get(ObjectType.OPPORTUNITY, opp).orElseThrow().modstamp();
        clock.advance(Duration.ofHours(1));
        crm.setCalculated(ObjectType.OPPORTUNITY, opp, "ExpectedRevenue", FieldValue.number(500));
        SyncRecord r = crm.get(ObjectType.OPPORTUNITY, opp).orElseThrow();
        assertEquals(stamp, r.modstamp());
        assertEquals(FieldValue.number(500), r.get("ExpectedRevenue"));
        assertThrows(IllegalArgumentException.class,
                () -> crm.setCalculated(ObjectType.OPPORTUNITY, opp, "Amount", FieldValue.number(1)));
    }

    @Test
    void crmUserEditsCheckFieldNamesTypesAndLengths() {
        assertThrows(IllegalArgumentException.class, () -> crm.insert(ObjectType.LEAD, Map.of("Nope", FieldValue.text("x"))));
        assertThrows(IllegalArgumentException.class,
                () -> crm.insert(ObjectType.LEAD, Map.of("NumberOfEmployees", FieldValue.text("x"))));
        assertThrows(IllegalArgumentException.class,
                () -> crm.insert(ObjectType.LEAD, Map.of("FirstName", FieldValue.text("x".repeat(41)))));
        assertThrows(IllegalArgumentException.class, () -> crm.insert(ObjectType.LEAD, Map.of("Address", FieldValue.text("x"))));
    }
}
