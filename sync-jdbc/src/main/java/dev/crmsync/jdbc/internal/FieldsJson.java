package dev.crmsync.jdbc.internal;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny, strict JSON codec for a typed field map, so the JDBC store needs no JSON library.
 *
 * <p>Format: one JSON object, members sorted by field name, each value either {@code null}
 * ({@link FieldValue#NULL}) or a two-element array {@code [tag, value]}:
 * <pre>
 *   ["t","text"]  ["n","1.50"]  ["b",true]  ["d","2026-01-05"]
 *   ["dt","2026-01-05T10:00:00.5Z"]  ["r","00Q000000000001AAA"]
 * </pre>
 * Numbers travel as strings (their exact decimal), so {@code 1.0} (a number), {@code "1.0"}
 * (text) and {@code null} stay three different values. Output escapes {@code "}, {@code \},
 * control characters and unpaired surrogates, so it is plain, valid JSON whatever the text.
 * The parser accepts exactly JSON (whitespace between tokens allowed) and this shape; anything
 * else — unknown tags, duplicate names, bad escapes, trailing text — is an
 * {@link IllegalArgumentException} naming the offset.
 */
public final class FieldsJson {

    private FieldsJson() {
    }

    // ---- writing -------------------------------------------------------------------------------

    /**
     * @param fields a field map
     * @return its JSON text, members sorted by name
     */
    public static String encode(Map<String, FieldValue> fields) {
        List<String> names = new ArrayList<>(fields.keySet());
        Collections.sort(names);
        StringBuilder sb = new StringBuilder(32 + fields.size() * 24);
        sb.append('{');
        boolean first = true;
        for (String name : names) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            writeString(sb, name);
            sb.append(':');
            writeValue(sb, fields.get(name));
        }
        return sb.append('}').toString();
    }

    /**
     * @param value one value
     * @return its JSON text: {@code null} or {@code [tag, value]}
     */
    public static String encodeValue(FieldValue value) {
        StringBuilder sb = new StringBuilder();
        writeValue(sb, value);
        return sb.toString();
    }

    /**
     * @param id a record id
     * @return the JSON text a reference to it has inside an encoded field map (for searching)
     */
    public static String refToken(CrmId id) {
        return "[\"r\",\"" + id.value() + "\"]";
    }

    private static void writeValue(StringBuilder sb, FieldValue v) {
        if (v instanceof FieldValue.Text t) {
            sb.append("[\"t\",");
            writeString(sb, t.value());
            sb.append(']');
        } else if (v instanceof FieldValue.Number n) {
            sb.append("[\"n\",\"").append(n.value().toString()).append("\"]");
        } else if (v instanceof FieldValue.Bool b) {
            sb.append(b.value() ? "[\"b\",true]" : "[\"b\",false]");
        } else if (v instanceof FieldValue.Date d) {
            sb.append("[\"d\",\"").append(d.value()).append("\"]");
        } else if (v instanceof FieldValue.DateTime dt) {
            sb.append("[\"dt\",\"").append(dt.value()).append("\"]");
        } else if (v instanceof FieldValue.Ref r) {
            sb.append(refToken(r.id()));
        } else {
            sb.append("null");
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static void writeString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    boolean lone = Character.isSurrogate(c) && !(Character.isHighSurrogate(c)
                            && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)));
                    if (c < 0x20 || c == 0x7F || lone) {
                        sb.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 15])
                                .append(HEX[(c >> 4) & 15]).append(HEX[c & 15]);
                    } else if (Character.isHighSurrogate(c)) {
                        sb.append(c).append(s.charAt(++i));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    // ---- reading -------------------------------------------------------------------------------

    /**
     * @param json text written by {@link #encode}
     * @return a new mutable field map
     * @throws IllegalArgumentException if the text is not such JSON
     */
    public static Map<String, FieldValue> decode(String json) {
        Parser p = new Parser(json);
        Map<String, FieldValue> out = new HashMap<>();
        p.ws();
        p.expect('{');
        p.ws();
        if (!p.take('}')) {
            do {
                p.ws();
                int at = p.pos;
                String name = p.string();
                p.ws();
                p.expect(':');
                p.ws();
                FieldValue v = p.value();
                if (out.put(name, v) != null) {
                    throw p.error("duplicate field name '" + name + "'", at);
                }
                p.ws();
            } while (p.take(','));
            p.expect('}');
        }
        p.ws();
        p.end();
        return out;
    }

    /**
     * @param json text written by {@link #encodeValue}
     * @return the value
     * @throws IllegalArgumentException if the text is not such JSON
     */
    public static FieldValue decodeValue(String json) {
        Parser p = new Parser(json);
        p.ws();
        FieldValue v = p.value();
        p.ws();
        p.end();
        return v;
    }

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String what, int at) {
            return new IllegalArgumentException("invalid fields JSON at offset " + at + ": " + what);
        }

        void ws() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    return;
                }
            }
        }

        boolean take(char c) {
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!take(c)) {
                throw error("expected '" + c + "'", pos);
            }
        }

        void end() {
            if (pos != s.length()) {
                throw error("unexpected text after the value", pos);
            }
        }

        FieldValue value() {
            if (s.startsWith("null", pos)) {
                pos += 4;
                return FieldValue.NULL;
            }
            int at = pos;
            expect('[');
            ws();
            String tag = string();
            ws();
            expect(',');
            ws();
            FieldValue v;
            try {
                if (tag.equals("b")) {
                    if (s.startsWith("true", pos)) {
                        pos += 4;
                        v = FieldValue.bool(true);
                    } else if (s.startsWith("false", pos)) {
                        pos += 5;
                        v = FieldValue.bool(false);
                    } else {
                        throw error("expected true or false", pos);
                    }
                } else {
                    String text = string();
                    v = switch (tag) {
                        case "t" -> FieldValue.text(text);
                        case "n" -> FieldValue.number(new BigDecimal(text));
                        case "d" -> FieldValue.date(LocalDate.parse(text));
                        case "dt" -> FieldValue.dateTime(Instant.parse(text));
                        case "r" -> FieldValue.ref(CrmId.of(text));
                        default -> throw error("unknown value tag '" + tag + "'", at);
                    };
                }
            } catch (RuntimeException e) {
                if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
                        && iae.getMessage().startsWith("invalid fields JSON")) {
                    throw iae;
                }
                throw error("bad " + tag + " value: " + e.getMessage(), at);
            }
            ws();
            expect(']');
            return v;
        }

        String string() {
            expect('"');
            StringBuilder sb = null;
            int start = pos;
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string", start - 1);
                }
                char c = s.charAt(pos);
                if (c == '"') {
                    String out = sb == null ? s.substring(start, pos) : sb.append(s, start, pos).toString();
                    pos++;
                    return out;
                }
                if (c < 0x20) {
                    throw error("unescaped control character in a string", pos);
                }
                if (c == '\\') {
                    if (sb == null) {
                        sb = new StringBuilder();
                    }
                    sb.append(s, start, pos);
                    pos++;
                    if (pos >= s.length()) {
                        throw error("unterminated escape", pos);
                    }
                    char e = s.charAt(pos++);
                    switch (e) {
                        case '"' -> sb.append('"');
                        case '\\' -> sb.append('\\');
                        case '/' -> sb.append('/');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'n' -> sb.append('\n');
                        case 'r' -> sb.append('\r');
                        case 't' -> sb.append('\t');
                        case 'u' -> {
                            if (pos + 4 > s.length()) {
                                throw error("short \\u escape", pos);
                            }
                            int code = 0;
                            for (int i = 0; i < 4; i++) {
                                int d = Character.digit(s.charAt(pos + i), 16);
                                if (d < 0) {
                                    throw error("bad \\u escape", pos);
                                }
                                code = code * 16 + d;
                            }
                            pos += 4;
                            sb.append((char) code);
                        }
                        default -> throw error("bad escape '\\" + e + "'", pos - 1);
                    }
                    start = pos;
                } else {
                    pos++;
                }
            }
        }
    }
}
