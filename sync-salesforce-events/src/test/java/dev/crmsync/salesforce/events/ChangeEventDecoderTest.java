package dev.crmsync.salesforce.events;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The decoder against a Lead change event schema in Salesforce's CDC shape: header field first, the compound
 * Name as a nested record, every other field a union with null. Field positions (what the bitmaps index):
 * 0 ChangeEventHeader, 1 Name (0 Salutation, 1 FirstName, 2 LastName), 2 Company, 3 Email,
 * 4 NumberOfEmployees, 5 LastModifiedDate.
 */
class ChangeEventDecoderTest {

    private static final Schema HEADER = SchemaBuilder.record("ChangeEventHeader").namespace("com.sforce.eventbus")
            .fields()
            .requiredString("entityName")
            .name("recordIds").type().array().items().stringType().noDefault()
            .name("changeType").type().enumeration("ChangeType").namespace("com.sforce.eventbus")
            .symbols("CREATE", "UPDATE", "DELETE", "UNDELETE", "GAP_CREATE", "GAP_UPDATE", "GAP_DELETE",
                    "GAP_UNDELETE", "GAP_OVERFLOW").noDefault()
            .requiredString("changeOrigin")
            .requiredString("transactionKey")
            .requiredInt("sequenceNumber")
            .requiredLong("commitTimestamp")
            .requiredLong("commitNumber")
            .requiredString("commitUser")
            .name("nulledFields").type().array().items().stringType().noDefault()
            .name("diffFields").type().array().items().stringType().noDefault()
            .name("changedFields").type().array().items().stringType().noDefault()
            .endRecord();
    private static final Schema NAME = SchemaBuilder.record("Name").namespace("com.sforce.eventbus").fields()
            .optionalString("Salutation").optionalString("FirstName").optionalString("LastName").endRecord();
    private static final Schema LEAD = SchemaBuilder.record("LeadChangeEvent").namespace("com.sforce.eventbus")
            .fields()
            .name("ChangeEventHeader").type(HEADER).noDefault()
            .name("Name").type().unionOf().nullType().and().type(NAME).endUnion().nullDefault()
            .optionalString("Company")
            .optionalString("Email")
            .optionalInt("NumberOfEmployees")
            .optionalLong("LastModifiedDate")
            .endRecord();
    private static final ChangeEventDecoder DECODER = ChangeEventDecoder.forSchema(LEAD.toString());
    private static final ReplayId REPLAY = ReplayId.of(new byte[] {0, 0, 0, 0, 0, 0, 0x1f, 0x42});
    private static final String ID = "00Q5e00000AbCdEEAZ";

    @Test
    void everyHeaderFieldOfAnUpdate() {
        GenericRecord name = new GenericData.Record(NAME);
        name.put("FirstName", "Ada");
        name.put("LastName", "Lovelace");
        GenericRecord event = event(header("UPDATE", List.of(ID), List.of("0x24", "1-0x04"), List.of("0x08"),
                List.of()), name);
        event.put("Company", "Analytical Engines");
        event.put("LastModifiedDate", 1_733_220_000_000L);

        ChangeEvent decoded = DECODER.decode(encode(event), REPLAY);

        assertEquals("Lead", decoded.entityName());
        assertEquals(List.of(ID), decoded.recordIds());
        assertEquals(ChangeType.UPDATE, decoded.changeType());
        assertEquals("com/salesforce/api/rest/62.0", decoded.changeOrigin());
        assertEquals("0002343d-9d90-e395-ed20-cf416ba652ad", decoded.transactionKey());
        assertEquals(3, decoded.sequenceNumber());
        assertEquals(Instant.ofEpochMilli(1_733_220_000_123L), decoded.commitTimestamp());
        assertEquals(10_924_523_456L, decoded.commitNumber());
        assertEquals("0055e000001AbCdAAK", decoded.commitUser());
        // 0x24 = bits 2 and 5 (Company, LastModifiedDate); 1-0x04 = bit 2 of Name's fields (LastName)
        assertEquals(List.of("Company", "LastModifiedDate", "Name.LastName"), decoded.changedFields());
        assertEquals(List.of("Email"), decoded.nulledFields());      // 0x08 = bit 3
        assertEquals(List.of(), decoded.diffFields());
        // values of the changed fields only: Name.FirstName has a value but did not change
        assertEquals(Map.of("Company", "Analytical Engines", "LastModifiedDate", 1_733_220_000_000L,
                "Name.LastName", "Lovelace"), decoded.values());
        assertEquals(REPLAY, decoded.replayId());
    }

    @Test
    void aCreateCarriesEveryFieldWithAValue() {
        GenericRecord name = new GenericData.Record(NAME);
        name.put("LastName", "Hopper");
        GenericRecord event = event(header("CREATE", List.of(ID), List.of(), List.of(), List.of()), name);
        event.put("Company", "Navy");
        event.put("NumberOfEmployees", 42);

        ChangeEvent decoded = DECODER.decode(encode(event), REPLAY);

        assertEquals(ChangeType.CREATE, decoded.changeType());
        assertEquals(Map.of("Name.LastName", "Hopper", "Company", "Navy", "NumberOfEmployees", 42), decoded.values());
    }

    @Test
    void gapEventsCarryIdsButNoValues() {
        for (String type : List.of("GAP_CREATE", "GAP_UPDATE", "GAP_DELETE", "GAP_UNDELETE")) {
            GenericRecord event = event(header(type, List.of(ID, "00Q5e00000AbCdFEAZ"), List.of(), List.of(),
                    List.of()), null);
            event.put("Company", "ignored");

            ChangeEvent decoded = DECODER.decode(encode(event), REPLAY);

            assertEquals(ChangeType.valueOf(type), decoded.changeType());
            assertTrue(decoded.changeType().isGap());
            assertEquals(List.of(ID, "00Q5e00000AbCdFEAZ"), decoded.recordIds());
            assertEquals(Map.of(), decoded.values());
        }
    }

    @Test
    void gapOverflowHasNoRecordIds() {
        ChangeEvent decoded = DECODER.decode(encode(event(header("GAP_OVERFLOW", List.of(), List.of(), List.of(),
                List.of()), null)), REPLAY);

        assertEquals(ChangeType.GAP_OVERFLOW, decoded.changeType());
        assertTrue(decoded.changeType().isGap());
        assertEquals(List.of(), decoded.recordIds());
        assertEquals(Map.of(), decoded.values());
        assertFalse(ChangeType.UPDATE.isGap());
    }

    @Test
    void aDeleteCarriesNoValues() {
        ChangeEvent decoded = DECODER.decode(encode(event(header("DELETE", List.of(ID), List.of(), List.of(),
                List.of()), null)), REPLAY);

        assertEquals(ChangeType.DELETE, decoded.changeType());
        assertEquals(Map.of(), decoded.values());
    }

    @Test
    void bitmapsWiderThanALongSelectTheRightFields() {
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("WideChangeEvent")
                .namespace("com.sforce.eventbus").fields().name("ChangeEventHeader").type(HEADER).noDefault();
        for (int i = 1; i < 70; i++) {
            fields = fields.optionalString("F" + i + "__c");
        }
        Schema wide = fields.endRecord();
        GenericRecord event = new GenericData.Record(wide);
        // 18 hex digits: a number of 69 bits, over the 70 fields (header at 0, F1__c at 1 ... F69__c at 69)
        event.put("ChangeEventHeader", header("UPDATE", List.of(ID), List.of("0x100000000000000012"), List.of(),
                List.of()));
        event.put("F1__c", "a");
        event.put("F4__c", "b");
        event.put("F68__c", "c");

        ChangeEvent decoded = ChangeEventDecoder.forSchema(wide.toString()).decode(encode(event), REPLAY);

        // 0x100000000000000012 = 2^68 + 2^4 + 2^1
        assertEquals(List.of("F1__c", "F4__c", "F68__c"), decoded.changedFields());
    }

    @Test
    void malformedBitmapsAreRefused() {
        for (List<String> bitmaps : List.of(List.of("0x"), List.of("24"), List.of("0xZZ"), List.of("0x40"),
                List.of("2-0x01"), List.of("9-0x01"), List.of("x-0x01"), List.of("1-0x08"))) {
            byte[] payload = encode(event(header("UPDATE", List.of(ID), bitmaps, List.of(), List.of()), null));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DECODER.decode(payload, REPLAY), bitmaps.toString());
            assertFalse(e.getMessage().isBlank());
        }
    }

    @Test
    void aPayloadThatDoesNotDecodeNamesNoValue() {
        GenericRecord event = event(header("UPDATE", List.of(ID), List.of("0x04"), List.of(), List.of()), null);
        event.put("Company", "Secret Customer Inc");
        byte[] payload = encode(event);
        byte[] truncated = Arrays.copyOf(payload, payload.length - 4);
        byte[] trailing = Arrays.copyOf(payload, payload.length + 1);

        for (byte[] bad : List.of(truncated, trailing)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DECODER.decode(bad, REPLAY));
            assertFalse(e.getMessage().contains("Secret"), e.getMessage());
            assertTrue(e.getMessage().contains(REPLAY.toString()), e.getMessage());
        }
    }

    @Test
    void toStringNamesFieldsNotValues() {
        GenericRecord event = event(header("UPDATE", List.of(ID), List.of("0x04"), List.of(), List.of()), null);
        event.put("Company", "Secret Customer Inc");

        String text = DECODER.decode(encode(event), REPLAY).toString();

        assertFalse(text.contains("Secret"), text);
        assertTrue(text.contains("Company") && text.contains(ID) && text.contains("UPDATE"), text);
    }

    @Test
    void schemasThatAreNotChangeEventsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ChangeEventDecoder.forSchema("{not json"));
        assertThrows(IllegalArgumentException.class, () -> ChangeEventDecoder.forSchema("\"string\""));
        assertThrows(IllegalArgumentException.class, () -> ChangeEventDecoder.forSchema(NAME.toString()));
        assertThrows(NullPointerException.class, () -> DECODER.decode(null, REPLAY));
        assertThrows(NullPointerException.class, () -> DECODER.decode(new byte[0], null));
        assertEquals("com.sforce.eventbus.LeadChangeEvent", DECODER.schemaName());
    }

    @Test
    void replayIdsCompareByBytesAndRoundTripThroughHex() {
        byte[] bytes = {0, 0, 0, 0, 0, 0, 0x1f, 0x42};
        ReplayId id = ReplayId.of(bytes);
        bytes[7] = 0;   // a copy was taken

        assertEquals(REPLAY, id);
        assertEquals(REPLAY.hashCode(), id.hashCode());
        assertEquals("0000000000001f42", id.toHex());
        assertEquals(id, ReplayId.fromHex("0000000000001F42"));
        assertEquals("ReplayId[0000000000001f42]", id.toString());
        assertFalse(id.equals(ReplayId.of(new byte[] {1})));
        assertThrows(IllegalArgumentException.class, () -> ReplayId.of(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> ReplayId.fromHex("abc"));
        assertThrows(IllegalArgumentException.class, () -> ReplayId.fromHex("zz"));
        assertThrows(IllegalArgumentException.class, () -> ReplayId.fromHex(""));
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    private static GenericRecord header(String type, List<String> ids, List<String> changed, List<String> nulled,
                                        List<String> diff) {
        GenericRecord header = new GenericData.Record(HEADER);
        header.put("entityName", "Lead");
        header.put("recordIds", ids);
        header.put("changeType", new GenericData.EnumSymbol(HEADER.getField("changeType").schema(), type));
        header.put("changeOrigin", "com/salesforce/api/rest/62.0");
        header.put("transactionKey", "0002343d-9d90-e395-ed20-cf416ba652ad");
        header.put("sequenceNumber", 3);
        header.put("commitTimestamp", 1_733_220_000_123L);
        header.put("commitNumber", 10_924_523_456L);
        header.put("commitUser", "0055e000001AbCdAAK");
        header.put("nulledFields", nulled);
        header.put("diffFields", diff);
        header.put("changedFields", changed);
        return header;
    }

    private static GenericRecord event(GenericRecord header, GenericRecord name) {
        GenericRecord event = new GenericData.Record(LEAD);
        event.put("ChangeEventHeader", header);
        event.put("Name", name);
        return event;
    }

    private static byte[] encode(GenericRecord record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
