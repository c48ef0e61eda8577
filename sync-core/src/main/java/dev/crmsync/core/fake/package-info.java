/**
 * Fakes for test suites: {@link dev.crmsync.core.fake.InMemoryCrm}, an in-memory CRM with
 * Salesforce-like semantics and a seeded fault profile.
 */
package dev.crmsync.core.fake;
