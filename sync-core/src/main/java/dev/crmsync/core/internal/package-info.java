/**
 * Engine internals; not part of the API and may change without notice.
 *
 * <p>A cycle is run by {@link dev.crmsync.core.internal.CycleRunner}, which hands each object type
 * to a {@link dev.crmsync.core.internal.TypeSync} strategy chosen by
 * {@link dev.crmsync.core.internal.TypeSyncs}: {@link dev.crmsync.core.internal.OneWaySync} for
 * CRM → marketing types, {@link dev.crmsync.core.internal.BidirectionalSync} for Lead, Contact,
 * Campaign and CampaignMember (a three-way merge per field against the base). Both read through
 * {@link dev.crmsync.core.internal.TypeRun} (change stream, checkpoint commits, id-set
 * reconciliation) and record rejections in {@link dev.crmsync.core.internal.SideFailures} (retry
 * queue and parking; on the CRM side also the engine's intents: follow-ups, creates awaiting
 * confirmation). The one-way strategy writes through {@link dev.crmsync.core.internal.StoreApplier}.
 * {@link dev.crmsync.core.internal.EngineActions} runs what the host asks for outside a cycle
 * (pushes, manual conflict resolutions).
 *
 * <h2>The bidirectional path, in stages</h2>
 * {@code BidirectionalSync} runs a type's phases — the marketing change feed page by page, the CRM
 * changes (full copy, then the change stream and the delete log), unconfirmed creates sent again,
 * retries and follow-ups — and passes each batch through stages that take values and return
 * values; {@code BidiContext} holds what they share (the type run, the type's description, both
 * failure books, the type's CRM and store operations {@code BidiOps}).
 * <ol>
 *   <li><b>Read</b> ({@code BidiRead}): a feed page is split (marketing-only records, linked ones;
 *       echoes passed over), a CRM page or a set of ids becomes a {@code BidiBatch.Request}, and
 *       what it lacks — CRM records, store records, bases — is read into an immutable
 *       {@code BidiBatch}.</li>
 *   <li><b>Create recovery</b> ({@code CreateRecovery}): CRM records unknown to the store are
 *       matched against creates whose answer was lost — by the marketing-id field, by the values
 *       sent (persons, campaigns) or by campaign and person (members) — and linked, the sent values
 *       becoming the base. The same class lists the unconfirmed creates nothing matched (sent again)
 *       and tells a push ({@code pushNow} too) what needs no create.</li>
 *   <li><b>Structural changes</b> ({@code BidiStructure}): CRM merges (the store merges the losers
 *       into the survivor), lead conversions (the person becomes a Contact; the member type re-reads
 *       from the conversion), and which deletions of the delete log to flag.</li>
 *   <li><b>Merge</b> ({@code BidiMerge}): each other record of the batch becomes a sealed
 *       {@code RecordPlan} — forget, flag deleted, create in the store, still parked, policy failed,
 *       or a {@code FieldMerger} merge with its {@code CrmStep} (nothing,
 *       held, a value the CRM would refuse, an update to send) and whether the store is held.</li>
 *   <li><b>Writes</b> ({@code BidiWrites}): conflicts reported and parked
 *       ({@code BidiConflicts}); the values about to be written recorded in the bases (in flight);
 *       the CRM written in batches (per-record {@code CrmOutcome}); then, in one store transaction
 *       with the checkpoint, the store written ({@code StoreOutcome}), deletions flagged, and per
 *       record the new base (only what both sides hold), counters and failure books.</li>
 * </ol>
 * Marketing-only campaign members are created by {@code MemberCreates} (their persons first).
 */
package dev.crmsync.core.internal;
