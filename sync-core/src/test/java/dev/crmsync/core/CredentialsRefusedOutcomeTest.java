package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.spy;

import dev.crmsync.core.report.CycleOutcome;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.model.CredentialsRefusedException;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import org.junit.jupiter.api.Test;

/**
 * A CRM source that reports refused credentials with {@link CredentialsRefusedException} gives the report a typed
 * code (the type's and, when every type failed so, the cycle's); any other failure gives none.
 */
class CredentialsRefusedOutcomeTest {

    private final EngineHarness h = new EngineHarness();

    private SyncReport cycleWhereDescribeThrows(RuntimeException failure, ObjectType... types) {
        CrmSource crm = spy(h.crm);
        for (ObjectType t : types) {
            doThrow(failure).when(crm).describe(t);
        }
        try (SyncEngine engine = SyncEngine.builder().crmSource(crm).marketingStore(h.store)
                .syncStateStore(h.state).clock(h.clock).objectTypes(types).build()) {
            return engine.runCycle();
        }
    }

    @Test
    void everyTypeRefusedMakesAFailedCycleWithTheCode() {
        SyncReport r = cycleWhereDescribeThrows(new CredentialsRefusedException("token refused", "invalid_grant"),
                ObjectType.USER, ObjectType.ACCOUNT);
        CycleOutcome.Failed cycle = assertInstanceOf(CycleOutcome.Failed.class, r.outcome(), r::toTable);
        assertEquals(CredentialsRefusedException.CODE, cycle.code());
        TypeOutcome.Failed account = assertInstanceOf(TypeOutcome.Failed.class,
                r.type(ObjectType.ACCOUNT).orElseThrow().outcome());
        assertEquals(CredentialsRefusedException.CODE, account.code());
    }

    @Test
    void listingTheTypesRefusedMakesAFailedCycleWithTheCode() {
        CrmSource crm = spy(h.crm);
        doThrow(new CredentialsRefusedException("token refused", "invalid_client")).when(crm).availableTypes();
        try (SyncEngine engine = SyncEngine.builder().crmSource(crm).marketingStore(h.store)
                .syncStateStore(h.state).clock(h.clock).build()) {
            SyncReport r = engine.runCycle();
            CycleOutcome.Failed cycle = assertInstanceOf(CycleOutcome.Failed.class, r.outcome(), r::toTable);
            assertEquals(CredentialsRefusedException.CODE, cycle.code());
        }
    }

    @Test
    void anotherFailureHasNoCodeEvenWordedLikeATokenFailure() {
        SyncReport r = cycleWhereDescribeThrows(new SyncException("Salesforce OAuth token request failed with HTTP 503"),
                ObjectType.ACCOUNT);
        CycleOutcome.Failed cycle = assertInstanceOf(CycleOutcome.Failed.class, r.outcome(), r::toTable);
        assertEquals("", cycle.code());
        assertEquals("", assertInstanceOf(TypeOutcome.Failed.class,
                r.type(ObjectType.ACCOUNT).orElseThrow().outcome()).code());
    }
}
