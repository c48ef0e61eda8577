/**
 * Fakes for test suites (the {@code sync-testkit} artifact, a test-scope dependency):
 * {@link dev.crmsync.testkit.InMemoryCrm}, an in-memory CRM with Salesforce's semantics and a
 * seeded fault plan ({@link dev.crmsync.testkit.CrmOperation}, {@link dev.crmsync.testkit.fault.FaultPlan}),
 * and {@link dev.crmsync.testkit.ManualClock}, a clock tests move by hand
 * (its {@code advance} is a {@link dev.crmsync.model.Sleeper}). None of it ships in a production jar.
 */
@NullMarked
package dev.crmsync.testkit;

import org.jspecify.annotations.NullMarked;
