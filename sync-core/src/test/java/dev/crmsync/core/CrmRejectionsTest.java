package dev.crmsync.core;

import dev.crmsync.core.report.SyncReport;
import dev.crmsync.crm.CrmSource;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.ParkedConflict;
import dev.crmsync.store.SyncSide;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Records the CRM (or the engine's checks) reject: reported, retried, parked, re-driven; nothing lost. */
class CrmRejectionsTest {

    private final BidiHarness h = new BidiHarness();
    private final List<FailedRecord> rejected = new ArrayList<>();

    private SyncEngine.Builder builder() {
        return h.builder().maxAttempts(3).listener(new SyncListener() {
            @Override
            public void onRecordRejected(FailedRecord failure) {
                rejected.add(failure);
            }
        });
    }

    private void titleRule() {
        h.crm.addValidationRule(ObjectType.LEAD, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Title must not be 'bad'",
                v -> FieldValue.text("bad").equals(v.get("Title")));
    }

    @Test
    void aValidationRejectionIsReportedWithTheCrmsCodeNotItsMessage() {
        CrmId lead = h.lead("Doe", "Acme");
        titleRule();
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "Title", "bad");
            SyncReport r = h.run(engine);
            assertEquals(1, r.totals().failed(), r::toTable);
        }
        assertEquals(1, rejected.size());
        FailedRecord f = rejected.get(0);
        assertEquals("FIELD_CUSTOM_VALIDATION_EXCEPTION", f.code());
        // the CRM's message may quote the record's values: the failure keeps the code and the fields blamed only
        assertEquals("the CRM answered FIELD_CUSTOM_VALIDATION_EXCEPTION", f.message());
        assertEquals(SyncSide.CRM, f.target());
        assertEquals(RecordKey.crm(lead), f.key());
        assertFalse(f.retriable());
        assertEquals(FieldValue.text("bad"), h.storeValue(ObjectType.LEAD, lead, "Title"), "nothing lost in the store");
    }

    @Test
    void theOtherRecordsOfTheBatchProceedAndTheCheckpointMoves() {
        CrmId bad = h.lead("Bad", "Acme");
        CrmId good = h.lead("Good", "Acme");
        titleRule();
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            FeedCursor before = h.state.checkpoint(ObjectType.LEAD).map(Checkpoint::marketingCursor).orElseThrow();
            h.edit(ObjectType.LEAD, bad, "Title", "bad");
            h.edit(ObjectType.LEAD, good, "Title", "good");
            h.run(engine);
            FeedCursor after = h.state.checkpoint(ObjectType.LEAD).map(Checkpoint::marketingCursor).orElseThrow();
            assertFalse(before.equals(after), "the feed cursor moved past the rejected record");
        }
        assertEquals(FieldValue.text("good"), h.crmValue(ObjectType.LEAD, good, "Title"));
        assertEquals(FieldValue.NULL, h.crmValue(ObjectType.LEAD, bad, "Title"));
    }

    @Test
    void aValidationFailureIsRetriedOnlyAfterTheRecordChangesAgain() {
        CrmId lead = h.lead("Doe", "Acme");
        titleRule();
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "Title", "bad");
            h.run(engine);
            long writes = h.crmWrites();
            h.run(engine);
            h.run(engine);
            assertEquals(writes, h.crmWrites(), "not retried while unchanged");
            h.edit(ObjectType.LEAD, lead, "Title", "fine");
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("fine"), h.crmValue(ObjectType.LEAD, lead, "Title"));
        assertTrue(h.state.failure(ObjectType.LEAD, RecordKey.crm(lead), SyncSide.CRM).isEmpty(), "forgotten once applied");
    }

    @Test
    void aDuplicateRuleRejectionIsReportedAndWaitsForTheRecordToChange() {
        CrmId first = h.lead("Doe", "Acme", "Email", "doe@example.com");
        CrmId second = h.lead("Roe", "Acme");
        h.crm.addDuplicateRule(ObjectType.LEAD, "Email");
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, second, "Email", "doe@example.com");
            h.edit(ObjectType.LEAD, first, "Title", "CTO");
            SyncReport r = h.run(engine);
            assertEquals(1, r.totals().failed(), r::toTable);
            long writes = h.crmWrites();
            h.run(engine);
            assertEquals(writes, h.crmWrites(), "a duplicate is a data error: not retried while unchanged");
            h.edit(ObjectType.LEAD, second, "Email", "roe@example.com");
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        assertEquals("DUPLICATES_DETECTED", rejected.get(0).code());
        assertEquals(RecordKey.crm(second), rejected.get(0).key());
        assertFalse(rejected.get(0).message().isBlank());
        assertEquals(FieldValue.text("CTO"), h.crmValue(ObjectType.LEAD, first, "Title"), "the other record proceeded");
        assertEquals(FieldValue.text("roe@example.com"), h.crmValue(ObjectType.LEAD, second, "Email"));
        assertTrue(h.state.failure(ObjectType.LEAD, RecordKey.crm(second), SyncSide.CRM).isEmpty(), "forgotten once applied");
    }

    @Test
    void aRecordDeletedInTheCrmJustBeforeItsWriteIsRejectedThenFlaggedDeleted() {
        CrmId lead = h.lead("Doe", "Acme");
        // a CRM user deletes the lead after the engine read it and before its write arrives
        CrmSource racing = (CrmSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {CrmSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("write") && h.crm.get(ObjectType.LEAD, lead).filter(x -> !x.deleted())
                            .isPresent()) {
                        h.crm.delete(ObjectType.LEAD, lead);
                    }
                    try {
                        return method.invoke(h.crm, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (SyncEngine engine = builder().crmSource(racing).build()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "Title", "CTO");
            h.run(engine);
            assertEquals("ENTITY_IS_DELETED", rejected.get(0).code());
            h.cycle(engine);
            h.assertQuiet(engine);
        }
        MarketingRecord person = h.inStore(ObjectType.LEAD, lead);
        assertTrue(person.crmDeleted(), "the person stays, flagged deleted in the CRM");
        assertEquals(FieldValue.text("CTO"), person.get("Title"), "and keeps the host's edit");
        assertTrue(h.state.failure(ObjectType.LEAD, RecordKey.crm(lead), SyncSide.CRM).isEmpty(),
                "the rejection is forgotten once the deletion is known");
    }

    @Test
    void aLockedRowIsRetriedInTheNextCycle() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.crm.lockRecord(lead, 1);
            h.edit(ObjectType.LEAD, lead, "Title", "x");
            h.run(engine);
            assertEquals("UNABLE_TO_LOCK_ROW", rejected.get(0).code());
            assertTrue(rejected.get(0).retriable());
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("x"), h.crmValue(ObjectType.LEAD, lead, "Title"));
    }

    @Test
    void aRecordIsParkedAfterTheConfiguredAttemptsAndCanBeReDriven() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.crm.lockRecord(lead, 3);
            h.edit(ObjectType.LEAD, lead, "Title", "x");
            h.run(engine);
            h.run(engine);
            h.run(engine);
            assertEquals(List.of(RecordKey.crm(lead)), engine.parkedFailures().stream().map(FailedRecord::key).toList());
            long writes = h.crmWrites();
            h.run(engine);
            assertEquals(writes, h.crmWrites(), "a parked record is not retried");
            assertTrue(engine.redrive(engine.parkedFailures().get(0)));
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("x"), h.crmValue(ObjectType.LEAD, lead, "Title"));
    }

    @Test
    void aWaitingValidationFailureCanBeReDrivenAfterTheRuleChanges() {
        CrmId lead = h.lead("Doe", "Acme");
        titleRule();
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "Title", "bad");
            h.run(engine);
            h.crm.clearRules();
            assertEquals(1, engine.redriveAll(ObjectType.LEAD));
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("bad"), h.crmValue(ObjectType.LEAD, lead, "Title"));
    }

    @Test
    void aValueTooLongForTheCrmIsRejectedPerRecordWithTheReason() {
        CrmId lead = h.lead("Doe", "Acme");
        CrmId other = h.lead("Roe", "Acme");
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "FirstName", "x".repeat(41));
            h.edit(ObjectType.LEAD, other, "FirstName", "Ann");
            h.run(engine);
        }
        FailedRecord f = rejected.get(0);
        assertEquals("STRING_TOO_LONG", f.code());
        assertTrue(f.message().contains("FirstName") && f.message().contains("40") && f.message().contains(lead.value()),
                f.message());
        assertEquals(FieldValue.text("Ann"), h.crmValue(ObjectType.LEAD, other, "FirstName"));
    }

    @Test
    void aValueOfTheWrongTypeIsRejectedPerRecordWithTheReason() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "NumberOfEmployees", "many");
            h.run(engine);
        }
        FailedRecord f = rejected.get(0);
        assertEquals("INVALID_TYPE_ON_FIELD_IN_RECORD", f.code());
        assertTrue(f.message().contains("NumberOfEmployees") && f.message().contains("text"), f.message());
    }

    @Test
    void aPolicyThatThrowsParksTheRecordWithAClearErrorAndLosesNothing() {
        CrmId contact = h.contact("Roe", "Title", "Buyer", "Phone", "1");
        ConflictPolicy broken = c -> {
            throw new IllegalStateException("boom");
        };
        try (SyncEngine engine = builder().conflictPolicy(broken).build()) {
            h.cycle(engine);
            h.crm.update(ObjectType.CONTACT, contact, fields("Title", "crm"));
            h.edit(ObjectType.CONTACT, contact, "Title", "mkt", "Phone", "2");
            SyncReport r = h.run(engine);
            assertEquals(1, r.totals().failed(), r::toTable);
            FailedRecord f = engine.parkedFailures().get(0);
            assertEquals("CONFLICT_POLICY_FAILED", f.code());
            // the policy is host code: its exception is named by class, its message (which may quote values) is not kept
            assertTrue(f.message().contains("IllegalStateException") && !f.message().contains("boom")
                    && f.message().contains("'Title'") && f.message().contains(contact.value()), f.message());
            ParkedConflict pc = engine.parkedConflicts().get(0);
            assertEquals(FieldValue.text("crm"), pc.crmValue());
            assertEquals(FieldValue.text("mkt"), pc.marketingValue());
            assertEquals(FieldValue.text("Buyer"), pc.base());
        }
        assertEquals(FieldValue.text("mkt"), h.storeValue(ObjectType.CONTACT, contact, "Title"), "nothing overwritten");
        assertEquals(FieldValue.text("crm"), h.crmValue(ObjectType.CONTACT, contact, "Title"));
        assertEquals(FieldValue.text("1"), h.crmValue(ObjectType.CONTACT, contact, "Phone"), "the record is parked whole");
    }

    @Test
    void aPolicyThatReturnsNullIsReportedAndParked() {
        CrmId contact = h.contact("Roe", "Title", "Buyer");
        try (SyncEngine engine = builder().conflictPolicy(c -> null).build()) {
            h.cycle(engine);
            h.crm.update(ObjectType.CONTACT, contact, fields("Title", "crm"));
            h.edit(ObjectType.CONTACT, contact, "Title", "mkt");
            h.run(engine);
            FailedRecord f = engine.parkedFailures().get(0);
            assertTrue(f.message().contains("returned null") && f.message().contains("'Title'"), f.message());
            assertTrue(f.parked());
        }
    }

    @Test
    void aParkedPolicyFailureIsResolvedThroughTheEngine() {
        CrmId contact = h.contact("Roe", "Title", "Buyer");
        try (SyncEngine engine = builder().conflictPolicy(c -> {
            throw new IllegalStateException("boom");
        }).build()) {
            h.cycle(engine);
            h.crm.update(ObjectType.CONTACT, contact, fields("Title", "crm"));
            h.edit(ObjectType.CONTACT, contact, "Title", "mkt");
            h.run(engine);
            assertTrue(engine.resolveConflict(engine.parkedConflicts().get(0), Resolution.MARKETING));
            h.cycle(engine);
            assertTrue(engine.parkedConflicts().isEmpty());
            assertTrue(engine.parkedFailures().isEmpty());
        }
        assertEquals(FieldValue.text("mkt"), h.crmValue(ObjectType.CONTACT, contact, "Title"));
    }
}
