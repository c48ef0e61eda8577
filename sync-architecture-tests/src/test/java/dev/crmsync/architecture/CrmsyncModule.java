package dev.crmsync.architecture;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.jdbc.JdbcStores;
import dev.crmsync.kafka.connect.CrmSourceFactory;
import dev.crmsync.micrometer.SyncMetrics;
import dev.crmsync.model.CrmId;
import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.salesforce.events.ChangeEventDecoder;
import dev.crmsync.spring.boot.CrmsyncAutoConfiguration;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import dev.crmsync.testkit.salesforce.events.FakePubSubServer;

import java.util.List;
import java.util.Optional;

/**
 * The module table of docs/architecture.md ("Modules"): which packages each Maven module owns, which
 * modules it may depend on, and whether it is a production library, a test kit or an application.
 *
 * <p>A package belongs to the module with the longest matching root ({@code dev.crmsync.testkit.salesforce}
 * is the Salesforce test kit, {@code dev.crmsync.testkit} the test kit). A new root package must be added
 * here: {@code ModuleRulesTest.everyClassBelongsToAModule} fails until it is.
 */
enum CrmsyncModule {

    API("sync-api", Kind.PRODUCTION, "dev.crmsync.api", CrmId.class,
            List.of("dev.crmsync.model", "dev.crmsync.crm", "dev.crmsync.store")),
    CORE("sync-core", Kind.PRODUCTION, "dev.crmsync.core", SyncEngine.class,
            List.of("dev.crmsync.core"), API),
    MICROMETER("sync-micrometer", Kind.PRODUCTION, "dev.crmsync.micrometer", SyncMetrics.class,
            List.of("dev.crmsync.micrometer"), API, CORE),
    JDBC("sync-jdbc", Kind.PRODUCTION, "dev.crmsync.jdbc", JdbcStores.class,
            List.of("dev.crmsync.jdbc"), API),
    SALESFORCE("sync-salesforce", Kind.PRODUCTION, "dev.crmsync.salesforce", SalesforceCrmSource.class,
            List.of("dev.crmsync.salesforce"), API),
    /** Change events (the Avro decoder, the Pub/Sub API's messages and methods): its own module so polling-only hosts carry no gRPC. */
    SALESFORCE_EVENTS("sync-salesforce-events", Kind.PRODUCTION, "dev.crmsync.salesforce.events",
            ChangeEventDecoder.class, List.of("dev.crmsync.salesforce.events"), API, CORE, SALESFORCE),
    /**
     * Kafka Connect connectors (issue 16): its own module so embedding hosts carry no Kafka. connect-api and
     * kafka-clients are provided by the worker; the anchor is an interface that loads without them. It depends on
     * sync-core (issue 16, step 3) for the merge sink: one record is merged by the engine's own three-way merge and
     * ConflictPolicy (RecordMerge), not a copy of them.
     */
    KAFKA_CONNECT("sync-kafka-connect", Kind.PRODUCTION, "dev.crmsync.kafka.connect", CrmSourceFactory.class,
            List.of("dev.crmsync.kafka.connect"), API, CORE),
    /** No module-info (Spring Boot's jars are not modules): its manifest names it (Automatic-Module-Name). */
    SPRING_BOOT_STARTER("sync-spring-boot-starter", Kind.PRODUCTION, "dev.crmsync.spring.boot",
            CrmsyncAutoConfiguration.class, List.of("dev.crmsync.spring"), API, CORE, MICROMETER, JDBC, SALESFORCE,
            SALESFORCE_EVENTS),
    TESTKIT("sync-testkit", Kind.TEST_KIT, "dev.crmsync.testkit", InMemoryCrm.class,
            List.of("dev.crmsync.testkit"), API),
    SALESFORCE_TESTKIT("sync-salesforce-testkit", Kind.TEST_KIT, "dev.crmsync.testkit.salesforce",
            FakeSalesforceServer.class, List.of("dev.crmsync.testkit.salesforce"), API, TESTKIT),
    /** The fake Pub/Sub server: its own test kit so that the Salesforce test kit carries no gRPC. */
    SALESFORCE_EVENTS_TESTKIT("sync-salesforce-events-testkit", Kind.TEST_KIT, "dev.crmsync.testkit.salesforce.events",
            FakePubSubServer.class, List.of("dev.crmsync.testkit.salesforce.events"), API, TESTKIT, SALESFORCE_TESTKIT,
            SALESFORCE_EVENTS),
    EXAMPLES("sync-examples", Kind.APPLICATION, null, null,
            List.of("dev.crmsync.examples"), API, CORE, JDBC, SALESFORCE, TESTKIT, SALESFORCE_TESTKIT),
    BENCHMARKS("sync-benchmarks", Kind.APPLICATION, null, null,
            List.of("dev.crmsync.benchmarks"), API, CORE, JDBC, TESTKIT, SALESFORCE, SALESFORCE_TESTKIT,
            SALESFORCE_EVENTS, SALESFORCE_EVENTS_TESTKIT);

    /** What a module is for, which decides the rules it is held to. */
    enum Kind {
        /** A library users ship: no fake, no test kit, a module-info exporting only API packages. */
        PRODUCTION,
        /** Published for users' test scope: a module-info exporting only API packages. */
        TEST_KIT,
        /** Not a library (demo, benchmarks): may use anything, is used by nothing. */
        APPLICATION
    }

    private final String artifactId;
    private final Kind kind;
    private final String javaModuleName;
    private final Class<?> anchor;
    private final List<String> rootPackages;
    private final List<CrmsyncModule> mayDependOn;

    CrmsyncModule(String artifactId, Kind kind, String javaModuleName, Class<?> anchor,
                  List<String> rootPackages, CrmsyncModule... mayDependOn) {
        this.artifactId = artifactId;
        this.kind = kind;
        this.javaModuleName = javaModuleName;
        this.anchor = anchor;
        this.rootPackages = rootPackages;
        this.mayDependOn = List.of(mayDependOn);   // not an EnumSet: the enum is not initialised yet here
    }

    String artifactId() {
        return artifactId;
    }

    Kind kind() {
        return kind;
    }

    /** Whether the module is an automatic module (a manifest Automatic-Module-Name, no module-info). */
    boolean automatic() {
        return this == SPRING_BOOT_STARTER;
    }

    /** The JPMS module name its module-info (or manifest) declares (null for an application). */
    String javaModuleName() {
        return javaModuleName;
    }

    /** A public class of the module, whose code source is the module's built artifact (null for an application). */
    Class<?> anchor() {
        return anchor;
    }

    List<String> rootPackages() {
        return rootPackages;
    }

    /** Whether a class of this module may depend on a class of {@code other} (always on itself). */
    boolean mayDependOn(CrmsyncModule other) {
        return other == this || mayDependOn.contains(other);
    }

    /** The module that owns a package, if any. */
    static Optional<CrmsyncModule> owning(String packageName) {
        CrmsyncModule owner = null;
        int longest = -1;
        for (CrmsyncModule module : values()) {
            for (String root : module.rootPackages) {
                boolean inside = packageName.equals(root) || packageName.startsWith(root + ".");
                if (inside && root.length() > longest) {
                    owner = module;
                    longest = root.length();
                }
            }
        }
        return Optional.ofNullable(owner);
    }

    /** Whether a package is (or is inside) an {@code internal} package. */
    static boolean isInternal(String packageName) {
        return packageName.equals("internal") || packageName.endsWith(".internal")
                || packageName.contains(".internal.");
    }
}
