package dev.crmsync.testkit.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.ObjectType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one call log: counts, order, recording and reset. */
class CallLogTest {

    @Test
    void countsInNaturalOrderAndRecordsOnlyWhenOn() {
        CallLog<StoreOperation> log = new CallLog<>();
        log.record(StoreOperation.LINK, ObjectType.LEAD, 1);
        log.recordCalls(true);
        log.record(StoreOperation.UPSERT, ObjectType.LEAD, 3);
        log.record(StoreOperation.LINK, null, 1);
        assertEquals(Map.of(StoreOperation.UPSERT, 1L, StoreOperation.LINK, 2L), log.counts());
        assertEquals(List.of(StoreOperation.UPSERT, StoreOperation.LINK), List.copyOf(log.counts().keySet()));
        assertEquals(3, log.total());
        assertEquals(List.of(new Call<>(2, StoreOperation.UPSERT, ObjectType.LEAD, 3),
                new Call<>(3, StoreOperation.LINK, null, 1)), log.calls());
        log.reset();
        assertEquals(0, log.total());
        assertTrue(log.calls().isEmpty());
        assertEquals(4, log.record(StoreOperation.LINK, null, 0), "sequence numbers keep rising");
    }
}
