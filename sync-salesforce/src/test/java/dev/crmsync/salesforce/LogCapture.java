package dev.crmsync.salesforce;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J backend of this module's tests: every log call at every level (TRACE included) is kept
 * in memory, fully formatted with its arguments and the whole stack trace of any throwable, so a
 * test can read all log output of a run. WARN and ERROR are also printed to stderr.
 *
 * <p>The only loggers turned off are Apache HttpClient's raw HTTP dumps,
 * {@code org.apache.hc.client5.http.headers} and {@code org.apache.hc.client5.http.wire}: they print
 * every request header byte for byte, the bearer token included, by design, and must stay off in
 * production (see the README). Everything else, HttpClient's other DEBUG output included, is kept.
 */
public final class LogCapture {

    private static final List<String> LINES = new ArrayList<>();
    /** {@code -Dlogcapture.echo=true} prints every line, for debugging a test. */
    private static final boolean ECHO = Boolean.getBoolean("logcapture.echo");

    private LogCapture() {
    }

    /** Forgets everything captured so far. */
    public static void clear() {
        synchronized (LINES) {
            LINES.clear();
        }
    }

    /** @return every line captured since the last {@link #clear()} */
    public static List<String> lines() {
        synchronized (LINES) {
            return List.copyOf(LINES);
        }
    }

    /** @return all captured output as one text */
    public static String text() {
        return String.join("\n", lines());
    }

    static void record(Level level, String logger, String message, Throwable t) {
        StringBuilder sb = new StringBuilder().append(level).append(' ').append(logger).append(" - ").append(message);
        if (t != null) {
            StringWriter w = new StringWriter();
            t.printStackTrace(new PrintWriter(w));
            sb.append('\n').append(w);
        }
        String line = sb.toString();
        synchronized (LINES) {
            LINES.add(line);
        }
        if (level == Level.WARN || level == Level.ERROR || (ECHO && logger.startsWith("dev.crmsync"))) {
            System.err.println(line);
        }
    }

    /** A logger that records everything. */
    static final class CapturingLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;

        private final boolean rawHttpDump;

        CapturingLogger(String name) {
            this.name = name;
            this.rawHttpDump = name.equals("org.apache.hc.client5.http.headers")
                    || name.equals("org.apache.hc.client5.http.wire");
        }

        @Override
        public boolean isTraceEnabled() {
            return !rawHttpDump;
        }

        @Override
        public boolean isDebugEnabled() {
            return !rawHttpDump;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
                                                   Throwable throwable) {
            var formatted = MessageFormatter.basicArrayFormat(pattern, args);
            record(level, name, formatted, throwable);
        }
    }

    /** The SLF4J 2 service provider, registered in {@code META-INF/services}. */
    public static final class Provider implements SLF4JServiceProvider {
        private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
        private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, CapturingLogger::new);
        private final IMarkerFactory markers = new BasicMarkerFactory();
        private final MDCAdapter mdc = new BasicMDCAdapter();

        @Override
        public ILoggerFactory getLoggerFactory() {
            return factory;
        }

        @Override
        public IMarkerFactory getMarkerFactory() {
            return markers;
        }

        @Override
        public MDCAdapter getMDCAdapter() {
            return mdc;
        }

        @Override
        public String getRequestedApiVersion() {
            return "2.0.99";
        }

        @Override
        public void initialize() {
            // nothing to set up
        }
    }
}
