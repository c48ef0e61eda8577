/**
 * Micrometer metrics and observations for the sync engine: {@code SyncMetrics}, a {@code SyncListener}.
 *
 * <p>Micrometer ships no module descriptor; {@code micrometer.core} and {@code micrometer.observation}
 * are automatic modules whose names are fixed by the {@code Automatic-Module-Name} in their manifests
 * (not derived from file names), so requiring them is stable. The {@code requires-automatic} and
 * {@code requires-transitive-automatic} lints are suppressed on this declaration for that reason.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.crmsync.micrometer {
    requires static org.jspecify;   // nullness annotations (CLASS retention): needed to compile, not at run time
    // SyncMetrics implements SyncListener
    requires transitive dev.crmsync.core;
    // MeterRegistry and ObservationRegistry appear in SyncMetrics.Builder's signatures
    requires transitive micrometer.core;          // automatic module (Automatic-Module-Name in its manifest)
    requires transitive micrometer.observation;   // automatic module (Automatic-Module-Name in its manifest)

    exports dev.crmsync.micrometer;   // SyncMetrics
}
