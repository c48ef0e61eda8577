package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.SyncBase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The engine's three-way merge through its public API: one-sided changes flow, a conflict is the policy's. */
class RecordMergeTest {

    private static final CrmId ID = CrmId.of("00Q000000000001");
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private static FieldValue t(String s) {
        return FieldValue.text(s);
    }

    @Test
    void aOneSidedChangeFlowsAConflictIsDecidedByThePolicyAndACrmOwnedFieldTakesTheCrmsValue() {
        RecordMerge merge = RecordMerge.of(ObjectType.LEAD, ConflictPolicy.crmWins(),
                List.of("LastName", "Email", "Company", "Rating"), Set.of("Rating"));
        SyncBase base = new SyncBase(ObjectType.LEAD, ID, "m1",
                Map.of("LastName", t("Base"), "Email", t("a@x"), "Company", t("Acme"), "Rating", t("Cold")), T0, T0);
        SyncRecord crm = new SyncRecord(ObjectType.LEAD, ID,
                Map.of("LastName", t("Crm"), "Email", t("a@x"), "Company", t("Acme"), "Rating", t("Hot")),
                T0.plusSeconds(5), false);
        MarketingRecord mkt = new MarketingRecord(ObjectType.LEAD, "m1", ID,
                Map.of("LastName", t("Mkt"), "Email", t("b@x"), "Company", t("Acme"), "Rating", t("Warm")), false, null,
                T0.plusSeconds(9));
        RecordMerge.Outcome o = merge.merge(crm, mkt, base);
        assertEquals(Map.of("Email", t("b@x")), o.toCrm());
        assertEquals(Map.of("LastName", t("Crm"), "Rating", t("Hot")), o.toStore());
        assertEquals(1, o.decisions().size());
        assertEquals("LastName", o.decisions().get(0).conflict().field());
        assertEquals(Resolution.CRM, o.decisions().get(0).resolution());
        assertEquals(Map.of("LastName", t("Crm"), "Email", t("b@x"), "Company", t("Acme"), "Rating", t("Hot")), o.agreed());
        assertTrue(o.failed().isEmpty());

        RecordMerge echo = RecordMerge.of(ObjectType.LEAD, ConflictPolicy.crmWins(), List.of("LastName"), Set.of());
        SyncRecord same = new SyncRecord(ObjectType.LEAD, ID, Map.of("LastName", t("Base")), T0, false);
        MarketingRecord sameM = new MarketingRecord(ObjectType.LEAD, "m1", ID, Map.of("LastName", t("Base")), false,
                null, T0);
        assertTrue(echo.merge(same, sameM, base).nothingToWrite(), "the engine's own write coming back merges to nothing");
        assertThrows(IllegalArgumentException.class,
                () -> RecordMerge.of(ObjectType.ACCOUNT, ConflictPolicy.crmWins(), List.of("Name"), Set.of()));
    }
}
