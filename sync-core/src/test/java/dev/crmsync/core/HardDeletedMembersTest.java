package dev.crmsync.core;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.StepReport;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.CrmOperation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A peer complaint (issue 14): Salesforce hard-deletes a campaign member removed from its campaign
 * — never in the recycle bin, {@code queryAll} or {@code getDeleted} — so a polling sync never
 * hears of it. The engine sweeps the stored members' ids against the CRM, a bounded slice per
 * cycle, and flags the missing ones deleted.
 */
class HardDeletedMembersTest {

    private final BidiHarness h = new BidiHarness();
    private final CrmId campaign = h.campaign("Spring");
    private final List<CrmId> members = new ArrayList<>();

    HardDeletedMembersTest() {
        for (int i = 0; i < 5; i++) {
            CrmId lead = h.lead("L" + i, "Acme");
            members.add(h.crm.insert(ObjectType.CAMPAIGN_MEMBER, fields("CampaignId", campaign, "LeadId", lead)));
        }
    }

    private long fetches() {
        return h.crm.callCounts().getOrDefault(CrmOperation.FETCH.callName(), 0L);
    }

    private static TypeReport members(dev.crmsync.core.report.SyncReport r) {
        return r.type(ObjectType.CAMPAIGN_MEMBER).orElseThrow();
    }

    @Test
    void theFakeRemovesAMemberWithoutATraceInTheDeleteLog() {
        Instant before = h.clock.instant().minusSeconds(60);
        h.crm.delete(ObjectType.CAMPAIGN_MEMBER, members.get(0));
        assertTrue(h.crm.get(ObjectType.CAMPAIGN_MEMBER, members.get(0)).isEmpty());
        assertTrue(h.crm.deletedSince(ObjectType.CAMPAIGN_MEMBER, before, h.clock.instant().plusSeconds(1))
                .deletions().isEmpty(), "not in the delete log");
        assertEquals(4, h.crm.count(ObjectType.CAMPAIGN_MEMBER));
    }

    @Test
    void aMemberRemovedInTheCrmIsFlaggedDeletedByTheNextCycleSweep() {
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.cycle(engine);
            h.crm.delete(ObjectType.CAMPAIGN_MEMBER, members.get(2));
            long before = fetches();
            TypeReport r = members(h.cycle(engine));
            assertTrue(h.inStore(ObjectType.CAMPAIGN_MEMBER, members.get(2)).crmDeleted(), "flagged deleted");
            assertFalse(h.inStore(ObjectType.CAMPAIGN_MEMBER, members.get(1)).crmDeleted());
            assertEquals(1, r.counts().deleted(), r::toString);
            assertEquals(before + 1, fetches(), "five ids: one fetch of the CRM");
            assertTrue(r.steps().stream().anyMatch(s -> s.step() == StepReport.Step.SWEEP_IDS));
            assertTrue(r.notes().stream().anyMatch(n -> n.contains("1 removed in the CRM without a trace")), r::toString);
            h.assertQuiet(engine);
        }
    }

    @Test
    void theSweepIsBoundedPerCycleAndCoversEveryMemberInCeilOfNOverTheSliceCycles() {
        try (SyncEngine engine = h.builder().idSweep(ObjectType.CAMPAIGN_MEMBER, 2).build()) {
            h.cycle(engine);
            h.crm.delete(ObjectType.CAMPAIGN_MEMBER, members.get(4));     // the last id: found on the third slice
            List<Long> fetched = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                long before = fetches();
                h.cycle(engine);
                fetched.add(fetches() - before);
                assertEquals(i == 2, h.inStore(ObjectType.CAMPAIGN_MEMBER, members.get(4)).crmDeleted(), "cycle " + i);
            }
            assertEquals(List.of(1L, 1L, 1L), fetched, "one fetch of at most two ids per cycle");
            dev.crmsync.store.EngineIntent.IdSweep at = (dev.crmsync.store.EngineIntent.IdSweep) h.state.intent(
                    ObjectType.CAMPAIGN_MEMBER, dev.crmsync.store.EngineIntent.IdSweep.KEY,
                    dev.crmsync.store.EngineIntent.Kind.ID_SWEEP).orElseThrow();
            assertEquals(1, at.passes(), "a pass: three cycles");
            assertEquals(null, at.after(), "the next pass starts over");
        }
    }

    @Test
    void withoutTheSweepARemovedMemberIsNeverHeardOf() {
        try (SyncEngine engine = h.builder().idSweep(ObjectType.CAMPAIGN_MEMBER, 0).build()) {
            h.cycle(engine);
            h.crm.delete(ObjectType.CAMPAIGN_MEMBER, members.get(0));
            h.cycle(engine);
            h.cycle(engine);
            assertFalse(h.inStore(ObjectType.CAMPAIGN_MEMBER, members.get(0)).crmDeleted(),
                    "the delete log never names it: the reason for the sweep");
        }
    }

    @Test
    void theSweepChecksItsArguments() {
        assertThrows(IllegalArgumentException.class, () -> h.builder().idSweep(ObjectType.ACCOUNT, 10));
        assertThrows(IllegalArgumentException.class, () -> h.builder().idSweep(ObjectType.CAMPAIGN_MEMBER, -1));
        assertThrows(NullPointerException.class, () -> h.builder().idSweep(null, 1));
    }
}
