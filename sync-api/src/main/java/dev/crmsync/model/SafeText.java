package dev.crmsync.model;

import java.util.Collection;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The one sanitiser for text on its way into a log line, an exception message, a listener event
 * or a report. crmsync's rule: such text carries codes, record keys and field names, never a field
 * value, and is at most {@link #MAX_LENGTH} characters.
 *
 * <p>Text crmsync writes itself names codes, keys and fields only; it is still bounded here (and
 * its control characters flattened, so a hostile field name cannot forge a log line). Text crmsync
 * does not write — a JDBC driver's message (PostgreSQL's {@code Detail: Key (email)=(…)}, H2's
 * SQL with its literals, a batch's entries), a CRM's error message (Salesforce echoes values in
 * {@code message}), a host's exception — may quote values and is never passed on: an exception
 * of crmsync's own tree ({@link SyncException}) keeps its message, any other is named by its
 * class alone ({@link #describe}); an exception chain kept as a cause or logged is first copied
 * by {@link #scrubbed}, which keeps the stack traces and drops the foreign messages. Stateless
 * and thread-safe.
 */
public final class SafeText {

    /**
     * The most characters a reason, note, failure message, exception message or log message of
     * crmsync carries: 500. Longer text is cut and ends with {@code …}.
     */
    public static final int MAX_LENGTH = 500;

    /** The most characters of one field name quoted in a message. */
    private static final int MAX_NAME = 80;
    /** The most names listed by {@link #names}. */
    private static final int MAX_NAMES = 10;
    /** How deep {@link #scrubbed} follows causes. */
    private static final int MAX_DEPTH = 16;

    private SafeText() {
    }

    /**
     * @param text text crmsync wrote (codes, keys, field names), or null
     * @return it with control characters replaced by spaces and cut to {@link #MAX_LENGTH}; empty for null
     */
    public static String bounded(@Nullable String text) {
        return cut(text, MAX_LENGTH);
    }

    /**
     * A field name as it may appear in a message: a name of letters, digits, {@code _} and
     * {@code .} is kept; any other character (a hostile name's quotes, newlines, spaces) becomes
     * {@code ?}, and a name is cut to 80 characters.
     *
     * @param name a field name, or null
     * @return the name safe to print
     */
    public static String name(@Nullable String name) {
        if (name == null) {
            return "?";
        }
        StringBuilder sb = new StringBuilder(Math.min(name.length(), MAX_NAME + 1));
        for (int i = 0; i < name.length() && sb.length() < MAX_NAME; ) {
            int cp = name.codePointAt(i);
            boolean plain = cp < 128 && (Character.isLetterOrDigit(cp) || cp == '_' || cp == '.');
            sb.append(plain ? (char) cp : '?');
            i += Character.charCount(cp);
        }
        if (name.codePointCount(0, name.length()) > MAX_NAME) {
            sb.append('…');
        }
        return sb.toString();
    }

    /**
     * @param names field names
     * @return them through {@link #name}, as {@code [A, B]}, the first ten and how many more
     */
    public static String names(Collection<String> names) {
        Objects.requireNonNull(names, "names");
        StringBuilder sb = new StringBuilder("[");
        int i = 0;
        for (String n : names) {
            if (i == MAX_NAMES) {
                sb.append(", … ").append(names.size() - MAX_NAMES).append(" more");
                break;
            }
            sb.append(i == 0 ? "" : ", ").append(name(n));
            i++;
        }
        return sb.append(']').toString();
    }

    /**
     * An exception's message as crmsync may report it: the (bounded) message of an exception of
     * crmsync's own tree, which by its contract names codes, keys and fields only; for any other
     * exception (a driver's, a library's, the host's), whose message may quote values, its class
     * name alone.
     *
     * @param e an exception
     * @return its safe description, never empty
     */
    public static String describe(Throwable e) {
        Objects.requireNonNull(e, "e");
        if (e instanceof Scrubbed s) {
            return s.getMessage();
        }
        String m = e.getMessage();
        if (e instanceof SyncException && m != null && !m.isBlank()) {
            return bounded(m);
        }
        return e.getClass().getName();
    }

    /**
     * A copy of an exception chain safe to keep as a cause or to log: each link keeps its class
     * name and stack trace (causes and suppressed exceptions included), its message goes through
     * {@link #describe}. The copies are not of the original classes; use them for diagnosis only.
     *
     * @param e an exception, or null
     * @return the copy, or null for null
     */
    public static @Nullable Throwable scrubbed(@Nullable Throwable e) {
        return scrub(e, 0);
    }

    private static @Nullable Throwable scrub(@Nullable Throwable e, int depth) {
        if (e == null || e instanceof Scrubbed || depth >= MAX_DEPTH) {
            return e instanceof Scrubbed ? e : null;
        }
        Scrubbed copy = new Scrubbed(e.getClass().getName(), describe(e), scrub(e.getCause(), depth + 1));
        copy.setStackTrace(e.getStackTrace());
        for (Throwable s : e.getSuppressed()) {
            Throwable sc = scrub(s, depth + 1);
            if (sc != null) {
                copy.addSuppressed(sc);
            }
        }
        return copy;
    }

    private static String cut(@Nullable String text, int max) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), max));
        for (int i = 0; i < text.length() && sb.length() <= max; i++) {
            char ch = text.charAt(i);
            sb.append(Character.isISOControl(ch) ? ' ' : ch);
        }
        if (sb.length() <= max) {
            return sb.toString();
        }
        int end = max - 1;
        if (Character.isHighSurrogate(sb.charAt(end - 1))) {
            end--;
        }
        return sb.substring(0, end) + "…";
    }

    /** A link of a {@link #scrubbed} chain: prints as the original class and the safe message. */
    private static final class Scrubbed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String original;

        Scrubbed(String original, String message, @Nullable Throwable cause) {
            super(message, cause);
            this.original = original;
        }

        @Override
        public String toString() {
            String m = getMessage();
            return m == null || m.equals(original) ? original : original + ": " + m;
        }
    }
}
