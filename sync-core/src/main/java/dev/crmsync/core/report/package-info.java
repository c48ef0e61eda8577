/**
 * What the engine tells the host after the fact: {@link dev.crmsync.core.report.SyncReport} (one
 * cycle: a {@link dev.crmsync.core.report.TypeReport} per object type with its
 * {@link dev.crmsync.core.report.SyncCounts}, the CRM calls made, how the cycle ended), the sealed
 * outcomes {@link dev.crmsync.core.report.CycleOutcome} and {@link dev.crmsync.core.report.TypeOutcome},
 * the result of a push ({@link dev.crmsync.core.report.PushResult}), and the structural events a
 * listener is told of ({@link dev.crmsync.core.report.LeadConversion},
 * {@link dev.crmsync.core.report.RecordsMerged}).
 *
 * <p>Every type here is an immutable value, validated at construction, and free of customer data
 * (codes, record keys and field names, never field values).
 */
@NullMarked
package dev.crmsync.core.report;

import org.jspecify.annotations.NullMarked;
