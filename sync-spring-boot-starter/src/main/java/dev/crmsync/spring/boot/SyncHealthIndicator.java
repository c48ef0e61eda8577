package dev.crmsync.spring.boot;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The Actuator health of the sync, from {@link SyncStatus}: {@code DOWN} when a type has not completed for the
 * configured number of consecutive cycles, another instance's lease blocks a type, the API quota is spent, or
 * Salesforce refused the credentials; {@code UNKNOWN} before the first cycle; {@code UP} otherwise. Details:
 * the problem codes, the last cycle's outcome and, per type, its outcome label, cycles without completion,
 * rejected records and codes — never a record value, a reason text or a secret.
 */
public final class SyncHealthIndicator implements HealthIndicator {

    private final SyncStatus status;

    /** @param status the status the engine's listener keeps */
    public SyncHealthIndicator(SyncStatus status) {
        this.status = Objects.requireNonNull(status, "status must not be null");
    }

    @Override
    public Health health() {
        SyncStatus.Snapshot s = status.snapshot();
        Health.Builder b = s.cycles() == 0 ? Health.unknown() : s.healthy() ? Health.up() : Health.down();
        b.withDetail("cycles", s.cycles());
        b.withDetail("lastOutcome", s.lastOutcome());
        b.withDetail("problems", s.problems());
        Map<String, Object> types = new LinkedHashMap<>();
        s.types().forEach((type, t) -> {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("outcome", t.outcome());
            d.put("cyclesWithoutCompletion", t.cyclesWithoutCompletion());
            d.put("rejected", t.rejected());
            d.put("problems", t.problems());
            types.put(type, d);
        });
        b.withDetail("types", types);
        return b.build();
    }
}
