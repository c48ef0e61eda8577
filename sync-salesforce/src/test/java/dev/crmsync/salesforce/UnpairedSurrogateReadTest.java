package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.StoreChecks;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An unpaired UTF-16 surrogate in a CRM value reaches the engine as itself on the REST and the Bulk
 * path (it used to become {@code ?} silently), so the store refuses that record, naming its key
 * and the field; the rest of the page is stored (issue 10, defect 8).
 */
class UnpairedSurrogateReadTest {

    private static final ObjectType GADGET = ObjectType.of("Gadget__c");

    private final FakeOrg org = new FakeOrg();
    private final InMemoryMarketingStore store = new InMemoryMarketingStore(org.clock);
    private final InMemorySyncStateStore state = new InMemorySyncStateStore();

    @TempDir
    Path spill;

    @AfterEach
    void close() {
        org.close();
    }

    /** @param path "rest", "bulk", or "spill" (Bulk with sorted runs spilled to disk) */
    @ParameterizedTest
    @ValueSource(strings = {"rest", "bulk", "spill"})
    void theRecordIsRejectedNamingTheFieldAndTheRestIsStored(String path) {
        org.crm.defineType(GADGET, List.of(FieldSchema.of("Name", FieldType.STRING),
                FieldSchema.of("Notes__c", FieldType.TEXTAREA)));
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < 4_500; i++) {
            if (i % 400 == 0) {
                org.clock.advance(Duration.ofSeconds(1));
            }
            ids.add(org.crm.insert(GADGET, Map.of("Name", FieldValue.text("g" + i),
                    "Notes__c", FieldValue.text(i == 3_000 ? "lone \uD800 high" : i == 3_001 ? "lone \uDC00 low"
                            : "ok 😀 " + i))));
        }
        // the first page (2,000) comes through REST; Bulk reads the rest, where the lone surrogates are
        SalesforceCrmSource.Builder source = switch (path) {
            case "rest" -> org.source().bulkThreshold(Long.MAX_VALUE);
            case "bulk" -> org.source().bulkThreshold(1_000).bulkMaxRecordsPerResult(1_000).bulkSpillDirectory(spill);
            default -> org.source().bulkThreshold(1_000).bulkMaxRecordsPerResult(250).bulkSortBufferRecords(300)
                    .bulkSpillDirectory(spill);
        };
        try (SalesforceCrmSource sf = org.open(source);
             SyncEngine engine = SyncEngine.builder().crmSource(sf).marketingStore(store).syncStateStore(state)
                     .clock(org.clock).objectTypes(List.of(GADGET)).build()) {
            org.clock.advance(Duration.ofMinutes(5));
            SyncReport r = engine.runCycle();
            assertTrue(r.type(GADGET).orElseThrow().outcome() instanceof TypeOutcome.Synced, r::toTable);
            assertEquals(2, r.totals().failed(), r::toTable);
            if (!path.equals("rest")) {
                assertEquals(1L, sf.callCounts().get("bulk.create"), sf.callCounts().toString());
            }
        }
        assertEquals(4_498, store.size(GADGET), "the rest of the page is stored");
        for (int bad : new int[] {3_000, 3_001}) {
            CrmId id = ids.get(bad);
            FailedRecord f = state.failure(GADGET, RecordKey.crm(id), SyncSide.MARKETING).orElseThrow();
            assertEquals(StoreChecks.INVALID_TEXT, f.code());
            assertTrue(f.message().contains("Notes__c"), f::message);
            assertTrue(store.findByCrmIds(GADGET, List.of(id)).isEmpty(), "not stored altered");
        }
        assertEquals(FieldValue.text("ok 😀 699"), store.findByCrmIds(GADGET, List.of(ids.get(699))).get(ids.get(699))
                .get("Notes__c"), "paired surrogates are text like any other");
    }
}
