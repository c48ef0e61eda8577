package dev.crmsync.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.junit.jupiter.api.Test;

class ConnectorConfigTest {

    private static Map<String, String> source() {
        Map<String, String> p = new HashMap<>();
        p.put(CrmChangesSourceConnector.ORGS, "orgA,orgB,orgC");
        p.put(CrmChangesSourceConnector.CRM_SOURCE_FACTORY, TestOrgs.CrmFactory.class.getName());
        p.put(CrmChangesSourceConnector.OBJECT_TYPES, "Account,Opportunity");
        p.put(CrmChangesSourceConnector.TOPIC_PREFIX, "crm");
        p.put("org.orgA.password", "s3cret-value");
        return p;
    }

    private static Map<String, List<String>> errors(Map<String, String> props) {
        Config c = new CrmChangesSourceConnector().validate(props);
        return c.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
                .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
    }

    @Test
    void aValidConfigurationHasNoErrors() {
        assertEquals(Map.of(), errors(source()));
    }

    @Test
    void twoWayTypesAreReadForTheMergeSinkAndTheMarketingSourceRefusesOneWayTypes() {
        Map<String, String> p = source();
        p.put(CrmChangesSourceConnector.OBJECT_TYPES, "Account,Lead");
        assertEquals(Map.of(), errors(p));
        Map<String, String> m = new HashMap<>();
        m.put(MarketingChangesSourceConnector.ORGS, "orgA");
        m.put(MarketingChangesSourceConnector.MARKETING_STORE_FACTORY, TestOrgs.StoreFactory.class.getName());
        m.put(MarketingChangesSourceConnector.STATE_STORE_FACTORY, TestOrgs.StateFactory.class.getName());
        m.put(MarketingChangesSourceConnector.OBJECT_TYPES, "Lead,Account");
        m.put(MarketingChangesSourceConnector.TOPIC_PREFIX, "crm");
        Config c = new MarketingChangesSourceConnector().validate(m);
        List<String> e = c.configValues().stream().filter(v -> v.name().equals(MarketingChangesSourceConnector.OBJECT_TYPES))
                .findFirst().orElseThrow().errorMessages();
        assertTrue(e.get(0).contains("Account syncs one way"), e.toString());
    }

    @Test
    void badOrgsTopicPrefixAndFactoryAreNamed() {
        Map<String, String> p = source();
        p.put(CrmChangesSourceConnector.ORGS, "orgA,org.B");
        p.put(CrmChangesSourceConnector.TOPIC_PREFIX, "crm/x");
        p.put(CrmChangesSourceConnector.CRM_SOURCE_FACTORY, String.class.getName());
        p.put(CrmChangesSourceConnector.PAGE_SIZE, "0");
        Map<String, List<String>> e = errors(p);
        assertEquals(List.of(CrmChangesSourceConnector.CRM_SOURCE_FACTORY, CrmChangesSourceConnector.ORGS,
                CrmChangesSourceConnector.PAGE_SIZE, CrmChangesSourceConnector.TOPIC_PREFIX),
                e.keySet().stream().sorted().toList());
        assertTrue(e.get(CrmChangesSourceConnector.ORGS).get(0).contains("entry 2"), e.toString());
        assertTrue(e.get(CrmChangesSourceConnector.CRM_SOURCE_FACTORY).get(0).contains("does not implement"));
        p.put(CrmChangesSourceConnector.ORGS, "orgA,orgA");
        assertTrue(errors(p).get(CrmChangesSourceConnector.ORGS).get(0).contains("listed twice"));
    }

    @Test
    void orgsAreSpreadOverTheTasksAndNoSecretIsInAnError() {
        CrmChangesSourceConnector c = new CrmChangesSourceConnector();
        c.start(source());
        List<Map<String, String>> two = c.taskConfigs(2);
        assertEquals(List.of("orgA,orgB", "orgC"), two.stream().map(m -> m.get("task.orgs")).toList());
        assertEquals(3, c.taskConfigs(10).size(), "never more tasks than orgs");
        assertEquals(ExactlyOnceSupport.SUPPORTED, c.exactlyOnceSupport(source()));
        assertEquals(ConnectorTransactionBoundaries.SUPPORTED, c.canDefineTransactionBoundaries(source()));
        Map<String, String> p = source();
        p.put(CrmChangesSourceConnector.OBJECT_TYPES, "Contact");
        assertFalse(errors(p).toString().contains("s3cret-value"));
        String settings = dev.crmsync.kafka.connect.internal.SourceSettings.parse(source()).toString();
        assertFalse(settings.contains("s3cret-value"), settings);
        assertTrue(settings.contains("org.orgA.password"), "the keys are shown: " + settings);
    }

    @Test
    void theSinkNeedsAFactoryAndThePrefix() {
        Map<String, String> p = new HashMap<>();
        p.put(StoreSinkConnector.MARKETING_STORE_FACTORY, TestOrgs.StoreFactory.class.getName());
        p.put(StoreSinkConnector.TOPIC_PREFIX, "crm");
        p.put("topics", "crm.orgA.Account");
        Config ok = new StoreSinkConnector().validate(p);
        assertTrue(ok.configValues().stream().allMatch(v -> v.errorMessages().isEmpty()), ok.configValues().toString());
        p.remove(StoreSinkConnector.MARKETING_STORE_FACTORY);
        Config bad = new StoreSinkConnector().validate(p);
        assertTrue(bad.configValues().stream().anyMatch(v -> v.name().equals(StoreSinkConnector.MARKETING_STORE_FACTORY)
                && !v.errorMessages().isEmpty()));
    }
}
