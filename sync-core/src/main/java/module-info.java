/**
 * The sync engine: {@code SyncEngine}, {@code SyncScheduler}, {@code ConflictPolicy}, the listener,
 * and the cycle reports. The engine's internals ({@code dev.crmsync.core.internal}) are not exported.
 *
 * <p>One line per exported package; a new package is not visible to other modules until it is
 * listed here, and an {@code internal} package is never listed.
 */
module dev.crmsync.core {
    requires static transitive org.jspecify;   // nullness annotations in API signatures (CLASS retention): needed to compile, not at run time
    // the engine's API takes and returns sync-api types (CrmSource, MarketingStore, SyncRecord, ...)
    requires transitive dev.crmsync.api;
    // logging only; no SLF4J type appears in a public signature
    requires org.slf4j;

    exports dev.crmsync.core;         // engine API: SyncEngine, SyncScheduler, ConflictPolicy, FieldRule, SyncListener
    exports dev.crmsync.core.report;  // cycle reports and outcomes: SyncReport, TypeReport, CycleOutcome, PushResult
    // not exported: dev.crmsync.core.internal (cycle runner, one-way and bidirectional strategies)
}
