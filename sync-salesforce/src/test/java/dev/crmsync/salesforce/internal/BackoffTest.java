package dev.crmsync.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.salesforce.RetrySettings;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final RetrySettings settings = RetrySettings.custom()
            .backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)).jitter(0.2).build();

    @Test
    void sameSeedGivesTheSameWaits() {
        Backoff a = new Backoff(settings, new Random(7));
        Backoff b = new Backoff(settings, new Random(7));
        for (int i = 1; i <= 6; i++) {
            assertEquals(a.delay(i), b.delay(i));
        }
    }

    @Test
    void waitsGrowExponentiallyWithinTheJitterBand() {
        Backoff b = new Backoff(settings, new Random(1));
        for (int attempt = 1; attempt <= 4; attempt++) {
            long base = 1000L << (attempt - 1);
            long d = b.delay(attempt).toMillis();
            assertTrue(d >= base * 0.8 - 1 && d <= base * 1.2 + 1, "attempt " + attempt + " waited " + d);
        }
    }

    @Test
    void waitsNeverExceedTheMaximum() {
        Backoff b = new Backoff(settings, new Random(3));
        for (int attempt = 1; attempt <= 40; attempt++) {
            assertTrue(b.delay(attempt).compareTo(Duration.ofSeconds(30)) <= 0);
        }
    }

    @Test
    void noJitterMeansExactDoubling() {
        Backoff b = new Backoff(RetrySettings.from(settings).jitter(0).build(), new Random(3));
        assertEquals(Duration.ofSeconds(1), b.delay(1));
        assertEquals(Duration.ofSeconds(2), b.delay(2));
        assertEquals(Duration.ofSeconds(4), b.delay(3));
    }
}
