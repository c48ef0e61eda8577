package dev.crmsync.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SliceRule;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The module and package rules of docs/architecture.md, checked with ArchUnit against the main classes of
 * every module (this module's test classpath holds them all; the importer leaves test classes out).
 *
 * <p>Each rule names the sentence of the architecture page it enforces. Where a rule allows an exception,
 * the exception is written into the rule with its reason.
 */
@AnalyzeClasses(packages = "dev.crmsync", importOptions = ImportOption.DoNotIncludeTests.class)
class ModuleRulesTest {

    private static final String[] API_PACKAGES = {"dev.crmsync.model..", "dev.crmsync.crm..", "dev.crmsync.store.."};
    private static final String[] PRODUCTION_PACKAGES = {
        "dev.crmsync.model..", "dev.crmsync.crm..", "dev.crmsync.store..",
        "dev.crmsync.core..", "dev.crmsync.micrometer..", "dev.crmsync.salesforce..", "dev.crmsync.jdbc..",
        "dev.crmsync.spring..", "dev.crmsync.kafka.."};

    /** The one application allowed to set system properties (a logger level and a JDK switch in its main). */
    private static final String DEMO = "dev.crmsync.examples.Demo";

    // ---- the modules -------------------------------------------------------------------------------------

    /** The import sees every module's main classes (else every rule below would pass on too little). */
    @ArchTest
    static void everyModuleIsImported(JavaClasses imported) {
        for (CrmsyncModule module : CrmsyncModule.values()) {
            long count = imported.stream()
                    .filter(c -> CrmsyncModule.owning(c.getPackageName()).equals(Optional.of(module)))
                    .count();
            if (count == 0) {
                throw new AssertionError("no main class of " + module.artifactId() + " was imported");
            }
        }
    }

    /** The table in {@link CrmsyncModule} is complete: a new root package is given its module first. */
    @ArchTest
    static final ArchRule everyClassBelongsToAModule = classes()
            .should(new ArchCondition<JavaClass>("belong to a module of the table in CrmsyncModule") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                    if (CrmsyncModule.owning(c.getPackageName()).isEmpty()) {
                        events.add(SimpleConditionEvent.violated(c, c.getName() + " is in package "
                                + c.getPackageName() + ", which no module of CrmsyncModule owns"));
                    }
                }
            });

    /**
     * "sync-api: JDK only." The model and both SPIs depend on nothing but the JDK and each other. One named
     * exception: JSpecify's nullness annotations ({@code @NullMarked}, {@code @Nullable}; issue 9 step 5),
     * which carry no behaviour.
     */
    @ArchTest
    static final ArchRule apiDependsOnTheJdkOnly = classes()
            .that().resideInAnyPackage(API_PACKAGES)
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                    "java..", "dev.crmsync.model..", "dev.crmsync.crm..", "dev.crmsync.store..",
                    "org.jspecify.annotations");

    /**
     * "sync-salesforce and sync-jdbc never depend on the engine" (nor on a test kit). The change-events
     * module ({@code dev.crmsync.salesforce.events}) is not an adapter: it drives the engine
     * ({@code ChangeEventSync}), as the Spring Boot starter does.
     */
    @ArchTest
    static final ArchRule adaptersNeverDependOnTheEngineOrATestKit = noClasses()
            .that().resideInAnyPackage("dev.crmsync.salesforce..", "dev.crmsync.jdbc..")
            .and().resideOutsideOfPackage("dev.crmsync.salesforce.events..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.crmsync.core..", "dev.crmsync.testkit..");

    /** "No fake class in a production jar": no production package uses a test kit. */
    @ArchTest
    static final ArchRule productionNeverDependsOnATestKit = noClasses()
            .that().resideInAnyPackage(PRODUCTION_PACKAGES)
            .should().dependOnClassesThat().resideInAPackage("dev.crmsync.testkit..");

    /** "No module depends on one above it": every dependency between modules is one the table allows. */
    @ArchTest
    static final ArchRule modulesDependOnlyOnTheModulesTheTableAllows = classes()
            .should(new ArchCondition<JavaClass>("depend only on modules that CrmsyncModule allows") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                    Optional<CrmsyncModule> from = CrmsyncModule.owning(c.getPackageName());
                    if (from.isEmpty()) {
                        return;   // reported by everyClassBelongsToAModule
                    }
                    for (Dependency d : c.getDirectDependenciesFromSelf()) {
                        JavaClass target = d.getTargetClass().getBaseComponentType();
                        CrmsyncModule to = CrmsyncModule.owning(target.getPackageName()).orElse(null);
                        if (to != null && !from.get().mayDependOn(to)) {
                            events.add(SimpleConditionEvent.violated(d, from.get().artifactId() + " may not depend on "
                                    + to.artifactId() + ": " + d.getDescription()));
                        }
                    }
                }
            });

    /** The module graph has no cycle (the table above allows none; this is the independent check). */
    @ArchTest
    static final ArchRule modulesAreFreeOfCycles = slices()
            .assignedFrom(new SliceAssignment() {
                @Override
                public SliceIdentifier getIdentifierOf(JavaClass c) {
                    return CrmsyncModule.owning(c.getPackageName())
                            .map(m -> SliceIdentifier.of(m.artifactId()))
                            .orElse(SliceIdentifier.ignore());
                }

                @Override
                public String getDescription() {
                    return "the modules of CrmsyncModule";
                }
            })
            .should().beFreeOfCycles();

    // ---- the packages ------------------------------------------------------------------------------------

    /** "Internals none of it exported": no class of another module reaches a module's internal package. */
    @ArchTest
    static final ArchRule internalsAreUsedOnlyInsideTheirModule = classes()
            .should(new ArchCondition<JavaClass>("not depend on another module's internal packages") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                    Optional<CrmsyncModule> from = CrmsyncModule.owning(c.getPackageName());
                    for (Dependency d : c.getDirectDependenciesFromSelf()) {
                        JavaClass target = d.getTargetClass().getBaseComponentType();
                        if (!CrmsyncModule.isInternal(target.getPackageName())) {
                            continue;
                        }
                        Optional<CrmsyncModule> to = CrmsyncModule.owning(target.getPackageName());
                        if (to.isPresent() && !to.equals(from)) {
                            events.add(SimpleConditionEvent.violated(d, "internal package of "
                                    + to.get().artifactId() + " reached from outside it: " + d.getDescription()));
                        }
                    }
                }
            });

    /**
     * No cycle between packages, with one exemption and its reason: a module's {@code internal} packages
     * may use their own module's API packages (they implement its interfaces and take its values) while
     * the API reaches into them to build the implementation (a facade such as {@code SyncEngine} or
     * {@code JdbcStores}). Those dependencies are ignored; every other cycle (API package to API package,
     * internal to internal, across modules) fails. Today the exemption covers four pairs: core,
     * jdbc, salesforce and testkit.salesforce with their {@code .internal}.
     */
    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = packagesAreFreeOfCyclesExceptInternalsUsingTheirOwnApi();

    /** "No internal type in a public signature." */
    @ArchTest
    static final ArchRule noInternalTypeInAPublicSignature = classes()
            .that(areApi())
            .should(new ArchCondition<JavaClass>("expose no type of an internal package in a public signature") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                    for (String leak : internalTypesInSignatureOf(c)) {
                        events.add(SimpleConditionEvent.violated(c, leak));
                    }
                }
            });

    /** "No system property set by loading a class": no class calls System.setProperty, except the demo. */
    @ArchTest
    static final ArchRule noClassSetsASystemProperty = noClasses()
            .that().doNotHaveFullyQualifiedName(DEMO)
            .should().callMethod(System.class, "setProperty", String.class, String.class)
            .orShould().callMethod(System.class, "setProperties", Properties.class)
            .orShould().callMethod(System.class, "clearProperty", String.class);

    // ---- helpers -----------------------------------------------------------------------------------------

    private static SliceRule packagesAreFreeOfCyclesExceptInternalsUsingTheirOwnApi() {
        SliceRule rule = slices().matching("dev.crmsync.(**)").should().beFreeOfCycles();
        for (CrmsyncModule module : CrmsyncModule.values()) {
            DescribedPredicate<JavaClass> ownApi = DescribedPredicate.describe(
                    "the API packages of " + module.artifactId(),
                    c -> !CrmsyncModule.isInternal(c.getPackageName())
                            && CrmsyncModule.owning(c.getPackageName()).equals(Optional.of(module)));
            for (String root : module.rootPackages()) {
                rule = rule.ignoreDependency(JavaClass.Predicates.resideInAPackage(root + ".internal.."), ownApi);
            }
        }
        return rule;
    }

    /** Public types (and public types nested in them) of packages that are not internal. */
    private static DescribedPredicate<JavaClass> areApi() {
        return DescribedPredicate.describe("are public types of a non-internal package", c ->
                !CrmsyncModule.isInternal(c.getPackageName()) && effectivelyPublic(c));
    }

    private static boolean effectivelyPublic(JavaClass c) {
        if (!c.getModifiers().contains(JavaModifier.PUBLIC) || c.isAnonymousClass() || c.isLocalClass()) {
            return false;
        }
        Optional<JavaClass> enclosing = c.getEnclosingClass();
        return enclosing.isEmpty() || effectivelyPublic(enclosing.get());
    }

    private static boolean visibleOutside(JavaMember member) {
        Set<JavaModifier> m = member.getModifiers();
        return (m.contains(JavaModifier.PUBLIC) || m.contains(JavaModifier.PROTECTED))
                && !m.contains(JavaModifier.SYNTHETIC) && !m.contains(JavaModifier.BRIDGE);
    }

    /** Every type of an internal package that a public signature of {@code c} names, described. */
    static List<String> internalTypesInSignatureOf(JavaClass c) {
        List<String> leaks = new ArrayList<>();
        c.getRawSuperclass().ifPresent(s -> check(leaks, c.getName() + " extends", Set.of(s)));
        check(leaks, c.getName() + " implements", new LinkedHashSet<>(c.getRawInterfaces()));
        c.getTypeParameters().forEach(p -> p.getBounds().forEach(b ->
                check(leaks, c.getName() + " type parameter " + p.getName(), b.getAllInvolvedRawTypes())));
        for (JavaField f : c.getFields()) {
            if (visibleOutside(f)) {
                check(leaks, f.getFullName(), f.getType().getAllInvolvedRawTypes());
            }
        }
        for (JavaCodeUnit u : c.getCodeUnits()) {
            if (!visibleOutside(u)) {
                continue;
            }
            String where = u.getFullName();
            check(leaks, where + " returns", u.getReturnType().getAllInvolvedRawTypes());
            for (JavaType p : u.getParameterTypes()) {
                check(leaks, where + " takes", p.getAllInvolvedRawTypes());
            }
            u.getThrowsClause().getTypes().forEach(t -> check(leaks, where + " throws", Set.of(t)));
            u.getTypeParameters().forEach(p -> p.getBounds().forEach(b ->
                    check(leaks, where + " type parameter " + p.getName(), b.getAllInvolvedRawTypes())));
        }
        return leaks;
    }

    private static void check(List<String> leaks, String where, Set<JavaClass> types) {
        for (JavaClass t : types) {
            JavaClass base = t.getBaseComponentType();
            if (CrmsyncModule.isInternal(base.getPackageName())) {
                leaks.add(where + " " + base.getName() + ", a type of an internal package");
            }
        }
    }
}
