/** A local fake Salesforce HTTP server, backed by the in-memory CRM, for tests. */
package dev.crmsync.testkit.salesforce;
