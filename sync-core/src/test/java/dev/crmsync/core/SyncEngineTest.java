package dev.crmsync.core;

import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.core.report.CycleOutcome;
import dev.crmsync.core.report.SyncCounts;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mockStatic;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.crm.Cursor;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.testkit.fault.StoreOperation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.mockito.MockedStatic;
import org.slf4j.MDC;

/** The one-way pipeline, end to end over the fakes. */
class SyncEngineTest {

    private final EngineHarness h = new EngineHarness();

    @Test
    void firstCycleCopiesEveryReadableRecordOfEveryAvailableType() {
        CrmId user = h.crm.insert(ObjectType.USER, Map.of("LastName", FieldValue.text("Owner"),
                "Email", FieldValue.text("o@example.com")));
        List<CrmId> accounts = h.insertAccounts(5, "Acme ");
        h.crm.insert(ObjectType.OPPORTUNITY, Map.of("Name", FieldValue.text("Deal"),
                "AccountId", FieldValue.ref(accounts.get(0)), "OwnerId", FieldValue.ref(user)));
        h.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"), "Company", FieldValue.text("Doe Inc")));
        try (SyncEngine engine = h.builder().build()) {
            SyncReport report = engine.runCycle();
            assertTrue(report.isComplete(), report::toTable);
            assertEquals(8, report.totals().created(), report::toTable);
            for (ObjectType t : ObjectType.STANDARD) {
                h.assertStoreMirrorsCrm(t);
            }
        }
    }

    @Test
    void typesRunParentsFirst() {
        try (SyncEngine engine = h.builder().build()) {
            List<ObjectType> order = engine.runCycle().types().stream().map(TypeReport::type).toList();
            List<ObjectType> sorted = new ArrayList<>(order);
            sorted.sort(ObjectType.SYNC_ORDER);
            assertEquals(sorted, order);
            assertEquals(ObjectType.USER, order.get(0));
            assertEquals(ObjectType.ACCOUNT, order.get(1));
        }
    }

    @Test
    void aQuietCycleWritesNothing() {
        h.insertAccounts(20, "A");
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
            engine.runCycle();
            h.clock.advance(Duration.ofHours(1));
            h.store.log().reset();
            SyncReport second = engine.runCycle();
            assertEquals(0, second.totals().moved(), second::toTable);
            assertEquals(0, h.store.log().count(StoreOperation.UPSERT));
            assertEquals(0, h.store.log().count(StoreOperation.MARK_DELETED));
        }
    }

    @Test
    void laterCyclesReadAndMoveOnlyWhatChanged() {
        List<CrmId> ids = h.insertAccounts(50, "A");
        h.clock.advance(Duration.ofHours(1));            // the records were there well before the first cycle
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
            engine.runCycle();
            h.clock.advance(Duration.ofHours(1));
            h.crm.update(ObjectType.ACCOUNT, ids.get(3), Map.of("Industry", FieldValue.text("Energy")));
            h.crm.update(ObjectType.ACCOUNT, ids.get(7), Map.of("Name", FieldValue.text("Renamed")));
            h.crm.delete(ObjectType.ACCOUNT, ids.get(9));
            h.tick();
            SyncReport second = engine.runCycle();
            SyncCounts c = second.type(ObjectType.ACCOUNT).orElseThrow().counts();
            assertEquals(3, c.read(), "nothing but the changes is read: " + second.toTable());
            assertEquals(2, c.updated());
            assertEquals(1, c.deleted());
            assertEquals(0, c.created());
            h.assertStoreMirrorsCrm(ObjectType.ACCOUNT);
        }
    }

    @Test
    void thousandAndOneRecordsSharingOneStampArriveExactlyOnceAcrossACrashAfterTheThirdPage() {
        List<CrmId> ids = h.insertAccounts(1_001, "Burst ");   // the clock does not move: one stamp for all
        AtomicReference<SyncEngine> first = new AtomicReference<>();
        SyncListener crashAfterThirdPage = new SyncListener() {
            @Override
            public void onProgress(ObjectType type, long done, OptionalLong total) {
                if (done == 600) {
                    h.crm.faults().failNext(CrmOperation.READ_PAGE, 1, Fault.fatal());   // the 4th page read dies
                }
            }
        };
        SyncReport crashed;
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(200)
                .listener(crashAfterThirdPage).build()) {
            first.set(engine);
            crashed = engine.runCycle();
        }
        assertInstanceOf(TypeOutcome.Failed.class, crashed.type(ObjectType.ACCOUNT).orElseThrow().outcome());
        assertEquals(600, crashed.totals().created());
        assertEquals(600, h.data.size(ObjectType.ACCOUNT));
        Checkpoint cp = h.state.checkpoint(ObjectType.ACCOUNT).orElseThrow();
        assertFalse(cp.initialCopyDone());
        assertEquals(600, cp.recordsDone());

        try (SyncEngine restarted = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(200).build()) {
            SyncReport resumed = restarted.runCycle();
            assertTrue(resumed.isComplete(), resumed::toTable);
            SyncCounts c = resumed.totals();
            assertEquals(401, c.read(), "resumes strictly after the 600th record");
            assertEquals(401, c.created());
            assertEquals(0, c.updated() + c.unchanged());
        }
        assertEquals(ids.size(), h.data.size(ObjectType.ACCOUNT));
        h.assertStoreMirrorsCrm(ObjectType.ACCOUNT);
    }

    @Test
    void aRecordMadeVisibleLateInsideTheLookbackArrives() {
        h.insertAccounts(3, "A");
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).lookback(Duration.ofMinutes(5)).build()) {
            engine.runCycle();
            Instant newestRead = h.clock.instant();
            h.clock.advance(Duration.ofSeconds(30));
            // committed late: stamped 5 s before the newest record already read
            CrmId late = h.crm.insertLate(ObjectType.ACCOUNT, EngineHarness.account("Late"), newestRead.minusSeconds(5));
            SyncReport second = engine.runCycle();
            SyncCounts c = second.totals();
            assertEquals(1, c.created(), second::toTable);
            assertEquals(0, c.updated(), "the overlap writes nothing");
            assertEquals(3, c.unchanged(), "the overlap re-reads the three records already held");
            assertTrue(h.store.findByCrmIds(ObjectType.ACCOUNT, List.of(late)).containsKey(late));
        }
    }

    @Test
    void checkpointNeverMovesBackwards() {
        h.insertAccounts(5, "A");
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
            engine.runCycle();
            Cursor after1 = h.state.checkpoint(ObjectType.ACCOUNT).orElseThrow().crmCursor();
            h.clock.advance(Duration.ofMinutes(1));
            h.crm.insertLate(ObjectType.ACCOUNT, EngineHarness.account("Late"), EngineHarness.T0.minusSeconds(60));
            engine.runCycle();
            Cursor after2 = h.state.checkpoint(ObjectType.ACCOUNT).orElseThrow().crmCursor();
            assertTrue(after2.compareTo(after1) >= 0, after1 + " -> " + after2);
        }
    }

    @Test
    void hiddenFieldsNeverReachTheStore() {
        h.crm.hideField(ObjectType.ACCOUNT, "AnnualRevenue");
        CrmId id = h.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Acme"),
                "AnnualRevenue", FieldValue.number("1000000")));
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
            engine.runCycle();
            h.clock.advance(Duration.ofMinutes(1));
            h.crm.update(ObjectType.ACCOUNT, id, Map.of("AnnualRevenue", FieldValue.number("2")));
            SyncReport second = engine.runCycle();
            assertEquals(1, second.totals().skipped(), "a change to a hidden field only is skipped, not written");
        }
        MarketingRecord stored = h.store.findByCrmIds(ObjectType.ACCOUNT, List.of(id)).get(id);
        assertEquals(FieldValue.text("Acme"), stored.get("Name"));
        assertFalse(stored.fields().containsKey("AnnualRevenue"));
    }

    @Test
    void onlySelectedFieldsReachTheStoreAndUnreadableSelectionsAreNoted() {
        h.crm.hideField(ObjectType.ACCOUNT, "Phone");
        CrmId id = h.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Acme"),
                "Industry", FieldValue.text("Energy"), "Phone", FieldValue.text("555")));
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT)
                .fields(ObjectType.ACCOUNT, List.of("Name", "Phone", "NoSuchField__c")).build()) {
            SyncReport report = engine.runCycle();
            assertTrue(report.isComplete(), report::toTable);
            List<String> notes = report.type(ObjectType.ACCOUNT).orElseThrow().notes();
            assertTrue(notes.stream().anyMatch(n -> n.contains("NoSuchField__c") && n.contains("Phone")), notes::toString);
        }
        MarketingRecord stored = h.store.findByCrmIds(ObjectType.ACCOUNT, List.of(id)).get(id);
        assertEquals(Map.of("Name", FieldValue.text("Acme")), EngineHarness.nonNull(stored.fields()));
    }

    @Test
    void aTypeTheUserCannotQueryIsSkippedNotFailed() {
        h.crm.hideType(ObjectType.OPPORTUNITY);
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT, ObjectType.OPPORTUNITY).build()) {
            SyncReport report = engine.runCycle();
            assertTrue(report.isComplete(), report::toTable);
            assertInstanceOf(TypeOutcome.Skipped.class, report.type(ObjectType.OPPORTUNITY).orElseThrow().outcome());
        }
    }

    @Test
    void aTypeOrFieldThatDisappearsBetweenCyclesNeverFailsTheCycle() {
        ObjectType custom = ObjectType.of("Invoice__c");
        h.crm.defineType(custom, List.of(FieldSchema.of("Name", FieldType.STRING),
                FieldSchema.of("Total__c", FieldType.CURRENCY)));
        h.crm.insert(custom, Map.of("Name", FieldValue.text("INV-1"), "Total__c", FieldValue.number("10")));
        try (SyncEngine engine = h.builder().build()) {
            assertTrue(engine.runCycle().isComplete());
            h.clock.advance(Duration.ofMinutes(1));
            h.crm.removeField(custom, "Total__c");
            h.crm.addField(ObjectType.ACCOUNT, FieldSchema.of("Tier__c", FieldType.STRING));
            h.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("New"), "Tier__c", FieldValue.text("Gold")));
            SyncReport afterDrift = engine.runCycle();
            assertTrue(afterDrift.isComplete(), afterDrift::toTable);
            h.assertStoreMirrorsCrm(ObjectType.ACCOUNT);
            h.clock.advance(Duration.ofMinutes(1));
            h.crm.hideType(custom);
            SyncReport afterVanish = engine.runCycle();
            assertTrue(afterVanish.isComplete(), afterVanish::toTable);
            assertTrue(afterVanish.type(custom).isEmpty(), "a type the CRM no longer lists is not visited");
        }
    }

    @Test
    void customObjectsAreSyncedByDefault() {
        ObjectType custom = ObjectType.of("Invoice__c");
        h.crm.defineType(custom, List.of(FieldSchema.of("Name", FieldType.STRING)));
        CrmId id = h.crm.insert(custom, Map.of("Name", FieldValue.text("INV-1")));
        try (SyncEngine engine = h.builder().build()) {
            engine.runCycle();
        }
        assertTrue(h.store.findByCrmIds(custom, List.of(id)).containsKey(id));
    }

    @Test
    void aCrmDeletionFlagsTheStoredRecordAndKeepsIt() {
        List<CrmId> ids = h.insertAccounts(3, "A");
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
            engine.runCycle();
            h.clock.advance(Duration.ofMinutes(1));
            h.crm.delete(ObjectType.ACCOUNT, ids.get(1));
            SyncReport second = engine.runCycle();
            assertEquals(1, second.totals().deleted(), second::toTable);
        }
        MarketingRecord flagged = h.store.findByCrmIds(ObjectType.ACCOUNT, List.of(ids.get(1))).get(ids.get(1));
        assertTrue(flagged.crmDeleted());
        assertEquals(FieldValue.text("A1"), flagged.get("Name"), "values stay, as in Marketo");
    }

    @Test
    void anUndeletedRecordIsRestored() {
        List<CrmId> ids = h.insertAccounts(2, "A");
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
            engine.runCycle();
            h.clock.advance(Duration.ofMinutes(1));
            h.crm.delete(ObjectType.ACCOUNT, ids.get(0));
            engine.runCycle();
            h.clock.advance(Duration.ofMinutes(1));
            h.crm.undelete(ObjectType.ACCOUNT, ids.get(0));
            engine.runCycle();
        }
        h.assertStoreMirrorsCrm(ObjectType.ACCOUNT);
        assertFalse(h.store.findByCrmIds(ObjectType.ACCOUNT, List.of(ids.get(0))).get(ids.get(0)).crmDeleted());
    }

    @Test
    void aRecordDeletedBeforeItWasEverSyncedIsNotCreated() {
        CrmId gone = h.crm.insert(ObjectType.ACCOUNT, EngineHarness.account("Gone"));
        h.crm.delete(ObjectType.ACCOUNT, gone);
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
            SyncReport report = engine.runCycle();
            assertEquals(1, report.totals().skipped(), report::toTable);
        }
        assertEquals(0, h.data.size(ObjectType.ACCOUNT));
    }

    @Test
    void idSetsAreReconciledAfterASixteenDayGap() {
        List<CrmId> ids = h.insertAccounts(10, "A");
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
            engine.runCycle();
            h.clock.advance(Duration.ofHours(1));
            h.crm.delete(ObjectType.ACCOUNT, ids.get(2));
            h.crm.delete(ObjectType.ACCOUNT, ids.get(5));
            h.clock.advance(Duration.ofDays(16));       // offline past the recycle bin's 15 days
            h.crm.purgeRecycleBin();
            SyncReport report = engine.runCycle();
            TypeReport accounts = report.type(ObjectType.ACCOUNT).orElseThrow();
            assertEquals(2, accounts.counts().deleted(), report::toTable);
            assertTrue(accounts.notes().stream().anyMatch(n -> n.contains("reconciled")), accounts.notes()::toString);
            h.assertStoreMirrorsCrm(ObjectType.ACCOUNT);

            h.clock.advance(Duration.ofMinutes(5));
            SyncReport next = engine.runCycle();
            assertTrue(next.type(ObjectType.ACCOUNT).orElseThrow().notes().isEmpty(), "no gap, no reconciliation");
        }
    }

    @Test
    void aTypeFailureEndsThatTypeOnlyAndKeepsItsCheckpoint() {
        h.crm.insert(ObjectType.USER, Map.of("LastName", FieldValue.text("U")));
        h.insertAccounts(3, "A");
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.USER, ObjectType.ACCOUNT).build()) {
            h.crm.faults().failNext(CrmOperation.READ_PAGE, 1, Fault.retriable());      // User, first in order, times out
            SyncReport report = engine.runCycle();
            assertInstanceOf(CycleOutcome.Partial.class, report.outcome(), report::toTable);
            TypeOutcome user = report.type(ObjectType.USER).orElseThrow().outcome();
            assertInstanceOf(TypeOutcome.Failed.class, user);
            assertTrue(((TypeOutcome.Failed) user).retriable());
            assertTrue(h.state.checkpoint(ObjectType.USER).isEmpty(), "the failed type's checkpoint did not move");
            assertInstanceOf(TypeOutcome.Synced.class, report.type(ObjectType.ACCOUNT).orElseThrow().outcome());
            h.assertStoreMirrorsCrm(ObjectType.ACCOUNT);

            SyncReport next = engine.runCycle();
            assertTrue(next.isComplete(), next::toTable);
            h.assertStoreMirrorsCrm(ObjectType.USER);
        }
    }

    @Test
    void everyTypeFailingFailsTheCycle() {
        h.insertAccounts(1, "A");
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
            h.crm.faults().failNext(CrmOperation.DESCRIBE, 1, Fault.fatal());
            SyncReport report = engine.runCycle();
            assertInstanceOf(CycleOutcome.Failed.class, report.outcome(), report::toTable);
        }
    }

    @Test
    void aCycleThatCannotListTheCrmsTypesFailsAndTheNextOneRuns() {
        h.insertAccounts(1, "A");
        try (SyncEngine engine = h.builder().build()) {
            h.crm.faults().failNext(CrmOperation.AVAILABLE_TYPES, 1, Fault.retriable());
            SyncReport failed = engine.runCycle();
            CycleOutcome.Failed f = assertInstanceOf(CycleOutcome.Failed.class, failed.outcome(), failed::toTable);
            assertTrue(f.reason().contains("object types"), f.reason());
            assertTrue(engine.runCycle().isComplete());
        }
        h.assertStoreMirrorsCrm(ObjectType.ACCOUNT);
    }

    @Test
    void quotaStopsTheCycleCleanlyAndTheNextCycleResumes() {
        h.crm.insert(ObjectType.USER, Map.of("LastName", FieldValue.text("U")));
        h.insertAccounts(30, "A");
        h.crm.insert(ObjectType.TASK, Map.of("Subject", FieldValue.text("Call")));
        try (SyncEngine engine = h.builder().pageSize(10).build()) {
            h.crm.faults().quotaExceededAfter(6);   // availableTypes, User: describe + 2 pages + deletedSince, Account: describe
            SyncReport stopped = engine.runCycle();
            assertInstanceOf(CycleOutcome.Quota.class, stopped.outcome(), stopped::toTable);
            assertInstanceOf(TypeOutcome.Synced.class, stopped.type(ObjectType.USER).orElseThrow().outcome());
            assertInstanceOf(TypeOutcome.Stopped.class, stopped.type(ObjectType.ACCOUNT).orElseThrow().outcome());
            assertInstanceOf(TypeOutcome.NotRun.class, stopped.type(ObjectType.TASK).orElseThrow().outcome());
            assertEquals(6, stopped.crmCallsTotal(), stopped::toTable);
            h.assertStoreMirrorsCrm(ObjectType.USER);

            h.crm.faults().clear();
            SyncReport resumed = engine.runCycle();
            assertTrue(resumed.isComplete(), resumed::toTable);
            for (ObjectType t : List.of(ObjectType.USER, ObjectType.ACCOUNT, ObjectType.TASK)) {
                h.assertStoreMirrorsCrm(t);
            }
        }
    }

    @Test
    void aTypeWhoseLeaseAnotherEngineHoldsIsSkipped() {
        h.insertAccounts(2, "A");
        h.crm.insert(ObjectType.USER, Map.of("LastName", FieldValue.text("U")));
        h.state.tryAcquireLease("crmsync:Account", "other-engine", "other-instance", Duration.ofMinutes(10));
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.USER, ObjectType.ACCOUNT).build()) {
            SyncReport report = engine.runCycle();
            TypeOutcome account = report.type(ObjectType.ACCOUNT).orElseThrow().outcome();
            assertInstanceOf(TypeOutcome.Blocked.class, account);
            assertTrue(account.reason().contains("engine 'other-engine' (instance 'other-instance')"), account.reason());
            assertInstanceOf(CycleOutcome.Partial.class, report.outcome(), "a blocked type is never COMPLETE");
            assertEquals(0, h.data.size(ObjectType.ACCOUNT));
            h.assertStoreMirrorsCrm(ObjectType.USER);
        }
    }

    @Test
    void theEngineReleasesItsLeasesAfterEachType() {
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
            engine.runCycle();
        }
        assertTrue(h.state.tryAcquireLease("crmsync:Account", "other-engine", "other-instance", Duration.ofMinutes(1))
                .granted());
    }

    @Test
    void aConcurrentCycleOfTheSameEngineIsRefused() {
        AtomicReference<Throwable> refused = new AtomicReference<>();
        AtomicReference<SyncEngine> self = new AtomicReference<>();
        SyncListener tryAgainFromAnotherThread = new SyncListener() {
            @Override
            public void onCycleStarted(String cycleId, List<ObjectType> types) {
                CompletableFuture<SyncReport> second = CompletableFuture.supplyAsync(() -> self.get().runCycle());
                try {
                    second.join();
                } catch (RuntimeException e) {
                    refused.set(e.getCause());
                }
            }
        };
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).listener(tryAgainFromAnotherThread).build()) {
            self.set(engine);
            assertTrue(engine.runCycle().isComplete());
        }
        assertInstanceOf(IllegalStateException.class, refused.get());
        assertTrue(refused.get().getMessage().contains("already running"), refused.get().getMessage());
    }

    @Test
    void aListenerThatThrowsNeverStopsTheCycle() {
        h.insertAccounts(5, "A");
        SyncListener broken = new SyncListener() {
            @Override
            public void onCycleStarted(String cycleId, List<ObjectType> types) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onProgress(ObjectType type, long done, OptionalLong estimatedTotal) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onTypeDone(TypeReport report) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onCycleDone(SyncReport report) {
                throw new IllegalStateException("listener bug");
            }
        };
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(2).listener(broken).build()) {
            SyncReport report = engine.runCycle();
            assertTrue(report.isComplete(), report::toTable);
        }
        h.assertStoreMirrorsCrm(ObjectType.ACCOUNT);
    }

    @Test
    void listenerHearsProgressTypeDoneAndCycleDone() {
        h.insertAccounts(5, "A");
        List<String> events = new ArrayList<>();
        SyncListener recorder = new SyncListener() {
            @Override
            public void onCycleStarted(String cycleId, List<ObjectType> types) {
                events.add("start " + types);
            }

            @Override
            public void onProgress(ObjectType type, long done, OptionalLong estimatedTotal) {
                events.add("progress " + type + " " + done + "/" + estimatedTotal.orElse(-1));
            }

            @Override
            public void onTypeDone(TypeReport report) {
                events.add("done " + report.type());
            }

            @Override
            public void onCycleDone(SyncReport report) {
                events.add("cycle " + report.outcome().label());
            }
        };
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(2).listener(recorder).build()) {
            engine.runCycle();
        }
        assertEquals(List.of("start [Account]", "progress Account 0/5", "progress Account 2/5", "progress Account 4/5",
                "progress Account 5/5", "done Account", "cycle COMPLETE"), events);
    }

    @Test
    void theCycleIdIsPutInTheMdcForTheCycleAndRemovedAfter() {
        // slf4j-simple has no MDC, so watch the calls themselves
        String cycleId;
        try (MockedStatic<MDC> mdc = mockStatic(MDC.class);
             SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
            cycleId = engine.runCycle().cycleId();
            mdc.verify(() -> MDC.put(SyncEngine.MDC_CYCLE_KEY, cycleId));
            mdc.verify(() -> MDC.remove(SyncEngine.MDC_CYCLE_KEY));
        }
        assertTrue(cycleId.startsWith("test-engine-"), cycleId);
    }

    @Test
    void aQuietTypeRereadsNothingOnceItsWatermarkHasPassedTheLookback() {
        h.insertAccounts(30, "A");
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).build()) {
            engine.runCycle();                               // copy at the records' own second
            h.clock.advance(Duration.ofMinutes(10));
            SyncReport second = engine.runCycle();           // re-reads the lookback window before the copy
            assertEquals(30, second.totals().unchanged(), second::toTable);
            h.clock.advance(Duration.ofMinutes(10));
            SyncReport third = engine.runCycle();
            assertEquals(0, third.totals().read(), third::toTable);
        }
    }

    @Test
    void closingTheEngineStopsACycleAtAPageBoundaryAndAnotherEngineResumes() {
        h.insertAccounts(10, "A");
        AtomicReference<SyncEngine> self = new AtomicReference<>();
        SyncListener closeAfterFirstPage = new SyncListener() {
            @Override
            public void onProgress(ObjectType type, long done, OptionalLong total) {
                if (done == 4) {
                    self.get().close();              // from the cycle's own thread: does not wait for itself
                }
            }
        };
        SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(4).listener(closeAfterFirstPage).build();
        self.set(engine);
        SyncReport report = engine.runCycle();
        assertTrue(engine.isClosed());
        assertInstanceOf(TypeOutcome.Stopped.class, report.type(ObjectType.ACCOUNT).orElseThrow().outcome(), report::toTable);
        assertEquals(4, h.data.size(ObjectType.ACCOUNT));
        assertThrows(IllegalStateException.class, engine::runCycle);

        try (SyncEngine next = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(4).build()) {
            SyncReport resumed = next.runCycle();
            assertEquals(6, resumed.totals().created(), resumed::toTable);
        }
        h.assertStoreMirrorsCrm(ObjectType.ACCOUNT);
    }

    @Test
    void reportCountsTheCrmCallsOfTheCycle() {
        h.insertAccounts(5, "A");
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.ACCOUNT).pageSize(2).build()) {
            SyncReport report = engine.runCycle();
            // describe, 4 page reads (2+2+1, then the empty page), deletedSince
            assertEquals(Map.of("describe", 1L, "readPage", 4L, "deletedSince", 1L), report.crmCalls());
        }
    }

    @Test
    void bidirectionalTypesTravelCrmToMarketingForNow() {
        CrmId lead = h.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"),
                "Company", FieldValue.text("Doe Inc")));
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.LEAD).build()) {
            engine.runCycle();
        }
        h.assertStoreMirrorsCrm(ObjectType.LEAD);
        assertTrue(h.store.findByCrmIds(ObjectType.LEAD, List.of(lead)).containsKey(lead));
    }
}
