/**
 * crmsync on Kafka Connect: source connectors for CRM changes and the marketing store's change feed, a plain store
 * sink for the one-way types and a merge sink for the two-way types.
 *
 * <p>One line per exported package; an {@code internal} package is never listed.
 *
 * <p>Kafka's jars ship neither a module descriptor nor an {@code Automatic-Module-Name}, so their module names
 * ({@code connect.api}, {@code kafka.clients}) come from the jar file names; the {@code requires-automatic} lints
 * are suppressed for that reason. On a Connect worker the plugin runs on the class path (Connect loads plugins
 * with its own class loaders, not as modules), so these names matter only to a host that puts the connectors on
 * a module path itself. {@code connect.api} and {@code kafka.clients} are transitive because the exported
 * connectors extend Connect's types and speak in {@code ConfigDef}.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.crmsync.kafka.connect {
    requires static transitive org.jspecify;   // nullness annotations (CLASS retention): needed to compile, not at run time
    requires transitive dev.crmsync.api;       // CrmSource and MarketingStore in the factories' signatures
    requires transitive dev.crmsync.core;      // ConflictPolicy in ConflictPolicyFactory; the merge sink's RecordMerge
    requires transitive connect.api;           // automatic module (file name): SourceConnector, SinkConnector, tasks
    requires transitive kafka.clients;         // automatic module (file name): ConfigDef in Connector.config()
    requires org.slf4j;

    exports dev.crmsync.kafka.connect;         // the connectors, their tasks, the factories, OffsetMigration
    // not exported: dev.crmsync.kafka.connect.internal (settings, the record codec, offsets, the per-type reader)

    provides org.apache.kafka.connect.source.SourceConnector with dev.crmsync.kafka.connect.CrmChangesSourceConnector,
            dev.crmsync.kafka.connect.MarketingChangesSourceConnector;
    provides org.apache.kafka.connect.sink.SinkConnector with dev.crmsync.kafka.connect.StoreSinkConnector,
            dev.crmsync.kafka.connect.MergeSinkConnector;
}
