/**
 * The storage SPIs a host implements (or takes from {@link dev.crmsync.store.memory}):
 * {@link dev.crmsync.store.MarketingStore}, the host's marketing database, and
 * {@link dev.crmsync.store.SyncStateStore}, the engine's memory between cycles — plus the
 * value types they exchange.
 *
 * <p>An adapter depends on {@code sync-api} alone, and proves itself by extending the
 * contract test kit ({@code MarketingStoreContract}, {@code SyncStateStoreContract}) in
 * {@code sync-testkit}, a test-scope dependency.
 */
package dev.crmsync.store;
