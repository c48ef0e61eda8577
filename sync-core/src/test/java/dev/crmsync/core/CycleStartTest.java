package dev.crmsync.core;

import dev.crmsync.crm.CrmSource;

import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import dev.crmsync.model.ObjectType;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/** The engine tells its CRM source when each cycle starts, before any other call of the cycle. */
class CycleStartTest {

    private final EngineHarness h = new EngineHarness();

    @Test
    void everyCycleCallsBeginCycleOnceBeforeAnythingElse() {
        h.insertAccounts(3, "A");
        CrmSource crm = spy(h.crm);
        try (SyncEngine engine = SyncEngine.builder().crmSource(crm).marketingStore(h.store)
                .syncStateStore(h.state).clock(h.clock).objectTypes(ObjectType.ACCOUNT).build()) {
            engine.runCycle();
            engine.runCycle();
        }
        verify(crm, times(2)).beginCycle();
        InOrder order = inOrder(crm);
        order.verify(crm).beginCycle();
        order.verify(crm).describe(ObjectType.ACCOUNT);
        order.verify(crm).beginCycle();
        order.verify(crm).describe(ObjectType.ACCOUNT);
    }
}
