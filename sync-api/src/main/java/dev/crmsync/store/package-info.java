/**
 * The storage SPIs a host implements (or takes from {@link dev.crmsync.store.memory}): the host's
 * marketing database, and {@link dev.crmsync.store.SyncStateStore}, the engine's memory between
 * cycles — plus the value types they exchange.
 *
 * <h2>The marketing store: one required interface, optional capabilities</h2>
 * <ul>
 *   <li>{@link dev.crmsync.store.MarketingStore} — required of every store: upsert, mark deleted,
 *       find by CRM ids, list CRM ids. Enough for one-way types (CRM to marketing).</li>
 *   <li>{@link dev.crmsync.store.BidirectionalStore} — needed for bidirectional types (Lead,
 *       Contact, Campaign, CampaignMember): the change feed, lookup by marketing id, link, merge,
 *       relink. {@code SyncEngine.Builder.build()} refuses a bidirectional type against a store
 *       without it.</li>
 *   <li>{@link dev.crmsync.store.LocalWrites} — the host's own writes ({@code saveLocal}); never
 *       called by the engine.</li>
 * </ul>
 *
 * <h2>One helper for the shared rules</h2>
 * {@link dev.crmsync.store.StoreChecks} holds the argument rules (batch of one type, ids once,
 * limit at least 1, survivor not a loser, bidirectional type) and the value rules (no blank field
 * name, no unpaired UTF-16 surrogate, length limits) every store applies; the shipped stores call
 * it, and so should an adapter.
 *
 * <h2>"From the start" is {@code START}</h2>
 * Every position a caller passes has its own type, and the start of each is that type's
 * {@code START} constant: {@link dev.crmsync.crm.Cursor#START} in the CRM's change stream,
 * {@link dev.crmsync.store.FeedCursor#START} in a store's change feed, and
 * {@link dev.crmsync.store.IdCursor#START} in a store's listing of CRM ids. Neither {@code null}
 * nor {@code ""} is ever passed to mean the start.
 *
 * <h2>Nullness</h2>
 * Every package of the API is {@code @NullMarked} (JSpecify): a parameter, return value or record
 * component may be null only where it is declared {@code @Nullable}.
 *
 * <p>An adapter depends on {@code sync-api} alone, and proves itself by extending the
 * contract test kit ({@code MarketingStoreContract}, {@code SyncStateStoreContract}) in
 * {@code sync-testkit}, a test-scope dependency.
 */
@NullMarked
package dev.crmsync.store;

import org.jspecify.annotations.NullMarked;
