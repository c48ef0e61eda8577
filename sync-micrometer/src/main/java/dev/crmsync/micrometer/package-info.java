/**
 * {@link dev.crmsync.micrometer.SyncMetrics}: the engine's cycles as Micrometer observations, and its
 * records, rejections, conflicts, CRM calls, parked items, lag and leases as meters.
 */
@NullMarked
package dev.crmsync.micrometer;

import org.jspecify.annotations.NullMarked;
