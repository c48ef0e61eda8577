package dev.crmsync.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.salesforce.events.ChangeEventSync;
import dev.crmsync.salesforce.events.EventHealth;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.SyncStateStore;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import dev.crmsync.testkit.salesforce.events.FakePubSubServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code crmsync.salesforce.events.*}: the starter follows change events from the fake Pub/Sub server (over a
 * loopback socket) with the Salesforce source's OAuth session, feeds the scheduler its suggested pause, and shows
 * the followers in the health and the meters; without the property nothing of it exists.
 */
class ChangeEventsStarterTest {

    private final InMemoryCrm crm = InMemoryCrm.builder().seed(21).build();
    private final FakeSalesforceServer salesforce = FakeSalesforceServer.builder().crm(crm).build().start();
    private final FakePubSubServer pubsub = FakePubSubServer.builder(salesforce).build().start();
    private final InMemoryMarketingStore store = new InMemoryMarketingStore();

    @AfterEach
    void close() {
        pubsub.close();
        salesforce.close();
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(CrmsyncAutoConfiguration.class))
                .withBean(MarketingStore.class, () -> store)
                .withBean(SyncStateStore.class, InMemorySyncStateStore::new)
                .withPropertyValues("crmsync.auto-start=false", "crmsync.engine-id=events-starter",
                        "crmsync.object-types=Lead", "crmsync.pause=5m",
                        "crmsync.salesforce.allow-http-for-loopback=true",
                        "crmsync.salesforce.instance-url=" + salesforce.baseUri(),
                        "crmsync.salesforce.credentials.kind=access-token",
                        "crmsync.salesforce.credentials.access-token=" + FakeSalesforceServer.DEFAULT_ACCESS_TOKEN);
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("not within 20 s: " + what).isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    @Test
    void withThePropertyTheStarterFollowsEventsAndShowsThemInTheHealthTheMetersAndThePause() {
        CrmId lead = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"),
                "Company", FieldValue.text("Acme")));
        runner().withPropertyValues("crmsync.salesforce.events.enabled=true",
                "crmsync.salesforce.events.object-types=lead",
                "crmsync.salesforce.events.host=127.0.0.1",
                "crmsync.salesforce.events.port=" + pubsub.port(),
                "crmsync.salesforce.events.plaintext-loopback=true",
                "crmsync.salesforce.events.org-id=" + salesforce.orgId(),
                "crmsync.salesforce.events.healthy-pause=45m").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(CrmSource.class)).isInstanceOf(SalesforceCrmSource.class);
            SyncEngine engine = context.getBean(SyncEngine.class);
            assertThat(engine.runCycle().isComplete()).isTrue();
            ChangeEventSync events = context.getBean(ChangeEventSync.class);
            ChangeEventsHealthIndicator health = context.getBean(ChangeEventsHealthIndicator.class);
            assertThat(health.health().getStatus()).isEqualTo(Status.UNKNOWN);

            context.getBean(ChangeEventsLifecycle.class).start();
            // the stream's first fetch handled: LATEST is resolved (a change before it is the cycles' to bring)
            await(() -> pubsub.openStreams() == 1 && pubsub.fetchRequests() > 0 && events.allHealthy(), "following");
            SyncLifecycle lifecycle = context.getBean(SyncLifecycle.class);
            assertThat(lifecycle.getPhase()).isLessThan(context.getBean(ChangeEventsLifecycle.class).getPhase());
            assertThat(events.suggestedPause()).isEqualTo(Duration.ofMinutes(45));

            crm.update(ObjectType.LEAD, lead, Map.of("LastName", FieldValue.text("Roe")));
            await(() -> FieldValue.text("Roe").equals(
                    store.findByCrmIds(ObjectType.LEAD, List.of(lead)).get(lead).get("LastName")), "the event applied " + pubsub.published("/data/LeadChangeEvent") + "/"
                    + pubsub.delivered("/data/LeadChangeEvent") + " " + events.health() + " " + store.findByCrmIds(ObjectType.LEAD, List.of(lead)));

            await(() -> events.health().get(ObjectType.LEAD).events() == 1, "the batch counted (after its apply)");
            Health h = health.health();
            assertThat(h.getStatus()).isEqualTo(Status.UP);
            assertThat(h.getDetails()).containsEntry("following", true);
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> types = (Map<String, Map<String, Object>>) h.getDetails().get("types");
            assertThat(types.get("Lead")).containsEntry("mode", EventHealth.Mode.FOLLOWING.name())
                    .containsEntry("events", 1L);

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            context.getBean(ChangeEventsMeters.class).bindTo(registry);
            assertThat(registry.get("crmsync.events.following").tag("type", "Lead").gauge().value()).isEqualTo(1.0);
            assertThat(registry.get("crmsync.events.applied").tag("type", "Lead").functionCounter().count())
                    .isEqualTo(1.0);

            pubsub.disableCdc(ObjectType.LEAD);
            await(() -> events.health().get(ObjectType.LEAD).mode() == EventHealth.Mode.POLLING, "polling");
            assertThat(events.suggestedPause()).isEqualTo(Duration.ofMinutes(5));
            assertThat(registry.get("crmsync.events.following").tag("type", "Lead").gauge().value()).isEqualTo(0.0);
            assertThat(health.health().getDetails()).containsEntry("following", false);
        });
    }

    @Test
    void withoutThePropertyThereIsNoFollowerAndTheScheduleKeepsItsPause() {
        runner().run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(ChangeEventSync.class);
            assertThat(context).doesNotHaveBean(ChangeEventsLifecycle.class);
            assertThat(context).doesNotHaveBean(CrmsyncAutoConfiguration.PAUSE_BEAN);
        });
    }

    @Test
    void enabledWithoutObjectTypesFailsNamingTheProperty() {
        runner().withPropertyValues("crmsync.salesforce.events.enabled=true",
                "crmsync.salesforce.events.org-id=" + salesforce.orgId()).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("crmsync.salesforce.events.object-types");
        });
    }
}
