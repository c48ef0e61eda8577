package dev.crmsync.spring.boot;

import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.SyncListener;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.jdbc.JdbcStores;
import dev.crmsync.micrometer.SyncMetrics;
import dev.crmsync.model.ObjectType;
import dev.crmsync.salesforce.ApiBudget;
import dev.crmsync.salesforce.PrivateKeys;
import dev.crmsync.salesforce.SalesforceCredentials;
import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.spring.boot.CrmsyncProperties.Credentials;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.SyncStateStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.Map;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;

/**
 * crmsync's auto-configuration (Spring Boot 4): from {@link CrmsyncProperties}, a {@link SalesforceCrmSource},
 * the JDBC stores on the application's single {@link DataSource}, a {@link ConflictPolicy}, the
 * {@link SyncEngine}, its {@link SyncLifecycle}, the {@link SyncStatus}, {@link SyncMetrics} when Micrometer is
 * present and a {@link SyncHealthIndicator} when Actuator's health is. Every bean backs off when the application
 * defines one of its type; every {@link SyncListener} bean of the context hears the engine.
 *
 * <p>The engine, the source and the metrics take the {@link Clock} bean named {@value #CLOCK_BEAN} when there
 * is one (tests: a manual clock), else the system clock.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"})
@ConditionalOnBooleanProperty(name = CrmsyncProperties.PREFIX + ".enabled", matchIfMissing = true)
@EnableConfigurationProperties(CrmsyncProperties.class)
public class CrmsyncAutoConfiguration {

    /** The name of the optional {@link Clock} bean crmsync uses. */
    public static final String CLOCK_BEAN = "crmsyncClock";

    private static final Logger LOG = LoggerFactory.getLogger(CrmsyncAutoConfiguration.class);

    /** Creates the auto-configuration (Spring calls it). */
    public CrmsyncAutoConfiguration() {
    }

    private static Clock clock(ObjectProvider<Clock> clock) {
        return clock.getIfAvailable(Clock::systemUTC);
    }

    /**
     * @param properties the properties
     * @param clock the optional clock
     * @return the Salesforce source
     */
    @Bean
    @ConditionalOnMissingBean(CrmSource.class)
    public SalesforceCrmSource crmsyncCrmSource(CrmsyncProperties properties,
                                                @Qualifier(CLOCK_BEAN) ObjectProvider<Clock> clock) {
        CrmsyncProperties.Salesforce sf = properties.getSalesforce();
        SalesforceCrmSource.Builder b = SalesforceCrmSource.builder()
                .loginUrl(sf.getLoginUrl())
                .credentials(credentials(sf))
                .allowHttpForLoopback(sf.isAllowHttpForLoopback())
                .budget(new ApiBudget(sf.getBudgetPerCycle(), sf.getBudgetTotal()))
                .clock(clock(clock));
        if (sf.getInstanceUrl() != null) {
            b.instanceUrl(sf.getInstanceUrl());
        }
        if (sf.getApiVersion() != null) {
            b.apiVersion(sf.getApiVersion());
        }
        return b.build();
    }

    static SalesforceCredentials credentials(CrmsyncProperties.Salesforce sf) {
        Credentials c = sf.getCredentials();
        CrmsyncProperties.CredentialsKind kind = c.getKind();
        if (kind == null) {
            throw new IllegalStateException("crmsync.salesforce.credentials.kind is not set (jwt-bearer, "
                    + "client-credentials, refresh-token or access-token), and the application defines no CrmSource bean");
        }
        return switch (kind) {
            case JWT_BEARER -> new SalesforceCredentials.JwtBearer(require(c.getClientId()), require(c.getUsername()),
                    privateKey(c), c.getAudience());
            case CLIENT_CREDENTIALS -> SalesforceCredentials.clientCredentials(require(c.getClientId()),
                    require(c.getClientSecret()));
            case REFRESH_TOKEN -> SalesforceCredentials.refreshToken(require(c.getClientId()), c.getClientSecret(),
                    require(c.getRefreshToken()), rotated -> LOG.warn("Salesforce rotated the refresh token: "
                            + "update crmsync.salesforce.credentials.refresh-token before the next restart "
                            + "(define a CrmSource bean to store rotated tokens automatically)"));
            case ACCESS_TOKEN -> {
                if (sf.getInstanceUrl() == null) {
                    throw new IllegalStateException("access-token needs crmsync.salesforce.instance-url");
                }
                yield SalesforceCredentials.accessToken(require(c.getAccessToken()), sf.getInstanceUrl());
            }
        };
    }

    private static String require(@Nullable String value) {
        if (value == null) {
            throw new IllegalStateException("a required crmsync.salesforce.credentials property is missing");
        }
        return value;
    }

    private static PrivateKey privateKey(Credentials c) {
        Resource pem = c.getPrivateKey();
        if (pem != null) {
            try (InputStream in = pem.getInputStream()) {
                return PrivateKeys.fromPem(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read crmsync.salesforce.credentials.private-key ("
                        + pem.getDescription() + ")", e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("crmsync.salesforce.credentials.private-key: " + e.getMessage(), e);
            }
        }
        Resource store = c.getKeyStore();
        if (store == null) {
            throw new IllegalStateException("jwt-bearer needs crmsync.salesforce.credentials.private-key or key-store");
        }
        try (InputStream in = store.getInputStream()) {
            String keyPassword = c.getKeyPassword();
            return PrivateKeys.fromKeyStore(in, c.getKeyStoreType(), require(c.getKeyStorePassword()).toCharArray(),
                    c.getKeyAlias(), keyPassword == null ? null : keyPassword.toCharArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read crmsync.salesforce.credentials.key-store ("
                    + store.getDescription() + ")", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("crmsync.salesforce.credentials.key-store: " + e.getMessage(), e);
        }
    }

    /**
     * @param properties the properties
     * @return the conflict policy: Marketo's defaults, changed by {@code crmsync.conflict.*}
     */
    @Bean
    @ConditionalOnMissingBean(ConflictPolicy.class)
    public ConflictPolicy crmsyncConflictPolicy(CrmsyncProperties properties) {
        CrmsyncProperties.Conflict c = properties.getConflict();
        ConflictPolicy.Builder b = ConflictPolicy.builder();
        if (c.getFallback() != null) {
            b.fallback(policy(c.getFallback()));
        }
        c.getTypes().forEach((type, rule) -> b.type(Types.resolve(type), policy(rule)));
        for (Map.Entry<String, Map<String, CrmsyncProperties.Rule>> e : c.getFields().entrySet()) {
            ObjectType type = Types.resolve(e.getKey());
            e.getValue().forEach((field, rule) -> b.field(type, field, policy(rule)));
        }
        return b.build();
    }

    static ConflictPolicy policy(CrmsyncProperties.Rule rule) {
        return switch (rule) {
            case CRM_WINS -> ConflictPolicy.crmWins();
            case MARKETING_WINS -> ConflictPolicy.marketingWins();
            case LAST_WRITER_WINS -> ConflictPolicy.lastWriterWins();
            case MANUAL -> ConflictPolicy.manual();
            case ALWAYS_CRM -> ConflictPolicy.alwaysCrm();
            case ALWAYS_MARKETING -> ConflictPolicy.alwaysMarketing();
            case PREFER_CRM_UNLESS_BLANK -> ConflictPolicy.preferCrmUnlessBlank();
            case TWO_WAY -> ConflictPolicy.twoWay();
            case DONT_SYNC -> ConflictPolicy.dontSync();
        };
    }

    /**
     * @param properties the properties
     * @param clock the optional clock (lag is measured against it)
     * @return the status the health indicator and the operator console read
     */
    @Bean
    @ConditionalOnMissingBean(SyncStatus.class)
    public SyncStatus crmsyncStatus(CrmsyncProperties properties, @Qualifier(CLOCK_BEAN) ObjectProvider<Clock> clock) {
        return new SyncStatus(properties.getHealth().getMaxCyclesWithoutCompletion(), clock(clock));
    }

    /**
     * @param properties the properties
     * @param crmSource the CRM source
     * @param marketingStore the marketing store (the JDBC store unless the application defines one)
     * @param syncStateStore the state store (the JDBC store unless the application defines one)
     * @param conflictPolicy the conflict policy
     * @param status the status, the first listener
     * @param listeners every {@link SyncListener} bean, in order
     * @param clock the optional clock
     * @return the engine; closed with the context
     */
    @Bean
    @ConditionalOnMissingBean(SyncEngine.class)
    public SyncEngine crmsyncEngine(CrmsyncProperties properties, CrmSource crmSource,
                                    ObjectProvider<MarketingStore> marketingStore,
                                    ObjectProvider<SyncStateStore> syncStateStore, ConflictPolicy conflictPolicy,
                                    SyncStatus status, ObjectProvider<SyncListener> listeners,
                                    @Qualifier(CLOCK_BEAN) ObjectProvider<Clock> clock) {
        MarketingStore store = marketingStore.getIfUnique();
        SyncStateStore state = syncStateStore.getIfUnique();
        if (store == null || state == null) {
            throw new IllegalStateException("crmsync needs a MarketingStore and a SyncStateStore: give the application "
                    + "a single DataSource (the JDBC stores are built on it) or define both beans");
        }
        SyncEngine.Builder b = SyncEngine.builder()
                .crmSource(crmSource)
                .marketingStore(store)
                .syncStateStore(state)
                .conflictPolicy(conflictPolicy)
                .clock(clock(clock))
                .closeTimeout(properties.getCloseTimeout())
                .maxAttempts(properties.getMaxAttempts())
                .listener(new CompositeListener(listeners(status, listeners)));
        if (properties.getEngineId() != null) {
            b.engineId(properties.getEngineId());
        }
        if (properties.getMarketingIdField() != null) {
            b.marketingIdField(properties.getMarketingIdField());
        }
        List<ObjectType> types = objectTypes(properties);
        if (!types.isEmpty()) {
            b.objectTypes(types);
        }
        properties.getFields().forEach((type, fields) -> b.fields(Types.resolve(type), fields));
        return b.build();
    }

    /** The status first, so it has heard a cycle before any host listener that may read it. */
    private static List<SyncListener> listeners(SyncStatus status, ObjectProvider<SyncListener> beans) {
        List<SyncListener> all = new java.util.ArrayList<>();
        all.add(status);
        beans.orderedStream().filter(l -> l != status).forEach(all::add);
        return all;
    }

    static List<ObjectType> objectTypes(CrmsyncProperties properties) {
        return properties.getObjectTypes().stream().map(Types::resolve).distinct().toList();
    }

    /**
     * @param properties the properties
     * @param engine the engine
     * @return the lifecycle that schedules the engine with the context
     */
    @Bean
    @ConditionalOnMissingBean(SyncLifecycle.class)
    public SyncLifecycle crmsyncLifecycle(CrmsyncProperties properties, SyncEngine engine,
                                          @Qualifier(PAUSE_BEAN) ObjectProvider<Supplier<Duration>> pause) {
        Supplier<Duration> supplied = pause.getIfAvailable();
        if (supplied != null) {
            return new SyncLifecycle(engine, supplied, properties.getInitialDelay(), properties.isAutoStart());
        }
        return new SyncLifecycle(engine, properties.getPause(), properties.getInitialDelay(),
                properties.isAutoStart());
    }

    /** The name of the bean that, when present, gives the scheduler's pause before each cycle. */
    public static final String PAUSE_BEAN = "crmsyncPause";

    /**
     * Change events ({@code crmsync.salesforce.events.enabled=true}, sync-salesforce-events on the class path): a
     * {@link dev.crmsync.salesforce.events.PubSubClient} on the Salesforce source's OAuth session, a
     * {@link dev.crmsync.salesforce.events.ChangeEventSync} for the listed types with its lifecycle, the
     * scheduler's pause from its {@code suggestedPause()}, its health ({@code crmsyncEvents}) and meters.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.crmsync.salesforce.events.ChangeEventSync")
    @ConditionalOnBooleanProperty(name = CrmsyncProperties.PREFIX + ".salesforce.events.enabled")
    static class EventsConfiguration {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(dev.crmsync.salesforce.events.ChangeEventSubscriber.class)
        dev.crmsync.salesforce.events.PubSubClient crmsyncPubSubClient(CrmSource source, CrmsyncProperties properties) {
            if (!(source instanceof SalesforceCrmSource sf)) {
                throw new IllegalStateException("crmsync.salesforce.events needs the Salesforce CrmSource (or a"
                        + " ChangeEventSubscriber bean of the application's)");
            }
            CrmsyncProperties.Events e = properties.getSalesforce().getEvents();
            dev.crmsync.salesforce.events.PubSubClient.Builder b = dev.crmsync.salesforce.events.PubSubClient.builder()
                    .credentials(dev.crmsync.salesforce.events.PubSubCredentials.of(sf, e.getOrgId()));
            if (e.isPlaintextLoopback()) {
                b.plaintextLoopback(e.getHost(), e.getPort());
            } else {
                b.endpoint(e.getHost(), e.getPort());
            }
            return b.build();
        }

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(dev.crmsync.salesforce.events.ChangeEventSync.class)
        dev.crmsync.salesforce.events.ChangeEventSync crmsyncChangeEvents(
                SyncEngine engine, dev.crmsync.salesforce.events.ChangeEventSubscriber subscriber,
                CrmsyncProperties properties, @Qualifier(CLOCK_BEAN) ObjectProvider<Clock> clock) {
            CrmsyncProperties.Events e = properties.getSalesforce().getEvents();
            List<ObjectType> types = e.getObjectTypes().stream().map(Types::resolve).distinct().toList();
            if (types.isEmpty()) {
                throw new IllegalStateException("crmsync.salesforce.events.object-types is required: the types"
                        + " selected for Change Data Capture in the org");
            }
            return dev.crmsync.salesforce.events.ChangeEventSync.builder(engine, subscriber).objectTypes(types)
                    .healthyPause(e.getHealthyPause()).pollingPause(properties.getPause()).clock(clock(clock)).build();
        }

        @Bean
        @ConditionalOnMissingBean(ChangeEventsLifecycle.class)
        ChangeEventsLifecycle crmsyncEventsLifecycle(dev.crmsync.salesforce.events.ChangeEventSync events,
                                                     CrmsyncProperties properties) {
            return new ChangeEventsLifecycle(events, properties.isAutoStart());
        }

        @Bean(PAUSE_BEAN)
        @ConditionalOnMissingBean(name = PAUSE_BEAN)
        Supplier<Duration> crmsyncPause(dev.crmsync.salesforce.events.ChangeEventSync events) {
            return events::suggestedPause;
        }

        /** The events' health, when Actuator's health is present. */
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
        static class EventsHealthConfiguration {

            @Bean
            @ConditionalOnMissingBean(name = "crmsyncEventsHealthIndicator")
            ChangeEventsHealthIndicator crmsyncEventsHealthIndicator(dev.crmsync.salesforce.events.ChangeEventSync e) {
                return new ChangeEventsHealthIndicator(e);
            }
        }

        /** The events' meters, when Micrometer is present (bound by Actuator's metrics). */
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
        static class EventsMetricsConfiguration {

            @Bean
            @ConditionalOnMissingBean(ChangeEventsMeters.class)
            ChangeEventsMeters crmsyncEventsMeters(dev.crmsync.salesforce.events.ChangeEventSync e) {
                return new ChangeEventsMeters(e);
            }
        }
    }

    /** The JDBC stores on the application's single {@link DataSource}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnSingleCandidate(DataSource.class)
    @ConditionalOnBooleanProperty(name = CrmsyncProperties.PREFIX + ".jdbc.enabled", matchIfMissing = true)
    static class JdbcStoresConfiguration {

        @Bean
        @ConditionalOnMissingBean(JdbcStores.class)
        JdbcStores crmsyncJdbcStores(DataSource dataSource, CrmsyncProperties properties,
                                     @Qualifier(CLOCK_BEAN) ObjectProvider<Clock> clock) {
            JdbcStores.Builder b = JdbcStores.builder(dataSource)
                    .schema(properties.getJdbc().getSchema())
                    .migrate(properties.getJdbc().isMigrate())
                    .clock(clock(clock));
            List<ObjectType> types = objectTypes(properties);
            if (!types.isEmpty()) {
                b.objectTypes(types);
            }
            return b.build();
        }

        @Bean
        @ConditionalOnMissingBean(MarketingStore.class)
        MarketingStore crmsyncMarketingStore(JdbcStores stores) {
            return stores.marketingStore();
        }

        @Bean
        @ConditionalOnMissingBean(SyncStateStore.class)
        SyncStateStore crmsyncSyncStateStore(JdbcStores stores) {
            return stores.syncStateStore();
        }
    }

    /** {@link SyncMetrics} on the application's {@link MeterRegistry}, when sync-micrometer is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({SyncMetrics.class, MeterRegistry.class})
    @ConditionalOnBean(MeterRegistry.class)
    static class MetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean(SyncMetrics.class)
        SyncMetrics crmsyncMetrics(MeterRegistry registry, ObjectProvider<ObservationRegistry> observations,
                                   @Qualifier(CLOCK_BEAN) ObjectProvider<Clock> clock) {
            SyncMetrics.Builder b = SyncMetrics.builder(registry).clock(clock(clock));
            ObservationRegistry o = observations.getIfUnique();
            if (o != null) {
                b.observationRegistry(o);
            }
            return b.build();
        }
    }

    /** The health indicator, when Actuator's health (spring-boot-health) is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class HealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "crmsyncHealthIndicator")
        SyncHealthIndicator crmsyncHealthIndicator(SyncStatus status) {
            return new SyncHealthIndicator(status);
        }
    }
}
