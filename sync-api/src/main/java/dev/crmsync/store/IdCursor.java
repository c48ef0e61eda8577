package dev.crmsync.store;

import dev.crmsync.model.CrmId;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A position in a marketing store's ascending listing of CRM ids ({@link MarketingStore#crmIds}):
 * {@link #START}, before every id, or {@linkplain #after(CrmId) just after} the last id of a page.
 *
 * @param lastId the last id already listed; null only in {@link #START} (spell the start
 *     {@code IdCursor.START}, never {@code new IdCursor(null)})
 */
public record IdCursor(@Nullable CrmId lastId) {

    /** Before every id. */
    public static final IdCursor START = new IdCursor(null);

    /**
     * @param lastId the last id of the page just read
     * @return the position just after it: the next page lists ids strictly greater
     */
    public static IdCursor after(CrmId lastId) {
        return new IdCursor(Objects.requireNonNull(lastId, "lastId"));
    }

    /** @return true for {@link #START} */
    public boolean isStart() {
        return lastId == null;
    }
}
