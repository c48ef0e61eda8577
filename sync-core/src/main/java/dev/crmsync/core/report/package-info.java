/**
 * What a cycle and a push report: {@link dev.crmsync.core.report.SyncReport} (per type a
 * {@link dev.crmsync.core.report.TypeReport} with its {@link dev.crmsync.core.report.SyncCounts}),
 * the sealed outcomes {@link dev.crmsync.core.report.CycleOutcome} and
 * {@link dev.crmsync.core.report.TypeOutcome}, the per-record {@link dev.crmsync.core.report.PushResult},
 * and the events {@link dev.crmsync.core.report.LeadConversion} and
 * {@link dev.crmsync.core.report.RecordsMerged}. Values only: immutable, validated, and free of
 * customer data (codes, record keys and field names, never field values).
 */
@NullMarked
package dev.crmsync.core.report;

import org.jspecify.annotations.NullMarked;
