package dev.crmsync.model;

/** Which way data of an {@link ObjectType} travels between the CRM and the marketing store. */
public enum SyncDirection {
    /** Changes on either side reach the other (Lead, Contact, Campaign, CampaignMember). */
    BIDIRECTIONAL,
    /** CRM changes reach the marketing store; marketing-side edits never reach the CRM. */
    CRM_TO_MARKETING
}
