package dev.crmsync.testkit.salesforce;

import static dev.crmsync.testkit.salesforce.FakeSf.error;
import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Aggregate SOQL: COUNT/SUM/MIN/MAX/AVG with and without GROUP BY, answered as AggregateResult rows. */
class AggregateQueryTest {

    private final FakeSf sf = FakeSf.start();

    @AfterEach
    void stop() {
        sf.close();
    }

    private void account(String name, String industry, String revenue) {
        Map<String, FieldValue> m = new java.util.HashMap<>();
        m.put("Name", FieldValue.text(name));
        m.put("Industry", industry == null ? FieldValue.NULL : FieldValue.text(industry));
        m.put("AnnualRevenue", revenue == null ? FieldValue.NULL : FieldValue.number(new BigDecimal(revenue)));
        sf.crm.insert(ObjectType.ACCOUNT, m);
    }

    @Test
    void groupByAnswersOneAggregateResultRowPerGroupInSalesforcesShape() {
        account("A", "Energy", "100");
        account("B", "energy", "200");
        account("C", "Banking", "400");
        account("D", null, null);
        JsonNode r = json(sf.query("SELECT Industry, COUNT(Id), SUM(AnnualRevenue) total, MAX(Name) FROM Account "
                + "GROUP BY Industry ORDER BY Industry"));
        assertEquals(3, r.path("totalSize").asInt(), r.toString());
        assertTrue(r.path("done").asBoolean());
        List<String> industries = new ArrayList<>();
        for (JsonNode row : r.path("records")) {
            assertEquals("AggregateResult", row.path("attributes").path("type").asText());
            assertFalse(row.path("attributes").has("url"), "AggregateResult rows have no url");
            industries.add(row.path("Industry").isNull() ? null : row.path("Industry").asText());
        }
        assertEquals(java.util.Arrays.asList(null, "Banking", "Energy"), industries, "nulls first ascending");
        JsonNode energy = r.path("records").get(2);
        List<String> keys = new ArrayList<>();
        energy.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("attributes", "Industry", "expr0", "total", "expr1"), keys);
        assertEquals(2, energy.path("expr0").asInt());
        assertTrue(energy.toString().contains("\"total\":300.0"), "currency sums as 300.0, as a real org: " + energy);
        assertEquals("B", energy.path("expr1").asText());
        JsonNode none = r.path("records").get(0);
        assertTrue(none.path("total").isNull(), "SUM of no values is null");
        assertEquals(1, none.path("expr0").asInt());
    }

    @Test
    void aggregatesWithoutGroupByAnswerOneRow() {
        account("A", "Energy", "100");
        account("B", "Energy", "300");
        JsonNode r = json(sf.query("SELECT COUNT(Id) n, MIN(AnnualRevenue), AVG(AnnualRevenue) FROM Account"));
        assertEquals(1, r.path("totalSize").asInt());
        JsonNode row = r.path("records").get(0);
        assertEquals(2, row.path("n").asInt());
        assertEquals(0, new BigDecimal("100").compareTo(row.path("expr0").decimalValue()));
        assertEquals(0, new BigDecimal("200").compareTo(row.path("expr1").decimalValue()));
        JsonNode empty = json(sf.query("SELECT COUNT(Id) FROM Lead"));
        assertEquals(0, empty.path("records").get(0).path("expr0").asInt());
    }

    @Test
    void groupedQueriesAreCheckedAsSalesforceChecksThem() {
        error(sf.query("SELECT Name, COUNT(Id) FROM Account GROUP BY Industry"), 400, "MALFORMED_QUERY");
        error(sf.query("SELECT SUM(Name) FROM Account"), 400, "MALFORMED_QUERY");
        error(sf.query("SELECT Industry FROM Account GROUP BY Industry ORDER BY Name"), 400, "MALFORMED_QUERY");
        error(sf.query("SELECT COUNT() FROM Account GROUP BY Industry"), 400, "MALFORMED_QUERY");
        error(sf.post(sf.v("/jobs/query"), "{\"operation\":\"query\",\"query\":\"SELECT Industry, COUNT(Id) FROM Account "
                + "GROUP BY Industry\"}"), 400, "INVALIDJOB");
    }
}
