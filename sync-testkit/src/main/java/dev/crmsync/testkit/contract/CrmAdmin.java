package dev.crmsync.testkit.contract;

import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The CRM-user side of the CRM behind a {@link dev.crmsync.crm.CrmSource} under contract test:
 * edits a salesperson or an administrator makes, and the clock the CRM stamps with. Edits made here
 * are never counted as source calls. {@link #of(InMemoryCrm, ManualClock)} adapts an
 * {@link InMemoryCrm}, which also backs the fake Salesforce HTTP server.
 */
public interface CrmAdmin {

    /** @param type the type @param fields the values @return the new record's id */
    CrmId insert(ObjectType type, Map<String, FieldValue> fields);

    /** @param type the type @param id the record @param fields the values to change */
    void update(ObjectType type, CrmId id, Map<String, FieldValue> fields);

    /** Deletes to the recycle bin. @param type the type @param id the record */
    void delete(ObjectType type, CrmId id);

    /** @param type the type @param master the survivor @param losers one or two records merged into it */
    void merge(ObjectType type, CrmId master, List<CrmId> losers);

    /** Converts a lead into a new contact and account. @param leadId the lead @return the new contact's id */
    CrmId convertLead(CrmId leadId);

    /** Hides a field from the integration user. @param type the type @param field the field */
    void hideField(ObjectType type, String field);

    /** Hides a type from the integration user. @param type the type */
    void hideType(ObjectType type);

    /**
     * Adds a validation rule for API writes.
     *
     * @param type the type
     * @param code the status code of the rejection
     * @param message its message
     * @param rejects true for records to reject
     */
    void addValidationRule(ObjectType type, String code, String message, Predicate<Map<String, FieldValue>> rejects);

    /** @param id a record whose next {@code times} API writes fail with UNABLE_TO_LOCK_ROW @param times how many */
    void lockRecord(CrmId id, int times);

    /** @param amount how far to move the CRM's clock */
    void advanceClock(Duration amount);

    /** @return the CRM's clock now */
    Instant now();

    /**
     * @param crm the CRM
     * @param clock the clock it was built with
     * @return an admin editing that CRM
     */
    static CrmAdmin of(InMemoryCrm crm, ManualClock clock) {
        Objects.requireNonNull(crm, "crm");
        Objects.requireNonNull(clock, "clock");
        return new CrmAdmin() {
            @Override
            public CrmId insert(ObjectType type, Map<String, FieldValue> fields) {
                return crm.insert(type, fields);
            }

            @Override
            public void update(ObjectType type, CrmId id, Map<String, FieldValue> fields) {
                crm.update(type, id, fields);
            }

            @Override
            public void delete(ObjectType type, CrmId id) {
                crm.delete(type, id);
            }

            @Override
            public void merge(ObjectType type, CrmId master, List<CrmId> losers) {
                crm.merge(type, master, losers);
            }

            @Override
            public CrmId convertLead(CrmId leadId) {
                return crm.convertLead(leadId, null).contactId();
            }

            @Override
            public void hideField(ObjectType type, String field) {
                crm.hideField(type, field);
            }

            @Override
            public void hideType(ObjectType type) {
                crm.hideType(type);
            }

            @Override
            public void addValidationRule(ObjectType type, String code, String message,
                                          Predicate<Map<String, FieldValue>> rejects) {
                crm.addValidationRule(type, code, message, rejects);
            }

            @Override
            public void lockRecord(CrmId id, int times) {
                crm.lockRecord(id, times);
            }

            @Override
            public void advanceClock(Duration amount) {
                clock.advance(amount);
            }

            @Override
            public Instant now() {
                return clock.instant();
            }
        };
    }
}
