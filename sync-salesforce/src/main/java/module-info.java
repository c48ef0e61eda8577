/**
 * The Salesforce implementation of the CRM-side SPI: {@code SalesforceCrmSource} over the REST and
 * Bulk 2.0 APIs. Depends on sync-api, never on the engine.
 *
 * <p>One line per exported package; a new package is not visible to other modules until it is
 * listed here, and an {@code internal} package is never listed.
 *
 * <p>HttpClient 5 and Resilience4j ship no module descriptor; they are automatic modules whose names
 * are fixed by the {@code Automatic-Module-Name} in their manifests (not derived from file names), so
 * requiring them is stable. The {@code requires-automatic} lint is suppressed on this declaration for
 * that reason; each such {@code requires} below says so.
 */
@SuppressWarnings("requires-automatic")
module dev.crmsync.salesforce {
    requires static transitive org.jspecify;   // nullness annotations in API signatures (CLASS retention): needed to compile, not at run time
    // SalesforceCrmSource implements CrmSource and speaks in sync-api values
    requires transitive dev.crmsync.api;
    // implementation dependencies: none of their types appears in a public signature
    requires org.apache.httpcomponents.client5.httpclient5; // automatic module (Automatic-Module-Name in its manifest)
    requires org.apache.httpcomponents.core5.httpcore5;     // automatic module (Automatic-Module-Name in its manifest)
    requires com.fasterxml.jackson.databind;
    requires io.github.resilience4j.retry;                  // automatic module (Automatic-Module-Name in its manifest)
    requires io.github.resilience4j.circuitbreaker;         // automatic module (Automatic-Module-Name in its manifest)
    requires io.github.resilience4j.core;                   // automatic module (Automatic-Module-Name in its manifest)
    requires org.apache.commons.csv;
    requires org.slf4j;
    requires java.xml;                                      // the SOAP API's envelopes (convertLead, merge): the JDK's DOM parser

    exports dev.crmsync.salesforce;   // SalesforceCrmSource, SalesforceCredentials, RetrySettings, ApiBudget, ApiUsage
    // not exported: dev.crmsync.salesforce.internal (HTTP transport, Bulk reader, SOQL, token manager)
}
