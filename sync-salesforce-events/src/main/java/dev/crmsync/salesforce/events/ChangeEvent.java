package dev.crmsync.salesforce.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One decoded Change Data Capture event: the fields of its {@code ChangeEventHeader}, with the field bitmaps
 * expanded to field names, the values of the changed fields, and the event's replay id.
 *
 * <p>Field names of compound fields are given as Salesforce's nested form expands them:
 * {@code Name.FirstName}, {@code BillingAddress.City}. {@link #values()} holds, for each changed field that
 * has a value, that value as Avro decoded it ({@code String}, {@code Long}, {@code Integer}, {@code Double},
 * {@code Boolean}; a compound field's parts under their dotted names); a nulled field is in
 * {@link #nulledFields()} and not in {@code values()}.
 *
 * <p>Field values are customer data: {@link #toString()} names the entity, type, record ids and the changed
 * field names, never a value.
 *
 * @param entityName      the object's API name ({@code Lead}, {@code Account})
 * @param recordIds       the ids of the changed records (empty for {@link ChangeType#GAP_OVERFLOW})
 * @param changeType      the kind of change
 * @param changeOrigin    Salesforce's {@code changeOrigin} (the API client, e.g.
 *                        {@code com/salesforce/api/rest/62.0;client=crmsync}), possibly empty
 * @param commitTimestamp when the transaction committed
 * @param commitNumber    the transaction's system change number
 * @param commitUser      the id of the user who committed
 * @param transactionKey  the transaction's key (shared by its events)
 * @param sequenceNumber  the event's position in its transaction (from 1)
 * @param changedFields   fields that changed (empty for gap events and for create/delete events of some kinds)
 * @param nulledFields    fields set to null
 * @param diffFields      large text fields sent as a diff (empty unless the org enabled it)
 * @param values          the changed fields' values (see above)
 * @param replayId        the event's replay id
 */
public record ChangeEvent(String entityName, List<String> recordIds, ChangeType changeType, String changeOrigin,
                          Instant commitTimestamp, long commitNumber, String commitUser, String transactionKey,
                          int sequenceNumber, List<String> changedFields, List<String> nulledFields,
                          List<String> diffFields, Map<String, Object> values, ReplayId replayId) {

    /** Copies the collections and checks that nothing is null. */
    public ChangeEvent {
        Objects.requireNonNull(entityName, "entityName");
        recordIds = List.copyOf(recordIds);
        Objects.requireNonNull(changeType, "changeType");
        Objects.requireNonNull(changeOrigin, "changeOrigin");
        Objects.requireNonNull(commitTimestamp, "commitTimestamp");
        Objects.requireNonNull(commitUser, "commitUser");
        Objects.requireNonNull(transactionKey, "transactionKey");
        changedFields = List.copyOf(changedFields);
        nulledFields = List.copyOf(nulledFields);
        diffFields = List.copyOf(diffFields);
        values = Map.copyOf(values);
        Objects.requireNonNull(replayId, "replayId");
    }

    /** Names, codes and ids only: no field value (customer data). */
    @Override
    public String toString() {
        return "ChangeEvent[" + changeType + " " + entityName + " " + recordIds + " changed=" + changedFields
                + " nulled=" + nulledFields + " seq=" + sequenceNumber + " " + replayId + "]";
    }
}
