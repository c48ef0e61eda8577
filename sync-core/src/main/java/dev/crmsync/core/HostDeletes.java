package dev.crmsync.core;

/**
 * What becomes of the CRM record when the host deletes a linked record of a bidirectional type
 * (a Lead, Contact, Campaign or campaign member) from the marketing store, as the store's change
 * feed reports it ({@link dev.crmsync.store.HostDeletion}). Set with
 * {@link SyncEngine.Builder#hostDeletes(HostDeletes)}.
 *
 * <p>Either way an edit wins over a delete: a CRM record changed since the engine last merged it
 * is kept and copied back into the store (as a new marketing record), reported as skipped.
 */
public enum HostDeletes {
    /**
     * The CRM record is deleted too (to Salesforce's recycle bin), as Heroku Connect does for a
     * row deleted from a read-write table. The default. A delete the CRM refuses with a retriable
     * code (a locked row) is retried next cycle; one it refuses for good (a converted lead, no
     * permission) is reported as a rejection and the record is copied back into the store.
     */
    DELETE_IN_CRM,
    /**
     * The CRM record stays and is no longer linked; the next CRM change of it copies it back into
     * the store as a new marketing record. Marketo's behaviour for a person deleted without its
     * "delete in CRM" option.
     */
    KEEP_IN_CRM
}
