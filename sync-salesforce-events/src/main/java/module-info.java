/**
 * Salesforce Change Data Capture events: the change-event decoder and replay ids, and the Pub/Sub API's
 * wire messages and methods.
 *
 * <p>One line per exported package; a new package is not visible to other modules until it is
 * listed here, and an {@code internal} package is never listed.
 *
 * <p>Avro ships no module descriptor; it is an automatic module whose name is fixed by the
 * {@code Automatic-Module-Name} in its manifest, so requiring it is stable (the {@code requires-automatic}
 * lint is suppressed for that reason; so is {@code requires-transitive-automatic}: protobuf and grpc-api are
 * automatic modules with fixed names too, and are transitive because the exported {@code pubsub} package
 * speaks in their types).
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.crmsync.salesforce.events {
    requires static transitive org.jspecify;   // nullness annotations in API signatures (CLASS retention): needed to compile, not at run time
    // implementation dependency: no Avro type appears in a public signature
    requires org.apache.avro;                  // automatic module (Automatic-Module-Name in its manifest)
    // the Pub/Sub API: its generated messages and the hand-bound methods are exported (pubsub), so these are transitive
    requires transitive com.google.protobuf;   // automatic module
    requires transitive io.grpc;               // grpc-api, automatic module
    requires io.grpc.stub;                     // automatic module
    requires io.grpc.protobuf;                 // automatic module
    requires io.grpc.netty.shaded;             // the transport (TLS), automatic module
    requires transitive dev.crmsync.api;       // Sleeper in PubSubClient.Builder
    requires transitive dev.crmsync.salesforce; // SalesforceCrmSource in PubSubCredentials.of
    requires transitive dev.crmsync.core;       // SyncEngine in ChangeEventSync
    requires org.slf4j;

    exports dev.crmsync.salesforce.events;     // ChangeEventSync, PubSubClient, ChangeEvent, ChangeEventDecoder, ReplayId
    exports dev.crmsync.salesforce.events.pubsub; // the Pub/Sub API's messages (protoc) and PubSubMethods
    // not exported: dev.crmsync.salesforce.events.internal (field bitmaps, schema cache, the subscription loop)
}
