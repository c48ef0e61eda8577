/**
 * The sync engine and the SPIs it is built from.
 *
 * <ul>
 *   <li>{@link dev.crmsync.core.SyncEngine}, built by {@link dev.crmsync.core.SyncEngine#builder()}: runs
 *       cycles ({@link dev.crmsync.core.SyncEngine#runCycle()}) that each return a
 *       {@link dev.crmsync.core.report.SyncReport}; lists and re-drives parked failures; pushes
 *       marketing-only persons to the CRM at once ({@link dev.crmsync.core.SyncEngine#pushNow});
 *       lists and resolves parked conflicts.</li>
 *   <li>{@link dev.crmsync.core.SyncScheduler}: runs an engine's cycles in a loop with a pause
 *       measured from the end of each cycle.</li>
 *   <li>{@link dev.crmsync.core.SyncListener}: hooks for progress, rejected records, conflicts,
 *       lead conversions, merges and completion.</li>
 *   <li>{@link dev.crmsync.crm.CrmSource} (what the engine needs from a CRM) and
 *       {@link dev.crmsync.core.ConflictPolicy} (who wins a field changed on both sides, and how
 *       each field travels: {@link dev.crmsync.core.FieldRule}), plus the values they exchange.</li>
 * </ul>
 */
@NullMarked
package dev.crmsync.core;

import org.jspecify.annotations.NullMarked;
