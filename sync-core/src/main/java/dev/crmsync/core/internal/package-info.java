/**
 * Engine internals; not part of the API and may change without notice.
 *
 * <p>A cycle is run by {@link dev.crmsync.core.internal.CycleRunner}, which hands each object type
 * to a {@link dev.crmsync.core.internal.TypeSync} strategy chosen by
 * {@link dev.crmsync.core.internal.TypeSyncs}: {@link dev.crmsync.core.internal.OneWaySync} for
 * CRM → marketing types. Strategies share {@link dev.crmsync.core.internal.StoreApplier} (compare
 * and write CRM records to the store) and {@link dev.crmsync.core.internal.FailureBook} (retry
 * queue and parking).
 */
package dev.crmsync.core.internal;
