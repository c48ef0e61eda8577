package dev.crmsync.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.StoreField;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StoreFieldsTest {

    @Test
    void theDescribeMapsToTypedStoreFieldsSizedAsTheCrmSays() {
        ObjectSchema schema = new ObjectSchema(ObjectType.LEAD, List.of(
                FieldSchema.builder("Email", FieldType.EMAIL).length(80).build(),
                FieldSchema.builder("AnnualRevenue", FieldType.CURRENCY).precision(18, 2).build(),
                FieldSchema.builder("NumberOfEmployees", FieldType.INT).precision(8, 0).build(),
                FieldSchema.builder("Big__c", FieldType.INT).precision(18, 0).build(),
                FieldSchema.of("OwnerId", FieldType.REFERENCE),
                FieldSchema.of("Tags__c", FieldType.MULTIPICKLIST),
                FieldSchema.of("Address", FieldType.ADDRESS),
                FieldSchema.of("Hidden__c", FieldType.STRING)), true, true, true);
        List<StoreField> got = StoreFields.of(schema, Set.of("Email", "AnnualRevenue", "NumberOfEmployees", "Big__c",
                "OwnerId", "Tags__c", "Address"));
        assertEquals(List.of(
                new StoreField("Email", StoreField.Kind.EMAIL, 80, 0, 0),
                new StoreField("AnnualRevenue", StoreField.Kind.CURRENCY, 0, 18, 2),
                new StoreField("NumberOfEmployees", StoreField.Kind.INTEGER, 0, 8, 0),
                new StoreField("Big__c", StoreField.Kind.LONG, 0, 18, 0),
                new StoreField("OwnerId", StoreField.Kind.REFERENCE, 18, 0, 0),
                new StoreField("Tags__c", StoreField.Kind.MULTIPICKLIST, FieldSchema.of("Tags__c", FieldType.MULTIPICKLIST).length(), 0, 0)),
                got, "compound fields and fields not synced are left out");
    }
}
