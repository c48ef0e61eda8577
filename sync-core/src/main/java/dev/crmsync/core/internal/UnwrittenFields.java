package dev.crmsync.core.internal;

import dev.crmsync.core.SyncListener;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.core.report.UnwrittenField;
import dev.crmsync.model.ObjectType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One type run's book of the host's fields the CRM will not take ({@link UnwrittenField}): the
 * first record carrying a field tells the listener and logs it once, later ones are counted for
 * the {@link TypeReport}. Names are kept sanitised and at most
 * {@link TypeReport#MAX_UNWRITTEN_FIELDS} of them; further names are logged once as one line and
 * not listed. Used by the run's thread only.
 */
final class UnwrittenFields {

    private static final Logger LOG = LoggerFactory.getLogger(UnwrittenFields.class);

    private final ObjectType type;
    private final SyncListener listener;
    private final Map<String, Long> counts = new LinkedHashMap<>();
    private boolean overflowLogged;

    UnwrittenFields(ObjectType type, SyncListener listener) {
        this.type = type;
        this.listener = listener;
    }

    /** One record carried a field the CRM does not take. */
    void seen(String field, UnwrittenField.Reason reason) {
        UnwrittenField event = new UnwrittenField(type, field, reason);
        Long n = counts.get(event.field());
        if (n != null) {
            counts.put(event.field(), n + 1);
            return;
        }
        if (counts.size() >= TypeReport.MAX_UNWRITTEN_FIELDS) {
            if (!overflowLogged) {
                overflowLogged = true;
                LOG.warn("{}: more than {} marketing fields the CRM does not take; the others are not listed", type,
                        TypeReport.MAX_UNWRITTEN_FIELDS);
            }
            return;
        }
        counts.put(event.field(), 1L);
        LOG.warn("{}: marketing field '{}' is not written to the CRM ({}); the rest of the record is", type,
                event.field(), reason);
        listener.onFieldNotWritten(event);
    }

    /** @return the counts by field name, for the type's report */
    Map<String, Long> snapshot() {
        return Map.copyOf(counts);
    }
}
