package dev.crmsync.spring.boot.sample;

import dev.crmsync.spring.boot.CrmsyncAutoConfiguration;

import dev.crmsync.core.SyncListener;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.testkit.ManualClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A host application as a user writes one: crmsync's starter, an H2 DataSource (Boot's own auto-configuration,
 * from spring.datasource.*), a Micrometer registry. The manual clock keeps the engine, the source and the fake
 * server on one time; the listener hands each finished cycle's report to the test (no sleeps).
 */
@SpringBootApplication
public class SampleApplication {

    public static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");

    @Bean(CrmsyncAutoConfiguration.CLOCK_BEAN)
    ManualClock crmsyncClock() {
        return new ManualClock(T0);
    }

    @Bean
    MeterRegistry meterRegistry() {
        return new SimpleMeterRegistry();
    }

    @Bean
    CycleReports cycleReports() {
        return new CycleReports();
    }

    /** Each finished cycle's report, in order. */
    public static final class CycleReports implements SyncListener {
        public final LinkedBlockingQueue<SyncReport> reports = new LinkedBlockingQueue<>();

        @Override
        public void onCycleDone(SyncReport report) {
            reports.add(report);
        }
    }
}
