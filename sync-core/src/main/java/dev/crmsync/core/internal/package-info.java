/**
 * Engine internals; not part of the API and may change without notice.
 *
 * <p>A cycle is run by {@link dev.crmsync.core.internal.CycleRunner}, which hands each object type
 * to a {@link dev.crmsync.core.internal.TypeSync} strategy chosen by
 * {@link dev.crmsync.core.internal.TypeSyncs}: {@link dev.crmsync.core.internal.OneWaySync} for
 * CRM → marketing types, {@link dev.crmsync.core.internal.BidirectionalSync} for Lead, Contact,
 * Campaign and CampaignMember (a three-way merge per field against the base). The one-way
 * strategy uses {@link dev.crmsync.core.internal.StoreApplier} (compare and write CRM records to the
 * store) and {@link dev.crmsync.core.internal.SideFailures} (retry queue and parking); the
 * bidirectional one its own per-side failure book, which also keeps the engine's bookkeeping
 * (follow-ups, creates awaiting confirmation). {@link dev.crmsync.core.internal.EngineActions}
 * runs what the host asks for outside a cycle (pushes, manual conflict resolutions).
 */
package dev.crmsync.core.internal;
