package dev.crmsync.testkit.salesforce.internal;

import dev.crmsync.testkit.salesforce.internal.Soql.And;
import dev.crmsync.testkit.salesforce.internal.Soql.BoolLit;
import dev.crmsync.testkit.salesforce.internal.Soql.Comparison;
import dev.crmsync.testkit.salesforce.internal.Soql.Condition;
import dev.crmsync.testkit.salesforce.internal.Soql.CountAll;
import dev.crmsync.testkit.salesforce.internal.Soql.CountField;
import dev.crmsync.testkit.salesforce.internal.Soql.DateLit;
import dev.crmsync.testkit.salesforce.internal.Soql.DateTimeLit;
import dev.crmsync.testkit.salesforce.internal.Soql.FieldItem;
import dev.crmsync.testkit.salesforce.internal.Soql.In;
import dev.crmsync.testkit.salesforce.internal.Soql.Like;
import dev.crmsync.testkit.salesforce.internal.Soql.Literal;
import dev.crmsync.testkit.salesforce.internal.Soql.Name;
import dev.crmsync.testkit.salesforce.internal.Soql.Not;
import dev.crmsync.testkit.salesforce.internal.Soql.NullLit;
import dev.crmsync.testkit.salesforce.internal.Soql.NumberLit;
import dev.crmsync.testkit.salesforce.internal.Soql.Op;
import dev.crmsync.testkit.salesforce.internal.Soql.Or;
import dev.crmsync.testkit.salesforce.internal.Soql.OrderItem;
import dev.crmsync.testkit.salesforce.internal.Soql.SelectItem;
import dev.crmsync.testkit.salesforce.internal.Soql.StringLit;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small recursive-descent parser for the SOQL subset of {@link Soql}. Keywords are
 * case-insensitive. As in Salesforce, {@code AND} and {@code OR} cannot be mixed at one level
 * without parentheses. String literals are single-quoted with SOQL's backslash escapes
 * ({@code \' \" \\ \n \r \t \b \f}, and {@code \_ \%} for literal wildcards); any other escape
 * is an error.
 */
public final class SoqlParser {

    private static final Set<String> KEYWORDS = Set.of("SELECT", "FROM", "WHERE", "ORDER", "BY", "ASC", "DESC",
            "NULLS", "FIRST", "LAST", "LIMIT", "OFFSET", "GROUP", "AND", "OR", "NOT", "IN", "LIKE", "TRUE", "FALSE", "NULL");

    private static final Pattern DATETIME = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:Z|[+-]\\d{2}:\\d{2})");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?");
    /** The aggregate functions besides COUNT. */
    private static final List<String> AGGREGATES = List.of("SUM", "MIN", "MAX", "AVG", "COUNT_DISTINCT");
    /** Salesforce's largest OFFSET. */
    private static final int MAX_OFFSET = 2000;

    private enum Kind { IDENT, STRING, NUMBER, DATETIME, DATE, OP, LPAREN, RPAREN, COMMA, COLON, EOF }

    private record Token(Kind kind, String text, int pos, String likeRegex) {
        boolean isKeyword(String keyword) {
            return kind == Kind.IDENT && text.equalsIgnoreCase(keyword);
        }

        String shown() {
            return kind == Kind.EOF ? "<EOF>" : kind == Kind.STRING ? "'" + text + "'" : text;
        }
    }

    private final String text;
    private final List<Token> tokens;
    private int index;
    /** True while a child subquery is being read: subqueries do not nest. */
    private boolean nestedNow;

    private SoqlParser(String text) {
        this.text = text;
        this.tokens = lex(text);
    }

    /**
     * Parses a query.
     *
     * @param text the SOQL text
     * @return the syntax tree
     * @throws SoqlException {@code MALFORMED_QUERY} if the text is not in the subset
     */
    public static Soql parse(String text) {
        if (text == null || text.isBlank()) {
            throw new SoqlException("MALFORMED_QUERY", "A query string has to be specified", -1);
        }
        return new SoqlParser(text).query();
    }

    // ---------------------------------------------------------------- grammar

    private Soql query() {
        return query(false);
    }

    /** A query, or (nested) a child subquery up to its closing parenthesis. */
    private Soql query(boolean nested) {
        expectKeyword("SELECT");
        List<SelectItem> select = new ArrayList<>();
        do {
            select.add(selectItem());
        } while (accept(Kind.COMMA));
        expectKeyword("FROM");
        Name from;
        if (peek().isKeyword("GROUP")) {        // the Group object (queues): a keyword elsewhere, a name here
            Token t = next();
            from = new Name(t.text(), t.pos());
        } else {
            from = identifier();
        }
        Condition where = null;
        if (acceptKeyword("WHERE")) {
            where = condition();
        }
        List<Name> groupBy = new ArrayList<>();
        if (acceptKeyword("GROUP")) {
            expectKeyword("BY");
            do {
                groupBy.add(identifier());
            } while (accept(Kind.COMMA));
        }
        List<OrderItem> orderBy = new ArrayList<>();
        if (acceptKeyword("ORDER")) {
            expectKeyword("BY");
            do {
                orderBy.add(orderItem());
            } while (accept(Kind.COMMA));
        }
        Integer limit = null;
        if (acceptKeyword("LIMIT")) {
            Token t = peek();
            if (t.kind() != Kind.NUMBER || t.text().contains(".") || t.text().startsWith("-")) {
                throw unexpected(t);
            }
            next();
            try {
                limit = Integer.valueOf(t.text());
            } catch (NumberFormatException e) {
                throw new SoqlException("MALFORMED_QUERY", "LIMIT must be a non-negative integer: " + t.text(), t.pos());
            }
        }
        Integer offset = null;
        if (acceptKeyword("OFFSET")) {
            Token t = peek();
            if (t.kind() != Kind.NUMBER || t.text().contains(".") || t.text().startsWith("-")) {
                throw unexpected(t);
            }
            next();
            try {
                offset = Integer.valueOf(t.text());
            } catch (NumberFormatException e) {
                offset = Integer.MAX_VALUE;
            }
            if (offset > MAX_OFFSET) {
                throw new SoqlException("NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is " + MAX_OFFSET,
                        t.pos());
            }
        }
        Token end = peek();
        if (nested ? end.kind() != Kind.RPAREN : end.kind() != Kind.EOF) {
            throw unexpected(end);
        }
        return new Soql(text, select, from, where, groupBy, orderBy, limit, offset);
    }

    private SelectItem selectItem() {
        Token t = peek();
        if (t.kind() == Kind.LPAREN && peekAt(1).isKeyword("SELECT") && !nestedNow) {
            next();
            nestedNow = true;
            Soql inner;
            try {
                inner = query(true);
            } finally {
                nestedNow = false;
            }
            expect(Kind.RPAREN);
            if (inner.select().stream().anyMatch(i -> !(i instanceof FieldItem))) {
                throw new SoqlException("MALFORMED_QUERY", "a child subquery selects fields only", t.pos());
            }
            if (!inner.groupBy().isEmpty() || inner.offset() != null) {
                throw new SoqlException("MALFORMED_QUERY", "a child subquery takes no GROUP BY or OFFSET", t.pos());
            }
            return new Soql.SubQuery(inner, t.pos());
        }
        if (t.isKeyword("COUNT") && peekAt(1).kind() == Kind.LPAREN) {
            next();
            next();
            if (accept(Kind.RPAREN)) {
                return new CountAll(t.pos());
            }
            Name field = identifier();
            expect(Kind.RPAREN);
            String alias = null;
            Token a = peek();
            if (a.kind() == Kind.IDENT && !isKeyword(a)) {
                next();
                alias = a.text();
            }
            return new CountField(field, alias);
        }
        for (String function : AGGREGATES) {
            if (t.isKeyword(function) && peekAt(1).kind() == Kind.LPAREN) {
                next();
                next();
                Name field = identifier();
                expect(Kind.RPAREN);
                String alias = null;
                Token a = peek();
                if (a.kind() == Kind.IDENT && !isKeyword(a)) {
                    next();
                    alias = a.text();
                }
                return new Soql.AggregateField(function, field, alias);
            }
        }
        return new FieldItem(identifier());
    }

    private OrderItem orderItem() {
        Name field = identifier();
        boolean ascending = true;
        if (acceptKeyword("DESC")) {
            ascending = false;
        } else {
            acceptKeyword("ASC");
        }
        boolean nullsFirst = ascending;
        if (acceptKeyword("NULLS")) {
            if (acceptKeyword("FIRST")) {
                nullsFirst = true;
            } else if (acceptKeyword("LAST")) {
                nullsFirst = false;
            } else {
                throw unexpected(peek());
            }
        }
        return new OrderItem(field, ascending, nullsFirst);
    }

    private Condition condition() {
        Condition first = unary();
        Token t = peek();
        if (!t.isKeyword("AND") && !t.isKeyword("OR")) {
            return first;
        }
        String joiner = t.text().toUpperCase(Locale.ROOT);
        String other = joiner.equals("AND") ? "OR" : "AND";
        List<Condition> parts = new ArrayList<>();
        parts.add(first);
        while (acceptKeyword(joiner)) {
            parts.add(unary());
            if (peek().isKeyword(other)) {
                // Salesforce requires parentheses when AND and OR meet at one level
                throw unexpected(peek());
            }
        }
        return joiner.equals("AND") ? new And(parts) : new Or(parts);
    }

    private Condition unary() {
        if (acceptKeyword("NOT")) {
            return new Not(unary());
        }
        if (accept(Kind.LPAREN)) {
            Condition inner = condition();
            expect(Kind.RPAREN);
            return inner;
        }
        return predicate();
    }

    private Condition predicate() {
        Name field = identifier();
        Token t = peek();
        if (t.isKeyword("NOT")) {
            next();
            if (!peek().isKeyword("IN")) {
                throw unexpected(peek());
            }
            next();
            return inList(field, true);
        }
        if (acceptKeyword("IN")) {
            return inList(field, false);
        }
        if (acceptKeyword("LIKE")) {
            Token p = next();
            if (p.kind() != Kind.STRING) {
                throw unexpected(p);
            }
            Pattern pattern = Pattern.compile(p.likeRegex(),
                    Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
            return new Like(field, pattern, p.pos());
        }
        if (t.kind() != Kind.OP) {
            throw unexpected(t);
        }
        next();
        Op op = switch (t.text()) {
            case "=" -> Op.EQ;
            case "!=", "<>" -> Op.NE;
            case "<" -> Op.LT;
            case "<=" -> Op.LE;
            case ">" -> Op.GT;
            case ">=" -> Op.GE;
            default -> throw unexpected(t);
        };
        int valuePos = peek().pos();
        return new Comparison(field, op, literal(), valuePos);
    }

    private Condition inList(Name field, boolean negated) {
        expect(Kind.LPAREN);
        int valuePos = peek().pos();
        List<Literal> values = new ArrayList<>();
        do {
            values.add(literal());
        } while (accept(Kind.COMMA));
        expect(Kind.RPAREN);
        return new In(field, negated, values, valuePos);
    }

    private Literal literal() {
        Token t = next();
        switch (t.kind()) {
            case STRING:
                return new StringLit(t.text());
            case NUMBER:
                return new NumberLit(new BigDecimal(t.text()));
            case DATE:
                try {
                    return new DateLit(LocalDate.parse(t.text()));
                } catch (DateTimeException e) {
                    throw new SoqlException("MALFORMED_QUERY", "invalid date: " + t.text(), t.pos());
                }
            case DATETIME:
                try {
                    return new DateTimeLit(OffsetDateTime.parse(t.text()).toInstant());
                } catch (DateTimeException e) {
                    throw new SoqlException("MALFORMED_QUERY", "invalid date-time: " + t.text(), t.pos());
                }
            case IDENT:
                if (t.isKeyword("TRUE")) {
                    return new BoolLit(true);
                }
                if (t.isKeyword("FALSE")) {
                    return new BoolLit(false);
                }
                if (t.isKeyword("NULL")) {
                    return new NullLit();
                }
                return relativeDate(t);
            default:
                throw unexpected(t);
        }
    }

    /** {@code TODAY}, {@code LAST_N_DAYS:n}, ...: a relative date literal, or MALFORMED_QUERY. */
    private Soql.RelativeDateLit relativeDate(Token t) {
        String name = t.text().toUpperCase(Locale.ROOT);
        if (DateLiterals.FIXED.contains(name)) {
            return new Soql.RelativeDateLit(name, 0);
        }
        if (!DateLiterals.WITH_N.contains(name)) {
            throw unexpected(t);
        }
        if (!accept(Kind.COLON)) {
            throw new SoqlException("MALFORMED_QUERY", "Invalid date literal " + t.text() + ": it needs a number, as in "
                    + name + ":3", t.pos());
        }
        Token n = next();
        if (n.kind() != Kind.NUMBER || n.text().contains(".") || n.text().startsWith("-")) {
            throw unexpected(n);
        }
        int value;
        try {
            value = Integer.parseInt(n.text());
        } catch (NumberFormatException e) {
            throw new SoqlException("MALFORMED_QUERY", "Invalid date literal number: " + n.text(), n.pos());
        }
        return new Soql.RelativeDateLit(name, value);
    }

    private Name identifier() {
        Token t = next();
        if (t.kind() != Kind.IDENT || isKeyword(t)) {
            throw unexpected(t);
        }
        return new Name(t.text(), t.pos());
    }

    // ---------------------------------------------------------------- token helpers

    private static boolean isKeyword(Token t) {
        return t.kind() == Kind.IDENT && KEYWORDS.contains(t.text().toUpperCase(Locale.ROOT));
    }

    private Token peek() {
        return tokens.get(index);
    }

    private Token peekAt(int ahead) {
        return tokens.get(Math.min(index + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(index);
        if (t.kind() != Kind.EOF) {
            index++;
        }
        return t;
    }

    private boolean accept(Kind kind) {
        if (peek().kind() == kind) {
            next();
            return true;
        }
        return false;
    }

    private void expect(Kind kind) {
        if (!accept(kind)) {
            throw unexpected(peek());
        }
    }

    private boolean acceptKeyword(String keyword) {
        if (peek().isKeyword(keyword)) {
            next();
            return true;
        }
        return false;
    }

    private void expectKeyword(String keyword) {
        if (!acceptKeyword(keyword)) {
            throw unexpected(peek());
        }
    }

    private static SoqlException unexpected(Token t) {
        return new SoqlException("MALFORMED_QUERY", "unexpected token: " + t.shown(), t.pos());
    }

    // ---------------------------------------------------------------- lexer

    private static List<Token> lex(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                i++;
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && isIdentPart(s.charAt(i))) {
                    i++;
                }
                out.add(new Token(Kind.IDENT, s.substring(start, i), start, null));
            } else if (Character.isDigit(c) || (c == '-' && i + 1 < n && Character.isDigit(s.charAt(i + 1)))) {
                i = lexNumeric(s, i, out);
            } else if (c == '\'') {
                i = lexString(s, i, out);
            } else if (c == '(') {
                out.add(new Token(Kind.LPAREN, "(", i++, null));
            } else if (c == ')') {
                out.add(new Token(Kind.RPAREN, ")", i++, null));
            } else if (c == ',') {
                out.add(new Token(Kind.COMMA, ",", i++, null));
            } else if (c == ':') {
                out.add(new Token(Kind.COLON, ":", i++, null));
            } else if (c == '=') {
                out.add(new Token(Kind.OP, "=", i++, null));
            } else if (c == '!' && i + 1 < n && s.charAt(i + 1) == '=') {
                out.add(new Token(Kind.OP, "!=", i, null));
                i += 2;
            } else if (c == '<' || c == '>') {
                if (i + 1 < n && s.charAt(i + 1) == '=') {
                    out.add(new Token(Kind.OP, c + "=", i, null));
                    i += 2;
                } else if (c == '<' && i + 1 < n && s.charAt(i + 1) == '>') {
                    out.add(new Token(Kind.OP, "<>", i, null));
                    i += 2;
                } else {
                    out.add(new Token(Kind.OP, String.valueOf(c), i++, null));
                }
            } else {
                throw new SoqlException("MALFORMED_QUERY",
                        "unexpected token: '" + new String(Character.toChars(s.codePointAt(i))) + "'", i);
            }
        }
        out.add(new Token(Kind.EOF, "", n, null));
        return out;
    }

    private static boolean isIdentPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.';
    }

    private static int lexNumeric(String s, int start, List<Token> out) {
        Kind kind;
        Matcher m = DATETIME.matcher(s).region(start, s.length());
        if (m.lookingAt()) {
            kind = Kind.DATETIME;
        } else if ((m = DATE.matcher(s).region(start, s.length())).lookingAt()) {
            kind = Kind.DATE;
        } else {
            m = NUMBER.matcher(s).region(start, s.length());
            if (!m.lookingAt()) {
                throw new SoqlException("MALFORMED_QUERY", "unexpected token: '" + s.charAt(start) + "'", start);
            }
            kind = Kind.NUMBER;
        }
        int end = m.end();
        if (end < s.length() && isIdentPart(s.charAt(end))) {
            int stop = end;
            while (stop < s.length() && isIdentPart(s.charAt(stop))) {
                stop++;
            }
            throw new SoqlException("MALFORMED_QUERY", "unexpected token: '" + s.substring(start, stop) + "'", start);
        }
        out.add(new Token(kind, s.substring(start, end), start, null));
        return end;
    }

    /** Reads a quoted literal starting at the opening quote; returns the index after the closing quote. */
    private static int lexString(String s, int start, List<Token> out) {
        StringBuilder value = new StringBuilder();
        StringBuilder regex = new StringBuilder();
        StringBuilder run = new StringBuilder();
        int i = start + 1;
        int n = s.length();
        while (true) {
            if (i >= n) {
                throw new SoqlException("MALFORMED_QUERY", "unterminated string literal", start);
            }
            char c = s.charAt(i);
            if (c == '\'') {
                i++;
                break;
            }
            if (c == '\\') {
                if (i + 1 >= n) {
                    throw new SoqlException("MALFORMED_QUERY", "unterminated string literal", start);
                }
                char e = s.charAt(i + 1);
                char decoded = switch (e) {
                    case 'n', 'N' -> '\n';
                    case 'r', 'R' -> '\r';
                    case 't', 'T' -> '\t';
                    case 'b', 'B' -> '\b';
                    case 'f', 'F' -> '\f';
                    case '"' -> '"';
                    case '\'' -> '\'';
                    case '\\' -> '\\';
                    case '_' -> '_';
                    case '%' -> '%';
                    default -> throw new SoqlException("MALFORMED_QUERY", "Invalid string literal '"
                            + s.substring(start + 1, Math.min(n, i + 2)) + "'. Illegal escape sequence: \\" + e, i);
                };
                value.append(decoded);
                run.append(decoded);
                i += 2;
            } else {
                value.append(c);
                if (c == '%' || c == '_') {
                    flush(regex, run);
                    regex.append(c == '%' ? ".*" : ".");
                } else {
                    run.append(c);
                }
                i++;
            }
        }
        flush(regex, run);
        out.add(new Token(Kind.STRING, value.toString(), start, regex.toString()));
        return i;
    }

    private static void flush(StringBuilder regex, StringBuilder run) {
        if (run.length() > 0) {
            regex.append(Pattern.quote(run.toString()));
            run.setLength(0);
        }
    }
}
