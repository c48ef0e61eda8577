/**
 * Salesforce Change Data Capture events: the change-event decoder and replay ids. The Pub/Sub API client
 * joins this module in the next step.
 *
 * <p>One line per exported package; a new package is not visible to other modules until it is
 * listed here, and an {@code internal} package is never listed.
 *
 * <p>Avro ships no module descriptor; it is an automatic module whose name is fixed by the
 * {@code Automatic-Module-Name} in its manifest, so requiring it is stable (the {@code requires-automatic}
 * lint is suppressed for that reason).
 */
@SuppressWarnings("requires-automatic")
module dev.crmsync.salesforce.events {
    requires static transitive org.jspecify;   // nullness annotations in API signatures (CLASS retention): needed to compile, not at run time
    // implementation dependency: no Avro type appears in a public signature
    requires org.apache.avro;                  // automatic module (Automatic-Module-Name in its manifest)

    exports dev.crmsync.salesforce.events;     // ChangeEvent, ChangeEventDecoder, ChangeType, ReplayId
    // not exported: dev.crmsync.salesforce.events.internal (field bitmaps)
}
