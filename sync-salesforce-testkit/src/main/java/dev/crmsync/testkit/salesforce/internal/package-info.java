/**
 * Implementation of the fake Salesforce server: HTTP routing, the SOQL subset parser and
 * evaluator, OAuth flows, Bulk API 2.0 jobs, limits and fault injection. Not part of the API.
 */
package dev.crmsync.testkit.salesforce.internal;
