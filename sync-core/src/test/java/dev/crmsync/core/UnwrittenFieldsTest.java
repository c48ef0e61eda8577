package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.core.report.UnwrittenField;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Marketing fields the CRM will not take are reported, never dropped silently; the rest of the record is written. */
class UnwrittenFieldsTest {

    private final BidiHarness h = new BidiHarness();
    private final List<UnwrittenField> told = new ArrayList<>();

    private SyncEngine engine() {
        return h.builder().listener(new SyncListener() {
            @Override
            public void onFieldNotWritten(UnwrittenField field) {
                told.add(field);
            }
        }).build();
    }

    private static Map<String, Long> unwritten(SyncReport r, ObjectType type) {
        return r.type(type).map(TypeReport::unwrittenFields).orElseThrow();
    }

    @Test
    void anUnknownFieldAndAReadOnlyFieldAreReportedOnceAndTheRestReachesTheCrm() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "Favourite_Colour__c", "blue", "IsConverted", true,
                    "Title", "CTO");
            SyncReport r = h.run(engine);
            assertTrue(r.isComplete(), r::toTable);
            assertEquals(FieldValue.text("CTO"), h.crmValue(ObjectType.LEAD, lead, "Title"),
                    "the fields the CRM takes are written");
            assertEquals(Map.of("Favourite_Colour__c", 1L, "IsConverted", 1L), unwritten(r, ObjectType.LEAD));
            assertEquals(List.of(
                            new UnwrittenField(ObjectType.LEAD, "Favourite_Colour__c", UnwrittenField.Reason.NOT_IN_CRM),
                            new UnwrittenField(ObjectType.LEAD, "IsConverted", UnwrittenField.Reason.READ_ONLY)),
                    told.stream().sorted(java.util.Comparator.comparing(UnwrittenField::field)).toList(),
                    "each field is told to the listener once");
            assertTrue(r.toTable().contains("Favourite_Colour__c"), r::toTable);

            told.clear();
            SyncReport quiet = h.run(engine);
            assertEquals(Map.of(), unwritten(quiet, ObjectType.LEAD), "an unchanged record is not reported again");
            assertEquals(List.of(), told);
        }
    }

    @Test
    void twoRecordsCarryingTheSameFieldAreCountedTwiceAndToldOnce() {
        CrmId a = h.lead("A", "Acme");
        CrmId b = h.lead("B", "Acme");
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, a, "Favourite_Colour__c", "blue");
            h.edit(ObjectType.LEAD, b, "Favourite_Colour__c", "red");
            SyncReport r = h.run(engine);
            assertEquals(Map.of("Favourite_Colour__c", 2L), unwritten(r, ObjectType.LEAD));
            assertEquals(1, told.size(), told::toString);
        }
    }

    @Test
    void aHostileFieldNameIsReportedSanitised() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = engine()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "x'); DROP TABLE lead;--", "v");
            SyncReport r = h.run(engine);
            assertTrue(r.isComplete(), r::toTable);
            assertEquals(1, told.size(), told::toString);
            String name = told.get(0).field();
            assertTrue(name.matches("[A-Za-z0-9_.?]+"), name);
            assertEquals(Map.of(name, 1L), unwritten(r, ObjectType.LEAD));
        }
    }
}
