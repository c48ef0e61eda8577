package dev.crmsync.core;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.CrmSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;

import dev.crmsync.model.ObjectType;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.SyncStateStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SyncEngineBuilderTest {

    private static void assertMessage(Class<? extends Throwable> type, Executable call, String... parts) {
        Throwable e = assertThrows(type, call);
        for (String part : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(part),
                    "message '" + e.getMessage() + "' should mention '" + part + "'");
        }
    }

    @Test
    void buildWithoutRequiredPartsNamesEveryMissingPart() {
        assertMessage(IllegalStateException.class, () -> SyncEngine.builder().build(),
                "crmSource", "marketingStore", "syncStateStore");
        assertMessage(IllegalStateException.class, () -> SyncEngine.builder().crmSource(mock(CrmSource.class))
                .marketingStore(mock(MarketingStore.class)).build(), "syncStateStore");
    }

    @Test
    void buildWithRequiredPartsUsesTheDefaults() {
        try (SyncEngine engine = SyncEngine.builder().crmSource(mock(CrmSource.class))
                .marketingStore(mock(BidirectionalStore.class)).syncStateStore(mock(SyncStateStore.class)).build()) {
            assertTrue(engine.engineId().startsWith("crmsync-"), engine.engineId());
            assertEquals(2_000, SyncEngine.DEFAULT_PAGE_SIZE);
            assertEquals(Duration.ofMinutes(5), SyncEngine.DEFAULT_LOOKBACK);
            assertEquals(5, SyncEngine.DEFAULT_MAX_ATTEMPTS);
        }
    }

    @Test
    void pageSizeOutOfRangeIsRejectedWithTheValue() {
        assertMessage(IllegalArgumentException.class, () -> SyncEngine.builder().pageSize(0), "pageSize", "was 0");
        assertMessage(IllegalArgumentException.class, () -> SyncEngine.builder().pageSize(ChangeQuery.MAX_PAGE_SIZE + 1),
                "pageSize", String.valueOf(ChangeQuery.MAX_PAGE_SIZE + 1));
        SyncEngine.builder().pageSize(1).pageSize(ChangeQuery.MAX_PAGE_SIZE);
    }

    @Test
    void storeBatchSizeOutOfRangeIsRejectedWithTheValue() {
        assertMessage(IllegalArgumentException.class, () -> SyncEngine.builder().storeBatchSize(-5), "storeBatchSize", "-5");
        assertMessage(IllegalArgumentException.class, () -> SyncEngine.builder().storeBatchSize(10_001), "10001");
    }

    @Test
    void lookbackOutOfRangeIsRejectedWithTheValue() {
        assertMessage(IllegalArgumentException.class, () -> SyncEngine.builder().lookback(Duration.ofSeconds(-1)),
                "lookback", "PT-1S");
        assertMessage(IllegalArgumentException.class, () -> SyncEngine.builder().lookback(Duration.ofDays(2)),
                "lookback", "PT48H");
        assertMessage(NullPointerException.class, () -> SyncEngine.builder().lookback(null), "lookback");
        SyncEngine.builder().lookback(Duration.ZERO);
    }

    @Test
    void maxAttemptsOutOfRangeIsRejectedWithTheValue() {
        assertMessage(IllegalArgumentException.class, () -> SyncEngine.builder().maxAttempts(0), "maxAttempts", "was 0");
    }

    @Test
    void closeTimeoutMustBeBetweenZeroAndTheMaximum() {
        assertMessage(IllegalArgumentException.class, () -> SyncEngine.builder().closeTimeout(Duration.ofSeconds(-1)),
                "closeTimeout", "PT-1S");
        assertMessage(IllegalArgumentException.class, () -> SyncEngine.builder().closeTimeout(Duration.ofHours(2)),
                "closeTimeout", "PT2H");
        assertMessage(NullPointerException.class, () -> SyncEngine.builder().closeTimeout(null), "closeTimeout");
        SyncEngine.builder().closeTimeout(Duration.ZERO).closeTimeout(SyncEngine.MAX_CLOSE_TIMEOUT);
    }

    @Test
    void leaseTtlMustBePositive() {
        assertMessage(IllegalArgumentException.class, () -> SyncEngine.builder().leaseTtl(Duration.ZERO), "leaseTtl", "PT0S");
        assertMessage(IllegalArgumentException.class, () -> SyncEngine.builder().leaseTtl(Duration.ofSeconds(2)),
                "leaseTtl", "PT2S", "PT3S");
        assertMessage(IllegalArgumentException.class, () -> SyncEngine.builder().leaseTtl(Duration.ofMinutes(11)),
                "leaseTtl", "PT11M", "PT10M");
        assertThrows(NullPointerException.class, () -> SyncEngine.builder().leaseRenewalExecutor(null));
    }

    @Test
    void engineIdMustBePrintableAndShort() {
        assertMessage(IllegalArgumentException.class, () -> SyncEngine.builder().engineId(" "), "engineId");
        assertMessage(IllegalArgumentException.class, () -> SyncEngine.builder().engineId("a\nb"), "engineId", "a?b");
        assertMessage(IllegalArgumentException.class, () -> SyncEngine.builder().engineId("x".repeat(101)), "engineId");
    }

    @Test
    void nullPartsAreRejectedByName() {
        assertMessage(NullPointerException.class, () -> SyncEngine.builder().crmSource(null), "crmSource");
        assertMessage(NullPointerException.class, () -> SyncEngine.builder().marketingStore(null), "marketingStore");
        assertMessage(NullPointerException.class, () -> SyncEngine.builder().syncStateStore(null), "syncStateStore");
        assertMessage(NullPointerException.class, () -> SyncEngine.builder().conflictPolicy(null), "conflictPolicy");
        assertMessage(NullPointerException.class, () -> SyncEngine.builder().clock(null), "clock");
        assertMessage(NullPointerException.class, () -> SyncEngine.builder().listener(null), "listener");
    }

    @Test
    void objectTypesMustBeNonEmptyWithoutNulls() {
        assertMessage(IllegalArgumentException.class, () -> SyncEngine.builder().objectTypes(List.of()), "objectTypes");
        assertMessage(NullPointerException.class,
                () -> SyncEngine.builder().objectTypes(Arrays.asList(ObjectType.ACCOUNT, null)), "objectTypes");
    }

    @Test
    void fieldSelectionRejectsBlankNamesNamingTheType() {
        assertMessage(IllegalArgumentException.class,
                () -> SyncEngine.builder().fields(ObjectType.ACCOUNT, Set.of()), "Account");
        assertMessage(IllegalArgumentException.class,
                () -> SyncEngine.builder().fields(ObjectType.ACCOUNT, List.of("Name", " ")), "Account");
    }

    @Test
    void closeIsIdempotentAndRefusesLaterCycles() {
        SyncEngine engine = SyncEngine.builder().crmSource(mock(CrmSource.class))
                .marketingStore(mock(BidirectionalStore.class)).syncStateStore(mock(SyncStateStore.class))
                .engineId("e1").build();
        engine.close();
        engine.close();
        assertTrue(engine.isClosed());
        assertMessage(IllegalStateException.class, engine::runCycle, "e1", "closed");
    }
}
