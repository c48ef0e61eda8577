package dev.crmsync.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.core.SyncEngine;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.jdbc.JdbcStores;
import dev.crmsync.micrometer.SyncMetrics;
import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.SyncStateStore;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.InMemoryCrm;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Every bean backs off for the application's own, and the optional parts appear only with their libraries. */
class CrmsyncAutoConfigurationTest {

    private final InMemoryCrm crm = InMemoryCrm.builder().seed(3).build();
    private final InMemoryMarketingStore store = new InMemoryMarketingStore();
    private final InMemorySyncStateStore state = new InMemorySyncStateStore();

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(CrmsyncAutoConfiguration.class))
                .withPropertyValues("crmsync.auto-start=false")
                .withBean(CrmSource.class, () -> crm)
                .withBean(MarketingStore.class, () -> store)
                .withBean(SyncStateStore.class, () -> state);
    }

    @Test
    void theApplicationsCrmSourceAndStoresReplaceSalesforceAndJdbc() {
        ConflictPolicy mine = ConflictPolicy.crmWins();
        runner().withBean(ConflictPolicy.class, () -> mine).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(SalesforceCrmSource.class);
            assertThat(context).doesNotHaveBean(JdbcStores.class);
            assertThat(context.getBean(ConflictPolicy.class)).isSameAs(mine);
            assertThat(context).hasSingleBean(SyncEngine.class).hasSingleBean(SyncLifecycle.class)
                    .hasSingleBean(SyncStatus.class).hasSingleBean(SyncHealthIndicator.class);
            assertThat(context).doesNotHaveBean(SyncMetrics.class);   // no MeterRegistry
        });
    }

    @Test
    void theApplicationsEngineAndLifecycleReplaceTheStartersOwn() {
        runner().withBean("myEngine", SyncEngine.class, () -> SyncEngine.builder().crmSource(crm)
                        .marketingStore(store).syncStateStore(state).engineId("mine").build())
                .run(context -> {
                    assertThat(context).hasSingleBean(SyncEngine.class);
                    assertThat(context.getBean(SyncEngine.class).engineId()).isEqualTo("mine");
                    assertThat(context.getBean(SyncLifecycle.class).engine().engineId()).isEqualTo("mine");
                });
    }

    @Test
    void metricsWithAMeterRegistryAndNotWithoutSyncMicrometer() {
        runner().withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> assertThat(context).hasSingleBean(SyncMetrics.class));
        runner().withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withClassLoader(new FilteredClassLoader(SyncMetrics.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("crmsyncMetrics"));
    }

    @Test
    void noHealthIndicatorWithoutActuatorsHealth() {
        runner().withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("crmsyncHealthIndicator"));
    }

    @Test
    void crmsyncEnabledFalseConfiguresNothing() {
        runner().withPropertyValues("crmsync.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(SyncEngine.class));
    }

    @Test
    void theJarCarriesConfigurationMetadataForIdeCompletion() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).isNotNull();
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(json).contains("\"crmsync.salesforce.credentials.private-key\"", "\"crmsync.pause\"",
                    "\"crmsync.health.max-cycles-without-completion\"", "\"crmsync.conflict.fields\"",
                    "The RSA private key as a PEM file");
        }
    }
}
