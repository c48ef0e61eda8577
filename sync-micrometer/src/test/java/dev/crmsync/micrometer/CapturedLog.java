package dev.crmsync.micrometer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.MDC;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The test JVM's SLF4J backend (test scope only, registered in META-INF/services): keeps every line logged,
 * at every level, with its logger, formatted message and MDC, so that a test can read exactly what an
 * engine logged at INFO. Thread-safe.
 */
final class CapturedLog {

    /** One logged line. */
    record Line(Level level, String logger, String message, Map<String, String> mdc) {
        boolean atLeast(Level threshold) {
            return level.toInt() >= threshold.toInt();
        }

        @Override
        public String toString() {
            return level + " " + logger + " - " + message;
        }
    }

    private static final List<Line> LINES = new ArrayList<>();

    private CapturedLog() {
    }

    /** Forgets every line logged so far. */
    static void clear() {
        synchronized (LINES) {
            LINES.clear();
        }
    }

    /** @param threshold the lowest level @return the lines logged since the last clear at that level or above */
    static List<Line> atLeast(Level threshold) {
        synchronized (LINES) {
            return LINES.stream().filter(l -> l.atLeast(threshold)).toList();
        }
    }

    private static void add(Line line) {
        synchronized (LINES) {
            LINES.add(line);
        }
    }

    /** The SLF4J 2 provider. */
    public static final class Provider implements SLF4JServiceProvider {
        private final Map<String, Logger> loggers = new ConcurrentHashMap<>();
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
        }
    }

    private static final class CapturingLogger extends AbstractLogger {
        private static final long serialVersionUID = 1L;

        CapturingLogger(String name) {
            this.name = name;
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                                   Throwable throwable) {
            String message = MessageFormatter.basicArrayFormat(pattern, arguments);
            Map<String, String> context = MDC.getCopyOfContextMap();
            add(new Line(level, name, message, context == null ? Map.of() : Map.copyOf(context)));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isTraceEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled(Marker marker) {
            return true;
        }
    }
}
