package dev.crmsync.crm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConvertAndMergeSpiTest {

    private static final CrmId LEAD = CrmId.of("00Q000000000001");
    private static final CrmId LEAD2 = CrmId.of("00Q000000000002");
    private static final CrmId LEAD3 = CrmId.of("00Q000000000003");
    private static final CrmId LEAD4 = CrmId.of("00Q000000000004");

    /** A source that implements nothing optional. */
    private static final class Bare implements CrmSource {
        @Override public Set<ObjectType> availableTypes() { return Set.of(); }
        @Override public Optional<ObjectSchema> describe(ObjectType type) { return Optional.empty(); }
        @Override public ChangeStream openChanges(ChangeQuery query) { throw new UnsupportedOperationException(); }
        @Override public DeletedRecords deletedSince(ObjectType type, Instant start, Instant end) {
            throw new UnsupportedOperationException();
        }
        @Override public List<dev.crmsync.model.SyncRecord> fetch(ObjectType type, Collection<CrmId> ids, Set<String> fields) {
            throw new UnsupportedOperationException();
        }
        @Override public List<CrmWriteResult> write(ObjectType type, List<? extends CrmWrite> writes) {
            throw new UnsupportedOperationException();
        }
        @Override public Map<String, Long> callCounts() { return Map.of(); }
        @Override public void close() { }
    }

    @Test
    void convertLeadIsRefusedPerRecordByDefault() {
        LeadConvertResult r = new Bare().convertLead(LeadConvert.of(LEAD, "Closed - Converted"));
        assertFalse(r.success());
        assertEquals(LEAD, r.leadId());
        assertEquals(CrmSource.CONVERT_NOT_SUPPORTED, r.rejection().code());
        assertFalse(r.rejection().retriable());
    }

    @Test
    void mergeIsRefusedPerRecordByDefault() {
        MergeResult r = new Bare().mergeRecords(ObjectType.LEAD, LEAD, List.of(LEAD2));
        assertFalse(r.success());
        assertEquals(CrmSource.MERGE_NOT_SUPPORTED, r.rejection().code());
        assertTrue(r.mergedRecordIds().isEmpty());
    }

    @Test
    void mergeTakesOneOrTwoDistinctLosersOfAMergeableType() {
        Bare b = new Bare();
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> b.mergeRecords(ObjectType.LEAD, LEAD, List.of())).getMessage().contains("got 0"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> b.mergeRecords(ObjectType.LEAD, LEAD, List.of(LEAD2, LEAD3, LEAD4))).getMessage().contains("got 3"));
        assertThrows(IllegalArgumentException.class, () -> b.mergeRecords(ObjectType.LEAD, LEAD, List.of(LEAD2, LEAD2)));
        assertThrows(IllegalArgumentException.class, () -> b.mergeRecords(ObjectType.LEAD, LEAD, List.of(LEAD)));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> b.mergeRecords(ObjectType.CAMPAIGN, LEAD, List.of(LEAD2))).getMessage().contains("Campaign"));
        assertThrows(NullPointerException.class, () -> b.convertLead(null));
    }

    @Test
    void leadConvertValidatesAndKeepsTheOpportunityNameOutOfToString() {
        assertThrows(IllegalArgumentException.class, () -> LeadConvert.of(LEAD, " "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LeadConvert(LEAD, "Closed - Converted",
                null, CrmId.of("003000000000001"), false, null, null, false, false)).getMessage().contains("accountId"));
        assertThrows(IllegalArgumentException.class, () -> new LeadConvert(LEAD, "Closed - Converted", null, null,
                false, "x".repeat(121), null, false, false));
        LeadConvert c = new LeadConvert(LEAD, "Closed - Converted", null, null, false, "Acme secret deal",
                null, false, false);
        assertFalse(c.toString().contains("Acme"));
        assertTrue(c.toString().contains(LEAD.value()));
    }

    @Test
    void resultsShowTheReasonNotTheCrmMessage() {
        CrmWriteResult.Rejected rej = new CrmWriteResult.Rejected("INVALID_STATUS", "status 'jane@x.com' bad",
                List.of(), false);
        String a = LeadConvertResult.rejected(LEAD, rej).toString();
        String m = MergeResult.rejected(LEAD, rej).toString();
        assertTrue(a.contains("INVALID_STATUS") && !a.contains("jane"), a);
        assertTrue(m.contains("INVALID_STATUS") && !m.contains("jane"), m);
        assertThrows(IllegalArgumentException.class, () -> new LeadConvertResult(LEAD, null, null, null, null));
    }
}
