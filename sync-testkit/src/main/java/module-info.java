/**
 * crmsync's test kit (test scope for users): the in-memory CRM, the manual clock, and the contract
 * kits an adapter author extends to prove a {@code CrmSource}, {@code MarketingStore} or
 * {@code SyncStateStore} implementation.
 *
 * <p>One line per exported package; a new package is not visible to other modules until it is
 * listed here.
 */
module dev.crmsync.testkit {
    requires static transitive org.jspecify;   // nullness annotations in API signatures (CLASS retention): needed to compile, not at run time
    // the fakes implement sync-api interfaces and the kits test them
    requires transitive dev.crmsync.api;
    // the contract kits are JUnit 5 test classes: a subclass needs JUnit's annotations and assertions
    requires transitive org.junit.jupiter.api;

    exports dev.crmsync.testkit;          // InMemoryCrm, ManualClock, StandardSchemas
    exports dev.crmsync.testkit.contract; // the contract kits: CrmSourceContract, MarketingStoreContract, SyncStateStoreContract
    exports dev.crmsync.testkit.fault;    // one fault vocabulary and call log: Fault, FaultPlan, CallLog, InstrumentedStores
    // JUnit discovers and invokes the kits' inherited test methods reflectively
    opens dev.crmsync.testkit.contract to org.junit.platform.commons;
}
