/**
 * The one fault vocabulary and the one call log of the test kits: {@link dev.crmsync.testkit.fault.Fault}
 * (fail retriable or fatal, lose the answer after the call took effect, latency, quota exceeded,
 * crash, reject a record, and extensions a fake adds), the seeded, thread-safe
 * {@link dev.crmsync.testkit.fault.FaultPlan} that schedules them per operation, and
 * {@link dev.crmsync.testkit.fault.CallLog} of {@link dev.crmsync.testkit.fault.Call}s. Every fake uses
 * them: the store decorators made by {@link dev.crmsync.testkit.fault.InstrumentedStores} (which wrap
 * any {@code MarketingStore} or {@code SyncStateStore}, operations {@link dev.crmsync.testkit.fault.StoreOperation}),
 * {@code InMemoryCrm} and the fake Salesforce server.
 */
@NullMarked
package dev.crmsync.testkit.fault;

import org.jspecify.annotations.NullMarked;
