package dev.crmsync.testkit.fault;

/**
 * The operations of the two storage SPIs, as the store decorators of {@link InstrumentedStores} count, log and fault them.
 * One constant per SPI method: first those of {@link dev.crmsync.store.MarketingStore}, then
 * those of {@link dev.crmsync.store.SyncStateStore}.
 */
public enum StoreOperation {
    /** {@code MarketingStore.upsert}. */
    UPSERT,
    /** {@code MarketingStore.markDeleted}. */
    MARK_DELETED,
    /** {@code MarketingStore.findByCrmIds}. */
    FIND_BY_CRM_IDS,
    /** {@code MarketingStore.findByMarketingId}. */
    FIND_BY_MARKETING_ID,
    /** {@code MarketingStore.crmIds}. */
    CRM_IDS,
    /** {@code MarketingStore.saveLocal}. */
    SAVE_LOCAL,
    /** {@code LocalWrites.deleteLocal}. */
    DELETE_LOCAL,
    /** {@code MarketingStore.changesSince}. */
    CHANGES_SINCE,
    /** {@code MarketingStore.link}. */
    LINK,
    /** {@code MarketingStore.merge}. */
    MERGE,
    /** {@code MarketingStore.relink}. */
    RELINK,

    /** {@code SyncStateStore.checkpoint}. */
    CHECKPOINT,
    /** {@code SyncStateStore.saveCheckpoint}. */
    SAVE_CHECKPOINT,
    /** {@code SyncStateStore.deleteCheckpoint}. */
    DELETE_CHECKPOINT,
    /** {@code SyncStateStore.saveFailure}. */
    SAVE_FAILURE,
    /** {@code SyncStateStore.failure}. */
    FAILURE,
    /** {@code SyncStateStore.retryQueue}. */
    RETRY_QUEUE,
    /** {@code SyncStateStore.parkedFailures}. */
    PARKED_FAILURES,
    /** {@code SyncStateStore.deleteFailure}. */
    DELETE_FAILURE,
    /** {@code SyncStateStore.saveIntent}. */
    SAVE_INTENT,
    /** {@code SyncStateStore.intent}. */
    INTENT,
    /** {@code SyncStateStore.intents}. */
    INTENTS,
    /** {@code SyncStateStore.deleteIntent}. */
    DELETE_INTENT,
    /** {@code SyncStateStore.bases}. */
    BASES,
    /** {@code SyncStateStore.baseByMarketingId}. */
    BASE_BY_MARKETING_ID,
    /** {@code SyncStateStore.saveBases}. */
    SAVE_BASES,
    /** {@code SyncStateStore.deleteBase}. */
    DELETE_BASE,
    /** {@code SyncStateStore.parkConflict}. */
    PARK_CONFLICT,
    /** {@code SyncStateStore.parkedConflicts}. */
    PARKED_CONFLICTS,
    /** {@code SyncStateStore.deleteConflict}. */
    DELETE_CONFLICT,
    /** {@code SyncStateStore.inTransaction}. */
    IN_TRANSACTION,
    /** {@code SyncStateStore.tryAcquireLease}. */
    TRY_ACQUIRE_LEASE,
    /** {@code SyncStateStore.renewLease}. */
    RENEW_LEASE,
    /** {@code SyncStateStore.releaseLease}. */
    RELEASE_LEASE,
    /** {@code SyncStateStore.holdsLease}. */
    HOLDS_LEASE;

    /** @return true for an operation that changes the store's state */
    public boolean isWrite() {
        return switch (this) {
            case UPSERT, MARK_DELETED, SAVE_LOCAL, DELETE_LOCAL, LINK, MERGE, RELINK, SAVE_CHECKPOINT, DELETE_CHECKPOINT,
                 SAVE_FAILURE, DELETE_FAILURE, SAVE_INTENT, DELETE_INTENT, SAVE_BASES, DELETE_BASE, PARK_CONFLICT, DELETE_CONFLICT,
                 TRY_ACQUIRE_LEASE, RENEW_LEASE, RELEASE_LEASE -> true;
            default -> false;
        };
    }
}
