/**
 * The fake Salesforce Pub/Sub server (test scope for users): Change Data Capture events for every write to
 * the fake Salesforce org, over gRPC (in-process and a loopback socket).
 *
 * <p>One line per exported package; an {@code internal} package is never listed. gRPC and Avro ship no
 * module descriptors; they are automatic modules with fixed names ({@code Automatic-Module-Name}), so
 * requiring them is stable and the {@code requires-automatic} lint is suppressed.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.crmsync.testkit.salesforce.events {
    requires static transitive org.jspecify;
    // the server is hooked to a FakeSalesforceServer and speaks in sync-api types
    requires transitive dev.crmsync.testkit.salesforce;
    requires transitive dev.crmsync.salesforce.events;   // ChangeType in the gap knobs; the wire messages
    requires transitive io.grpc;                          // ManagedChannel in the API
    requires io.grpc.stub;
    requires io.grpc.inprocess;
    requires io.grpc.netty.shaded;
    requires org.apache.avro;
    requires org.slf4j;

    exports dev.crmsync.testkit.salesforce.events;        // FakePubSubServer
    // not exported: dev.crmsync.testkit.salesforce.events.internal (event log, CDC schemas)
}
