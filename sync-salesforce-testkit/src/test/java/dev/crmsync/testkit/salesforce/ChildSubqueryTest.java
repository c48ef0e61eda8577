package dev.crmsync.testkit.salesforce;

import static dev.crmsync.testkit.salesforce.FakeSf.error;
import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Child subqueries ({@code SELECT Id, (SELECT Id FROM Contacts) FROM Account}) and the child relationships describe lists. */
class ChildSubqueryTest {

    private final FakeSf sf = FakeSf.start();

    @AfterEach
    void stop() {
        sf.close();
    }

    private CrmId account(String name) {
        return sf.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text(name)));
    }

    private void contact(String last, CrmId account) {
        sf.crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text(last), "AccountId", FieldValue.ref(account)));
    }

    @Test
    void eachParentCarriesItsChildrenAsANestedQueryResult() {
        CrmId a = account("A");
        CrmId b = account("B");
        contact("Z", a);
        contact("Y", a);
        contact("X", a);
        JsonNode r = json(sf.query("SELECT Name, (SELECT LastName FROM Contacts WHERE LastName != 'X' "
                + "ORDER BY LastName LIMIT 5), Industry FROM Account ORDER BY Name"));
        JsonNode first = r.path("records").get(0);
        List<String> keys = new ArrayList<>();
        first.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("attributes", "Name", "Contacts", "Industry"), keys);
        JsonNode contacts = first.path("Contacts");
        assertEquals(2, contacts.path("totalSize").asInt());
        assertTrue(contacts.path("done").asBoolean());
        assertEquals("Contact", contacts.path("records").get(0).path("attributes").path("type").asText());
        assertEquals("Y", contacts.path("records").get(0).path("LastName").asText());
        assertEquals("Z", contacts.path("records").get(1).path("LastName").asText());
        assertTrue(r.path("records").get(1).path("Contacts").isNull(), "no children: null");
        JsonNode limited = json(sf.query("SELECT Id, (SELECT Id FROM Contacts LIMIT 1) FROM Account WHERE Id = '"
                + a.value() + "'"));
        assertEquals(1, limited.path("records").get(0).path("Contacts").path("records").size(), "LIMIT is per parent");
        assertEquals(b.value().length(), 18);
    }

    @Test
    void describeListsChildRelationshipsAndSubqueriesUseThem() {
        sf.crm.defineType(ObjectType.of("Invoice__c"), List.of(FieldSchema.builder("Account__c", FieldType.REFERENCE)
                .referenceTo(List.of("Account")).build(), FieldSchema.of("Amount__c", FieldType.CURRENCY)));
        JsonNode d = json(sf.get(sf.v("/sobjects/Account/describe")));
        List<String> names = new ArrayList<>();
        d.path("childRelationships").forEach(c -> names.add(c.path("childSObject").asText() + "." + c.path("field").asText()
                + "=" + c.path("relationshipName").asText()));
        assertTrue(names.contains("Contact.AccountId=Contacts"), names.toString());
        assertTrue(names.contains("Opportunity.AccountId=Opportunities"), names.toString());
        assertTrue(names.contains("Invoice__c.Account__c=Invoices__r"), names.toString());
        CrmId a = account("A");
        sf.crm.insert(ObjectType.of("Invoice__c"), Map.of("Account__c", FieldValue.ref(a),
                "Amount__c", FieldValue.number(5)));
        JsonNode r = json(sf.query("SELECT Name, (SELECT Amount__c FROM Invoices__r) FROM Account"));
        assertEquals("5.0", r.path("records").get(0).path("Invoices__r").path("records").get(0).path("Amount__c").toString());
    }

    @Test
    void anUnknownChildRelationshipOrANestedSubqueryIsRefused() {
        error(sf.query("SELECT Id, (SELECT Id FROM Nope) FROM Account"), 400, "INVALID_TYPE");
        error(sf.query("SELECT Id, (SELECT Id, (SELECT Id FROM Tasks) FROM Contacts) FROM Account"), 400,
                "MALFORMED_QUERY");
        error(sf.post(sf.v("/jobs/query"), "{\"operation\":\"query\",\"query\":\"SELECT Id, (SELECT Id FROM Contacts) "
                + "FROM Account\"}"), 400, "INVALIDJOB");
    }
}
