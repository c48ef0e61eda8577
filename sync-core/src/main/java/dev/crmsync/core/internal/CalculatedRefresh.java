package dev.crmsync.core.internal;

import dev.crmsync.crm.FieldSchema;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.EngineIntent;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The refresh of calculated fields. A formula or roll-up value changes when what it is computed
 * from changes — another record, today's date — without moving the record's
 * {@code SystemModstamp}, so a change stream (Salesforce's, and every polling sync's) never brings
 * the new value: the copy goes stale. Each cycle re-reads a bounded slice of the type's stored
 * records by id (in calls of the CRM's fetch size), with all their synced fields, and hands them to
 * the type's ordinary apply path, which writes only what differs (the calculated fields are the
 * CRM's, so only they can). A full pass over {@code n} records takes {@code ⌈n / slice⌉} cycles:
 * that is how old a calculated value may be, at most, plus one cycle.
 */
final class CalculatedRefresh {

    private CalculatedRefresh() {
    }

    /** @return true if the type syncs a calculated field */
    static boolean hasCalculated(TypeRun run) {
        for (String f : run.fields()) {
            if (run.schema().field(f).map(FieldSchema::calculated).orElse(false)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Refreshes this cycle's slice.
     *
     * @param run the type's run
     * @param budget the most records this cycle re-reads
     * @param apply applies re-read records as the type applies CRM records (writing what differs)
     * @param fields the fields to re-read: those the type reads
     */
    static void run(TypeRun run, int budget, Consumer<List<SyncRecord>> apply, Set<String> fields) {
        long updatedBefore = run.counters().snapshot().updated();
        IdWalk.Slice slice = IdWalk.walk(run, EngineIntent.IdSweep.CALCULATED_KEY, budget, ids -> {
            List<SyncRecord> found = run.crm().fetch(run.type(), ids, fields);
            run.counters().read(found.size());
            if (!found.isEmpty()) {
                apply.accept(found);
            }
        });
        long updated = run.counters().snapshot().updated() - updatedBefore;
        if (updated > 0) {
            EngineIntent.IdSweep at = slice.next();
            run.note("calculated fields: " + slice.checked() + " records re-read, " + updated + " updated"
                    + (slice.passDone() ? "; pass " + at.passes() + " complete" : ""));
        }
    }
}
