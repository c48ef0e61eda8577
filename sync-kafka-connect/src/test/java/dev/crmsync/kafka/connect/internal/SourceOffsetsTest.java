package dev.crmsync.kafka.connect.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crmsync.crm.Cursor;
import dev.crmsync.kafka.connect.internal.SourceOffsets.Position;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

class SourceOffsetsTest {

    /**
     * Connect finds an offset by its partition's serialized bytes; the offsets REST API rebuilds a partition from
     * JSON as a HashMap. The partition must serialize to the same bytes after that round trip.
     */
    @Test
    void aPartitionSerializesTheSameAfterAJsonRoundTrip() {
        try (JsonConverter json = new JsonConverter()) {
            json.configure(Map.of("schemas.enable", "false"), true);
            Map<String, String> partition = SourceOffsets.partition("orgA", ObjectType.OPPORTUNITY);
            byte[] bytes = json.fromConnectData("offsets", null, partition);
            Object back = json.toConnectData("offsets", bytes).value();
            assertArrayEquals(bytes, json.fromConnectData("offsets", null, back));
        }
    }

    @Test
    void anOffsetRoundTripsAndAMalformedOneIsNamed() {
        Position p = new Position(Cursor.after(Instant.parse("2026-12-01T10:00:00Z"), CrmId.of("001000000000001")),
                true, 0);
        assertEquals(p, SourceOffsets.position("orgA", ObjectType.ACCOUNT, SourceOffsets.offset(p)));
        assertEquals(Position.START, SourceOffsets.position("orgA", ObjectType.ACCOUNT, null));
        Map<String, Object> bad = new java.util.HashMap<>(SourceOffsets.offset(p));
        bad.put("stamp", "yesterday");
        ConnectException e = assertThrows(ConnectException.class,
                () -> SourceOffsets.position("orgA", ObjectType.ACCOUNT, bad));
        assertEquals("offset of org orgA, type Account: stamp is not an ISO-8601 instant", e.getMessage());
    }
}
