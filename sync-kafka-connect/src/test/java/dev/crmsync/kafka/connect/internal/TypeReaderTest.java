package dev.crmsync.kafka.connect.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.kafka.connect.internal.SourceOffsets.Position;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class TypeReaderTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration REST = Duration.ofSeconds(10);

    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).build();

    private TypeReader reader(Position start) {
        return new TypeReader("orgA", ObjectType.ACCOUNT, crm, "crm.orgA.Account", start);
    }

    private List<CrmId> insert(int n) {
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Account " + i))));
        }
        return ids;
    }

    @Test
    void aThousandAndOneRecordsOnOneStampCrossThePageBoundaryOnce() {
        List<CrmId> ids = insert(1_001);
        TypeReader r = reader(Position.START);
        List<SourceRecord> first = r.readPage(1_000, Duration.ZERO, REST, clock.instant());
        List<SourceRecord> second = r.readPage(1_000, Duration.ZERO, REST, clock.instant());
        assertEquals(1_000, first.size());
        assertEquals(1, second.size());
        Set<Object> keys = new HashSet<>();
        first.forEach(s -> keys.add(s.key()));
        second.forEach(s -> keys.add(s.key()));
        assertEquals(ids.stream().map(CrmId::value).collect(java.util.stream.Collectors.toSet()), keys);
        assertEquals(Map.of("stamp", T0.toString(), "id", second.get(0).key(), "phase", "copy", "copied", 1_001L),
                second.get(0).sourceOffset());
        assertTrue(r.readPage(1_000, Duration.ZERO, REST, clock.instant()).isEmpty(), "the copy ends on an empty page");
        assertTrue(r.position().copyDone());
        assertFalse(r.due(clock.instant()), "it rests after the sweep");
        assertTrue(r.due(clock.instant().plus(REST)));
    }

    @Test
    void aReaderStartedFromAStoredOffsetReadsOnlyWhatFollows() {
        insert(10);
        TypeReader r = reader(Position.START);
        List<SourceRecord> page = r.readPage(4, Duration.ZERO, REST, clock.instant());
        @SuppressWarnings("unchecked")
        Map<String, Object> stored = (Map<String, Object>) page.get(3).sourceOffset();
        Position resumed = SourceOffsets.position("orgA", ObjectType.ACCOUNT, stored);
        TypeReader again = reader(resumed);
        List<SourceRecord> rest = again.readPage(100, Duration.ZERO, REST, clock.instant());
        assertEquals(6, rest.size());
        assertFalse(rest.stream().anyMatch(s -> page.stream().anyMatch(p -> p.key().equals(s.key()))));
    }

    @Test
    void incrementalSweepsStepBackByTheLookbackAndNeverMoveTheCursorBack() {
        insert(3);
        TypeReader r = reader(Position.START);
        assertEquals(3, r.readPage(100, Duration.ofMinutes(5), REST, clock.instant()).size());
        assertTrue(r.readPage(100, Duration.ofMinutes(5), REST, clock.instant()).isEmpty());
        Position atEnd = r.position();
        clock.advance(Duration.ofMinutes(1));
        insert(1);
        List<SourceRecord> sweep = r.readPage(100, Duration.ofMinutes(5), REST, clock.instant().plus(REST));
        assertEquals(4, sweep.size(), "the three in the lookback window again, and the new one");
        assertTrue(r.position().cursor().compareTo(atEnd.cursor()) > 0);
        assertEquals(SourceOffsets.offset(atEnd), sweep.get(0).sourceOffset(), "a re-read record keeps the cursor");
        assertEquals("incremental", ((Map<?, ?>) sweep.get(3).sourceOffset()).get("phase"));
    }

    @Test
    void everyRecordCarriesTheTypesStoreFieldsFromTheDescribe() {
        insert(3);
        List<SourceRecord> page = reader(Position.START).readPage(100, Duration.ZERO, REST, clock.instant());
        assertEquals(3, page.size());
        java.util.List<dev.crmsync.store.StoreField> expected = StoreFieldsHeader.of(
                crm.describe(ObjectType.ACCOUNT).orElseThrow(),
                crm.describe(ObjectType.ACCOUNT).orElseThrow().readableFieldNames());
        assertTrue(expected.contains(new dev.crmsync.store.StoreField("Name", dev.crmsync.store.StoreField.Kind.TEXT,
                255, 0, 0)), "Name is described: " + expected);
        for (SourceRecord r : page) {
            assertEquals(1, r.headers().size());
            assertEquals(expected, StoreFieldsHeader.decode((String) r.headers().lastWithName(StoreFieldsHeader.NAME)
                    .value()));
        }
    }

    @Test
    void deletedRecordsTravelWithTheirFlag() {
        CrmId id = insert(1).get(0);
        crm.delete(ObjectType.ACCOUNT, id);
        List<SourceRecord> page = reader(Position.START).readPage(100, Duration.ZERO, REST, clock.instant());
        assertEquals(1, page.size());
        assertTrue(RecordCodec.decode(page.get(0).value()).record().deleted());
    }
}
