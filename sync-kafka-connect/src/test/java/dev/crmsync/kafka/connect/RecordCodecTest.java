package dev.crmsync.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crmsync.kafka.connect.internal.RecordCodec;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

    private static final CrmId ID = CrmId.of("001000000000001");
    private static final SyncRecord RECORD = new SyncRecord(ObjectType.ACCOUNT, ID, Map.of(
            "Name", FieldValue.text("1.0"),
            "AnnualRevenue", FieldValue.number(new BigDecimal("1.50")),
            "IsActive__c", FieldValue.bool(false),
            "Since__c", FieldValue.date(LocalDate.of(2024, 2, 29)),
            "Seen__c", FieldValue.dateTime(Instant.parse("2026-01-02T03:04:05Z")),
            "ParentId", FieldValue.ref("001000000000002"),
            "Description", FieldValue.NULL), Instant.parse("2026-12-01T10:00:00Z"), true);

    @Test
    void everyKindOfValueTravelsExactly() {
        RecordCodec.Decoded back = RecordCodec.decode(RecordCodec.encode("orgA", RECORD));
        assertEquals("orgA", back.org());
        assertEquals(RECORD, back.record());
    }

    @Test
    void throughTheJsonConverterWithAndWithoutSchemas() {
        for (boolean schemas : new boolean[] {true, false}) {
            try (JsonConverter json = new JsonConverter()) {
                json.configure(Map.of("schemas.enable", String.valueOf(schemas)), false);
                byte[] bytes = json.fromConnectData("t", RecordCodec.VALUE_SCHEMA, RecordCodec.encode("orgA", RECORD));
                Object value = json.toConnectData("t", bytes).value();
                assertEquals(RECORD, RecordCodec.decode(value).record(), "schemas.enable=" + schemas);
            }
        }
    }

    @Test
    void aForeignValueIsADataExceptionThatQuotesNoValue() {
        Struct bad = RecordCodec.encode("orgA", RECORD);
        bad.put("type", "not a type!");
        DataException e = assertThrows(DataException.class, () -> RecordCodec.decode(bad));
        assertFalse(e.getMessage().contains("not a type!"), e.getMessage());
        assertThrows(DataException.class, () -> RecordCodec.decode("a string"));
    }
}
