package dev.crmsync.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LimitInfoTest {

    @Test
    void parsesOrgUsage() {
        LimitInfo i = LimitInfo.parse("api-usage=18/5000");
        assertEquals(Optional.of(new LimitInfo.Usage(18, 5000)), i.org());
        assertTrue(i.perApp().isEmpty());
    }

    @Test
    void parsesOrgAndPerAppUsageTogether() {
        LimitInfo i = LimitInfo.parse("api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)");
        assertEquals(Optional.of(new LimitInfo.Usage(25, 5000)), i.org());
        assertEquals(Map.of("sample-connected-app", new LimitInfo.Usage(17, 250)), i.perApp());
    }

    @Test
    void perAppFormAloneIsNotMistakenForOrgUsage() {
        LimitInfo i = LimitInfo.parse("per-app-api-usage=17/250(appName=app)");
        assertEquals(Optional.empty(), i.org());
        assertEquals(Map.of("app", new LimitInfo.Usage(17, 250)), i.perApp());
    }

    @Test
    void orderAndOldBurstPartDoNotMatter() {
        LimitInfo i = LimitInfo.parse("per-app-api-usage=1/10(appName=a);api-bursts=1/750; api-usage=99/15000");
        assertEquals(Optional.of(new LimitInfo.Usage(99, 15000)), i.org());
        assertEquals(Map.of("a", new LimitInfo.Usage(1, 10)), i.perApp());
    }

    @Test
    void missingOrGarbageHeaderMeansNothingKnown() {
        assertEquals(LimitInfo.NONE, LimitInfo.parse(null));
        assertEquals(LimitInfo.NONE, LimitInfo.parse("  "));
        assertEquals(LimitInfo.NONE, LimitInfo.parse("api-usage=lots"));
        assertEquals(LimitInfo.NONE, LimitInfo.parse("api-usage=99999999999999999999999/1"));
    }
}
