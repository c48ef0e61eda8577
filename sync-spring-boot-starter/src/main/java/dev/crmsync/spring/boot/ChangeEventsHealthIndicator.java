package dev.crmsync.spring.boot;

import dev.crmsync.salesforce.events.ChangeEventSync;
import dev.crmsync.salesforce.events.EventHealth;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The Actuator health of change events ({@code crmsyncEvents}): {@code UP} with {@code following=true} while every
 * followed type's events flow, {@code UP} with {@code following=false} while some type relies on polling (events
 * are a shortcut: the sync goes on, a change takes a cycle), {@code UNKNOWN} before the first subscription. Details
 * per type: its mode, since when, events and records applied, catch-up polls and the last failure's Salesforce
 * code — never a record value or a secret.
 */
public final class ChangeEventsHealthIndicator implements HealthIndicator {

    private final ChangeEventSync events;

    /** @param events the follower */
    public ChangeEventsHealthIndicator(ChangeEventSync events) {
        this.events = Objects.requireNonNull(events, "events must not be null");
    }

    @Override
    public Health health() {
        Map<String, Object> types = new LinkedHashMap<>();
        boolean starting = false;
        for (EventHealth h : events.health().values()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("mode", h.mode().name());
            d.put("since", h.since().toString());
            if (h.lastEventAt() != null) {
                d.put("lastEventAt", h.lastEventAt().toString());
            }
            d.put("events", h.events());
            d.put("records", h.records());
            d.put("polls", h.polls());
            if (h.lastFailureCode() != null) {
                d.put("lastFailureCode", h.lastFailureCode());
            }
            types.put(h.type().apiName(), d);
            starting |= h.mode() == EventHealth.Mode.STARTING;
        }
        Health.Builder b = starting ? Health.unknown() : Health.up();
        return b.withDetail("following", events.allHealthy()).withDetail("suggestedPause",
                events.suggestedPause().toString()).withDetail("types", types).build();
    }
}
