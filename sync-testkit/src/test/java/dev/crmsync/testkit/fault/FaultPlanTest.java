package dev.crmsync.testkit.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.QuotaExceededException;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.model.SyncException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scheduling rules of the one fault plan, over a plain operation type. */
class FaultPlanTest {

    private final FaultPlan<String> plan = new FaultPlan<>();

    @Test
    void failNextQueuesFaultsInOrderPerOperation() {
        plan.failNext("a", 1, Fault.fatal()).failNext("a", 1, Fault.loseAnswer());
        assertEquals(Fault.fatal(), plan.onCall("a").fault());
        assertNull(plan.onCall("b").fault());
        assertEquals(Fault.loseAnswer(), plan.onCall("a").fault());
        assertEquals(FaultPlan.Due.NONE, plan.onCall("a"));
        assertEquals(2, plan.injectedCount());
    }

    @Test
    void theCallPointComesBeforeQueuedFaultsAndCountsEveryOperation() {
        plan.failNext("a", 1, Fault.fatal()).failAtCall(2, Fault.crash());
        assertEquals(Fault.fatal(), plan.onCall("a").fault());
        plan.failNext("a", 1, Fault.fatal());
        assertEquals(Fault.crash(), plan.onCall("a").fault(), "the call point wins; the queued fault waits");
        assertEquals(Fault.fatal(), plan.onCall("a").fault());
    }

    @Test
    void latenciesAddUpAndDoNotDecideTheOutcome() {
        plan.latency(Duration.ofSeconds(1)).latency("a", Duration.ofSeconds(2))
                .failNext("a", 1, Fault.latency(Duration.ofSeconds(4))).failNext("a", 1, Fault.retriable());
        FaultPlan.Due due = plan.onCall("a");
        assertEquals(Duration.ofSeconds(7), due.delay());
        assertEquals(Fault.retriable(), due.fault());
        assertEquals(Duration.ofSeconds(1), plan.onCall("b").delay());
        assertEquals(new FaultPlan.Due(Duration.ofSeconds(3), null), plan.onCall("a"));
    }

    @Test
    void aSpentQuotaRefusesEveryCallAndConsumesNothingElse() {
        plan.quotaExceededAfter(1).failNext("a", 1, Fault.fatal());
        assertEquals(Fault.fatal(), plan.onCall("a").fault());
        plan.failNext("a", 1, Fault.fatal());
        assertEquals(Fault.quotaExceeded(), plan.onCall("a").fault());
        assertEquals(Fault.quotaExceeded(), plan.onCall("b").fault());
        plan.clear();
        assertEquals(FaultPlan.Due.NONE, plan.onCall("a"));
    }

    @Test
    void ratesAreSeededAndAZeroRateRemovesTheRule() {
        assertEquals(draws(3), draws(3));
        plan.failRate("a", 1, Fault.retriable()).failRate("a", 0, Fault.retriable());
        assertEquals(FaultPlan.Due.NONE, plan.onCall("a"));
    }

    private static List<Boolean> draws(long seed) {
        FaultPlan<String> p = new FaultPlan<String>().seed(seed).failRate("a", 0.5, Fault.retriable());
        List<Boolean> out = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            out.add(p.onCall("a").fault() != null);
        }
        assertTrue(out.contains(true) && out.contains(false));
        return out;
    }

    @Test
    void predicateRulesMatchManyOperations() {
        plan.failNextWhere(op -> op.startsWith("/query"), 2, Fault.retriable());
        assertNull(plan.onCall("/limits").fault());
        assertEquals(Fault.retriable(), plan.onCall("/queryAll").fault());
        assertEquals(Fault.retriable(), plan.onCall("/query").fault());
        assertNull(plan.onCall("/query").fault());
    }

    @Test
    void rejectionsAreByRecord() {
        CrmId id = dev.crmsync.testkit.contract.ContractFixtures.lead(1);
        plan.reject(id, "LOCKED", true);
        assertEquals(new Fault.Reject("LOCKED", true), plan.rejection(id).orElseThrow());
        plan.stopRejecting(id);
        assertTrue(plan.rejection(id).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> plan.failNext("a", 1, new Fault.Reject("X", false)));
    }

    @Test
    void dueThrowsTheStandardExceptions() {
        assertThrows(RetriableSyncException.class, () -> new FaultPlan.Due(Duration.ZERO, Fault.retriable()).failBefore("op"));
        SyncException fatal = assertThrows(SyncException.class,
                () -> new FaultPlan.Due(Duration.ZERO, Fault.fatal()).failBefore("op"));
        assertTrue(!fatal.isRetriable());
        assertThrows(QuotaExceededException.class,
                () -> new FaultPlan.Due(Duration.ZERO, Fault.quotaExceeded()).failBefore("op"));
        assertThrows(SimulatedCrash.class, () -> new FaultPlan.Due(Duration.ZERO, Fault.crash()).failBefore("op"));
        FaultPlan.Due lost = new FaultPlan.Due(Duration.ZERO, Fault.loseAnswer());
        lost.failBefore("op");
        assertThrows(RetriableSyncException.class, () -> lost.failAfter("op"));
    }

    @Test
    void badArgumentsAreRefusedByName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> plan.failNext("a", 0, Fault.fatal()))
                .getMessage().contains("n must be"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> plan.failRate("a", 1.5, Fault.fatal()))
                .getMessage().contains("probability"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> plan.latency(Duration.ofSeconds(-1)))
                .getMessage().contains("delay"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> plan.failAtCall(0, Fault.crash()))
                .getMessage().contains("call number"));
        assertTrue(assertThrows(NullPointerException.class, () -> plan.failNext(null, 1, Fault.fatal()))
                .getMessage().contains("operation"));
    }
}
