package dev.crmsync.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObjectInfoTest {

    private final ObjectMapper json = new ObjectMapper();

    private static String field(String name, String type, boolean create, boolean update, boolean calculated) {
        return "{\"name\":\"" + name + "\",\"type\":\"" + type + "\",\"createable\":" + create + ",\"updateable\":"
                + update + ",\"calculated\":" + calculated + ",\"length\":" + ("string".equals(type) ? 80 : 0)
                + ",\"referenceTo\":" + ("reference".equals(type) ? "[\"Account\"]" : "[]") + ",\"filterable\":true}";
    }

    private JsonNode describe(String... fields) throws Exception {
        return json.readTree("{\"name\":\"Invoice__c\",\"queryable\":true,\"createable\":true,\"updateable\":true,"
                + "\"fields\":[" + String.join(",", fields) + "]}");
    }

    @Test
    void mapsFieldsFlagsAndTypes() throws Exception {
        ObjectInfo info = ObjectInfo.fromDescribe(ObjectType.of("Invoice__c"), describe(
                field("Id", "id", false, false, false),
                field("IsDeleted", "boolean", false, false, false),
                field("SystemModstamp", "datetime", false, false, false),
                field("Name", "string", true, true, false),
                field("Amount__c", "currency", true, false, false),
                field("Total__c", "double", false, false, true),
                field("Account__c", "reference", true, true, false),
                field("Billing__c", "address", false, false, false)), "Tue, 3 Jun 2008 11:05:30 GMT");
        FieldSchema amount = info.schema().field("Amount__c").orElseThrow();
        assertEquals(FieldType.CURRENCY, amount.type());
        assertTrue(amount.createable());
        assertFalse(amount.updateable());
        assertTrue(info.schema().field("Total__c").orElseThrow().calculated());
        assertEquals(List.of("Account"), info.schema().field("Account__c").orElseThrow().referenceTo());
        assertEquals(80, info.schema().field("Name").orElseThrow().length());
        assertEquals("SystemModstamp", info.stampField());
        assertEquals("Tue, 3 Jun 2008 11:05:30 GMT", info.lastModified());
        assertFalse(info.selectable("Billing__c"), "compound fields are never selected");
        assertTrue(info.selectable("Name"));
    }

    @Test
    void recordLevelFieldsStayOutOfTheEngineSchemaButAreKnown() throws Exception {
        ObjectInfo info = ObjectInfo.fromDescribe(ObjectType.of("Invoice__c"), describe(
                field("Id", "id", false, false, false),
                field("IsDeleted", "boolean", false, false, false),
                field("SystemModstamp", "datetime", false, false, false),
                field("Name", "string", true, true, false)), null);
        assertEquals(List.of("Name"), info.schema().fields().stream().map(FieldSchema::name).toList());
        assertTrue(info.has("IsDeleted"));
        assertTrue(info.has("Id"));
    }

    @Test
    void hiddenDeprecatedAndMalformedFieldsAreLeftOut() throws Exception {
        ObjectInfo info = ObjectInfo.fromDescribe(ObjectType.of("Invoice__c"), json.readTree(
                "{\"queryable\":true,\"fields\":[{\"name\":\"Old__c\",\"type\":\"string\",\"deprecatedAndHidden\":true},"
                        + "{\"name\":\"Bad Name\",\"type\":\"string\"},"
                        + "{\"name\":\"SystemModstamp\",\"type\":\"datetime\"}]}"), null);
        assertTrue(info.schema().fields().isEmpty());
        assertFalse(info.has("Old__c"));
    }

    @Test
    void stampFallsBackToLastModifiedDate() throws Exception {
        ObjectInfo info = ObjectInfo.fromDescribe(ObjectType.of("Invoice__c"), describe(
                field("Id", "id", false, false, false),
                field("LastModifiedDate", "datetime", false, false, false),
                field("CreatedDate", "datetime", false, false, false)), null);
        assertEquals("LastModifiedDate", info.stampField());
    }

    @Test
    void anObjectWithoutStampCannotBeReadIncrementally() throws Exception {
        ObjectInfo info = ObjectInfo.fromDescribe(ObjectType.of("Invoice__c"), describe(
                field("Id", "id", false, false, false)), null);
        assertFalse(info.hasStampField());
        assertThrows(SyncException.class, info::stampField);
    }

    @Test
    void unknownDescribeTypesBecomeOther() {
        assertEquals(FieldType.OTHER, ObjectInfo.fieldType("anyType"));
        assertEquals(FieldType.STRING, ObjectInfo.fieldType("encryptedstring"));
        assertEquals(FieldType.INT, ObjectInfo.fieldType("long"));
    }

    @Test
    void readsTheFactsThatDecideWhatAWriteMayCarry() throws Exception {
        // shapes as in Salesforce's describe: int fields give digits (precision 0), doubles precision/scale
        ObjectInfo info = ObjectInfo.fromDescribe(ObjectType.of("Invoice__c"), describe(
                field("SystemModstamp", "datetime", false, false, false),
                "{\"name\":\"Seats__c\",\"type\":\"int\",\"createable\":true,\"updateable\":true,\"digits\":8,"
                        + "\"precision\":0,\"scale\":0,\"nillable\":true}",
                "{\"name\":\"Rate__c\",\"type\":\"double\",\"createable\":true,\"updateable\":true,\"digits\":0,"
                        + "\"precision\":18,\"scale\":15,\"nillable\":true}",
                "{\"name\":\"Tier__c\",\"type\":\"picklist\",\"createable\":true,\"updateable\":true,\"length\":40,"
                        + "\"restrictedPicklist\":true,\"nillable\":true,\"picklistValues\":[{\"active\":true,"
                        + "\"value\":\"Gold\"},{\"active\":false,\"value\":\"Old\"},{\"active\":true,\"value\":\"Silver\"}]}",
                "{\"name\":\"Code__c\",\"type\":\"string\",\"createable\":true,\"updateable\":true,\"length\":20,"
                        + "\"nillable\":false,\"defaultedOnCreate\":false,\"externalId\":true}",
                "{\"name\":\"Status__c\",\"type\":\"picklist\",\"createable\":true,\"updateable\":true,"
                        + "\"nillable\":false,\"defaultedOnCreate\":true}"), null);
        FieldSchema seats = info.schema().field("Seats__c").orElseThrow();
        assertEquals(8, seats.precision());
        assertEquals(0, seats.scale());
        FieldSchema rate = info.schema().field("Rate__c").orElseThrow();
        assertEquals(18, rate.precision());
        assertEquals(15, rate.scale());
        FieldSchema tier = info.schema().field("Tier__c").orElseThrow();
        assertTrue(tier.restrictedPicklist());
        assertEquals(List.of("Gold", "Silver"), tier.picklistValues(), "active values only");
        FieldSchema code = info.schema().field("Code__c").orElseThrow();
        assertTrue(code.externalId());
        assertFalse(code.nillable());
        assertTrue(code.requiredOnCreate());
        FieldSchema status = info.schema().field("Status__c").orElseThrow();
        assertFalse(status.requiredOnCreate(), "defaulted on create: not required");
        assertTrue(seats.nillable());
    }
}
