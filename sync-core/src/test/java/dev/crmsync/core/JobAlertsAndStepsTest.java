package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.StepReport;
import dev.crmsync.core.report.StepReport.Status;
import dev.crmsync.core.report.StepReport.Step;
import dev.crmsync.core.report.SyncAlert;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.CredentialsRefusedException;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.testkit.fault.StoreOperation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 9: job-level failures (refused credentials, a spent API limit) raise an alert once
 * and clear it once; each step of a type's run records how it ended, "cleaned up" when it failed
 * and was rolled back.
 */
class JobAlertsAndStepsTest {

    private final BidiHarness h = new BidiHarness();
    private final List<SyncAlert> alerts = new ArrayList<>();
    private boolean refuseCredentials;

    /** The harness's CRM, refusing the credentials on every describe while {@link #refuseCredentials}. */
    private CrmSource crm() {
        return (CrmSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {CrmSource.class},
                (proxy, method, args) -> {
                    if (refuseCredentials && method.getName().equals("describe")) {
                        throw new CredentialsRefusedException("the token endpoint refused the grant", "invalid_grant");
                    }
                    try {
                        return method.invoke(h.crm, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private SyncEngine engine() {
        return h.builder().crmSource(crm()).objectTypes(ObjectType.LEAD).listener(new SyncListener() {
            @Override
            public void onAlert(SyncAlert alert) {
                alerts.add(alert);
            }
        }).build();
    }

    @Test
    void refusedCredentialsRaiseOneAlertUntilACycleSucceedsWhichClearsIt() {
        h.lead("Doe", "Acme");
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            assertEquals(List.of(), alerts);
            refuseCredentials = true;
            SyncReport first = h.run(engine);
            h.run(engine);
            h.run(engine);
            assertEquals(1, alerts.size(), () -> "raised once, not each cycle: " + alerts);
            SyncAlert raised = alerts.get(0);
            assertEquals(SyncAlert.Kind.CREDENTIALS_REFUSED, raised.kind());
            assertEquals(SyncAlert.State.RAISED, raised.state());
            assertEquals(CredentialsRefusedException.CODE, raised.code());
            assertEquals(first.cycleId(), raised.cycleId());
            assertFalse(raised.message().contains("invalid_grant"), "no detail of the secret exchange");

            refuseCredentials = false;
            SyncReport fixed = h.cycle(engine);
            h.cycle(engine);
            assertEquals(2, alerts.size(), () -> "cleared once: " + alerts);
            assertEquals(SyncAlert.State.CLEARED, alerts.get(1).state());
            assertEquals(SyncAlert.Kind.CREDENTIALS_REFUSED, alerts.get(1).kind());
            assertEquals(fixed.cycleId(), alerts.get(1).cycleId());
        }
    }

    @Test
    void aSpentApiLimitRaisesAnAlertAndTheNextCycleWithinTheLimitClearsIt() {
        h.lead("Doe", "Acme");
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            h.crm.faults().quotaExceededAfter(0);
            h.run(engine);
            h.run(engine);
            assertEquals(1, alerts.size(), () -> alerts.toString());
            assertEquals(SyncAlert.Kind.API_LIMIT_EXHAUSTED, alerts.get(0).kind());
            assertEquals("API_QUOTA_EXHAUSTED", alerts.get(0).code());
            h.crm.faults().clear();
            h.cycle(engine);
            assertEquals(List.of(SyncAlert.State.RAISED, SyncAlert.State.CLEARED),
                    alerts.stream().map(SyncAlert::state).toList());
        }
    }

    @Test
    void eachStepOfARunRecordsHowItEndedWithItsCounts() {
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(h.lead("L" + i, "Acme"));
        }
        try (SyncEngine engine = engine()) {
            TypeReport first = h.cycle(engine).type(ObjectType.LEAD).orElseThrow();
            assertEquals(List.of(Step.PULL_UPDATES, Step.PULL_DELETES, Step.PUSH_UPDATES, Step.PUSH_DELETES,
                    Step.RESEND_CREATES, Step.RETRY, Step.BACKFILL), first.steps().stream().map(StepReport::step).toList());
            assertTrue(first.steps().stream().allMatch(s -> s.status() == Status.SUCCEEDED), first.steps()::toString);
            StepReport pull = first.steps().get(0);
            assertEquals(3, pull.counts().created(), "the first copy's three records are the pull's");
            assertEquals(first.counts(), first.steps().stream().map(StepReport::counts)
                    .reduce(dev.crmsync.core.report.SyncCounts.ZERO, dev.crmsync.core.report.SyncCounts::plus),
                    "the steps' counts add up to the type's");

            TypeReport incremental = h.cycle(engine).type(ObjectType.LEAD).orElseThrow();
            assertEquals(Step.PULL_DELETES, incremental.steps().get(0).step(), "an incremental run reads the delete log first");
            assertEquals(Step.PULL_UPDATES, incremental.steps().get(1).step());
        }
    }

    @Test
    void aStepThatFailsIsCleanedUpAndTheStepsAfterItAreNotListed() {
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(h.lead("L" + i, "Acme"));
        }
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            h.cycle(engine);
            h.edit(ObjectType.LEAD, ids.get(0), "Title", "host");
            h.crm.update(ObjectType.LEAD, ids.get(1), BidiHarness.fields("Title", "crm"));
            // the store fails (a lost connection) as the CRM's change is applied: the pull's page is rolled back
            h.store.faults().failNext(StoreOperation.UPSERT, 1, Fault.retriable());
            TypeReport failed = h.run(engine).type(ObjectType.LEAD).orElseThrow();
            List<StepReport> steps = failed.steps();
            assertEquals(Status.CLEANED_UP, steps.get(steps.size() - 1).status(), steps::toString);
            assertEquals(Step.PULL_UPDATES, steps.get(steps.size() - 1).step());
            assertFalse(steps.stream().anyMatch(s -> s.step() == Step.PUSH_UPDATES), "nothing after the failed step ran");
            assertEquals(h.store.findByCrmIds(ObjectType.LEAD, List.of(ids.get(1))).get(ids.get(1)).get("Title"),
                    dev.crmsync.model.FieldValue.NULL, "rolled back: the store does not hold the CRM's change");

            TypeReport resumed = h.cycle(engine).type(ObjectType.LEAD).orElseThrow();
            assertTrue(resumed.steps().stream().allMatch(s -> s.status() == Status.SUCCEEDED), resumed.steps()::toString);
        }
        assertEquals(dev.crmsync.model.FieldValue.text("crm"), h.storeValue(ObjectType.LEAD, ids.get(1), "Title"));
        assertEquals(dev.crmsync.model.FieldValue.text("host"), h.crmValue(ObjectType.LEAD, ids.get(0), "Title"));
    }

    @Test
    void aStepStoppedByTheApiLimitIsIncomplete() {
        h.lead("Doe", "Acme");
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            h.crm.update(ObjectType.LEAD, h.crm.records(ObjectType.LEAD).get(0).id(), BidiHarness.fields("Title", "x"));
            // the describe and the delete log pass; the change read meets the spent limit
            h.crm.faults().failNext(CrmOperation.READ_PAGE, 1, Fault.quotaExceeded());
            TypeReport r = h.run(engine).type(ObjectType.LEAD).orElseThrow();
            StepReport last = r.steps().get(r.steps().size() - 1);
            assertEquals(Step.PULL_UPDATES, last.step());
            assertEquals(Status.INCOMPLETE, last.status(), r.steps()::toString);
        }
    }
}
