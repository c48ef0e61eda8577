package dev.crmsync.spring.boot;

import dev.crmsync.model.ObjectType;
import dev.crmsync.salesforce.events.ChangeEventSync;
import dev.crmsync.salesforce.events.EventHealth;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Change events on Micrometer, per followed type (tag {@code type}): the gauge {@code crmsync.events.following}
 * (1 while its events flow, 0 while it relies on polling), the gauge {@code crmsync.events.mode} (the mode's
 * ordinal in {@link EventHealth.Mode}), and the counters {@code crmsync.events.applied} (events),
 * {@code crmsync.events.records} (records fetched and merged because of them) and {@code crmsync.events.polls}
 * (catch-up polls). Read from {@link ChangeEventSync#health()} when scraped.
 */
public final class ChangeEventsMeters implements MeterBinder {

    private final ChangeEventSync events;

    /** @param events the follower */
    public ChangeEventsMeters(ChangeEventSync events) {
        this.events = Objects.requireNonNull(events, "events must not be null");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (ObjectType type : events.health().keySet()) {
            String t = type.apiName();
            Gauge.builder("crmsync.events.following", events, e -> of(e, type, h -> h.mode().isHealthy() ? 1 : 0))
                    .tag("type", t).description("1 while the type's change events flow, 0 while it relies on polling")
                    .register(registry);
            Gauge.builder("crmsync.events.mode", events, e -> of(e, type, h -> h.mode().ordinal()))
                    .tag("type", t).description("the follower's mode (EventHealth.Mode ordinal)").register(registry);
            FunctionCounter.builder("crmsync.events.applied", events, e -> of(e, type, EventHealth::events))
                    .tag("type", t).description("change events applied").register(registry);
            FunctionCounter.builder("crmsync.events.records", events, e -> of(e, type, EventHealth::records))
                    .tag("type", t).description("records fetched and merged because of change events")
                    .register(registry);
            FunctionCounter.builder("crmsync.events.polls", events, e -> of(e, type, EventHealth::polls))
                    .tag("type", t).description("catch-up polls after lost change events").register(registry);
        }
    }

    private static double of(ChangeEventSync events, ObjectType type, ToDoubleFunction<EventHealth> f) {
        EventHealth h = events.health().get(type);
        return h == null ? Double.NaN : f.applyAsDouble(h);
    }
}
