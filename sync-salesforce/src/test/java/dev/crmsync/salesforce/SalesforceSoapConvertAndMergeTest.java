package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.LeadConvert;
import dev.crmsync.crm.LeadConvertResult;
import dev.crmsync.crm.MergeResult;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.testkit.salesforce.RecordedRequest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SalesforceCrmSource's convertLead and mergeRecords over the SOAP API, against the fake over real HTTP. */
class SalesforceSoapConvertAndMergeTest {

    private final FakeOrg org = new FakeOrg();

    @AfterEach
    void close() {
        org.close();
    }

    @Test
    void convertLeadGoesOverSoapAndIsCountedAsSoapConvertLead() {
        CrmId lead = org.leads(1).get(0);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            LeadConvertResult r = sf.convertLead(LeadConvert.of(lead, "Closed - Converted"));
            assertTrue(r.success(), r::toString);
            assertNotNull(r.opportunityId());
            assertEquals(1L, sf.callCounts().get(SalesforceCrmSource.SOAP_CONVERT_LEAD));
            SyncRecord l = org.crm.get(ObjectType.LEAD, lead).orElseThrow();
            assertEquals(FieldValue.bool(true), l.get(SyncRecord.IS_CONVERTED));
            assertEquals(FieldValue.ref(r.contactId()), l.get(SyncRecord.CONVERTED_CONTACT_ID));
            List<RecordedRequest> soap = org.requests("/services/Soap/u/");
            assertEquals(1, soap.size());
            assertTrue(soap.get(0).body().contains("<urn:convertLead>"), soap.get(0).body());
            // and a read over REST sees it converted
            List<SyncRecord> read = sf.fetch(ObjectType.LEAD, List.of(lead), java.util.Set.of(SyncRecord.IS_CONVERTED));
            assertEquals(FieldValue.bool(true), read.get(0).get(SyncRecord.IS_CONVERTED));
        }
    }

    @Test
    void aRefusedConversionIsAValueWithTheStatusCode() {
        CrmId lead = org.leads(1).get(0);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            LeadConvertResult r = sf.convertLead(LeadConvert.of(lead, "Working"));
            assertFalse(r.success());
            assertEquals("INVALID_STATUS", r.rejection().code());
            assertFalse(r.toString().contains("Working"), r::toString);
        }
    }

    @Test
    void anExpiredSessionIsRenewedOnceThroughTheCredentialsPath() {
        CrmId lead = org.leads(1).get(0);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            sf.describe(ObjectType.LEAD);
            org.server.faults().expireAccessTokens();
            LeadConvertResult r = sf.convertLead(LeadConvert.of(lead, "Closed - Converted"));
            assertTrue(r.success(), r::toString);
            assertEquals(2L, sf.callCounts().get(SalesforceCrmSource.SOAP_CONVERT_LEAD), "the fault, then the retry");
            assertEquals(1L, org.crm.callCounts().get("convertLead"), "converted once");
        }
    }

    @Test
    void mergeGoesOverSoapAndTheLosersReadBackMerged() {
        List<CrmId> leads = org.leads(3);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            MergeResult r = sf.mergeRecords(ObjectType.LEAD, leads.get(0), leads.subList(1, 3));
            assertTrue(r.success(), r::toString);
            assertEquals(leads.subList(1, 3), r.mergedRecordIds());
            assertEquals(1L, sf.callCounts().get(SalesforceCrmSource.SOAP_MERGE));
            List<SyncRecord> read = sf.fetch(ObjectType.LEAD, leads.subList(1, 3),
                    java.util.Set.of(SyncRecord.MASTER_RECORD_ID));
            assertEquals(2, read.size());
            for (SyncRecord s : read) {
                assertTrue(s.deleted());
                assertEquals(FieldValue.ref(leads.get(0)), s.get(SyncRecord.MASTER_RECORD_ID));
            }
            MergeResult again = sf.mergeRecords(ObjectType.LEAD, leads.get(0), List.of(leads.get(1)));
            assertEquals("ENTITY_IS_DELETED", again.rejection().code());
            assertThrows(IllegalArgumentException.class,
                    () -> sf.mergeRecords(ObjectType.LEAD, leads.get(0), List.of()));
            assertEquals(2L, sf.callCounts().get(SalesforceCrmSource.SOAP_MERGE));
        }
    }

    @Test
    void aFaultOtherThanTheSessionIsASyncExceptionNotRepeated() {
        CrmId lead = org.leads(1).get(0);
        try (SalesforceCrmSource sf = org.open(org.source())) {
            org.server.faults().usedApiCalls(Long.MAX_VALUE / 2);
            assertThrows(SyncException.class, () -> sf.convertLead(LeadConvert.of(lead, "Closed - Converted")));
            assertEquals(1L, sf.callCounts().get(SalesforceCrmSource.SOAP_CONVERT_LEAD));
        }
    }
}
