package dev.crmsync.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crmsync.crm.CrmSource;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.SyncStateStore;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.InMemoryCrm;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * When the console's endpoint exists: a servlet web application with Actuator, the endpoint exposed, and
 * {@code crmsync.console.enabled} not false; a bad role name fails startup naming the property.
 */
class CrmsyncConsoleAutoConfigurationTest {

    private final InMemoryCrm crm = InMemoryCrm.builder().seed(5).build();

    private WebApplicationContextRunner web() {
        return new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(CrmsyncAutoConfiguration.class,
                        CrmsyncConsoleAutoConfiguration.class, EndpointAutoConfiguration.class,
                        WebEndpointAutoConfiguration.class, SecurityAutoConfiguration.class,
                        ServletWebSecurityAutoConfiguration.class))
                .withPropertyValues("crmsync.auto-start=false", "management.endpoints.web.exposure.include=crmsync")
                .withBean(CrmSource.class, () -> crm)
                .withBean(MarketingStore.class, InMemoryMarketingStore::new)
                .withBean(SyncStateStore.class, InMemorySyncStateStore::new);
    }

    @Test
    void aWebApplicationWithTheEndpointExposedHasTheConsole() {
        web().run(context -> assertThat(context).hasNotFailed().hasSingleBean(CrmsyncConsoleEndpoint.class)
                .hasBean(CrmsyncConsoleAutoConfiguration.SECURITY_CHAIN_BEAN));
    }

    @Test
    void consoleSecurityFalseLeavesTheConsolesPathsToTheApplicationsChains() {
        web().withPropertyValues("crmsync.console.security=false").run(context -> assertThat(context).hasNotFailed()
                .hasSingleBean(CrmsyncConsoleEndpoint.class)
                .doesNotHaveBean(CrmsyncConsoleAutoConfiguration.SECURITY_CHAIN_BEAN));
    }

    @Test
    void consoleEnabledFalseSwitchesItOff() {
        web().withPropertyValues("crmsync.console.enabled=false").run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(CrmsyncConsoleEndpoint.class)
                .doesNotHaveBean(CrmsyncConsoleAutoConfiguration.SECURITY_CHAIN_BEAN));
    }

    @Test
    void anEndpointNotExposedIsNotCreated() {
        web().withPropertyValues("management.endpoints.web.exposure.include=health")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(CrmsyncConsoleEndpoint.class));
    }

    @Test
    void notAWebApplicationOrNoActuatorMeansNoConsole() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(CrmsyncAutoConfiguration.class,
                        CrmsyncConsoleAutoConfiguration.class, EndpointAutoConfiguration.class))
                .withPropertyValues("crmsync.auto-start=false", "management.endpoints.jmx.exposure.include=*")
                .withBean(CrmSource.class, () -> crm)
                .withBean(MarketingStore.class, InMemoryMarketingStore::new)
                .withBean(SyncStateStore.class, InMemorySyncStateStore::new)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(CrmsyncConsoleEndpoint.class));
        web().withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate.endpoint.annotation"))
                .run(context -> assertThat(context).doesNotHaveBean(CrmsyncConsoleEndpoint.class));
    }

    @Test
    void aBadRoleNameFailsStartupNamingTheProperty() {
        web().withPropertyValues("crmsync.console.operator-role=ROLE_OPS").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("console.operatorRole");
        });
        web().withPropertyValues("crmsync.console.viewer-role=view ers").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("console.viewerRole");
        });
    }

    @Test
    void theConsolePropertiesHaveIdeMetadata() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).isNotNull();
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(json).contains("\"crmsync.console.enabled\"", "\"crmsync.console.viewer-role\"",
                    "\"crmsync.console.operator-role\"", "\"crmsync.console.security\"");
        }
    }
}
