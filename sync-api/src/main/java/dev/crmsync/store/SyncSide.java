package dev.crmsync.store;

/** The two sides the engine keeps in step. */
public enum SyncSide {
    /** The CRM (Salesforce). */
    CRM,
    /** The host's marketing store. */
    MARKETING
}
