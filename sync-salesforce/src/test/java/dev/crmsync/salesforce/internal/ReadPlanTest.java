package dev.crmsync.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.crm.Cursor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReadPlanTest {

    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private ObjectInfo lead() throws Exception {
        return ObjectInfo.fromDescribe(ObjectType.LEAD, json.readTree("{\"queryable\":true,\"fields\":["
                + "{\"name\":\"Id\",\"type\":\"id\"},{\"name\":\"IsDeleted\",\"type\":\"boolean\"},"
                + "{\"name\":\"SystemModstamp\",\"type\":\"datetime\"},{\"name\":\"Email\",\"type\":\"email\"},"
                + "{\"name\":\"AnnualRevenue\",\"type\":\"currency\"},{\"name\":\"Address\",\"type\":\"address\"},"
                + "{\"name\":\"MasterRecordId\",\"type\":\"reference\",\"referenceTo\":[\"Lead\"]}]}"), null);
    }

    @Test
    void selectsRecordLevelFieldsAndKnownRequestedOnes() throws Exception {
        ReadPlan plan = ReadPlan.of(lead(), List.of("Email", "Unknown__c", "Address"));
        assertEquals(List.of("Id", "SystemModstamp", "IsDeleted", "Email"), plan.select());
        assertEquals(Set.of("Email"), plan.outputs());
    }

    @Test
    void malformedRequestedNamesAreRefused() throws Exception {
        ObjectInfo info = lead();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReadPlan.of(info, List.of("Email", "Email' OR Id != '")));
        assertTrue(e.getMessage().contains("Email' OR Id != '"), e.getMessage());
    }

    @Test
    void keysetSoqlWithUpperBound() throws Exception {
        ReadPlan plan = ReadPlan.of(lead(), List.of("Email"));
        Cursor c = Cursor.after(Instant.parse("2024-01-01T00:00:00Z"), CrmId.of("00Q000000000001EAA"));
        assertEquals("SELECT Id, SystemModstamp, IsDeleted, Email FROM Lead WHERE (SystemModstamp > 2024-01-01T00:00:00Z "
                + "OR (SystemModstamp = 2024-01-01T00:00:00Z AND Id > '00Q000000000001EAA')) "
                + "AND SystemModstamp <= 2024-02-01T00:00:00Z ORDER BY SystemModstamp, Id",
                plan.soql(c, Instant.parse("2024-02-01T00:00:00Z"), true));
        assertEquals("SELECT Id, SystemModstamp, IsDeleted, Email FROM Lead", plan.soql(Cursor.START, null, false));
    }

    @Test
    void restAndBulkRowsOfOneRecordAreEqual() throws Exception {
        ReadPlan plan = ReadPlan.of(lead(), List.of("Email", "AnnualRevenue", "MasterRecordId"));
        SyncRecord rest = plan.fromJson(json.readTree("{\"attributes\":{\"type\":\"Lead\"},\"Id\":\"00Q000000000001EAA\","
                + "\"SystemModstamp\":\"2024-01-01T00:00:00.000+0000\",\"IsDeleted\":true,\"Email\":\"a@b.c\","
                + "\"AnnualRevenue\":1000.0,\"MasterRecordId\":\"00Q000000000002EAA\"}"));
        Map<String, String> cells = Map.of("Id", "00Q000000000001EAA", "SystemModstamp", "2024-01-01T00:00:00.000Z",
                "IsDeleted", "true", "Email", "a@b.c", "AnnualRevenue", "1000", "MasterRecordId", "00Q000000000002EAA");
        SyncRecord bulk = plan.fromCells(cells::get);
        assertEquals(rest, bulk);
        assertTrue(rest.deleted());
        assertEquals(FieldValue.ref("00Q000000000002EAA"), rest.get(SyncRecord.MASTER_RECORD_ID));
        assertFalse(rest.fields().containsKey("Id"));
    }
}
