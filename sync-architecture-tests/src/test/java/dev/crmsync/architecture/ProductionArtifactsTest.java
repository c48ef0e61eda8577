package dev.crmsync.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the built artifacts themselves, not only their classes' dependencies: what a user's build would
 * put on its classpath. In {@code mvn verify} Maven hands this module the packaged jars of the modules it
 * depends on; in {@code mvn test} their {@code target/classes} directories. Each test reads whichever it
 * was given (the code source of one public class of the module) and says which in its failure message.
 */
class ProductionArtifactsTest {

    /** Simple names (each part of a nested name) that only a test fake or a contract kit has. */
    private static final Pattern FAKE_NAME = Pattern.compile("Fake.*|InMemoryCrm.*|ManualClock|.*Contract");

    /** "No fake class in a production jar": no fake, clock, contract kit or test-kit package in a library. */
    @Test
    void noProductionArtifactContainsAFakeOrATestKit() {
        List<String> found = new ArrayList<>();
        for (CrmsyncModule module : modules(CrmsyncModule.Kind.PRODUCTION)) {
            Artifact artifact = Artifact.of(module);
            for (String entry : artifact.classEntries()) {
                String className = entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
                String simpleName = className.substring(className.lastIndexOf('.') + 1);
                boolean fakeName = Stream.of(simpleName.split("\\$")).anyMatch(part -> FAKE_NAME.matcher(part).matches());
                boolean testKitPackage = className.startsWith("dev.crmsync.testkit.");
                if (fakeName || testKitPackage) {
                    found.add(artifact + ": " + className);
                }
            }
        }
        assertTrue(found.isEmpty(), "test fakes or test-kit classes in production artifacts:\n  "
                + String.join("\n  ", found));
    }

    /**
     * "Every production module has a module-info.java exporting only its API packages" (and so do the test
     * kits): the descriptor names the module, exports every package that is not internal, and no other.
     */
    @Test
    void everyPublishedArtifactHasADescriptorExportingExactlyItsApiPackages() {
        List<CrmsyncModule> published = new ArrayList<>(modules(CrmsyncModule.Kind.PRODUCTION));
        published.addAll(modules(CrmsyncModule.Kind.TEST_KIT));
        assertEquals(11, published.size(), "eight libraries and three test kits");
        for (CrmsyncModule module : published) {
            Artifact artifact = Artifact.of(module);
            if (module.automatic()) {
                assertAutomaticModuleExportsOnlyApi(artifact);
                continue;
            }
            ModuleDescriptor descriptor = artifact.descriptor();
            assertEquals(module.javaModuleName(), descriptor.name(), artifact + ": module name");
            assertFalse(descriptor.isAutomatic(), artifact + ": an explicit module");

            Set<String> exported = new TreeSet<>();
            for (ModuleDescriptor.Exports e : descriptor.exports()) {
                assertFalse(e.isQualified(), artifact + ": qualified export of " + e.source());
                exported.add(e.source());
            }
            Set<String> api = artifact.classEntries().stream()
                    .filter(entry -> entry.contains("/"))
                    .map(entry -> entry.substring(0, entry.lastIndexOf('/')).replace('/', '.'))
                    .filter(pkg -> !CrmsyncModule.isInternal(pkg))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(api, exported, artifact + ": the exported packages are exactly the non-internal ones");
        }
    }

    /**
     * An automatic module exports every package it has, so it must have no internal package; its jar's manifest
     * names it (a classes directory, before {@code package}, has no manifest to check).
     */
    private static void assertAutomaticModuleExportsOnlyApi(Artifact artifact) {
        List<String> internal = artifact.classEntries().stream()
                .filter(entry -> entry.contains("/"))
                .map(entry -> entry.substring(0, entry.lastIndexOf('/')).replace('/', '.'))
                .filter(CrmsyncModule::isInternal).distinct().toList();
        assertTrue(internal.isEmpty(), artifact + ": an automatic module exports every package, internal ones too: "
                + internal);
        if (Files.isRegularFile(artifact.location())) {
            try (JarFile jar = new JarFile(artifact.location().toFile())) {
                assertEquals(artifact.module().javaModuleName(),
                        jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name"),
                        artifact + ": Automatic-Module-Name");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static List<CrmsyncModule> modules(CrmsyncModule.Kind kind) {
        return Stream.of(CrmsyncModule.values()).filter(m -> m.kind() == kind).toList();
    }

    /** A module's built artifact: a jar (after {@code package}) or a classes directory (before it). */
    private record Artifact(CrmsyncModule module, Path location) {

        static Artifact of(CrmsyncModule module) {
            try {
                Path location = Path.of(module.anchor().getProtectionDomain().getCodeSource().getLocation().toURI());
                return new Artifact(module, location);
            } catch (URISyntaxException e) {
                throw new IllegalStateException("no location for " + module.artifactId(), e);
            }
        }

        /** Class-file entries, as relative paths with '/' ({@code module-info.class} left out). */
        List<String> classEntries() {
            try {
                if (Files.isDirectory(location)) {
                    try (Stream<Path> files = Files.walk(location)) {
                        return files.filter(p -> p.toString().endsWith(".class"))
                                .map(p -> location.relativize(p).toString().replace('\\', '/'))
                                .filter(entry -> !entry.equals("module-info.class"))
                                .sorted().toList();
                    }
                }
                try (JarFile jar = new JarFile(location.toFile())) {
                    return jar.stream().map(JarEntry::getName)
                            .filter(name -> name.endsWith(".class") && !name.endsWith("module-info.class"))
                            .sorted().toList();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        ModuleDescriptor descriptor() {
            try {
                if (Files.isDirectory(location)) {
                    Path file = location.resolve("module-info.class");
                    assertTrue(Files.exists(file), this + ": no module-info.class");
                    try (InputStream in = Files.newInputStream(file)) {
                        return ModuleDescriptor.read(in);
                    }
                }
                try (JarFile jar = new JarFile(location.toFile())) {
                    JarEntry entry = jar.getJarEntry("module-info.class");
                    assertTrue(entry != null, this + ": no module-info.class");
                    try (InputStream in = jar.getInputStream(entry)) {
                        return ModuleDescriptor.read(in);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return module.artifactId() + " at " + location;
        }
    }
}
