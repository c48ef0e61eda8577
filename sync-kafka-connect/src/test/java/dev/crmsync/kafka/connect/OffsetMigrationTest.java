package dev.crmsync.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.Cursor;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class OffsetMigrationTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final CrmId ACCOUNT = CrmId.of("001000000000042AAA");
    private static final CrmId OPPORTUNITY = CrmId.of("006000000000007AAA");

    @Test
    void aHalfDoneCopyAndAnIncrementalTypeBecomeTheConnectorsOffsets() {
        InMemorySyncStateStore store = new InMemorySyncStateStore();
        store.saveCheckpoint(Checkpoint.initial(ObjectType.ACCOUNT, T0)
                .withCrmCursor(Cursor.after(T0.plusSeconds(42), ACCOUNT), 420, T0));
        store.saveCheckpoint(Checkpoint.initial(ObjectType.OPPORTUNITY, T0)
                .withCrmCursor(Cursor.after(T0.plusSeconds(7), OPPORTUNITY), 70, T0).withInitialCopyDone(T0));
        String body = OffsetMigration.toConnectOffsets(store, "org1",
                List.of(ObjectType.ACCOUNT, ObjectType.OPPORTUNITY, ObjectType.TASK));
        assertEquals("{\"offsets\":["
                + "{\"partition\":{\"org\":\"org1\",\"type\":\"Account\"},\"offset\":{\"stamp\":\"2026-12-01T10:00:42Z\","
                + "\"id\":\"001000000000042AAA\",\"phase\":\"copy\",\"copied\":420}},"
                + "{\"partition\":{\"org\":\"org1\",\"type\":\"Opportunity\"},\"offset\":{\"stamp\":\"2026-12-01T10:00:07Z\","
                + "\"id\":\"006000000000007AAA\",\"phase\":\"incremental\",\"copied\":0}}]}", body,
                "Task has no checkpoint: left out, the connector starts it with a full copy");
    }

    @Test
    void theConnectorsOffsetsBecomeCheckpointsAndKeepWhatConnectDoesNotHold() {
        Instant checked = T0.minusSeconds(3_600);
        FeedCursor feed = FeedCursor.of("12:3");
        InMemorySyncStateStore store = new InMemorySyncStateStore();
        store.saveCheckpoint(new Checkpoint(ObjectType.ACCOUNT, Cursor.START, true, 0, checked, feed, T0));
        String got = "{ \"offsets\": [ {\"partition\": {\"type\": \"Account\", \"org\": \"org1\"},"
                + " \"offset\": {\"copied\": 0, \"phase\": \"incremental\", \"stamp\": \"2026-12-02T08:00:00Z\","
                + " \"id\": \"001000000000042AAA\"}},"
                + " {\"partition\": {\"org\": \"org2\", \"type\": \"Account\"}, \"offset\": {\"stamp\": \"2026-12-02T09:00:00Z\","
                + " \"phase\": \"copy\", \"copied\": 5}},"
                + " {\"partition\": {\"org\": \"org1\", \"type\": \"Opportunity\"}, \"offset\": {\"stamp\": \"2026-12-02T07:00:00Z\","
                + " \"id\": \"006000000000007AAA\", \"phase\": \"copy\", \"copied\": 77}} ] }";
        Instant now = T0.plusSeconds(86_400);
        List<Checkpoint> saved = OffsetMigration.fromConnectOffsets(got, "org1", store, now);
        Checkpoint account = new Checkpoint(ObjectType.ACCOUNT,
                Cursor.after(Instant.parse("2026-12-02T08:00:00Z"), ACCOUNT), true, 0, checked, feed, now);
        Checkpoint opportunity = new Checkpoint(ObjectType.OPPORTUNITY,
                Cursor.after(Instant.parse("2026-12-02T07:00:00Z"), OPPORTUNITY), false, 77, null, FeedCursor.START, now);
        assertEquals(List.of(account, opportunity), saved, "org2's entry is skipped");
        assertEquals(account, store.checkpoint(ObjectType.ACCOUNT).orElseThrow(),
                "the deletion check and the feed cursor stay as the store had them");
        assertEquals(opportunity, store.checkpoint(ObjectType.OPPORTUNITY).orElseThrow());

        // and out again, into a second store: the same checkpoints
        InMemorySyncStateStore again = new InMemorySyncStateStore();
        again.saveCheckpoint(new Checkpoint(ObjectType.ACCOUNT, Cursor.START, false, 0, checked, feed, T0));
        assertEquals(saved, OffsetMigration.fromConnectOffsets(OffsetMigration.toConnectOffsets(store, "org1",
                List.of(ObjectType.ACCOUNT, ObjectType.OPPORTUNITY)), "org1", again, now));
    }

    @Test
    void malformedBodiesTwoWayTypesAndBadOrgIdsAreRefusedWithoutTheirValues() {
        InMemorySyncStateStore store = new InMemorySyncStateStore();
        assertThrows(IllegalArgumentException.class,
                () -> OffsetMigration.toConnectOffsets(store, "org1", List.of(ObjectType.LEAD)));
        assertThrows(IllegalArgumentException.class,
                () -> OffsetMigration.toConnectOffsets(store, "org 1", List.of(ObjectType.ACCOUNT)));
        assertThrows(IllegalArgumentException.class,
                () -> OffsetMigration.fromConnectOffsets("{\"offsets\": [", "org1", store, T0));
        assertThrows(IllegalArgumentException.class,
                () -> OffsetMigration.fromConnectOffsets("{\"nothing\": []}", "org1", store, T0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OffsetMigration.fromConnectOffsets("{\"offsets\": [{\"partition\": {\"org\": \"org1\","
                        + " \"type\": \"Account\"}, \"offset\": {\"stamp\": \"secret-ish\", \"phase\": \"copy\"}}]}",
                        "org1", store, T0));
        assertFalse(e.getMessage().contains("secret-ish"), e.getMessage());
        assertTrue(store.checkpoint(ObjectType.ACCOUNT).isEmpty(), "nothing saved");
    }
}
