package dev.crmsync.core;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.StepReport;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.CrmOperation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A peer complaint (issue 14): formula and roll-up fields change without moving the record's
 * stamp, so every polling copy goes stale. The calculated refresh re-reads a bounded slice of
 * stored records per cycle and writes only what differs. (No lookback here: a lookback re-reads the
 * records near the cursor, which would hide the problem for the newest ones.)
 */
class CalculatedFieldsRefreshTest {

    private static final String SCORE = "Score__c";

    private final BidiHarness h = new BidiHarness();

    CalculatedFieldsRefreshTest() {
        FieldSchema formula = FieldSchema.builder(SCORE, FieldType.DOUBLE).calculated(true).updateable(false)
                .createable(false).build();
        h.crm.addField(ObjectType.ACCOUNT, formula);
        h.crm.addField(ObjectType.LEAD, formula);
    }

    private long fetches() {
        return h.crm.callCounts().getOrDefault(CrmOperation.FETCH.callName(), 0L);
    }

    private List<CrmId> accounts(int n) {
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CrmId id = h.crm.insert(ObjectType.ACCOUNT, fields("Name", "A" + i));
            h.crm.setCalculated(ObjectType.ACCOUNT, id, SCORE, FieldValue.number(1));
            ids.add(id);
        }
        return ids;
    }

    @Test
    void withoutARefreshAFormulaChangeNeverReachesTheStore() {
        List<CrmId> ids = accounts(2);
        try (SyncEngine engine = h.builder().lookback(java.time.Duration.ZERO).objectTypes(ObjectType.ACCOUNT).build()) {
            h.cycle(engine);
            h.crm.setCalculated(ObjectType.ACCOUNT, ids.get(0), SCORE, FieldValue.number(7));
            h.cycle(engine);
            h.cycle(engine);
        }
        assertEquals(FieldValue.number(1), h.storeValue(ObjectType.ACCOUNT, ids.get(0), SCORE), "stale: the problem");
    }

    @Test
    void aRefreshBringsFormulaChangesWithinCeilOfNOverTheSliceCyclesAtOneFetchACycle() {
        List<CrmId> ids = accounts(3);
        try (SyncEngine engine = h.builder().lookback(java.time.Duration.ZERO).objectTypes(ObjectType.ACCOUNT).calculatedRefresh(ObjectType.ACCOUNT, 2)
                .build()) {
            h.cycle(engine);
            for (CrmId id : ids) {
                h.crm.setCalculated(ObjectType.ACCOUNT, id, SCORE, FieldValue.number(9));
            }
            List<Long> fetched = new ArrayList<>();
            List<Long> updated = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                long before = fetches();
                TypeReport r = h.cycle(engine).type(ObjectType.ACCOUNT).orElseThrow();
                fetched.add(fetches() - before);
                updated.add(r.counts().updated());
                assertTrue(r.steps().stream().anyMatch(s -> s.step() == StepReport.Step.REFRESH_CALCULATED));
            }
            assertEquals(List.of(1L, 1L), fetched, "one fetch of at most two records a cycle");
            assertEquals(List.of(2L, 1L), updated, "two records, then the third: only what differs is written");
            for (CrmId id : ids) {
                assertEquals(FieldValue.number(9), h.storeValue(ObjectType.ACCOUNT, id, SCORE), id::value);
            }
            TypeReport again = h.cycle(engine).type(ObjectType.ACCOUNT).orElseThrow();
            assertEquals(0, again.counts().updated(), "nothing differs: nothing written");
        }
    }

    @Test
    void onATwoWayTypeTheRefreshWritesTheStoreOnlyAndNeverTheCrm() {
        CrmId lead = h.lead("Doe", "Acme");
        h.crm.setCalculated(ObjectType.LEAD, lead, SCORE, FieldValue.number(1));
        try (SyncEngine engine = h.builder().lookback(java.time.Duration.ZERO).objectTypes(ObjectType.LEAD).calculatedRefresh(ObjectType.LEAD, 100)
                .build()) {
            h.cycle(engine);
            h.cycle(engine);
            h.crm.setCalculated(ObjectType.LEAD, lead, SCORE, FieldValue.number(5));
            long writes = h.crmWrites();
            h.cycle(engine);
            assertEquals(FieldValue.number(5), h.storeValue(ObjectType.LEAD, lead, SCORE));
            assertEquals(writes, h.crmWrites(), "a calculated value is the CRM's: nothing written back");
            h.assertQuiet(engine);
        }
    }

    @Test
    void aTypeWithoutCalculatedFieldsIsNotReRead() {
        h.crm.insert(ObjectType.CONTACT, fields("LastName", "Roe"));
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.CONTACT).calculatedRefresh(ObjectType.CONTACT, 100)
                .build()) {
            h.cycle(engine);
            long before = fetches();
            h.cycle(engine);
            assertEquals(before, fetches(), "no calculated field: no re-read");
        }
    }

    @Test
    void theRefreshChecksItsArguments() {
        assertThrows(IllegalArgumentException.class, () -> h.builder().calculatedRefresh(ObjectType.ACCOUNT, -1));
        assertThrows(NullPointerException.class, () -> h.builder().calculatedRefresh(null, 1));
    }
}
