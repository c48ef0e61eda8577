/**
 * The fake Salesforce server (test scope for users): REST, Bulk 2.0 and OAuth over
 * {@code com.sun.net.httpserver}, answering the way a real org does.
 *
 * <p>One line per exported package; a new package is not visible to other modules until it is
 * listed here, and an {@code internal} package is never listed.
 */
module dev.crmsync.testkit.salesforce {
    requires static transitive org.jspecify;   // nullness annotations in API signatures (CLASS retention): needed to compile, not at run time
    // the server is backed by a CrmSource and answers with sync-api values
    requires transitive dev.crmsync.api;
    // the server is backed by an InMemoryCrm, and its Faults and log() are the test kit's FaultPlan and CallLog
    requires transitive dev.crmsync.testkit;
    // the HTTP server the fake runs on
    requires jdk.httpserver;
    // the SOAP endpoint's envelopes (DOM parser of the JDK)
    requires java.xml;
    // implementation dependencies: none of their types appears in a public signature
    requires com.fasterxml.jackson.databind;
    requires org.apache.commons.csv;
    requires org.slf4j;

    exports dev.crmsync.testkit.salesforce; // FakeSalesforceServer, Faults, RecordedRequest
    // not exported: dev.crmsync.testkit.salesforce.internal (the server's API handlers, SOQL engine)
}
