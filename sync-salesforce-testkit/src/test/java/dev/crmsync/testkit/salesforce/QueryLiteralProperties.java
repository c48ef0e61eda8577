package dev.crmsync.testkit.salesforce;

import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Over HTTP: a value escaped as SOQL says finds exactly the records holding it, and comes back unchanged. */
class QueryLiteralProperties {

    private static FakeSf sf;

    @BeforeContainer
    static void start() {
        sf = FakeSf.start();
    }

    @AfterContainer
    static void stop() {
        sf.close();
    }

    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("'", "\\'").replace("\"", "\\\"").replace("\n", "\\n")
                .replace("\r", "\\r").replace("\t", "\\t").replace("\b", "\\b").replace("\f", "\\f");
    }

    @Provide
    Arbitrary<String> values() {
        Arbitrary<String> any = Arbitraries.strings().all().ofMinLength(1).ofMaxLength(30)
                .filter(QueryLiteralProperties::wellFormed);
        Arbitrary<String> tricky = Arbitraries.strings().withChars('\'', '"', '\\', '\n', '\r', '\t', '%', '_', ' ',
                'x', '(', ')', '=').ofMinLength(1).ofMaxLength(30);
        Arbitrary<String> injections = Arbitraries.of("' OR Id != '", "x' OR LastName != 'x", "\\' OR '1'='1",
                "é 中文 😀", "a\\", "'", "\\");
        return Arbitraries.oneOf(any, tricky, injections);
    }

    private static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    @Property(tries = 200)
    void anEscapedValueFindsExactlyTheRecordsHoldingIt(@ForAll("values") String value) {
        CrmId id = sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text(value),
                "Company", FieldValue.text("c")));
        HttpResponse<String> r = sf.query("SELECT Id, LastName FROM Lead WHERE LastName = '" + escape(value) + "'");
        assertEquals(200, r.statusCode(), r.body());
        List<String> ids = new ArrayList<>();
        for (JsonNode rec : json(r).path("records")) {
            ids.add(rec.path("Id").asText());
            assertTrue(rec.path("LastName").asText().equalsIgnoreCase(value), rec.toString());
            if (rec.path("Id").asText().equals(id.value())) {
                assertEquals(value, rec.path("LastName").asText());
            }
        }
        assertTrue(ids.contains(id.value()), ids.toString());
    }
}
