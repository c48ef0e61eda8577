package dev.crmsync.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.QuotaExceededException;
import dev.crmsync.salesforce.ApiBudget;
import org.junit.jupiter.api.Test;

class CallBudgetTest {

    @Test
    void unknownLimitAllowsCalls() {
        CallBudget b = new CallBudget(new ApiBudget(0.01, 0.01));
        for (int i = 0; i < 100; i++) {
            b.beforeCall("query");
        }
    }

    @Test
    void perCycleShareStopsBeforeItIsExceeded() {
        CallBudget b = new CallBudget(new ApiBudget(0.10, 1.0));
        b.update(LimitInfo.parse("api-usage=0/100"));
        for (int i = 0; i < 10; i++) {
            b.beforeCall("query");
        }
        QuotaExceededException e = assertThrows(QuotaExceededException.class, () -> b.beforeCall("queryMore"));
        assertTrue(e.getMessage().contains("10 of 10 calls"), e.getMessage());
        assertTrue(e.getMessage().contains("queryMore"), e.getMessage());
    }

    @Test
    void aNewCycleHasItsShareAgain() {
        CallBudget b = new CallBudget(new ApiBudget(0.10, 1.0));
        b.update(LimitInfo.parse("api-usage=0/100"));
        for (int i = 0; i < 10; i++) {
            b.beforeCall("query");
        }
        b.beginCycle();
        b.beforeCall("query");
        assertEquals(1, b.usage().orElseThrow().callsThisCycle());
    }

    @Test
    void totalShareCountsEveryClientsUsage() {
        CallBudget b = new CallBudget(new ApiBudget(1.0, 0.80));
        b.update(LimitInfo.parse("api-usage=79/100"));
        b.beforeCall("query");
        assertThrows(QuotaExceededException.class, () -> b.beforeCall("query"));
    }

    @Test
    void aNewCycleMakesOneCallToLearnTheCurrentUsage() {
        CallBudget b = new CallBudget(new ApiBudget(1.0, 0.80));
        b.update(LimitInfo.parse("api-usage=80/100"));
        assertThrows(QuotaExceededException.class, () -> b.beforeCall("query"));
        b.beginCycle();
        b.beforeCall("describe"); // the probe: its header says usage fell over the rolling day
        b.update(LimitInfo.parse("api-usage=10/100"));
        b.beforeCall("query");
        b.beginCycle();
        b.beforeCall("describe");
        b.update(LimitInfo.parse("api-usage=80/100"));
        assertThrows(QuotaExceededException.class, () -> b.beforeCall("query"), "still at the cap: one call only");
    }

    @Test
    void headerReplacesTheLocalCount() {
        CallBudget b = new CallBudget(new ApiBudget(1.0, 0.80));
        b.update(LimitInfo.parse("api-usage=79/100"));
        b.beforeCall("query");
        b.update(LimitInfo.parse("api-usage=50/100"));
        b.beforeCall("query");
        assertEquals(51, b.usage().orElseThrow().used());
    }

    @Test
    void connectedAppLimitIsHonoured() {
        CallBudget b = new CallBudget(ApiBudget.UNLIMITED);
        b.update(LimitInfo.parse("api-usage=1/100000; per-app-api-usage=249/250(appName=crmsync)"));
        b.beforeCall("query");
        QuotaExceededException e = assertThrows(QuotaExceededException.class, () -> b.beforeCall("query"));
        assertTrue(e.getMessage().contains("crmsync"), e.getMessage());
    }

    @Test
    void usageIsEmptyUntilAHeaderArrives() {
        CallBudget b = new CallBudget(ApiBudget.DEFAULT);
        assertTrue(b.usage().isEmpty());
        b.update(LimitInfo.parse("api-usage=18/5000"));
        assertEquals(4982, b.usage().orElseThrow().remaining());
    }
}
