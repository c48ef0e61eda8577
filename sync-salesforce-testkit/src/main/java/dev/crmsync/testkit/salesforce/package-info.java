/** A local fake Salesforce HTTP server, backed by the in-memory CRM, for tests. */
@NullMarked
package dev.crmsync.testkit.salesforce;

import org.jspecify.annotations.NullMarked;
