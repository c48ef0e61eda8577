package dev.crmsync.testkit;

import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The change hook a fake change-event server publishes from: one transaction per call, exact kinds and fields. */
class InMemoryCrmChangeListenerTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2024-03-01T10:00:00Z"));
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(3).build();
    private final List<List<RecordChange>> transactions = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();

    private void listen() {
        crm.addChangeListener((changes, key) -> {
            transactions.add(changes);
            keys.add(key);
        });
    }

    private static Map<String, FieldValue> lead(String last) {
        return Map.of("LastName", FieldValue.text(last), "Company", FieldValue.text("Acme"));
    }

    @Test
    void createUpdateDeleteUndeleteArePublishedOneTransactionPerCall() {
        listen();
        CrmId id = crm.insert(ObjectType.LEAD, lead("A"));
        clock.advance(Duration.ofSeconds(1));
        crm.update(ObjectType.LEAD, id, Map.of("Company", FieldValue.text("Beta")));
        crm.update(ObjectType.LEAD, id, Map.of("Company", FieldValue.text("Gamma"), "LastName", FieldValue.text("A")));
        crm.delete(ObjectType.LEAD, id);
        crm.undelete(ObjectType.LEAD, id);

        assertEquals(5, transactions.size());
        assertEquals(List.of(new RecordChange(ObjectType.LEAD, id, RecordChange.Kind.CREATE, List.of())), transactions.get(0));
        assertEquals(List.of(new RecordChange(ObjectType.LEAD, id, RecordChange.Kind.UPDATE, List.of("Company"))), transactions.get(1));
        // an update in the same second still publishes; LastName set to its own value is not a change
        assertEquals(List.of(new RecordChange(ObjectType.LEAD, id, RecordChange.Kind.UPDATE, List.of("Company"))), transactions.get(2));
        assertEquals(RecordChange.Kind.DELETE, transactions.get(3).get(0).kind());
        assertEquals(RecordChange.Kind.UNDELETE, transactions.get(4).get(0).kind());
        assertEquals(5, keys.stream().distinct().count());
    }

    @Test
    void aBatchWriteIsOneTransactionAndRejectedRecordsAreNotInIt() {
        CrmId existing = crm.insert(ObjectType.LEAD, lead("E"));
        listen();
        crm.write(ObjectType.LEAD, List.of(
                new CrmWrite.Create("r1", lead("B")),
                new CrmWrite.Create("r2", Map.of("Company", FieldValue.text("no last name"))),
                new CrmWrite.Update(existing, Map.of("Company", FieldValue.text("Delta")))));
        assertEquals(1, transactions.size());
        List<RecordChange> tx = transactions.get(0);
        assertEquals(2, tx.size(), tx.toString());
        assertEquals(RecordChange.Kind.CREATE, tx.get(0).kind());
        assertEquals(new RecordChange(ObjectType.LEAD, existing, RecordChange.Kind.UPDATE, List.of("Company")), tx.get(1));
    }

    @Test
    void aCalculatedFieldAloneIsNoChangeAndNobodyListeningTracksNothing() {
        crm.addField(ObjectType.LEAD, FieldSchema.builder("Score__c", FieldType.DOUBLE).calculated(true).build());
        CrmId id = crm.insert(ObjectType.LEAD, lead("C"));
        listen();
        crm.setCalculated(ObjectType.LEAD, id, "Score__c", FieldValue.number(java.math.BigDecimal.TEN));
        assertTrue(transactions.isEmpty());
        crm.update(ObjectType.LEAD, id, Map.of("Company", FieldValue.text("Epsilon")));
        assertEquals(List.of("Company"), transactions.get(0).get(0).changedFields());
    }

    @Test
    void aConversionIsOneTransactionOfTheLeadAndTheNewRecords() {
        CrmId lead = crm.insert(ObjectType.LEAD, lead("F"));
        listen();
        InMemoryCrm.Conversion c = crm.convertLead(lead, null);
        assertEquals(1, transactions.size());
        List<RecordChange> tx = transactions.get(0);
        assertTrue(tx.contains(new RecordChange(ObjectType.ACCOUNT, c.accountId(), RecordChange.Kind.CREATE, List.of())), tx.toString());
        assertTrue(tx.contains(new RecordChange(ObjectType.CONTACT, c.contactId(), RecordChange.Kind.CREATE, List.of())), tx.toString());
        RecordChange leadChange = tx.stream().filter(r -> r.id().equals(lead)).findFirst().orElseThrow();
        assertEquals(RecordChange.Kind.UPDATE, leadChange.kind());
        assertTrue(leadChange.changedFields().contains("IsConverted"), leadChange.toString());
        assertNotEquals(0, leadChange.changedFields().size());
    }
}
