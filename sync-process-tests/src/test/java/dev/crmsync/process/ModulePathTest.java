package dev.crmsync.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: the JDBC store on H2 works on the module path — a real JVM started with the crmsync
 * modules, H2 (an automatic module), SLF4J and JUnit's API (the test kit requires it) on
 * {@code --module-path}, where H2 must instantiate the store's triggers by name from an exported
 * package. The child is {@link ModulePathMain}.
 */
class ModulePathTest {

    /** Class-path entries that go on the module path: the crmsync modules and what they require. */
    private static boolean module(String entry) {
        String e = entry.replace('\\', '/');
        boolean crmsync = e.matches(".*/sync-(api|core|jdbc|testkit)/target/classes/?")
                || e.matches(".*/sync-(api|core|jdbc|testkit)-[^/]*\\.jar");
        return crmsync || e.contains("/com/h2database/h2/") || e.contains("/org/slf4j/slf4j-api/")
                || e.contains("/org/junit/jupiter/junit-jupiter-api/") || e.contains("/org/junit/platform/junit-platform-commons/")
                || e.contains("/org/opentest4j/") || e.contains("/org/apiguardian/") || e.contains("/org/jspecify/");
    }

    @TempDir
    Path dir;

    @Test
    void theH2StoreAndItsTriggersWorkOnTheModulePath() throws Exception {
        List<String> modulePath = new ArrayList<>();
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            (module(entry) ? modulePath : classPath).add(entry);
        }
        assertEquals(4, modulePath.stream().filter(e -> e.contains("sync-")).count(), () -> "crmsync modules: " + modulePath);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m",
                "--module-path", String.join(File.pathSeparator, modulePath),
                "--add-modules", "dev.crmsync.core,dev.crmsync.jdbc,dev.crmsync.testkit,com.h2database",
                "-cp", String.join(File.pathSeparator, classPath), ModulePathMain.class.getName());
        Path log = dir.resolve("child.log");
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child did not finish");
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("modules: dev.crmsync.jdbc dev.crmsync.core com.h2database"), out);
        assertTrue(out.contains("OK"), out);
    }
}
