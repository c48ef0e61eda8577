package dev.crmsync.kafka.connect.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.StoreField;
import java.util.List;
import java.util.Set;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

class StoreFieldsHeaderTest {

    @Test
    void theDescribeBecomesTheEnginesStoreFieldsAndTravelsAsText() {
        ObjectSchema schema = new ObjectSchema(ObjectType.OPPORTUNITY, List.of(
                FieldSchema.of("Id", FieldType.ID),
                FieldSchema.builder("Name", FieldType.STRING).length(120).build(),
                FieldSchema.builder("Amount", FieldType.CURRENCY).precision(18, 2).build(),
                FieldSchema.builder("TotalOpportunityQuantity", FieldType.DOUBLE).precision(18, 2).build(),
                FieldSchema.builder("Score__c", FieldType.INT).precision(9, 0).build(),
                FieldSchema.of("CloseDate", FieldType.DATE),
                FieldSchema.of("AccountId", FieldType.REFERENCE),
                FieldSchema.of("IsPrivate", FieldType.BOOLEAN),
                FieldSchema.of("NotRead", FieldType.STRING)), true, true, true);
        List<StoreField> fields = StoreFieldsHeader.of(schema, Set.of("Id", "Name", "Amount",
                "TotalOpportunityQuantity", "Score__c", "CloseDate", "AccountId", "IsPrivate"));
        assertEquals(List.of(new StoreField("Id", StoreField.Kind.ID, 18, 0, 0),
                new StoreField("Name", StoreField.Kind.TEXT, 120, 0, 0),
                new StoreField("Amount", StoreField.Kind.CURRENCY, 0, 18, 2),
                new StoreField("TotalOpportunityQuantity", StoreField.Kind.DECIMAL, 0, 18, 2),
                new StoreField("Score__c", StoreField.Kind.INTEGER, 0, 9, 0),
                StoreField.of("CloseDate", StoreField.Kind.DATE),
                new StoreField("AccountId", StoreField.Kind.REFERENCE, 18, 0, 0),
                StoreField.of("IsPrivate", StoreField.Kind.BOOLEAN)), fields);
        String text = StoreFieldsHeader.encode(fields);
        assertEquals("Id:ID:18:0:0,Name:TEXT:120:0:0,Amount:CURRENCY:0:18:2,TotalOpportunityQuantity:DECIMAL:0:18:2,"
                + "Score__c:INTEGER:0:9:0,CloseDate:DATE:0:0:0,AccountId:REFERENCE:18:0:0,IsPrivate:BOOLEAN:0:0:0", text);
        assertEquals(fields, StoreFieldsHeader.decode(text));
        assertEquals(List.of(), StoreFieldsHeader.decode(""));
    }

    @Test
    void aMalformedHeaderIsADataExceptionNamingNoValue() {
        assertThrows(DataException.class, () -> StoreFieldsHeader.decode("Name:TEXT:120:0"));
        assertThrows(DataException.class, () -> StoreFieldsHeader.decode("Name:NOPE:120:0:0"));
        assertThrows(DataException.class, () -> StoreFieldsHeader.decode("Name:TEXT:x:0:0"));
        assertThrows(DataException.class, () -> StoreFieldsHeader.decode("Amount:DECIMAL:0:2:5"));
        assertThrows(DataException.class, () -> StoreFieldsHeader.decode("Name:TEXT:1:0:0,Name:TEXT:2:0:0"));
    }
}
