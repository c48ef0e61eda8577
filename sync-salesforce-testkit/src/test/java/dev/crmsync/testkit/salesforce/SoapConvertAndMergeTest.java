package dev.crmsync.testkit.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The fake's partner SOAP endpoint: convertLead and merge envelopes, the session check, faults. */
class SoapConvertAndMergeTest {

    private static String envelope(String session, String body) {
        return "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
                + " xmlns:urn=\"urn:partner.soap.sforce.com\" xmlns:urn1=\"urn:sobject.partner.soap.sforce.com\">"
                + (session == null ? "" : "<soapenv:Header><urn:SessionHeader><urn:sessionId>" + session
                        + "</urn:sessionId></urn:SessionHeader></soapenv:Header>")
                + "<soapenv:Body>" + body + "</soapenv:Body></soapenv:Envelope>";
    }

    private static String convert(CrmId lead, String status) {
        return "<urn:convertLead><urn:leadConverts><urn:convertedStatus>" + status + "</urn:convertedStatus>"
                + "<urn:doNotCreateOpportunity>false</urn:doNotCreateOpportunity><urn:leadId>" + lead
                + "</urn:leadId><urn:overwriteLeadSource>false</urn:overwriteLeadSource>"
                + "<urn:sendNotificationEmail>false</urn:sendNotificationEmail></urn:leadConverts></urn:convertLead>";
    }

    private static HttpResponse<String> soap(FakeSf sf, String xml) {
        return sf.send("POST", "/services/Soap/u/" + sf.server.apiVersion(), xml, "Content-Type", "text/xml; charset=UTF-8",
                "SOAPAction", "\"\"");
    }

    private static String tag(String xml, String name) {
        Matcher m = Pattern.compile("<" + name + ">([^<]*)</" + name + ">").matcher(xml);
        return m.find() ? m.group(1) : null;
    }

    private static CrmId lead(FakeSf sf, String last) {
        return sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text(last), "Company",
                FieldValue.text("Acme " + last)));
    }

    @Test
    void convertLeadOverSoapReadsBackConvertedOverRest() throws Exception {
        try (FakeSf sf = FakeSf.start()) {
            CrmId lead = lead(sf, "Ng");
            HttpResponse<String> r = soap(sf, envelope(sf.token, convert(lead, "Closed - Converted")));
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/xml"));
            assertTrue(r.body().contains("<convertLeadResponse><result>"), r.body());
            assertEquals("true", tag(r.body(), "success"));
            assertEquals(lead.value(), tag(r.body(), "leadId"));
            String contact = tag(r.body(), "contactId");
            String opportunity = tag(r.body(), "opportunityId");
            JsonNode rest = FakeSf.JSON.readTree(sf.query("SELECT IsConverted, ConvertedContactId, "
                    + "ConvertedOpportunityId FROM Lead WHERE Id = '" + lead + "'").body());
            JsonNode row = rest.path("records").get(0);
            assertTrue(row.path("IsConverted").asBoolean());
            assertEquals(contact, row.path("ConvertedContactId").asText());
            assertEquals(opportunity, row.path("ConvertedOpportunityId").asText());
            assertEquals(1L, sf.crm.callCounts().get("convertLead"));
        }
    }

    @Test
    void convertLeadAnswersPerResultErrorsWithStatusCodes() {
        try (FakeSf sf = FakeSf.start()) {
            CrmId lead = lead(sf, "Ode");
            HttpResponse<String> bad = soap(sf, envelope(sf.token, convert(lead, "Open")));
            assertEquals(200, bad.statusCode());
            assertEquals("false", tag(bad.body(), "success"));
            assertEquals("INVALID_STATUS", tag(bad.body(), "statusCode"));
            assertTrue(bad.body().contains("<leadId xsi:nil=\"true\"/>"), bad.body());
            soap(sf, envelope(sf.token, convert(lead, "Closed - Converted")));
            HttpResponse<String> again = soap(sf, envelope(sf.token, convert(lead, "Closed - Converted")));
            assertEquals("CANNOT_UPDATE_CONVERTED_LEAD", tag(again.body(), "statusCode"));
        }
    }

    @Test
    void aMissingOrInvalidSessionIsAnInvalidSessionIdFault() {
        try (FakeSf sf = FakeSf.start()) {
            CrmId lead = lead(sf, "Pia");
            for (String session : new String[] {null, "not-a-token"}) {
                HttpResponse<String> r = soap(sf, envelope(session, convert(lead, "Closed - Converted")));
                assertEquals(500, r.statusCode());
                assertEquals("sf:INVALID_SESSION_ID", tag(r.body(), "faultcode"));
                assertTrue(r.body().contains("<sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode>"), r.body());
            }
            assertEquals(0L, sf.crm.callCounts().get("convertLead"));
            assertTrue(sf.crm.get(ObjectType.LEAD, lead).orElseThrow().fields().get(SyncRecord.IS_CONVERTED) == null
                    || FieldValue.bool(false).equals(sf.crm.get(ObjectType.LEAD, lead).orElseThrow()
                            .get(SyncRecord.IS_CONVERTED)));
        }
    }

    @Test
    void aMalformedIdIsAnInvalidIdFieldFaultAndAnUnknownOperationAClientFault() {
        try (FakeSf sf = FakeSf.start()) {
            HttpResponse<String> r = soap(sf, envelope(sf.token, "<urn:convertLead><urn:leadConverts>"
                    + "<urn:convertedStatus>Closed - Converted</urn:convertedStatus><urn:leadId>nope</urn:leadId>"
                    + "</urn:leadConverts></urn:convertLead>"));
            assertEquals(500, r.statusCode());
            assertEquals("sf:INVALID_ID_FIELD", tag(r.body(), "faultcode"));
            HttpResponse<String> op = soap(sf, envelope(sf.token, "<urn:undelete/>"));
            assertEquals(500, op.statusCode());
            assertEquals("soapenv:Client", tag(op.body(), "faultcode"));
        }
    }

    @Test
    void mergeOverSoapDeletesTheLosersWithMasterRecordIdVisibleOverRest() throws Exception {
        try (FakeSf sf = FakeSf.start()) {
            CrmId master = lead(sf, "A");
            CrmId loser = lead(sf, "B");
            String body = "<urn:merge><urn:request><urn:masterRecord><urn1:type>Lead</urn1:type><urn1:Id>" + master
                    + "</urn1:Id></urn:masterRecord><urn:recordToMergeIds>" + loser
                    + "</urn:recordToMergeIds></urn:request></urn:merge>";
            HttpResponse<String> r = soap(sf, envelope(sf.token, body));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("true", tag(r.body(), "success"));
            assertEquals(master.value(), tag(r.body(), "id"));
            assertEquals(loser.value(), tag(r.body(), "mergedRecordIds"));
            JsonNode all = FakeSf.JSON.readTree(sf.queryAll("SELECT Id, IsDeleted, MasterRecordId FROM Lead WHERE Id = '"
                    + loser + "'").body());
            JsonNode row = all.path("records").get(0);
            assertTrue(row.path("IsDeleted").asBoolean());
            assertEquals(master.value(), row.path("MasterRecordId").asText());
            HttpResponse<String> missing = soap(sf, envelope(sf.token, body));
            assertEquals("false", tag(missing.body(), "success"));
            assertEquals("ENTITY_IS_DELETED", tag(missing.body(), "statusCode"));
            assertEquals(2L, sf.crm.callCounts().get("merge"));
        }
    }
}
