package dev.crmsync.kafka.connect.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The connectors' version: the Maven project version, written into a resource at build time. */
public final class Versions {

    private static final String VERSION = load();

    private Versions() {
    }

    /** @return the crmsync version the connectors were built from, or {@code unknown} */
    public static String version() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = Versions.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
