package dev.crmsync.core.internal;

import dev.crmsync.model.CrmId;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.store.IdCursor;
import dev.crmsync.store.RecordKey;
import java.util.List;
import java.util.function.Consumer;

/**
 * A walk over a type's stored CRM ids, a bounded slice per cycle, resumed where the last cycle
 * stopped ({@link EngineIntent.IdSweep}): the sweep for records the CRM removed without a trace and
 * the refresh of calculated fields. Each slice goes to the caller in chunks of at most the CRM's
 * fetch size; the position is saved after the slice.
 */
final class IdWalk {

    /** What a cycle's slice did. */
    record Slice(int checked, boolean passDone, EngineIntent.IdSweep next) {
    }

    private IdWalk() {
    }

    /**
     * @param run the type's run
     * @param key which walk ({@link EngineIntent.IdSweep#KEY} or {@link EngineIntent.IdSweep#CALCULATED_KEY})
     * @param budget the most ids this cycle takes
     * @param chunk takes each chunk of ids, in id order
     * @return what the slice did
     */
    static Slice walk(TypeRun run, RecordKey.Marketing key, int budget, Consumer<List<CrmId>> chunk) {
        EngineIntent.IdSweep at = run.state().intent(run.type(), key, EngineIntent.Kind.ID_SWEEP)
                .map(i -> (EngineIntent.IdSweep) i)
                .orElse(new EngineIntent.IdSweep(run.type(), key, run.now(), null, 0, null));
        IdCursor after = at.after() == null ? IdCursor.START : IdCursor.after(at.after());
        int left = budget;
        int checked = 0;
        boolean passDone = false;
        CrmId last = at.after();
        while (left > 0) {
            run.checkContinue();
            int limit = Math.min(left, run.settings().fetchSize());
            List<CrmId> ids = run.store().crmIds(run.type(), after, limit);
            if (!ids.isEmpty()) {
                chunk.accept(ids);
                checked += ids.size();
                left -= ids.size();
                last = ids.get(ids.size() - 1);
                after = IdCursor.after(last);
            }
            if (ids.size() < limit) {
                passDone = true;
                break;
            }
        }
        EngineIntent.IdSweep next = passDone
                ? new EngineIntent.IdSweep(run.type(), key, run.now(), null, at.passes() + 1, run.now())
                : new EngineIntent.IdSweep(run.type(), key, run.now(), last, at.passes(), at.lastPassDoneAt());
        run.commit(() -> run.state().saveIntent(next), null);
        return new Slice(checked, passDone, next);
    }
}
