package dev.crmsync.testkit.salesforce;

import static dev.crmsync.testkit.salesforce.FakeSf.enc;
import static dev.crmsync.testkit.salesforce.FakeSf.error;
import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** getUpdated and getDeleted. */
class ReplicationTest {

    private final FakeSf sf = FakeSf.start();

    @AfterEach
    void stop() {
        sf.close();
    }

    private CrmId lead(String name) {
        return sf.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text(name), "Company", FieldValue.text("c")));
    }

    @Test
    void updatedListsIdsChangedInTheWindowAndHowFarItReaches() {
        lead("before");
        sf.clock.advance(Duration.ofMinutes(2));
        CrmId inside = lead("inside");
        sf.clock.advance(Duration.ofMinutes(10));
        JsonNode r = json(sf.get(sf.v("/sobjects/Lead/updated/?start=" + enc("2024-05-01T10:01:00Z") + "&end="
                + enc("2024-05-01T11:00:00+00:00"))));
        List<String> ids = new ArrayList<>();
        r.path("ids").forEach(n -> ids.add(n.asText()));
        assertEquals(List.of(inside.value()), ids);
        assertEquals("2024-05-01T10:12:00.000+0000", r.path("latestDateCovered").asText(),
                "no later than now, seconds dropped");
    }

    @Test
    void updatedIgnoresSecondsOfTheWindow() {
        sf.clock.advance(Duration.ofSeconds(30));
        CrmId at30s = lead("x");
        sf.clock.advance(Duration.ofMinutes(5));
        JsonNode r = json(sf.get(sf.v("/sobjects/Lead/updated/?start=" + enc("2024-05-01T10:00:45Z") + "&end="
                + enc("2024-05-01T10:03:00Z"))));
        assertEquals(at30s.value(), r.path("ids").get(0).asText(), "start 10:00:45 counts from 10:00:00");
    }

    @Test
    void aWindowThatDoesNotMoveForwardIsRefused() {
        error(sf.get(sf.v("/sobjects/Lead/updated/?start=" + enc("2024-05-01T10:00:00Z") + "&end="
                + enc("2024-05-01T10:00:30Z"))), 400, "INVALID_REPLICATION_DATE");
    }

    @Test
    void aStartMoreThan30DaysAgoIsRefused() {
        sf.clock.advance(Duration.ofDays(31));
        error(sf.get(sf.v("/sobjects/Lead/deleted/?start=" + enc("2024-05-01T10:00:00Z") + "&end="
                + enc("2024-06-01T10:00:00Z"))), 400, "INVALID_REPLICATION_DATE");
    }

    @Test
    void missingParametersAreRefused() {
        error(sf.get(sf.v("/sobjects/Lead/updated/")), 400, "MISSING_ARGUMENT");
    }

    @Test
    void deletedListsDeletionsWithDatesAndCoverage() {
        CrmId gone = lead("gone");
        sf.clock.advance(Duration.ofMinutes(3));
        sf.crm.delete(ObjectType.LEAD, gone);
        sf.clock.advance(Duration.ofMinutes(3));
        JsonNode r = json(sf.get(sf.v("/sobjects/Lead/deleted/?start=" + enc("2024-05-01T10:00:00Z") + "&end="
                + enc("2024-05-01T10:05:00Z"))));
        assertEquals(1, r.path("deletedRecords").size());
        assertEquals(gone.value(), r.path("deletedRecords").get(0).path("id").asText());
        assertEquals("2024-05-01T10:03:00.000+0000", r.path("deletedRecords").get(0).path("deletedDate").asText());
        assertEquals("2024-05-01T10:05:00.000+0000", r.path("latestDateCovered").asText());
        assertEquals(true, r.has("earliestDateAvailable"));
    }
}
