package dev.crmsync.core;

import dev.crmsync.core.report.PushResult;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeReport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.MarketingRecord;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The builder options and entry points of the bidirectional sync: validation and threading. */
class BidirectionalOptionsTest {

    private final BidiHarness h = new BidiHarness();

    @Test
    void defaultLastNameAndCompanyAreValidatedAtOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SyncEngine.builder().defaultLastName(" "));
        assertTrue(e.getMessage().contains("defaultLastName"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SyncEngine.builder().defaultCompany("x".repeat(256)));
        assertTrue(e.getMessage().contains("defaultCompany") && e.getMessage().contains("255"), e.getMessage());
        assertThrows(NullPointerException.class, () -> SyncEngine.builder().defaultLastName(null));
    }

    @Test
    void marketingIdFieldMustBeACustomField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SyncEngine.builder().marketingIdField("Email"));
        assertTrue(e.getMessage().contains("'Email'"), e.getMessage());
        SyncEngine.builder().marketingIdField("Marketing_Id__c");
    }

    @Test
    void theDefaultPolicyIsMarketos() {
        CrmId lead = h.lead("Doe", "Acme", "Title", "t0");
        CrmId contact = h.contact("Roe", "Title", "t0");
        try (SyncEngine engine = h.engine()) {
            h.cycle(engine);
            h.crm.update(ObjectType.LEAD, lead, BidiHarness.fields("Title", "crm"));
            h.crm.update(ObjectType.CONTACT, contact, BidiHarness.fields("Title", "crm"));
            h.edit(ObjectType.LEAD, lead, "Title", "mkt");
            h.edit(ObjectType.CONTACT, contact, "Title", "mkt");
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("mkt"), h.crmValue(ObjectType.LEAD, lead, "Title"));
        assertEquals(FieldValue.text("crm"), h.storeValue(ObjectType.CONTACT, contact, "Title"));
    }

    @Test
    void pushNowFromTheCyclesOwnThreadIsRefused() {
        h.lead("Doe", "Acme");
        MarketingRecord p = h.store.saveLocal(ObjectType.LEAD, null, BidiHarness.fields("LastName", "X", "Company", "Y"));
        AtomicReference<RuntimeException> refused = new AtomicReference<>();
        SyncEngine[] self = new SyncEngine[1];
        try (SyncEngine engine = h.builder().listener(new SyncListener() {
            @Override
            public void onTypeDone(TypeReport report) {
                try {
                    self[0].pushNow(p.marketingId());
                } catch (RuntimeException e) {
                    refused.compareAndSet(null, e);
                }
            }
        }).build()) {
            self[0] = engine;
            h.cycle(engine);
        }
        assertTrue(refused.get() instanceof IllegalStateException, String.valueOf(refused.get()));
        assertTrue(refused.get().getMessage().contains("cycle thread"), refused.get().getMessage());
    }

    @Test
    void pushNowWaitsForARunningCycleInsteadOfInterleaving() throws Exception {
        MarketingRecord p = h.store.saveLocal(ObjectType.LEAD, null, BidiHarness.fields("LastName", "X", "Company", "Y"));
        CountDownLatch inCycle = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Long> leadsAtCycleEnd = new AtomicReference<>();
        try (SyncEngine engine = h.builder().listener(new SyncListener() {
            @Override
            public void onCycleStarted(String cycleId, java.util.List<ObjectType> types) {
                inCycle.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onCycleDone(SyncReport report) {
                leadsAtCycleEnd.set(h.crm.count(ObjectType.LEAD));
            }
        }).build()) {
            CompletableFuture<SyncReport> cycle = CompletableFuture.supplyAsync(engine::runCycle);
            assertTrue(inCycle.await(30, TimeUnit.SECONDS));
            AtomicReference<java.util.List<PushResult>> pushed = new AtomicReference<>();
            Thread pusher = new Thread(() -> pushed.set(engine.pushNow(p.marketingId())), "pusher");
            pusher.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pusher.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.onSpinWait();     // until the push parks on the engine, waiting for the cycle
            }
            assertEquals(Thread.State.WAITING, pusher.getState());
            release.countDown();
            cycle.get(30, TimeUnit.SECONDS);
            pusher.join(TimeUnit.SECONDS.toMillis(30));
            assertEquals(0L, leadsAtCycleEnd.get(), "nothing was pushed while the cycle ran");
            assertTrue(pushed.get().get(0) instanceof PushResult.Created, String.valueOf(pushed.get()));
        }
    }
}
