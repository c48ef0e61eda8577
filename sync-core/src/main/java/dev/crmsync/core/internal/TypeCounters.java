package dev.crmsync.core.internal;

import dev.crmsync.core.report.SyncCounts;

/** Mutable counts of one type's run; used by one thread. */
public final class TypeCounters {
    private long read;
    private long created;
    private long updated;
    private long unchanged;
    private long deleted;
    private long failed;
    private long skipped;

    /** @param n records read from the CRM */
    public void read(long n) {
        read += n;
    }

    /** One record created in the store. */
    public void created() {
        created++;
    }

    /** One stored record updated. */
    public void updated() {
        updated++;
    }

    /** One record already held as read. */
    public void unchanged() {
        unchanged++;
    }

    /** One record newly flagged deleted. */
    public void deleted() {
        deleted++;
    }

    /** One record rejected. */
    public void failed() {
        failed++;
    }

    /** One record that needed no write for another reason. */
    public void skipped() {
        skipped++;
    }

    /** @return the records rejected so far */
    public long failedCount() {
        return failed;
    }

    /** @return the counts so far */
    public SyncCounts snapshot() {
        return new SyncCounts(read, created, updated, unchanged, deleted, failed, skipped);
    }
}
