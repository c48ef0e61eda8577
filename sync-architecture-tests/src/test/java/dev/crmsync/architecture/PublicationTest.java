package dev.crmsync.architecture;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What publishing needs, read from the POMs themselves: the metadata Maven Central requires, which modules
 * are published, and a BOM that imports cleanly.
 *
 * <p>"Imports cleanly into a fresh project" is checked statically, not by running Maven on a generated
 * project (too heavy for every build): an import-scoped BOM contributes its {@code dependencyManagement}
 * only, after its own parent chain and properties are interpolated. So the BOM must have no parent (else
 * crmsync-parent's Jackson, JUnit, Micrometer... pins would land in the importing project), no property but
 * {@code project.version}, no dependencies, and manage exactly the published dev.crmsync modules at the
 * reactor's version, with no scope or exclusion that would change how the user's build uses them.
 */
class PublicationTest {

    /** The reactor root (tests run in this module's directory). */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** The modules that are built but never published, each setting maven.deploy.skip. */
    private static final Set<String> UNPUBLISHED = Set.of(
            "sync-examples", "sync-benchmarks", "sync-process-tests", "sync-architecture-tests");

    @Test
    void theBomHasNoParentAndPinsExactlyThePublishedModulesAtTheReactorVersion() {
        Element bom = pom(ROOT.resolve("crmsync-bom/pom.xml"));
        Element parent = pom(ROOT.resolve("pom.xml"));
        assertTrue(child(bom, "parent").isEmpty(), "crmsync-bom must have no parent");
        assertEquals("pom", text(bom, "packaging"));
        assertEquals("dev.crmsync", text(bom, "groupId"));
        assertEquals(text(parent, "version"), text(bom, "version"), "crmsync-bom's version is the reactor's");
        for (String absent : List.of("dependencies", "properties", "repositories", "profiles", "modules")) {
            assertTrue(child(bom, absent).isEmpty(), "crmsync-bom must not have <" + absent + ">");
        }
        Element managed = child(child(bom, "dependencyManagement").orElseThrow(), "dependencies").orElseThrow();
        Set<String> pinned = new TreeSet<>();
        for (Element d : children(managed, "dependency")) {
            String id = text(d, "artifactId");
            assertEquals("dev.crmsync", text(d, "groupId"), id + ": only dev.crmsync modules");
            assertEquals("${project.version}", text(d, "version"), id + ": at the BOM's (the reactor's) version");
            for (String absent : List.of("scope", "type", "classifier", "exclusions", "optional")) {
                assertTrue(child(d, absent).isEmpty(), id + ": no <" + absent + ">");
            }
            assertTrue(pinned.add(id), id + " pinned twice");
        }
        assertEquals(publishedModules(), pinned, "crmsync-bom pins exactly the published modules");
        assertEquals(publishedModules(), Stream.of(CrmsyncModule.values())
                .filter(m -> m.kind() != CrmsyncModule.Kind.APPLICATION).map(CrmsyncModule::artifactId)
                .collect(Collectors.toCollection(TreeSet::new)),
                "the published modules are CrmsyncModule's libraries and test kits");
    }

    /** .ci/run checks that verify built a javadoc and a sources jar for each module of its list: every published one. */
    @Test
    void ciChecksTheJavadocAndSourcesJarsOfEveryPublishedModule() throws java.io.IOException {
        String loop = Files.readAllLines(ROOT.resolve(".ci/run")).stream()
                .filter(l -> l.startsWith("for m in ") && l.contains("sync-api")).findFirst()
                .orElseThrow(() -> new AssertionError(".ci/run has no \"for m in sync-api ...\" loop"));
        Set<String> listed = Stream.of(loop.substring("for m in ".length(), loop.indexOf(';')).trim().split("\\s+"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(publishedModules(), listed, ".ci/run's javadoc and sources jar list");
    }

    @Test
    void theParentAndTheBomCarryTheMetadataMavenCentralRequires() {
        for (Path file : List.of(ROOT.resolve("pom.xml"), ROOT.resolve("crmsync-bom/pom.xml"))) {
            Element pom = pom(file);
            for (String required : List.of("name", "description", "url")) {
                assertFalse(text(pom, required).isBlank(), file + ": <" + required + ">");
            }
            Element license = children(child(pom, "licenses").orElseThrow(), "license").get(0);
            assertFalse(text(license, "name").isBlank(), file + ": a license name");
            assertFalse(text(license, "url").isBlank(), file + ": a license url");
            Element developer = children(child(pom, "developers").orElseThrow(), "developer").get(0);
            assertFalse(text(developer, "name").isBlank(), file + ": a developer name");
            Element scm = child(pom, "scm").orElseThrow();
            for (String required : List.of("connection", "developerConnection", "url")) {
                assertFalse(text(scm, required).isBlank(), file + ": <scm><" + required + ">");
            }
        }
    }

    @Test
    void everyPublishedModuleNamesAndDescribesItselfAndInheritsTheRest() {
        for (String module : publishedModules()) {
            Element pom = pom(ROOT.resolve(module).resolve("pom.xml"));
            assertEquals("crmsync-parent", text(child(pom, "parent").orElseThrow(), "artifactId"), module);
            assertFalse(text(pom, "name").isBlank(), module + ": <name>");
            assertFalse(text(pom, "description").isBlank(), module + ": <description>");
            for (String inherited : List.of("url", "licenses", "developers", "scm")) {
                assertTrue(child(pom, inherited).isEmpty(), module + ": <" + inherited + "> comes from the parent");
            }
        }
    }

    @Test
    void exactlyTheApplicationsAndTestsAreNeverDeployed() {
        List<String> wrong = new ArrayList<>();
        for (String module : reactorModules()) {
            if (module.equals("crmsync-bom")) {
                continue;
            }
            Element pom = pom(ROOT.resolve(module).resolve("pom.xml"));
            boolean skipped = child(pom, "properties").flatMap(p -> child(p, "maven.deploy.skip"))
                    .map(e -> e.getTextContent().trim().equals("true")).orElse(false);
            if (skipped != UNPUBLISHED.contains(module)) {
                wrong.add(module + (skipped ? " skips deploy but is published" : " is deployed but not published"));
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private static Set<String> reactorModules() {
        Element modules = child(pom(ROOT.resolve("pom.xml")), "modules").orElseThrow();
        return children(modules, "module").stream().map(e -> e.getTextContent().trim())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> publishedModules() {
        return reactorModules().stream().filter(m -> !UNPUBLISHED.contains(m) && !m.equals("crmsync-bom"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Element pom(Path file) {
        assertTrue(Files.isRegularFile(file), "no " + file);
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc = f.newDocumentBuilder().parse(file.toFile());
            return doc.getDocumentElement();
        } catch (Exception e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    private static Optional<Element> child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    private static String text(Element parent, String name) {
        return child(parent, name).map(e -> e.getTextContent().trim()).orElse("");
    }
}
