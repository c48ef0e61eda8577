/**
 * crmsync's API: the data model and both service-provider interfaces (the CRM side and the store
 * side), with the in-memory reference stores. Depends on the JDK alone, so an adapter written
 * against it pulls in nothing else.
 *
 * <p>Every package of this module is API (there is no {@code internal} package here). One line per
 * exported package; a new package is not visible to other modules until it is listed here.
 */
module dev.crmsync.api {
    requires static transitive org.jspecify;   // nullness annotations in API signatures (CLASS retention): needed to compile, not at run time
    exports dev.crmsync.model;        // the shared model: ObjectType, CrmId, FieldValue, SyncRecord, exceptions, Sleeper
    exports dev.crmsync.crm;          // CRM-side SPI: CrmSource, ChangeStream, ObjectSchema, CrmWrite, Cursor
    exports dev.crmsync.store;        // store-side SPI: MarketingStore, SyncStateStore, Checkpoint, SyncBase, FailedRecord
    exports dev.crmsync.store.memory; // in-memory reference stores (API: hosts and tests use them directly)
}
