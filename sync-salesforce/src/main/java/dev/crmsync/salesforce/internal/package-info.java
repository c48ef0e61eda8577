/** Salesforce adapter internals; not part of the API. */
package dev.crmsync.salesforce.internal;
